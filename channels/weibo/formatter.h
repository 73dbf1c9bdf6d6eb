// Sina Weibo formatter: one statuses/share.json post (text with the portal link, one picture).
// Body schema and the counting rule in docs/channels-formatting.md.
#pragma once

#include <string_view>

#include "channels/formatter_env.h"

namespace gd::channels {

// Needs template "weibo/status.txt" (variables: title, lead, link).
StatusOr<std::unique_ptr<Formatter>> MakeWeiboFormatter(const FormatterEnv& env);

// Weibo's length of `text` in 字 (rounded up): a non-ASCII code point counts 1, an ASCII
// character 1/2, and every link (http:// or https:// up to the next white space or non-ASCII
// character, or kPortalUrlPlaceholder) counts `link_units` whatever its length.
int64_t WeiboLength(std::string_view text, int64_t link_units);

}  // namespace gd::channels
