// UTF-8 validation and offset helpers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gd {

// True if `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);
// Number of code points in valid UTF-8 `s`.
size_t CodePointCount(std::string_view s);
// Code-point index of byte offset `byte_offset` (which must be on a boundary).
size_t CodePointIndex(std::string_view s, size_t byte_offset);
// The longest prefix of `s` with at most `max_cp` code points.
std::string_view TruncateCodePoints(std::string_view s, size_t max_cp);
// Decodes one code point at `*pos` and advances it; returns 0xFFFD on malformed input.
char32_t DecodeUtf8(std::string_view s, size_t* pos);
void AppendUtf8(std::string* out, char32_t cp);

}  // namespace gd
