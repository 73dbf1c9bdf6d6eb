// Sina Weibo formatter: one statuses/share.json post (text with the portal link, one picture).
// Body schema and the counting rule in docs/channels-formatting.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "channels/formatter_env.h"

namespace gd::channels {

// Weibo's section of policies/channel_limits.json. Weibo counts in 字: a non-ASCII character is
// 1, an ASCII character 1/2, a link `link_units` whatever its length (the platform shortens
// every link); the total is rounded up.
struct WeiboLimits {
  int64_t text_max_units = 140;
  int64_t link_units = 11;
  int64_t pic_max_bytes = 5242879;
  std::vector<std::string> pic_mimes = {"image/jpeg", "image/png", "image/gif"};
};
StatusOr<WeiboLimits> ReadWeiboLimits(const LimitsSection& s);

// Needs template "weibo/status.txt" (variables: title, lead, link).
StatusOr<std::unique_ptr<Formatter>> MakeWeiboFormatter(const FormatterEnv& env);

// Weibo's length of `text` in 字 (rounded up): a non-ASCII code point counts 1, an ASCII
// character 1/2, and every link (http:// or https:// up to the next white space or non-ASCII
// character, or kPortalUrlPlaceholder) counts `link_units` whatever its length.
int64_t WeiboLength(std::string_view text, int64_t link_units);

}  // namespace gd::channels
