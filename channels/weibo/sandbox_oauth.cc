#include "channels/weibo/sandbox_oauth.h"

namespace gd::channels::weibo {
namespace {

using sandbox::SbRequest;
using sandbox::SbResponse;

SbResponse BadCode(const SbRequest& req) {
  return SbResponse::FromJson(
      Json{{"request", req.path}, {"error_code", "21325"}, {"error", "invalid_grant"}}, 400);
}

// A redeemed code: the wrapped sandbox's own grant (its demo code) issues the token.
SbResponse Exchange(const SbRequest& req, sandbox::PlatformSandbox& inner) {
  SbRequest r = req;
  r.params.erase("code");
  r.params.emplace("code", "sandbox-code");
  return inner.Handle(r);
}

}  // namespace

// [B8]: authorise at /oauth2/authorize; codes at /oauth2/access_token. No source gives the code
// lifetime: 10 minutes, like the other platforms.
std::unique_ptr<sandbox::PlatformSandbox> WithOAuth(std::unique_ptr<sandbox::PlatformSandbox> inner,
                                                    sandbox::Env& env) {
  return sandbox::WithOAuth(std::move(inner), env,
                            {.authorize_path = "/oauth2/authorize",
                             .token_path = "/oauth2/access_token",
                             .app_param = "client_id",
                             .label = "新浪微博",
                             .code_ttl_ms = 10 * 60 * 1000,
                             .bad_code = &BadCode,
                             .exchange = &Exchange});
}

}  // namespace gd::channels::weibo
