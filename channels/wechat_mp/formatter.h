// WeChat official account (公众号) formatter: one draft article (draft/add) with inline-styled
// HTML. Body schema in docs/channels-formatting.md.
#pragma once

#include <string>
#include <vector>

#include "channels/formatter_env.h"

namespace gd::channels {

// WeChat's section of policies/channel_limits.json (its values' sources: the file's comments and
// docs/channels-protocols.md).
struct WechatLimits {
  int64_t title_max_chars = 32;
  int64_t author_max_chars = 16;
  int64_t digest_max_chars = 128;
  int64_t digest_default_chars = 54;  // the platform's own default digest length
  int64_t content_max_chars = 19999;
  int64_t content_max_bytes = 1048575;
  int64_t source_url_max_bytes = 1024;
  int64_t image_max_bytes = 1048575;  // in-article images (uploadimg)
  std::vector<std::string> image_mimes = {"image/jpeg", "image/png"};
  int64_t cover_max_bytes = 10485760;  // permanent material
  std::vector<std::string> cover_mimes = {"image/jpeg", "image/png", "image/gif", "image/bmp"};
  std::vector<std::string> link_hosts = {"mp.weixin.qq.com"};
};
StatusOr<WechatLimits> ReadWechatLimits(const LimitsSection& s);

// Needs templates "wechat_mp/article.html" and the asset "wechat_mp/inline_styles" (an object
// of tag -> CSS declarations; no '<', '>', '"', "url(" or "expression").
StatusOr<std::unique_ptr<Formatter>> MakeWechatFormatter(const FormatterEnv& env);

}  // namespace gd::channels
