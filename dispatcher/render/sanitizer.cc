#include "dispatcher/render/sanitizer.h"

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "dispatcher/render/markdown.h"

namespace gd::render {
namespace {

// Elements removed together with everything inside them.
constexpr std::array<std::string_view, 29> kDropWithContent = {
    "script",    "style",   "iframe",   "frame",    "frameset", "object", "embed",    "applet",
    "noscript",  "noembed", "noframes", "template", "svg",      "math",   "textarea", "select",
    "option",    "button",  "title",    "head",     "meta",     "link",   "base",     "xmp",
    "plaintext", "canvas",  "audio",    "source",   "track"};

// Elements kept (with only the attributes AllowedAttributes lists). Anything else is unwrapped:
// the element goes, its content stays.
constexpr std::array<std::string_view, 41> kAllowedTags = {
    "p",          "br",         "hr",   "h1",    "h2",      "h3",  "h4",    "h5",    "h6",
    "strong",     "b",          "em",   "i",     "u",       "s",   "del",   "sub",   "sup",
    "blockquote", "ul",         "ol",   "li",    "a",       "img", "table", "thead", "tbody",
    "tfoot",      "tr",         "th",   "td",    "caption", "pre", "code",  "span",  "div",
    "figure",     "figcaption", "mark", "small", "video"};

constexpr std::array<std::string_view, 3> kVoidTags = {"br", "hr", "img"};

template <size_t N>
bool Contains(const std::array<std::string_view, N>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

enum class AttrKind { kText, kNumber, kAlign, kHref, kImageSrc, kMediaOnly, kBoolean };

struct AttrRule {
  std::string_view tag;
  std::string_view name;
  AttrKind kind;
};

// Emitted in this order, whatever the input order.
constexpr std::array<AttrRule, 17> kAttrRules = {{
    {"a", "href", AttrKind::kHref},
    {"a", "title", AttrKind::kText},
    {"img", "src", AttrKind::kImageSrc},
    {"img", "alt", AttrKind::kText},
    {"img", "title", AttrKind::kText},
    {"img", "width", AttrKind::kNumber},
    {"img", "height", AttrKind::kNumber},
    {"video", "src", AttrKind::kMediaOnly},
    {"video", "poster", AttrKind::kMediaOnly},
    {"video", "controls", AttrKind::kBoolean},
    {"th", "colspan", AttrKind::kNumber},
    {"th", "rowspan", AttrKind::kNumber},
    {"th", "align", AttrKind::kAlign},
    {"td", "colspan", AttrKind::kNumber},
    {"td", "rowspan", AttrKind::kNumber},
    {"td", "align", AttrKind::kAlign},
    {"ol", "start", AttrKind::kNumber},
}};

void AppendEscapedText(std::string* out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        *out += "&amp;";
        break;
      case '<':
        *out += "&lt;";
        break;
      case '>':
        *out += "&gt;";
        break;
      default:
        *out += c;
    }
  }
}

void AppendEscapedAttr(std::string* out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        *out += "&amp;";
        break;
      case '<':
        *out += "&lt;";
        break;
      case '>':
        *out += "&gt;";
        break;
      case '"':
        *out += "&quot;";
        break;
      case '\'':
        *out += "&#39;";
        break;
      default:
        *out += c;
    }
  }
}

// Browsers ignore ASCII control characters and white space inside a URL's scheme
// ("java\tscript:"), so they are removed before the scheme is read, and from the URL kept.
std::string CleanUrl(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (u > 0x20 && u != 0x7F) out += c;
  }
  return out;
}

// The lowercased scheme, or "" for a relative URL.
std::string SchemeOf(std::string_view url) {
  for (size_t i = 0; i < url.size(); ++i) {
    char c = url[i];
    if (c == ':') {
      std::string scheme(url.substr(0, i));
      for (char& ch : scheme) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      return scheme.empty() ? std::string(":") : scheme;
    }
    if (c == '/' || c == '?' || c == '#') return "";
  }
  return "";
}

