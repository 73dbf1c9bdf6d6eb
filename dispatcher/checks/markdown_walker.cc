#include "dispatcher/checks/markdown_walker.h"

#include <md4c.h>

#include <string>

namespace gd::checks {

namespace {

struct Walker {
  std::string_view doc;
  ProseText prose;
  Gap pending = Gap::kBreak;
  int code_depth = 0;
  int html_block_depth = 0;
  std::string_view href;  // of the innermost enclosing link
  size_t last_pos = 0;

  bool InDoc(const MD_CHAR* p, MD_SIZE n) const {
    return p >= doc.data() && p + n <= doc.data() + doc.size();
  }

  void AddLink(const MD_ATTRIBUTE& attr) {
    if (attr.size == 0) return;
    std::string url(attr.text, attr.size);
    size_t begin;
    if (InDoc(attr.text, attr.size)) {
      begin = static_cast<size_t>(attr.text - doc.data());
    } else {
      // md4c rebuilt the attribute (escapes, entities): locate the raw text if it is there.
      size_t at = doc.find(url, last_pos);
      if (at == std::string_view::npos) at = doc.find(url);
      if (at == std::string_view::npos) return;
      begin = at;
    }
    prose.links.push_back({begin, begin + url.size(), url});
  }
};

Walker* W(void* u) { return static_cast<Walker*>(u); }

int EnterBlock(MD_BLOCKTYPE type, void*, void* u) {
  Walker* w = W(u);
  w->pending = Gap::kBreak;
  if (type == MD_BLOCK_CODE) ++w->code_depth;
  if (type == MD_BLOCK_HTML) ++w->html_block_depth;
  return 0;
}

int LeaveBlock(MD_BLOCKTYPE type, void*, void* u) {
  Walker* w = W(u);
  w->pending = Gap::kBreak;
  if (type == MD_BLOCK_CODE) --w->code_depth;
  if (type == MD_BLOCK_HTML) --w->html_block_depth;
  return 0;
}

int EnterSpan(MD_SPANTYPE type, void* detail, void* u) {
  Walker* w = W(u);
  if (type == MD_SPAN_A) {
    const auto* a = static_cast<const MD_SPAN_A_DETAIL*>(detail);
    w->AddLink(a->href);
    // Only a view into the source outlives the parse.
    w->href = w->InDoc(a->href.text, a->href.size) ? std::string_view(a->href.text, a->href.size)
                                                   : std::string_view();
  } else if (type == MD_SPAN_IMG) {
    const auto* img = static_cast<const MD_SPAN_IMG_DETAIL*>(detail);
    w->AddLink(img->src);
  } else if (type == MD_SPAN_CODE || type == MD_SPAN_LATEXMATH ||
             type == MD_SPAN_LATEXMATH_DISPLAY) {
    w->pending = Gap::kBreak;
  }
  return 0;
}

int LeaveSpan(MD_SPANTYPE type, void*, void* u) {
  Walker* w = W(u);
  if (type == MD_SPAN_A) w->href = {};
  if (type == MD_SPAN_CODE || type == MD_SPAN_LATEXMATH || type == MD_SPAN_LATEXMATH_DISPLAY)
    w->pending = Gap::kBreak;
  return 0;
}

int Text(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size, void* u) {
  Walker* w = W(u);
  switch (type) {
    case MD_TEXT_NORMAL:
      if (w->code_depth > 0 || w->html_block_depth > 0) {
        w->pending = Gap::kBreak;
        return 0;
      }
      if (!w->InDoc(text, size)) {
        w->pending = Gap::kBreak;
        return 0;
      }
      {
        size_t b = static_cast<size_t>(text - w->doc.data());
        w->prose.pieces.push_back({b, b + size, w->pending, w->href});
        w->pending = Gap::kJoin;
        w->last_pos = b + size;
      }
      return 0;
    case MD_TEXT_SOFTBR:
      if (w->pending != Gap::kBreak) w->pending = Gap::kSpace;
      return 0;
    case MD_TEXT_HTML:
      // Inline tags (`机<b>密</b>`) join; raw HTML blocks are not prose.
      if (w->html_block_depth > 0) w->pending = Gap::kBreak;
      return 0;
    case MD_TEXT_ENTITY:
      return 0;
    default:  // hard breaks, code, NUL, math
      w->pending = Gap::kBreak;
      return 0;
  }
}

}  // namespace

ProseText WalkMarkdown(std::string_view markdown) {
  Walker w;
  w.doc = markdown;
  MD_PARSER parser{};
  parser.abi_version = 0;
  parser.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_TASKLISTS;
  parser.enter_block = EnterBlock;
  parser.leave_block = LeaveBlock;
  parser.enter_span = EnterSpan;
  parser.leave_span = LeaveSpan;
  parser.text = Text;
  if (md_parse(markdown.data(), static_cast<MD_SIZE>(markdown.size()), &parser, &w) != 0) {
    // md4c only fails on allocation failure; fall back to the plain text.
    return PlainProse(markdown);
  }
  SplitBareUrls(markdown, &w.prose);
  return std::move(w.prose);
}

}  // namespace gd::checks
