// Markdown → prose pieces and links, with md4c. Offsets index the Markdown source.
#pragma once

#include <string_view>

#include "dispatcher/checks/text_stream.h"

namespace gd::checks {

// Prose of a Markdown document: text of paragraphs, headings, list items, table cells, link
// texts and image alt texts. Code blocks, inline code, raw HTML blocks and URLs are left out.
// Link destinations and image sources (and bare URLs in the text) are returned as links.
// Never fails: text md4c cannot place in the source is treated as a break.
ProseText WalkMarkdown(std::string_view markdown);

}  // namespace gd::checks
