#include <httplib.h>

#include "dispatcher/http/decode.h"
#include "dispatcher/http/routes/routes.h"

namespace gd {
namespace {

using R = Role;

constexpr const char* kNoChannel = "渠道账号不存在";

// The first value of query parameter `name`, or "".
std::string Param(const ApiRequest& r, const char* name) {
  auto it = r.raw->params.find(name);
  return it == r.raw->params.end() ? "" : it->second;
}

// GET /api/oauth/callback: the platform's redirect, public (docs: channel_oauth.h). Sends the
// browser on to the console with what it carried, in the fragment.
StatusOr<ApiResponse> Callback(const ApiRequest& r) {
  std::string error = Param(r, "error");
  if (error.empty() && !Param(r, "error_code").empty()) error = "error_code";
  ApiResponse res;
  res.status = 303;
  res.content_type = "text/plain; charset=utf-8";
  res.body = "正在返回渠道账号页面…";
  res.headers.push_back(
      {"Location", OAuthConsoleLocation(Param(r, "state"), Param(r, "code"), error)});
  res.headers.push_back({"Cache-Control", "no-store"});
  res.headers.push_back({"Referrer-Policy", "no-referrer"});
  return res;
}

// POST /api/oauth/complete: what the platform's redirect carried back to the console.
struct OAuthCompletion {
  std::string state = {};
  std::string code = {};
};

StatusOr<OAuthCompletion> DecodeOAuthCompletion(const Json& body) {
  GD_RETURN_IF_ERROR(RequireObjectBody(body));
  FieldErrors errors;
  JsonReader in(body, "", errors);
  OAuthCompletion c;
  c.state = in.String("state", {.required = true, .max_chars = 128}).value_or("");
  c.code = in.String("code", {.required = true, .max_chars = 1024}).value_or("");
  GD_RETURN_IF_ERROR(errors.ToStatus());
  return c;
}

}  // namespace

std::vector<Route> ChannelOAuthRoutes(const RouteDeps& d) {
  ChannelOAuthService* oauth = d.oauth;
  std::vector<Route> routes;
  routes.push_back({
      .method = "POST",
      .path = R"(/api/channels/(\d+)/oauth/start)",
      .roles = {R::kOperator},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(r, 0, kNoChannel));
        GD_RETURN_IF_ERROR(RequireObjectBody(r.body));
        if (oauth == nullptr) return Unavailable("授权连接暂不可用");
        GD_ASSIGN_OR_RETURN(Json j, oauth->Start(*r.auth, id));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "POST",
      .path = "/api/oauth/complete",
      .roles = {R::kOperator},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(OAuthCompletion c, DecodeOAuthCompletion(r.body));
        if (oauth == nullptr) return Unavailable("授权连接暂不可用");
        GD_ASSIGN_OR_RETURN(Json j, oauth->Complete(*r.auth, c.state, c.code));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "GET",
      .path = "/api/oauth/callback",
      .public_route = true,  // the platform's redirect: the Strict session cookie does not come
      .allow_password_expired = true,
      .handler = [](ApiRequest& r) { return Callback(r); },
  });
  return routes;
}

}  // namespace gd
