#include "dispatcher/render/markdown.h"

#include <md4c-html.h>
#include <md4c.h>

#include "dispatcher/core/utf8.h"

namespace gd::render {

std::string ToValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = pos;
    char32_t cp = DecodeUtf8(text, &pos);
    if (cp == 0) {
      AppendUtf8(&out, 0xFFFD);
    } else if (cp == 0xFFFD && pos - start != 3) {
      AppendUtf8(&out, 0xFFFD);  // a malformed byte, decoded as one replacement character
    } else {
      out.append(text.substr(start, pos - start));
    }
  }
  return out;
}

namespace {

void AppendOutput(const MD_CHAR* data, MD_SIZE size, void* userdata) {
  static_cast<std::string*>(userdata)->append(data, size);
}

}  // namespace

std::string MarkdownToHtml(std::string_view markdown) {
  const std::string input = ToValidUtf8(markdown);
  std::string html;
  html.reserve(input.size() * 2);
  const unsigned parser_flags =
      MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_PERMISSIVEAUTOLINKS;
  const unsigned renderer_flags = MD_HTML_FLAG_SKIP_UTF8_BOM;
  if (md_html(input.data(), static_cast<MD_SIZE>(input.size()), &AppendOutput, &html, parser_flags,
              renderer_flags) != 0) {
    // md4c fails only on allocation failure; fall back to the escaped source as one paragraph.
    html.clear();
    html += "<p>";
    for (char c : input) {
      switch (c) {
        case '&':
          html += "&amp;";
          break;
        case '<':
          html += "&lt;";
          break;
        case '>':
          html += "&gt;";
          break;
        default:
          html += c;
      }
    }
    html += "</p>";
  }
  return html;
}

}  // namespace gd::render
