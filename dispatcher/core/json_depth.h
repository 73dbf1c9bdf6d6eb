// A nesting limit for JSON read from outside the process (request bodies, platform answers,
// policy files). nlohmann::json copies and compares trees recursively, one stack frame per
// level, so a body nested 200,000 deep overflowed the stack of the thread that copied it.
#pragma once

#include <string_view>

#include "dispatcher/core/json_util.h"

namespace gd {

// ParseJson's limit.
inline constexpr int kMaxJsonDepth = 64;

// True when no array or object in `text` nests deeper than `max_depth` (brackets inside
// strings do not count). One linear pass over the text, no tree built: meant to run before
// parsing. Malformed text is not diagnosed here (the parser does that).
bool JsonDepthWithin(std::string_view text, int max_depth);

// ParseJson with another nesting limit.
StatusOr<Json> ParseJsonWithin(std::string_view text, int max_depth);

}  // namespace gd
