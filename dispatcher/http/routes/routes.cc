#include "dispatcher/http/routes/routes.h"

#include "dispatcher/http/openapi.h"

namespace gd {

std::vector<Route> HealthRoutes() {
  return {{
      .method = "GET",
      .path = "/healthz",
      .public_route = true,
      .allow_password_expired = true,
      .handler = [](ApiRequest&) -> StatusOr<ApiResponse> {
        return JsonResponse({{"ok", true}});
      },
  }};
}

std::vector<Route> ApiDescriptionRoutes() {
  return {{
      .method = "GET",
      .path = "/api/openapi.json",
      .public_route = true,
      .allow_password_expired = true,
      .handler = [](ApiRequest&) -> StatusOr<ApiResponse> {
        ApiResponse res;
        res.content_type = "application/json; charset=utf-8";
        res.body = std::string(OpenApiJson());
        res.headers.push_back({"Cache-Control", "no-cache"});
        return res;
      },
  }};
}

std::vector<Route> AllRoutes(const RouteDeps& d) {
  std::vector<Route> all;
  for (auto part : {SessionAndUserRoutes(d), TicketRoutes(d), MediaRoutes(d), ChannelRoutes(d),
                    ChannelOAuthRoutes(d), ChannelEventRoutes(d), AuditRoutes(d), DispatchRoutes(d),
                    RecordRoutes(d), HealthRoutes(), ApiDescriptionRoutes()})
    for (auto& r : part) all.push_back(std::move(r));
  return all;
}

std::vector<Route> RouteTable() { return AllRoutes(RouteDeps{}); }

}  // namespace gd
