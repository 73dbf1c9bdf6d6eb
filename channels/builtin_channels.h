// The one explicit list of built-in channel kinds (no static self-registration: a static
// library drops registrars nothing references). Each entry names the kind, its Chinese label
// and the factories of its halves.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "channels/formatter_env.h"

namespace gd::channels {

struct BuiltinChannel {
  std::string_view kind;   // the account kind key, e.g. "wechat_mp"
  std::string_view label;  // Chinese name shown to people, e.g. "微信公众号"
  FormatterFactory make_formatter;
};

// Every built-in channel, in display order.
std::span<const BuiltinChannel> BuiltinChannels();
// The entry for `kind`, or nullptr.
const BuiltinChannel* FindBuiltinChannel(std::string_view kind);

// Builds every built-in formatter, keyed by kind. Fails with the first factory's error (a
// missing or invalid template names its file), so a bad template stops the start-up.
StatusOr<std::map<std::string, std::unique_ptr<Formatter>, std::less<>>> MakeBuiltinFormatters(
    const FormatterEnv& env);

}  // namespace gd::channels
