#include <httplib.h>

#include "dispatcher/http/decode.h"
#include "dispatcher/http/routes/routes.h"

namespace gd {
namespace {

using R = Role;

constexpr const char* kNoTicket = "工单不存在";
constexpr const char* kNoDispatch = "该渠道没有发布任务";
constexpr const char* kNoWithdrawal = "撤稿申请不存在";

bool Loopback(const std::string& addr) {
  return addr == "127.0.0.1" || addr == "::1" || addr.rfind("127.", 0) == 0 ||
         addr == "::ffff:127.0.0.1";
}

StatusOr<PublishRequest> DecodePublish(const Json& body) {
  GD_RETURN_IF_ERROR(RequireObjectBody(body));
  FieldErrors errors;
  JsonReader in(body, "", errors);
  PublishRequest p;
  p.proofread = in.Bool("proofread").value_or(false);
  p.at = in.Time("at");
  GD_RETURN_IF_ERROR(errors.ToStatus());
  return p;
}

StatusOr<ConfirmRequest> DecodeConfirm(const Json& body) {
  GD_RETURN_IF_ERROR(RequireObjectBody(body));
  FieldErrors errors;
  JsonReader in(body, "", errors);
  ConfirmRequest c;
  c.withdrawn = in.Bool("withdrawn").value_or(false);
  c.remote_url = in.String("remote_url", {.max_chars = 2000}).value_or("");
  c.remote_id = in.String("remote_id", {.max_chars = 200}).value_or("");
  GD_RETURN_IF_ERROR(errors.ToStatus());
  return c;
}

StatusOr<NotPublishedRequest> DecodeNotPublished(const Json& body) {
  GD_RETURN_IF_ERROR(RequireObjectBody(body));
  FieldErrors errors;
  JsonReader in(body, "", errors);
  NotPublishedRequest n;
  n.reason = in.String("reason", {.max_chars = 2000}).value_or("");
  GD_RETURN_IF_ERROR(errors.ToStatus());
  return n;
}

StatusOr<WithdrawalRequest> DecodeWithdrawal(const Json& body) {
  GD_RETURN_IF_ERROR(RequireObjectBody(body));
  FieldErrors errors;
  JsonReader in(body, "", errors);
  WithdrawalRequest w;
  w.reason = in.String("reason", {.max_chars = 2000}).value_or("");
  w.account_ids = in.IdArray("account_ids", 100).value_or(std::vector<int64_t>{});
  GD_RETURN_IF_ERROR(errors.ToStatus());
  return w;
}

StatusOr<WithdrawalDecision> DecodeWithdrawalDecision(const Json& body) {
  GD_RETURN_IF_ERROR(RequireObjectBody(body));
  FieldErrors errors;
  JsonReader in(body, "", errors);
  WithdrawalDecision d;
  d.decision = in.OneOf("decision", {"approve", "reject"}, true).value_or("");
  d.comment = in.String("comment", {.max_chars = 5000}).value_or("");
  GD_RETURN_IF_ERROR(errors.ToStatus());
  return d;
}

// Withdrawals (art. 14): request, list, the office's list and decision.
void AddWithdrawalRoutes(std::vector<Route>& r, PublishService* publish) {
  r.push_back({
      .method = "POST",
      .path = R"(/api/tickets/(\d+)/withdrawals)",
      .roles = {R::kSiteManager, R::kDeputyLeader, R::kPrincipalLeader},
      .handler = [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(q, 0, kNoTicket));
        GD_ASSIGN_OR_RETURN(WithdrawalRequest w, DecodeWithdrawal(q.body));
        GD_ASSIGN_OR_RETURN(Json j, publish->RequestWithdrawal(*q.auth, id, w));
        return JsonResponse(std::move(j), 201);
      },
  });
  r.push_back({
      .method = "GET",
      .path = R"(/api/tickets/(\d+)/withdrawals)",
      .handler = [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(q, 0, kNoTicket));
        GD_ASSIGN_OR_RETURN(Json j, publish->ListWithdrawals(*q.auth, id));
        return JsonResponse(std::move(j));
      },
  });
  r.push_back({
      .method = "GET",
      .path = "/api/withdrawals",
      .roles = {R::kOffice, R::kAuditor, R::kAdmin},
      .handler = [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, publish->PendingWithdrawals(*q.auth));
        return JsonResponse(std::move(j));
      },
  });
  r.push_back({
      .method = "POST",
      .path = R"(/api/withdrawals/(\d+)/decisions)",
      .roles = {R::kOffice},
      .handler = [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(q, 0, kNoWithdrawal));
        GD_ASSIGN_OR_RETURN(WithdrawalDecision w, DecodeWithdrawalDecision(q.body));
        GD_ASSIGN_OR_RETURN(Json j, publish->DecideWithdrawal(*q.auth, id, w));
        return JsonResponse(std::move(j));
      },
  });
}

}  // namespace

