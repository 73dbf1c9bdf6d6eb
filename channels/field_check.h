// Checks one value against a field of the channel registry (channels/builtin_channels.h).
#pragma once

#include <optional>
#include <string>

#include "channels/builtin_channels.h"

namespace gd::channels {

// What is wrong with `value` for field `f` (wrong type, too long, invalid UTF-8, not a choice),
// in Chinese for people, or nullopt when it is acceptable. Required-ness and `when` are the
// caller's.
std::optional<std::string> FieldValueProblem(const Field& f, const Json& value);

}  // namespace gd::channels
