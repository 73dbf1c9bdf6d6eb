// nlohmann::json at its edge: parsing never throws into our code.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "dispatcher/core/status.h"

namespace gd {

using Json = nlohmann::json;

// Parses `text` as JSON. Invalid UTF-8, nesting deeper than kMaxJsonDepth (json_depth.h;
// refused before any tree is built) and malformed JSON become kInvalidArgument with reason
// "bad_request" and a Chinese message.
StatusOr<Json> ParseJson(std::string_view text);

// Serialises without throwing: invalid UTF-8 inside strings is replaced with U+FFFD.
std::string DumpJson(const Json& j, int indent = -1);

// Typed field access for request bodies; each returns kInvalidArgument naming the field.
StatusOr<std::string> GetString(const Json& obj, const char* field, bool required = true);
StatusOr<int64_t> GetInt(const Json& obj, const char* field);
bool GetBool(const Json& obj, const char* field, bool fallback = false);

}  // namespace gd
