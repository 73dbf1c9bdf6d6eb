#include "channels/weibo/formatter.h"

#include <fmt/format.h>

#include "channels/formatter_util.h"
#include "dispatcher/core/utf8.h"

namespace gd::channels {
namespace {

constexpr std::string_view kTemplate = "weibo/status.txt";

std::string TrimText(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  size_t b = 0;
  while (b < s.size() && (s[b] == '\n' || s[b] == ' ')) ++b;
  return s.substr(b);
}

// The largest k in [0, n] with pred(k), pred being true up to some k and false after it.
size_t LargestFitting(size_t n, const std::function<bool(size_t)>& pred) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo + 1) / 2;
    if (pred(mid)) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

class WeiboFormatter final : public Formatter {
 public:
  WeiboFormatter(const render::TemplateSet& templates, WeiboLimits limits)
      : templates_(templates), limits_(std::move(limits)) {}

  Rendering Render(const RenderInput& in) const override {
    Rendering r;
    const Content& c = *in.content;
    const std::string link(kPortalUrlPlaceholder);
    std::string title = CollapseSpaces(c.title);

    // No topics: statuses/share.json forbids #话题# in the text [B1] (the platform strips
    // them), so the kind offers no topics option.
    auto compose = [&](std::string_view t, std::string_view lead) -> std::string {
      auto text = templates_.Render(kTemplate, {{"title", t}, {"lead", lead}, {"link", link}});
      return text.ok() ? TrimText(*text) : std::string();
    };
    auto fits = [&](const std::string& text) {
      return WeiboLength(text, limits_.link_units) <= limits_.text_max_units;
    };

    const std::string explicit_text = CollapseSpaces(OptionString(in, "text"));
    std::string text;
    if (!explicit_text.empty()) {
      text = compose(title, explicit_text);
      if (!fits(text)) {
        r.problems.push_back(MakeProblem(
            "text_too_long", "text",
            fmt::format("微博正文（含标题与链接）为 {} 字，超过上限 {} 字；请精简指定的微博文字",
                        WeiboLength(text, limits_.link_units), limits_.text_max_units)));
      }
    } else {
      std::string lead = CollapseSpaces(c.summary);
      if (lead.empty()) lead = CollapseSpaces(render::HtmlToText(RenderBody(c, {}).html));
      // A title too long for even an empty lead is cut first (rare: titles are short).
      if (!fits(compose(title, ""))) {
        size_t n = LargestFitting(Chars(title),
                                  [&](size_t k) { return fits(compose(CutChars(title, k), "")); });
        title = CutChars(title, n);
      }
      text = compose(title, lead);
      if (!fits(text)) {
        std::string cut =
            CutAtSentence(lead, [&](std::string_view s) { return fits(compose(title, s)); });
        if (cut.empty()) {
          // Not even one sentence fits: cut within it, marked with an ellipsis.
          size_t n = LargestFitting(
              Chars(lead), [&](size_t k) { return fits(compose(title, CutChars(lead, k))); });
          cut = n > 0 ? CutChars(lead, n) : std::string();
        }
        text = compose(title, cut);
      }
    }
    if (text.find(link) == std::string::npos) {
      r.problems.push_back(MakeProblem("template_failed", "text",
                                       "微博模板未包含门户网站链接，微博接口要求正文带链接"));
    }
    if (!TargetsPortal(c)) {
      r.problems.push_back(MakeProblem("portal_missing", "text",
                                       "微博发布接口要求正文附带链接，请同时选择门户网站渠道"));
    }

    const MediaRef* pic = nullptr;
    if (in.target != nullptr && in.target->options.contains("pic")) {
      pic = FindMediaByOption(c, in.target->options["pic"]);
      if (pic == nullptr) {
        r.problems.push_back(MakeProblem("pic_unknown", "pic", "指定的微博配图不在本工单的附件中"));
      }
    } else {
      pic = FindMedia(c, "cover");
      if (pic == nullptr) pic = FindMedia(c, "image");
    }
    if (pic != nullptr) {
      CheckMedia(*pic, "pic", "微博配图", limits_.pic_max_bytes, limits_.pic_mimes, &r.problems);
    }

    r.body = {
        {"text", text},
        {"pic", pic != nullptr ? Json(pic->sha256) : Json(nullptr)},
        {"length", WeiboLength(text, limits_.link_units)},
    };
    return r;
  }

 private:
  const render::TemplateSet& templates_;
  const WeiboLimits limits_;
};

bool IsLinkChar(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7F;
}

}  // namespace

int64_t WeiboLength(std::string_view text, int64_t link_units) {
  int64_t halves = 0;
  size_t i = 0;
  while (i < text.size()) {
    std::string_view rest = text.substr(i);
    if (rest.starts_with(kPortalUrlPlaceholder) || rest.starts_with("http://") ||
        rest.starts_with("https://")) {
      size_t j = rest.starts_with(kPortalUrlPlaceholder) ? kPortalUrlPlaceholder.size() : 0;
      while (j < rest.size() && IsLinkChar(rest[j])) ++j;
      halves += 2 * link_units;
      i += j;
      continue;
    }
    auto u = static_cast<unsigned char>(text[i]);
    if (u < 0x80) {
      halves += 1;
      ++i;
    } else {
      DecodeUtf8(text, &i);
      halves += 2;
    }
  }
  return (halves + 1) / 2;
}

StatusOr<WeiboLimits> ReadWeiboLimits(const LimitsSection& s) {
  WeiboLimits l;
  GD_RETURN_IF_ERROR(s.Int("text_max_units", &l.text_max_units));
  GD_RETURN_IF_ERROR(s.Int("link_units", &l.link_units));
  GD_RETURN_IF_ERROR(s.Int("pic_max_bytes", &l.pic_max_bytes));
  GD_RETURN_IF_ERROR(s.Strings("pic_mimes", &l.pic_mimes));
  if (l.link_units >= l.text_max_units) return s.Error("link_units", "必须小于 text_max_units");
  return l;
}

StatusOr<std::unique_ptr<Formatter>> MakeWeiboFormatter(const FormatterEnv& env) {
  if (!env.templates->Has(kTemplate)) {
    return InvalidArgument("缺少模板 templates/weibo/status.txt.mustache");
  }
  GD_ASSIGN_OR_RETURN(WeiboLimits limits, ReadWeiboLimits(env.limits->Section("weibo")));
  return std::unique_ptr<Formatter>(new WeiboFormatter(*env.templates, std::move(limits)));
}

}  // namespace gd::channels