std::vector<Route> DispatchRoutes(const RouteDeps& d) {
  PublishService* publish = d.publish;
  DispatchEngine* engine = d.engine;
  AccountService* accounts = d.accounts;
  std::vector<Route> r;
  r.push_back({
      .method = "POST",
      .path = R"(/api/tickets/(\d+)/publish)",
      .roles = {R::kSiteManager},
      .handler = [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(q, 0, kNoTicket));
        GD_ASSIGN_OR_RETURN(PublishRequest p, DecodePublish(q.body));
        GD_ASSIGN_OR_RETURN(Json j, publish->Publish(*q.auth, id, p));
        return JsonResponse(std::move(j));
      },
  });
  r.push_back({
      .method = "GET",
      .path = R"(/api/tickets/(\d+)/dispatches)",
      .handler = [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(q, 0, kNoTicket));
        GD_ASSIGN_OR_RETURN(Json j, publish->Dispatches(*q.auth, id));
        return JsonResponse(std::move(j));
      },
  });
  r.push_back({
      .method = "POST",
      .path = R"(/api/tickets/(\d+)/dispatches/(\d+)/retry)",
      .roles = {R::kSiteManager},
      .handler = [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(q, 0, kNoTicket));
        GD_ASSIGN_OR_RETURN(int64_t account, PathId(q, 1, kNoDispatch));
        GD_RETURN_IF_ERROR(RequireObjectBody(q.body));
        GD_ASSIGN_OR_RETURN(Json j, publish->Retry(*q.auth, id, account));
        return JsonResponse(std::move(j));
      },
  });
  r.push_back({
      .method = "POST",
      .path = R"(/api/tickets/(\d+)/dispatches/(\d+)/confirm)",
      .roles = {R::kSiteManager, R::kOperator},
      .handler = [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(q, 0, kNoTicket));
        GD_ASSIGN_OR_RETURN(int64_t account, PathId(q, 1, kNoDispatch));
        GD_ASSIGN_OR_RETURN(ConfirmRequest c, DecodeConfirm(q.body));
        GD_ASSIGN_OR_RETURN(Json j, publish->Confirm(*q.auth, id, account, c));
        return JsonResponse(std::move(j));
      },
  });
  r.push_back({
      .method = "POST",
      .path = R"(/api/tickets/(\d+)/dispatches/(\d+)/not-published)",
      .roles = {R::kSiteManager, R::kOperator},
      .handler = [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(q, 0, kNoTicket));
        GD_ASSIGN_OR_RETURN(int64_t account, PathId(q, 1, kNoDispatch));
        GD_ASSIGN_OR_RETURN(NotPublishedRequest n, DecodeNotPublished(q.body));
        GD_ASSIGN_OR_RETURN(Json j, publish->DeclareNotPublished(*q.auth, id, account, n));
        return JsonResponse(std::move(j));
      },
  });
  AddWithdrawalRoutes(r, publish);
  // Anyone on loopback; elsewhere an operator's bearer token.
  r.push_back({
      .method = "GET",
      .path = "/metrics",
      .public_route = true,
      .allow_password_expired = true,
      .handler = [engine, accounts](ApiRequest& q) -> StatusOr<ApiResponse> {
        if (!Loopback(q.raw->remote_addr)) {
          std::string auth = q.raw->get_header_value("Authorization");
          if (auth.rfind("Bearer ", 0) != 0) return Unauthenticated("请先登录");
          GD_ASSIGN_OR_RETURN(AuthContext ctx, accounts->Authenticate(auth.substr(7)));
          if (!ctx.user.Has(Role::kOperator))
            return PermissionDenied("只有运维人员可以查看监控指标");
        }
        ApiResponse res;
        res.content_type = "text/plain; version=0.0.4; charset=utf-8";
        res.body = engine->MetricsText();
        return res;
      },
  });
  return r;
}

}  // namespace gd
