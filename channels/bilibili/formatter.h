// Bilibili (哔哩哔哩) formatter: an archive's title, description, tags and partition, one video and
// one cover, checked against the limits in the "bilibili" section of policies/channel_limits.json.
#pragma once

#include "channels/formatter_env.h"

namespace gd::channels {

// Needs template "bilibili/desc.txt" (variables: caption, hashtags). Fails when the template is
// missing or a limit in the "bilibili" section is invalid (the error names the file and field).
StatusOr<std::unique_ptr<Formatter>> MakeBilibiliFormatter(const FormatterEnv& env);

}  // namespace gd::channels
