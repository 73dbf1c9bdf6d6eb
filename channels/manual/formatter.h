// Manual hand-off (人工发布) formatter: a package a person posts by hand on a platform without a
// publishing API (视频号, 小红书, 头条号, ...). Body schema in docs/channels-formatting.md.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "channels/formatter_env.h"

namespace gd::channels {

// The hand-off's section of policies/channel_limits.json: a default and, by platform name (the
// account's `platform` setting), each platform's own limits.
struct ManualLimits {
  int64_t title_max_chars = 30;
  int64_t text_max_chars = 1000;
};
struct ManualLimitsTable {
  ManualLimits fallback;
  std::map<std::string, ManualLimits, std::less<>> platforms;
  const ManualLimits& For(std::string_view platform) const;
};
// Reads {"default": {...}, "platforms": {"视频号": {...}}}; a platform's fields default to the
// section's "default".
StatusOr<ManualLimitsTable> ReadManualLimits(const LimitsSection& s);

// Needs template "manual/instructions.txt". The platform comes from the account setting
// `platform`; its limits from policies/channel_limits.json "manual".
StatusOr<std::unique_ptr<Formatter>> MakeManualFormatter(const FormatterEnv& env);

}  // namespace gd::channels
