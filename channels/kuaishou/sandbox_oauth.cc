#include "channels/kuaishou/sandbox_oauth.h"

namespace gd::channels::kuaishou {
namespace {

using sandbox::SbRequest;
using sandbox::SbResponse;

// No source gives the code error's number: the one used for a bad refresh token.
SbResponse BadCode(const SbRequest&) {
  return SbResponse::FromJson(
      Json{{"result", 100200103}, {"error_msg", "code 无效、已使用或已过期"}});
}

// A redeemed code: the wrapped sandbox issues the tokens from its seed refresh token (which never
// rotates), answering with the access_token endpoint's fields.
SbResponse Exchange(const SbRequest& req, sandbox::PlatformSandbox& inner) {
  if (req.Param("grant_type") != "authorization_code") {
    return SbResponse::FromJson(Json{{"result", 100200101}, {"error_msg", "grant_type 无效"}});
  }
  SbRequest r;
  r.method = "GET";
  r.path = "/oauth2/refresh_token";
  r.host = req.host;
  r.remote_addr = req.remote_addr;
  r.params = {{"app_id", req.Param("app_id")},
              {"app_secret", req.Param("app_secret")},
              {"grant_type", "refresh_token"},
              {"refresh_token", "sandbox-refresh"}};
  return inner.Handle(r);
}

}  // namespace

// [K1]: authorise at /oauth2/authorize; the code lives 2 minutes and is single-use.
std::unique_ptr<sandbox::PlatformSandbox> WithOAuth(std::unique_ptr<sandbox::PlatformSandbox> inner,
                                                    sandbox::Env& env) {
  return sandbox::WithOAuth(std::move(inner), env,
                            {.authorize_path = "/oauth2/authorize",
                             .token_path = "/oauth2/access_token",
                             .app_param = "app_id",
                             .label = "快手",
                             .code_ttl_ms = 2 * 60 * 1000,
                             .bad_code = &BadCode,
                             .exchange = &Exchange});
}

}  // namespace gd::channels::kuaishou
