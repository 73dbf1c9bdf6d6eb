#include "channels/douyin/oauth.h"

#include "channels/client_support.h"

namespace gd::channels::douyin {
namespace {

constexpr const char* kLabel = "抖音";

// [D8]: https://open.douyin.com/platform/oauth/connect/?client_key=&response_type=code&scope=
// &redirect_uri=&state=
StatusOr<std::string> AuthorizeUrl(const Account& account, const std::string& state) {
  GD_ASSIGN_OR_RETURN(std::string key, support::SettingField(account, "client_key", kLabel));
  GD_ASSIGN_OR_RETURN(std::string redirect,
                      support::SettingField(account, kOAuthRedirectSetting, kLabel));
  std::string scope = account.settings.value(kOAuthScopeSetting, "");
  return support::BaseUrl(account) + "/platform/oauth/connect/?" +
         BuildQuery({{"client_key", key},
                     {"response_type", "code"},
                     {"scope", scope},
                     {"redirect_uri", redirect},
                     {"state", state}});
}

// [D8][D9]: POST /oauth/access_token/ (form) with client_key, client_secret, code and
// grant_type=authorization_code; the code is single-use and lives 10 minutes.
StatusOr<OAuthGrant> ExchangeCode(const OAuthExchange& in) {
  GD_ASSIGN_OR_RETURN(std::string key, support::SettingField(*in.account, "client_key", kLabel));
  GD_ASSIGN_OR_RETURN(std::string secret,
                      support::SecretField(in.secrets, "client_secret", kLabel));
  HttpRequest req;
  req.method = "POST";
  req.url = support::BaseUrl(*in.account) + "/oauth/access_token/";
  req.content_type = "application/x-www-form-urlencoded";
  req.body = BuildQuery({{"client_key", key},
                         {"client_secret", secret},
                         {"code", in.code},
                         {"grant_type", "authorization_code"}});
  req.timeout_ms = in.timeout_ms;
  auto resp = in.transport->Send(req);
  if (!resp.ok()) return support::TransportError(kLabel, resp.status());
  GD_ASSIGN_OR_RETURN(Json j, support::ParseBody(kLabel, *resp));
  Json d = j.contains("data") && j["data"].is_object() ? j["data"] : Json::object();
  int code = d.value("error_code", 0);
  if (code != 0) {
    return support::PlatformError(Code::kFailedPrecondition, kLabel, std::to_string(code),
                                  d.value("description", ""), "授权码换取令牌失败，请重新授权",
                                  "oauth_failed");
  }
  OAuthGrant g = GrantFromAnswer(d, in.clock->Now(),
                                 {.expires_in_default_s = 1296000,
                                  .refresh_expires_in = "refresh_expires_in",
                                  .refresh_expires_in_default_s = 2592000,
                                  .user_setting = "open_id"});
  if (g.token.access_token.empty()) return support::BadResponse(kLabel, *resp);
  return g;
}

}  // namespace

const OAuthSpec& OAuth() {
  static const OAuthSpec spec{
      .authorize_url = &AuthorizeUrl, .exchange_code = &ExchangeCode, .secret = "client_secret"};
  return spec;
}

}  // namespace gd::channels::douyin
