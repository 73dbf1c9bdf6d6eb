#include "channels/kuaishou/oauth.h"

#include "channels/client_support.h"

namespace gd::channels::kuaishou {
namespace {

constexpr const char* kLabel = "快手";

// [K1][K4]: https://open.kuaishou.com/oauth2/authorize?app_id=&scope=&response_type=code
// &redirect_uri=&state=
StatusOr<std::string> AuthorizeUrl(const Account& account, const std::string& state) {
  GD_ASSIGN_OR_RETURN(std::string app, support::SettingField(account, "app_id", kLabel));
  GD_ASSIGN_OR_RETURN(std::string redirect,
                      support::SettingField(account, kOAuthRedirectSetting, kLabel));
  return support::BaseUrl(account) + "/oauth2/authorize?" +
         BuildQuery({{"app_id", app},
                     {"scope", account.settings.value(kOAuthScopeSetting, "")},
                     {"response_type", "code"},
                     {"redirect_uri", redirect},
                     {"state", state}});
}

// [K1]: GET /oauth2/access_token?app_id=&app_secret=&code=&grant_type=authorization_code (code
// valid 2 minutes, single use) → access_token, expires_in, refresh_token,
// refresh_token_expires_in, open_id; result 1 is success.
StatusOr<OAuthGrant> ExchangeCode(const OAuthExchange& in) {
  GD_ASSIGN_OR_RETURN(std::string app, support::SettingField(*in.account, "app_id", kLabel));
  GD_ASSIGN_OR_RETURN(std::string secret, support::SecretField(in.secrets, "app_secret", kLabel));
  HttpRequest req;
  req.method = "GET";
  req.url = support::BaseUrl(*in.account) + "/oauth2/access_token?" +
            BuildQuery({{"app_id", app},
                        {"app_secret", secret},
                        {"code", in.code},
                        {"grant_type", "authorization_code"}});
  req.timeout_ms = in.timeout_ms;
  auto resp = in.transport->Send(req);
  if (!resp.ok()) return support::TransportError(kLabel, resp.status());
  GD_ASSIGN_OR_RETURN(Json j, support::ParseBody(kLabel, *resp));
  if (!j.is_object() || j.value("result", 0) != 1) {
    return support::PlatformError(
        Code::kFailedPrecondition, kLabel,
        j.is_object() ? std::to_string(j.value("result", 0)) : std::to_string(resp->status),
        j.is_object() ? j.value("error_msg", "") : "", "授权码换取令牌失败，请重新授权",
        "oauth_failed");
  }
  OAuthGrant g = GrantFromAnswer(j, in.clock->Now(),
                                 {.expires_in_default_s = 172800,
                                  .refresh_expires_in = "refresh_token_expires_in",
                                  .refresh_expires_in_default_s = 15552000,
                                  .user_setting = "open_id"});
  if (g.token.access_token.empty()) return support::BadResponse(kLabel, *resp);
  return g;
}

}  // namespace

const OAuthSpec& OAuth() {
  // Kuaishou rotates the refresh token on every refresh and the new one inherits the old expiry
  // (docs/channels-protocols.md): no renewal, so the reminder comes before that expiry.
  static const OAuthSpec spec{.authorize_url = &AuthorizeUrl, .exchange_code = &ExchangeCode};
  return spec;
}

}  // namespace gd::channels::kuaishou
