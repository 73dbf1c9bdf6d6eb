// Kuaishou (快手) formatter: caption with hashtags, one video, one cover.
// Body schema in docs/channels-formatting.md.
#pragma once

#include "channels/formatter_env.h"

namespace gd::channels {

// Needs template "kuaishou/caption.txt" (variables: caption, hashtags).
StatusOr<std::unique_ptr<Formatter>> MakeKuaishouFormatter(const FormatterEnv& env);

}  // namespace gd::channels
