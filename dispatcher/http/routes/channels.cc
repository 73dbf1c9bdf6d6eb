#include "dispatcher/http/routes/routes.h"

namespace gd {
namespace {

using R = Role;

}  // namespace

std::vector<Route> ChannelRoutes(const RouteDeps& d) {
  ChannelService* ch = d.channels;
  CredentialTester tester = d.tester;
  std::vector<Route> routes;
  routes.push_back({
      .method = "GET",
      .path = "/api/channels",
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, ch->List(*r.auth));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "POST",
      .path = "/api/channels",
      .roles = {R::kOperator},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, ch->Create(*r.auth, r.body));
        return JsonResponse(std::move(j), 201);
      },
  });
  routes.push_back({
      .method = "GET",
      .path = R"(/api/channels/(\d+))",
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, ch->Get(*r.auth, r.Id()));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "PATCH",
      .path = R"(/api/channels/(\d+))",
      .roles = {R::kOperator},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, ch->Patch(*r.auth, r.Id(), r.body));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "POST",
      .path = R"(/api/channels/(\d+)/test)",
      .roles = {R::kOperator},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        if (!tester) return Unavailable("渠道连接测试暂不可用");
        GD_ASSIGN_OR_RETURN(Json j, ch->Test(*r.auth, r.Id(), tester));
        return JsonResponse(std::move(j));
      },
  });
  return routes;
}

}  // namespace gd
