#include "channels/weibo/oauth.h"

#include "channels/client_support.h"

namespace gd::channels::weibo {
namespace {

constexpr const char* kLabel = "微博";

// [B8][B9]: https://api.weibo.com/oauth2/authorize?client_id=&response_type=code&redirect_uri=
// (&scope=&state=); the redirect URI must match the app's registered callback.
StatusOr<std::string> AuthorizeUrl(const Account& account, const std::string& state) {
  GD_ASSIGN_OR_RETURN(std::string key, support::SettingField(account, "app_key", kLabel));
  GD_ASSIGN_OR_RETURN(std::string redirect,
                      support::SettingField(account, kOAuthRedirectSetting, kLabel));
  std::vector<std::pair<std::string, std::string>> q = {
      {"client_id", key}, {"response_type", "code"}, {"redirect_uri", redirect}};
  std::string scope = account.settings.value(kOAuthScopeSetting, "");
  if (!scope.empty()) q.emplace_back("scope", scope);
  q.emplace_back("state", state);
  return support::BaseUrl(account) + "/oauth2/authorize?" + BuildQuery(q);
}

// [B8][B10]: POST /oauth2/access_token (form) client_id, client_secret,
// grant_type=authorization_code, code, redirect_uri → access_token, expires_in (a string in the
// platform's example), uid. No refresh token for web apps.
StatusOr<OAuthGrant> ExchangeCode(const OAuthExchange& in) {
  GD_ASSIGN_OR_RETURN(std::string key, support::SettingField(*in.account, "app_key", kLabel));
  GD_ASSIGN_OR_RETURN(std::string secret, support::SecretField(in.secrets, "app_secret", kLabel));
  HttpRequest req;
  req.method = "POST";
  req.url = support::BaseUrl(*in.account) + "/oauth2/access_token";
  req.content_type = "application/x-www-form-urlencoded";
  req.body = BuildQuery({{"client_id", key},
                         {"client_secret", secret},
                         {"grant_type", "authorization_code"},
                         {"code", in.code},
                         {"redirect_uri", in.redirect_uri}});
  req.timeout_ms = in.timeout_ms;
  auto resp = in.transport->Send(req);
  if (!resp.ok()) return support::TransportError(kLabel, resp.status());
  GD_ASSIGN_OR_RETURN(Json j, support::ParseBody(kLabel, *resp));
  if (!j.is_object() || j.contains("error_code") || !j.contains("access_token")) {
    std::string code = j.is_object() && j.contains("error_code")
                           ? support::IdString(j["error_code"])
                           : std::to_string(resp->status);
    return support::PlatformError(Code::kFailedPrecondition, kLabel, code,
                                  j.is_object() ? j.value("error", "") : "",
                                  "授权码换取令牌失败，请重新授权", "oauth_failed");
  }
  return GrantFromAnswer(j, in.clock->Now(), {.user_setting = "uid"});
}

}  // namespace

const OAuthSpec& OAuth() {
  static const OAuthSpec spec{.authorize_url = &AuthorizeUrl, .exchange_code = &ExchangeCode};
  return spec;
}

}  // namespace gd::channels::weibo
