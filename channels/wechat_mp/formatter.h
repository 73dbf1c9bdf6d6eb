// WeChat official account (公众号) formatter: one draft article (draft/add) with inline-styled
// HTML. Body schema in docs/channels-formatting.md.
#pragma once

#include "channels/formatter_env.h"

namespace gd::channels {

// Needs templates "wechat_mp/article.html" and the asset "wechat_mp/inline_styles" (an object
// of tag -> CSS declarations; no '<', '>', '"', "url(" or "expression").
StatusOr<std::unique_ptr<Formatter>> MakeWechatFormatter(const FormatterEnv& env);

}  // namespace gd::channels
