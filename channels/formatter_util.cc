#include "channels/formatter_util.h"

#include <algorithm>

#include "dispatcher/core/time_util.h"
#include "dispatcher/core/utf8.h"
#include "dispatcher/render/markdown.h"

namespace gd::channels {

const MediaRef* FindMedia(const Content& content, std::string_view role) {
  for (const MediaRef& m : content.media) {
    if (m.role == role) return &m;
  }
  return nullptr;
}

const MediaRef* FindMediaBySha(const Content& content, std::string_view sha256) {
  for (const MediaRef& m : content.media) {
    if (m.sha256 == sha256) return &m;
  }
  return nullptr;
}

namespace {

const MediaRef* FindMediaByKey(const Content& content, std::string_view key) {
  if (render::IsSha256Hex(key)) return FindMediaBySha(content, key);
  if (key.empty() || key.size() > 18 ||
      !std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return nullptr;
  }
  int64_t id = std::stoll(std::string(key));
  for (const MediaRef& m : content.media) {
    if (m.media_id == id) return &m;
  }
  return nullptr;
}

}  // namespace

const MediaRef* FindMediaByOption(const Content& content, const Json& value) {
  if (value.is_number_integer())
    return FindMediaByKey(content, std::to_string(value.get<int64_t>()));
  if (value.is_string()) return FindMediaByKey(content, value.get<std::string>());
  return nullptr;
}

BodyHtml RenderBody(const Content& content, render::SanitizePolicy policy) {
  policy.resolve_media = [&content](std::string_view key) -> std::optional<std::string> {
    const MediaRef* m = FindMediaByKey(content, key);
    if (m == nullptr || !render::IsSha256Hex(m->sha256)) return std::nullopt;
    return m->sha256;
  };
  BodyHtml out;
  std::string html = render::MarkdownToHtml(content.body);
  // First pass: which attachments does the body reference itself?
  render::SanitizeReport first;
  render::SanitizeHtml(html, policy, &first);
  for (const MediaRef& m : content.media) {
    if (m.role != "image" || !render::IsSha256Hex(m.sha256)) continue;
    if (std::find(first.media.begin(), first.media.end(), m.sha256) != first.media.end()) continue;
    html += "<p><img src=\"media:" + m.sha256 + "\" alt=\"\"></p>\n";
  }
  out.html = render::SanitizeHtml(html, policy, &out.report);
  return out;
}

namespace {

std::string Trim(std::string_view s) {
  const std::string_view ws = " \t\r\n";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(ws);
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

std::string OptionString(const RenderInput& in, const char* key) {
  if (in.target == nullptr || !in.target->options.is_object()) return "";
  auto it = in.target->options.find(key);
  if (it == in.target->options.end() || !it->is_string()) return "";
  return Trim(render::ToValidUtf8(it->get<std::string>()));
}

std::vector<std::string> OptionTags(const RenderInput& in, const char* key) {
  std::vector<std::string> raw;
  if (in.target != nullptr && in.target->options.is_object()) {
    auto it = in.target->options.find(key);
    if (it != in.target->options.end()) {
      if (it->is_array()) {
        for (const Json& v : *it) {
          if (v.is_string()) raw.push_back(render::ToValidUtf8(v.get<std::string>()));
        }
      } else if (it->is_string()) {
        std::string s = render::ToValidUtf8(it->get<std::string>());
        for (std::string_view sep : {",", "，", "、", "#"}) {
          size_t p = 0;
          while ((p = s.find(sep, p)) != std::string::npos) s.replace(p, sep.size(), " ");
        }
        size_t p = 0;
        while (p < s.size()) {
          size_t q = s.find(' ', p);
          if (q == std::string::npos) q = s.size();
          raw.push_back(s.substr(p, q - p));
          p = q + 1;
        }
      }
    }
  }
  std::vector<std::string> tags;
  for (std::string t : raw) {
    t = Trim(t);
    while (!t.empty() && t.front() == '#') t.erase(0, 1);
    while (!t.empty() && t.back() == '#') t.pop_back();
    t = CollapseSpaces(t);
    t.erase(std::remove(t.begin(), t.end(), ' '), t.end());
    if (!t.empty() && std::find(tags.begin(), tags.end(), t) == tags.end()) tags.push_back(t);
  }
  return tags;
}

bool TargetsPortal(const Content& content) {
  return std::any_of(content.channels.begin(), content.channels.end(),
                     [](const ChannelTarget& t) { return t.kind == "portal"; });
}

std::string PublisherName(const RenderInput& in) {
  if (!in.unit_name.empty()) return in.unit_name;
  return in.account != nullptr ? in.account->unit_name : std::string();
}

std::string CollapseSpaces(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string CutAtSentence(std::string_view text,
                          const std::function<bool(std::string_view)>& fits) {
  static constexpr std::string_view kEnds[] = {"。", "！", "？", "；", "!", "?"};
  std::string_view best;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = std::string_view::npos;
    size_t end_len = 0;
    for (std::string_view e : kEnds) {
      size_t p = text.find(e, pos);
      if (p != std::string_view::npos && p < end) {
        end = p;
        end_len = e.size();
      }
    }
    if (end == std::string_view::npos) break;
    // Closing quotes and brackets belong to the sentence they end.
    size_t stop = end + end_len;
    for (std::string_view close : {"”", "」", "』", "）", ")"}) {
      if (text.substr(stop).starts_with(close)) stop += close.size();
    }
    std::string_view candidate = text.substr(0, stop);
    if (!fits(candidate)) break;
    best = candidate;
    pos = stop;
  }
  return CollapseSpaces(best);
}

size_t Chars(std::string_view text) { return CodePointCount(text); }

std::string CutChars(std::string_view text, size_t max_chars) {
  if (Chars(text) <= max_chars) return std::string(text);
  if (max_chars < 2) return std::string(TruncateCodePoints(text, max_chars));
  std::string out(TruncateCodePoints(text, max_chars - 2));
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
  return out + "……";
}

std::string PublishDate(TimeMs t) { return FormatDate(CstDate(t)); }

Problem MakeProblem(std::string code, std::string field, std::string message,
                    std::string severity) {
  Problem p;
  p.code = std::move(code);
  p.field = std::move(field);
  p.message = std::move(message);
  p.severity = std::move(severity);
  return p;
}

void CheckMedia(const MediaRef& m, std::string_view field, std::string_view what, int64_t max_bytes,
                const std::vector<std::string>& mimes, std::vector<Problem>* problems) {
  if (!mimes.empty() && std::find(mimes.begin(), mimes.end(), m.mime) == mimes.end()) {
    std::string allowed;
    for (const std::string& mime : mimes) allowed += (allowed.empty() ? "" : "、") + mime;
    problems->push_back(MakeProblem("media_format", std::string(field),
                                    std::string(what) + "格式为 " +
                                        (m.mime.empty() ? "未知" : m.mime) + "，本渠道只接受 " +
                                        allowed));
  }
  if (max_bytes > 0 && m.size > max_bytes) {
    problems->push_back(MakeProblem("media_too_large", std::string(field),
                                    std::string(what) + "大小为 " + std::to_string(m.size) +
                                        " 字节，超过本渠道上限 " + std::to_string(max_bytes) +
                                        " 字节"));
  }
}

void ReportUnknownMedia(const render::SanitizeReport& report, std::vector<Problem>* problems) {
  for (const std::string& key : report.unknown_media) {
    problems->push_back(
        MakeProblem("media_unknown", "body", "正文引用的媒体文件“" + key + "”不在本工单的附件中"));
  }
}

}  // namespace gd::channels
