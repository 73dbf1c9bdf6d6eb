// Markdown -> HTML with md4c (CommonMark plus GitHub tables, strikethrough and permissive
// autolinks). Pure and deterministic.
#pragma once

#include <string>
#include <string_view>

namespace gd::render {

// Replaces every malformed UTF-8 sequence (and NUL) with U+FFFD, so later stages see valid text.
std::string ToValidUtf8(std::string_view text);

// Renders `markdown` to an HTML fragment. Raw HTML in the source passes through untouched, so
// the result is NOT safe to publish: it must go through SanitizeHtml (sanitizer.h) first.
// MarkdownToSafeHtml does both.
std::string MarkdownToHtml(std::string_view markdown);

}  // namespace gd::render
