#include <httplib.h>

#include "dispatcher/dispatch/metrics.h"
#include "dispatcher/http/routes/routes.h"

namespace gd {
namespace {

using R = Role;

bool Loopback(const std::string& addr) {
  return addr == "127.0.0.1" || addr == "::1" || addr.rfind("127.", 0) == 0 ||
         addr == "::ffff:127.0.0.1";
}

}  // namespace

std::vector<Route> DispatchRoutes(const RouteDeps& d) {
  PublishService* publish = d.publish;
  DispatchEngine* engine = d.engine;
  Store* store = d.store;
  AccountService* accounts = d.accounts;
  std::vector<Route> r;
  r.push_back({
      .method = "POST",
      .path = R"(/api/tickets/(\d+)/publish)",
      .roles = {R::kSiteManager},
      .handler = [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(
            Json j, publish->Publish(*q.auth, q.Id(), q.body.is_null() ? Json::object() : q.body));
        return JsonResponse(j);
      },
  });
  r.push_back({
      .method = "GET",
      .path = R"(/api/tickets/(\d+)/dispatches)",
      .handler = [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, publish->Dispatches(*q.auth, q.Id()));
        return JsonResponse(j);
      },
  });
  r.push_back({
      .method = "POST",
      .path = R"(/api/tickets/(\d+)/dispatches/(\d+)/retry)",
      .roles = {R::kSiteManager},
      .handler = [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, publish->Retry(*q.auth, q.Id(0), q.Id(1)));
        return JsonResponse(j);
      },
  });
  r.push_back({
      .method = "POST",
      .path = R"(/api/tickets/(\d+)/dispatches/(\d+)/confirm)",
      .roles = {R::kSiteManager, R::kOperator},
      .handler = [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, publish->Confirm(*q.auth, q.Id(0), q.Id(1),
                                                     q.body.is_null() ? Json::object() : q.body));
        return JsonResponse(j);
      },
  });
  r.push_back({
      .method = "POST",
      .path = R"(/api/tickets/(\d+)/withdrawals)",
      .roles = {R::kSiteManager, R::kDeputyLeader, R::kPrincipalLeader},
      .handler = [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j,
                            publish->RequestWithdrawal(*q.auth, q.Id(),
                                                       q.body.is_null() ? Json::object() : q.body));
        return JsonResponse(j, 201);
      },
  });
  r.push_back({
      .method = "GET",
      .path = R"(/api/tickets/(\d+)/withdrawals)",
      .handler = [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, publish->ListWithdrawals(*q.auth, q.Id()));
        return JsonResponse(j);
      },
  });
  r.push_back({
      .method = "GET",
      .path = "/api/withdrawals",
      .roles = {R::kOffice, R::kAuditor, R::kAdmin},
      .handler = [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, publish->PendingWithdrawals(*q.auth));
        return JsonResponse(j);
      },
  });
  r.push_back({
      .method = "POST",
      .path = R"(/api/withdrawals/(\d+)/decisions)",
      .roles = {R::kOffice},
      .handler = [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, publish->DecideWithdrawal(*q.auth, q.Id(), q.body));
        return JsonResponse(j);
      },
  });
  // Anyone on loopback; elsewhere an operator's bearer token.
  r.push_back({
      .method = "GET",
      .path = "/metrics",
      .public_route = true,
      .allow_password_expired = true,
      .handler = [engine, store, accounts](ApiRequest& q) -> StatusOr<ApiResponse> {
        if (!Loopback(q.raw->remote_addr)) {
          std::string auth = q.raw->get_header_value("Authorization");
          if (auth.rfind("Bearer ", 0) != 0) return Unauthenticated("请先登录");
          GD_ASSIGN_OR_RETURN(AuthContext ctx, accounts->Authenticate(auth.substr(7)));
          if (!ctx.user.Has(Role::kOperator))
            return PermissionDenied("只有运维人员可以查看监控指标");
        }
        ApiResponse res;
        res.content_type = "text/plain; version=0.0.4; charset=utf-8";
        res.body = MetricsText(*engine, *store);
        return res;
      },
  });
  return r;
}

}  // namespace gd
