#include "channels/oauth.h"

namespace gd::channels {

Field OAuthRedirectField() {
  return {.name = kOAuthRedirectSetting,
          .label = "授权回调地址",
          .type = FieldType::kUrl,
          .help = "在开放平台登记的回调地址：本系统的 https://<域名>/api/oauth/callback",
          .max_chars = 512};
}

Field OAuthScopeField(std::string default_scope, std::string help) {
  return {.name = kOAuthScopeSetting,
          .label = "授权范围",
          .default_value = std::move(default_scope),
          .help = std::move(help),
          .max_chars = 512};
}

std::string OAuthTokenWarning(const OAuthSpec& spec, const Token& token, TimeMs now) {
  const TimeMs end = token.refresh_expires_at != 0 ? token.refresh_expires_at : token.expires_at;
  if (end == 0) return "";
  const TimeMs day = TimeMs{24} * 3600 * 1000;
  if (end <= now) return "授权已失效，请在渠道账号页点击“授权连接”重新授权";
  if (end - now > spec.warn_days * day) return "";
  const TimeMs days = (end - now + day - 1) / day;
  return "授权将在 " + std::to_string(days) +
         " 天内失效且无法自动续期，请在渠道账号页点击“授权连接”重新授权";
}

}  // namespace gd::channels
