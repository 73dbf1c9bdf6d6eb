// libFuzzer target: arbitrary bytes as a Markdown body (and as raw HTML) through the sanitiser
// and every built-in channel's formatter. Checks that nothing crashes, that hostile markup never
// survives the sanitiser, and that sanitising is a fixed point.
//
// Build: clang++ -std=c++20 -fsanitize=fuzzer,address,undefined -I<repo> formatters_fuzz.cc
//   linking gd_channel_formatters gd_render gd_core, md4c-html md4c gumbo fmt OpenSSL::Crypto.
// Run with GD_SOURCE_DIR=<repo> (templates/ and policies/channel_limits.json are read from it).
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "channels/builtin_channels.h"
#include "dispatcher/render/markdown.h"
#include "dispatcher/render/sanitizer.h"

namespace {

using namespace gd;
using namespace gd::channels;

struct World {
  render::TemplateSet templates;
  ChannelLimits limits;
  std::map<std::string, std::unique_ptr<Formatter>, std::less<>> formatters;
  std::vector<Account> accounts;
};

std::string SourceDir() {
  if (const char* env = std::getenv("GD_SOURCE_DIR")) return env;
#ifdef GD_SOURCE_DIR
  return GD_SOURCE_DIR;
#else
  return ".";
#endif
}

const World& GetWorld() {
  static const World* world = [] {
    auto* w = new World;
    auto t = render::TemplateSet::Load(SourceDir() + "/templates");
    auto l = LoadChannelLimits(SourceDir() + "/policies/channel_limits.json");
    if (!t.ok() || !l.ok()) {
      std::fprintf(stderr, "set GD_SOURCE_DIR to the repository: %s %s\n",
                   t.status().message().c_str(), l.status().message().c_str());
      std::abort();
    }
    w->templates = std::move(*t);
    w->limits = std::move(*l);
    auto f = MakeBuiltinFormatters({&w->templates, &w->limits});
    if (!f.ok()) std::abort();
    w->formatters = std::move(*f);
    for (const BuiltinChannel& c : BuiltinChannels()) {
      Account a;
      a.kind = std::string(c.kind);
      a.name = "示例账号";
      a.unit_name = "示例市人民政府办公室";
      a.settings = {{"site_name", "示例市人民政府"}, {"platform", "视频号"}};
      w->accounts.push_back(std::move(a));
    }
    return w;
  }();
  return *world;
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Walks the start tags of sanitiser output: every attribute must be one the allow-list emits,
// and no URL may carry a script or data scheme.
void CheckSafe(std::string_view html) {
  static const std::set<std::string> kAttrs = {"href",   "title",  "src",      "alt",     "width",
                                               "height", "poster", "controls", "colspan", "rowspan",
                                               "align",  "start",  "style"};
  static const std::set<std::string> kTags = {
      "p",          "br",         "hr",   "h1",    "h2",      "h3",  "h4",    "h5",    "h6",
      "strong",     "b",          "em",   "i",     "u",       "s",   "del",   "sub",   "sup",
      "blockquote", "ul",         "ol",   "li",    "a",       "img", "table", "thead", "tbody",
      "tfoot",      "tr",         "th",   "td",    "caption", "pre", "code",  "span",  "div",
      "figure",     "figcaption", "mark", "small", "video"};
  size_t p = 0;
  while ((p = html.find('<', p)) != std::string_view::npos) {
    size_t i = p + 1;
    if (i < html.size() && html[i] == '/') ++i;
    size_t name_end = i;
    while (name_end < html.size() && std::isalnum(static_cast<unsigned char>(html[name_end]))) {
      ++name_end;
    }
    Check(kTags.count(Lower(html.substr(i, name_end - i))) == 1, "tag outside the allow-list");
    i = name_end;
    while (i < html.size() && html[i] != '>') {
      if (html[i] == ' ') {
        ++i;
        continue;
      }
      size_t a = i;
      while (i < html.size() && html[i] != '=' && html[i] != ' ' && html[i] != '>') ++i;
      const std::string attr = Lower(html.substr(a, i - a));
      Check(kAttrs.count(attr) == 1, "attribute outside the allow-list");
      if (i < html.size() && html[i] == '=') {
        Check(i + 1 < html.size() && html[i + 1] == '"', "unquoted attribute");
        size_t close = html.find('"', i + 2);
        Check(close != std::string_view::npos, "unterminated attribute");
        const std::string value = Lower(html.substr(i + 2, close - i - 2));
        for (const char* bad : {"javascript:", "vbscript:", "data:"}) {
          Check(!value.starts_with(bad) || attr == "title" || attr == "alt" || attr == "style",
                "script or data URL survived");
        }
        i = close + 1;
      }
    }
    p = i;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  const World& w = GetWorld();
  const std::string input(reinterpret_cast<const char*>(data), size);

  // The sanitiser over the input as raw HTML and over the Markdown rendering.
  for (const std::string& html : {input, render::MarkdownToHtml(input)}) {
    const std::string once = render::SanitizeHtml(html, {});
    CheckSafe(once);
    Check(render::SanitizeHtml(once, {}) == once, "sanitiser is not a fixed point");
    (void)render::HtmlToText(once);
  }

  // Every formatter, with the input as body and (cut) as title, summary and options.
  Content content;
  content.title = input.substr(0, 40);
  content.summary = input.size() > 40 ? input.substr(40, 200) : "";
  content.body = input;
  content.column = "工作动态";
  MediaRef cover;
  cover.media_id = 1;
  cover.role = "cover";
  cover.kind = "image";
  cover.mime = "image/jpeg";
  cover.sha256 = std::string(64, 'a');
  content.media.push_back(cover);
  for (const BuiltinChannel& c : BuiltinChannels()) {
    content.channels.push_back({0, std::string(c.kind), Json::object()});
  }
  size_t i = 0;
  for (const BuiltinChannel& c : BuiltinChannels()) {
    ChannelTarget target{0,
                         std::string(c.kind),
                         {{"text", input.substr(0, 300)},
                          {"topics", input.substr(0, 30)},
                          {"hashtags", input.substr(0, 30)},
                          {"digest", input.substr(0, 130)}}};
    RenderInput in;
    in.content = &content;
    in.account = &w.accounts[i++];
    in.target = &target;
    in.ticket_id = 7;
    in.publish_time = 1796000000000;
    const Formatter& formatter = *w.formatters.find(c.kind)->second;
    Rendering r = formatter.Render(in);
    const std::string dump = DumpJson(r.body);
    Check(dump == DumpJson(formatter.Render(in).body), "render not deterministic");
    if (c.kind == "portal") CheckSafe(r.body["article_html"].get<std::string>());
    if (c.kind == "wechat_mp") CheckSafe(r.body["content"].get<std::string>());
  }
  return 0;
}
