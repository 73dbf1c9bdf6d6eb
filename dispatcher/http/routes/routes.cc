#include "dispatcher/http/routes/routes.h"

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

std::vector<Route> AllRoutes(const RouteDeps& d) {
  std::vector<Route> all;
  for (auto part : {SessionAndUserRoutes(d), TicketRoutes(d), MediaRoutes(d), ChannelRoutes(d),
                    AuditRoutes(d), DispatchRoutes(d), RecordRoutes(d), HealthRoutes()})
    for (auto& r : part) all.push_back(std::move(r));
  return all;
}

}  // namespace gd