std::string HostOf(std::string_view url) {
  size_t p = url.find("//");
  if (p == std::string_view::npos) return "";
  std::string_view rest = url.substr(p + 2);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  if (size_t colon = authority.find(':'); colon != std::string_view::npos) {
    authority = authority.substr(0, colon);
  }
  std::string host(authority);
  for (char& ch : host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return host;
}

bool HostAllowed(const std::string& host, const std::vector<std::string>& hosts) {
  for (const std::string& h : hosts) {
    if (host == h) return true;
    if (host.size() > h.size() && host.ends_with(h) && host[host.size() - h.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

bool IsNumber(std::string_view v) {
  return !v.empty() && v.size() <= 4 &&
         std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void AddUnique(std::vector<std::string>* list, const std::string& v) {
  if (std::find(list->begin(), list->end(), v) == list->end()) list->push_back(v);
}

class Sanitizer {
 public:
  Sanitizer(const SanitizePolicy& policy, SanitizeReport* report)
      : policy_(policy), report_(report) {}

  std::string Run(const GumboNode* body) {
    struct Frame {
      const GumboNode* node;
      unsigned next = 0;
      std::string_view close;  // "" when the element was unwrapped
    };
    std::vector<Frame> stack;
    stack.push_back({body, 0, {}});
    while (!stack.empty()) {
      Frame& top = stack.back();
      const GumboVector& children = top.node->v.element.children;
      if (top.next >= children.length) {
        if (!top.close.empty()) {
          out_ += "</";
          out_ += top.close;
          out_ += '>';
        }
        stack.pop_back();
        continue;
      }
      const auto* child = static_cast<const GumboNode*>(children.data[top.next++]);
      switch (child->type) {
        case GUMBO_NODE_TEXT:
        case GUMBO_NODE_WHITESPACE:
        case GUMBO_NODE_CDATA:
          AppendEscapedText(&out_, child->v.text.text);
          break;
        case GUMBO_NODE_ELEMENT:
        case GUMBO_NODE_TEMPLATE: {
          std::string_view close;
          if (OpenElement(child, &close)) stack.push_back({child, 0, close});
          break;
        }
        default:
          break;  // comments and the document node carry nothing we keep
      }
    }
    return std::move(out_);
  }

 private:
  // Emits the start tag of a kept element. Returns whether to descend into its children, and
  // sets *close to the tag to close afterwards ("" when unwrapped).
  bool OpenElement(const GumboNode* node, std::string_view* close) {
    const GumboElement& el = node->v.element;
    std::string_view tag = TagName(node);
    if (el.tag_namespace != GUMBO_NAMESPACE_HTML || Contains(kDropWithContent, tag) ||
        (tag == "video" && !policy_.allow_video)) {
      Count(&SanitizeReport::removed_elements);
      return false;
    }
    if (!Contains(kAllowedTags, tag)) {
      Count(&SanitizeReport::removed_elements);
      *close = {};
      return true;
    }
    std::string attrs;
    bool has_url = false;
    for (const AttrRule& rule : kAttrRules) {
      if (rule.tag != tag) continue;
      const GumboAttribute* a = gumbo_get_attribute(&el.attributes, std::string(rule.name).c_str());
      if (a == nullptr) continue;
      std::optional<std::string> value = CheckAttr(rule, a->value);
      if (!value) {
        Count(&SanitizeReport::removed_attributes);
        continue;
      }
      if (rule.kind == AttrKind::kHref || rule.kind == AttrKind::kImageSrc ||
          (rule.kind == AttrKind::kMediaOnly && rule.name == "src")) {
        has_url = true;
      }
      attrs += ' ';
      attrs += rule.name;
      if (rule.kind == AttrKind::kBoolean) continue;
      attrs += "=\"";
      AppendEscapedAttr(&attrs, *value);
      attrs += '"';
    }
    for (unsigned i = 0; i < el.attributes.length; ++i) {
      const auto* a = static_cast<const GumboAttribute*>(el.attributes.data[i]);
      bool listed = std::any_of(kAttrRules.begin(), kAttrRules.end(), [&](const AttrRule& r) {
        return r.tag == tag && r.name == a->name;
      });
      if (!listed) Count(&SanitizeReport::removed_attributes);
    }
    if ((tag == "img" || tag == "video") && !has_url) {
      Count(&SanitizeReport::removed_elements);
      return false;
    }
    if (tag == "a" && !policy_.link_hosts.empty()) {
      const GumboAttribute* href = gumbo_get_attribute(&el.attributes, "href");
      std::string url = href ? CleanUrl(href->value) : std::string();
      std::string scheme = SchemeOf(url);
      if (!(scheme == "http" || scheme == "https") ||
          !HostAllowed(HostOf(url), policy_.link_hosts)) {
        Count(&SanitizeReport::unwrapped_links);
        *close = {};
        return true;
      }
    }
    if (auto it = policy_.inline_styles.find(tag); it != policy_.inline_styles.end()) {
      attrs += " style=\"";
      AppendEscapedAttr(&attrs, it->second);
      attrs += '"';
    }
    out_ += '<';
    out_ += tag;
    out_ += attrs;
    out_ += '>';
    if (Contains(kVoidTags, tag)) return false;
    *close = tag;
    return true;
  }

  std::optional<std::string> CheckAttr(const AttrRule& rule, std::string_view raw) {
    switch (rule.kind) {
      case AttrKind::kText:
        return std::string(raw);
      case AttrKind::kBoolean:
        return std::string();
      case AttrKind::kNumber:
        if (IsNumber(raw)) return std::string(raw);
        return std::nullopt;
      case AttrKind::kAlign:
        if (raw == "left" || raw == "center" || raw == "right") return std::string(raw);
        return std::nullopt;
      case AttrKind::kHref: {
        std::string url = CleanUrl(raw);
        std::string scheme = SchemeOf(url);
        if (scheme.empty() || scheme == "http" || scheme == "https" || scheme == "mailto" ||
            scheme == "tel") {
          return url;
        }
        Count(&SanitizeReport::unsafe_urls);
        return std::nullopt;
      }
      case AttrKind::kImageSrc:
      case AttrKind::kMediaOnly: {
        std::string url = CleanUrl(raw);
        std::string scheme = SchemeOf(url);
        if (scheme == "media") return Media(url.substr(kMediaScheme.size()));
        if (rule.kind == AttrKind::kImageSrc && (scheme == "http" || scheme == "https")) {
          if (report_) AddUnique(&report_->external_images, url);
          if (policy_.allow_external_images) return url;
          return std::nullopt;
        }
        if (!scheme.empty()) Count(&SanitizeReport::unsafe_urls);
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  std::optional<std::string> Media(std::string_view key) {
    std::optional<std::string> sha;
    if (policy_.resolve_media) {
      sha = policy_.resolve_media(key);
    } else if (IsSha256Hex(key)) {
      sha = std::string(key);
    }
    if (!sha || !IsSha256Hex(*sha)) {
      if (report_) AddUnique(&report_->unknown_media, std::string(key));
      return std::nullopt;
    }
    if (report_) AddUnique(&report_->media, *sha);
    return std::string(kMediaScheme) + *sha;
  }

  void Count(int SanitizeReport::*field) {
    if (report_) ++(report_->*field);
  }

  static std::string_view TagName(const GumboNode* node) {
    const GumboElement& el = node->v.element;
    if (el.tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(el.tag);
    return "unknown";
  }

  const SanitizePolicy& policy_;
  SanitizeReport* report_;
  std::string out_;
};

const GumboNode* FindBody(const GumboNode* root) {
  const GumboVector& children = root->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    const auto* c = static_cast<const GumboNode*>(children.data[i]);
    if (c->type == GUMBO_NODE_ELEMENT && c->v.element.tag == GUMBO_TAG_BODY) return c;
  }
  return nullptr;
}

class GumboDoc {
 public:
  explicit GumboDoc(const std::string& html)
      : output_(gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size())) {}
  ~GumboDoc() { gumbo_destroy_output(&kGumboDefaultOptions, output_); }
  GumboDoc(const GumboDoc&) = delete;
  GumboDoc& operator=(const GumboDoc&) = delete;
  const GumboNode* body() const { return FindBody(output_->root); }

 private:
  GumboOutput* output_;
};

}  // namespace

bool IsSha256Hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool ParseMediaRef(std::string_view url, std::string* sha256) {
  if (!url.starts_with(kMediaScheme)) return false;
  std::string_view hex = url.substr(kMediaScheme.size());
  if (!IsSha256Hex(hex)) return false;
  if (sha256) *sha256 = std::string(hex);
  return true;
}

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendEscapedAttr(&out, text);
  return out;
}

std::string SanitizeHtml(std::string_view html, const SanitizePolicy& policy,
                         SanitizeReport* report) {
  GumboDoc doc(ToValidUtf8(html));
  const GumboNode* body = doc.body();
  if (body == nullptr) return "";
  return Sanitizer(policy, report).Run(body);
}

namespace {

bool IsBlock(std::string_view tag) {
  static constexpr std::array<std::string_view, 24> kBlocks = {
      "p",          "div",    "h1",         "h2",      "h3",      "h4",      "h5",    "h6",
      "li",         "tr",     "br",         "hr",      "ul",      "ol",      "pre",   "table",
      "blockquote", "figure", "figcaption", "caption", "section", "article", "thead", "tbody"};
  return Contains(kBlocks, tag);
}

}  // namespace

std::string HtmlToText(std::string_view html) {
  GumboDoc doc(ToValidUtf8(html));
  const GumboNode* body = doc.body();
  if (body == nullptr) return "";
  std::string out;
  bool pending_space = false;
  auto newline = [&] {
    pending_space = false;
    if (!out.empty() && out.back() != '\n') out += '\n';
  };
  struct Frame {
    const GumboNode* node;
    unsigned next = 0;
    bool block = false;
  };
  std::vector<Frame> stack;
  stack.push_back({body, 0, false});
  while (!stack.empty()) {
    Frame& top = stack.back();
    const GumboVector& children = top.node->v.element.children;
    if (top.next >= children.length) {
      if (top.block) newline();
      stack.pop_back();
      continue;
    }
    const auto* child = static_cast<const GumboNode*>(children.data[top.next++]);
    if (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_WHITESPACE ||
        child->type == GUMBO_NODE_CDATA) {
      for (const char* p = child->v.text.text; *p; ++p) {
        char c = *p;
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
          pending_space = true;
          continue;
        }
        if (pending_space && !out.empty() && out.back() != '\n') out += ' ';
        pending_space = false;
        out += c;
      }
    } else if (child->type == GUMBO_NODE_ELEMENT) {
      std::string_view tag = child->v.element.tag == GUMBO_TAG_UNKNOWN
                                 ? std::string_view("unknown")
                                 : gumbo_normalized_tagname(child->v.element.tag);
      if (Contains(kDropWithContent, tag) || tag == "video") continue;
      if (tag == "td" || tag == "th") pending_space = true;
      bool block = IsBlock(tag);
      if (block) newline();
      stack.push_back({child, 0, block});
    }
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace gd::render
