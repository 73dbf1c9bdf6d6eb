// Manual hand-off (人工发布) formatter: a package a person posts by hand on a platform without a
// publishing API (视频号, 小红书, 头条号, ...). Body schema in docs/channels-formatting.md.
#pragma once

#include "channels/formatter_env.h"

namespace gd::channels {

// Needs template "manual/instructions.txt". The platform comes from the account setting
// `platform`; its limits from policies/channel_limits.json "manual".
StatusOr<std::unique_ptr<Formatter>> MakeManualFormatter(const FormatterEnv& env);

}  // namespace gd::channels
