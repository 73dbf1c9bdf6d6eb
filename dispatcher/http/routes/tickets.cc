#include <optional>
#include <string>

#include "dispatcher/http/decode.h"
#include "dispatcher/http/routes/routes.h"
#include "dispatcher/model/content_codec.h"
#include "dispatcher/model/ticket_state.h"

namespace gd {
namespace {

using R = Role;

constexpr const char* kNoTicket = "工单不存在";

StatusOr<TicketQuery> DecodeTicketQuery(const ApiRequest& r) {
  TicketQuery q;
  GD_ASSIGN_OR_RETURN(q.state, QueryString(r, "state", 40));
  if (q.state && !ParseTicketState(*q.state))
    return InvalidArgument("查询参数 state 不是已知的工单状态", "bad_request",
                           {{"fields", {{"state", "未知状态"}}}});
  GD_ASSIGN_OR_RETURN(q.category, QueryString(r, "category", 40));
  if (q.category && !ParseCategory(*q.category))
    return InvalidArgument("查询参数 category 不是已知的类别", "bad_request",
                           {{"fields", {{"category", "未知类别"}}}});
  GD_ASSIGN_OR_RETURN(q.unit_id, QueryId(r, "unit_id"));
  GD_ASSIGN_OR_RETURN(q.mine, QueryFlag(r, "mine"));
  GD_ASSIGN_OR_RETURN(q.awaiting_me, QueryFlag(r, "awaiting_me"));
  GD_ASSIGN_OR_RETURN(auto page, QueryInt(r, "page", 0, 1'000'000'000));
  GD_ASSIGN_OR_RETURN(auto per_page, QueryInt(r, "per_page", 0, 1'000'000'000));
  q.page = static_cast<int>(page.value_or(1));
  q.per_page = static_cast<int>(per_page.value_or(20));
  return q;
}

StatusOr<Content> DecodeTicketBody(const Json& body) {
  if (body.is_null()) return InvalidArgument("请求体应为 JSON 对象", "bad_request");
  return ContentFromRequest(body);
}

StatusOr<SubmitRequest> DecodeSubmit(const Json& body) {
  GD_RETURN_IF_ERROR(RequireObjectBody(body));
  FieldErrors errors;
  JsonReader in(body, "", errors);
  SubmitRequest s;
  s.proofread = in.Bool("proofread").value_or(false);
  GD_RETURN_IF_ERROR(errors.ToStatus());
  return s;
}

StatusOr<DecisionRequest> DecodeDecision(const Json& body) {
  GD_RETURN_IF_ERROR(RequireObjectBody(body));
  FieldErrors errors;
  JsonReader in(body, "", errors);
  DecisionRequest d;
  d.decision = in.OneOf("decision", {"approve", "reject"}, true).value_or("");
  if (auto step = in.Int("step", 0, 1000)) d.step = static_cast<int>(*step);
  d.version_hash = in.String("version_hash", {.required = true, .max_chars = 128}).value_or("");
  d.comment = in.String("comment", {.max_chars = 5000}).value_or("");
  d.checklist = in.BoolMap("checklist", 32).value_or(std::map<std::string, bool>{});
  if (auto acks = in.Array("acknowledged_warnings", 500)) {
    for (const auto& [value, path] : *acks) {
      JsonReader a(*value, path, errors);
      auto id = a.String("finding_id", {.required = true, .non_blank = true, .max_chars = 300});
      auto reason = a.String("reason", {.required = true, .non_blank = true, .max_chars = 2000});
      if (id && reason) d.acknowledged_warnings.push_back({*id, *reason});
    }
  }
  GD_RETURN_IF_ERROR(errors.ToStatus());
  return d;
}

StatusOr<DraftCheckRequest> DecodeDraftCheck(const Json& body) {
  GD_RETURN_IF_ERROR(RequireObjectBody(body));
  FieldErrors errors;
  JsonReader in(body, "", errors);
  DraftCheckRequest d;
  if (auto key = in.String("category", {.required = true, .max_chars = 40})) {
    if (auto cat = ParseCategory(*key))
      d.category = *cat;
    else
      errors.Add("category", "未知类别");
  }
  d.title = in.String("title", {.max_chars = 1000}).value_or("");
  d.summary = in.String("summary", {.max_chars = 5000}).value_or("");
  d.body = in.String("body", {.max_chars = 2 * 1024 * 1024}).value_or("");
  d.source = in.String("source", {.max_chars = 1000}).value_or("");
  GD_RETURN_IF_ERROR(errors.ToStatus());
  return d;
}

}  // namespace

std::vector<Route> TicketRoutes(const RouteDeps& d) {
  ReviewService* rev = d.review;
  std::vector<Route> routes;
  routes.push_back({
      .method = "POST",
      .path = "/api/tickets",
      .roles = {R::kEditor},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Content content, DecodeTicketBody(r.body));
        GD_ASSIGN_OR_RETURN(Json t, rev->Create(*r.auth, content));
        return JsonResponse(std::move(t), 201);
      },
  });
  routes.push_back({
      .method = "GET",
      .path = "/api/tickets",
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(TicketQuery q, DecodeTicketQuery(r));
        GD_ASSIGN_OR_RETURN(Json j, rev->List(*r.auth, q));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "GET",
      .path = R"(/api/tickets/(\d+))",
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(r, 0, kNoTicket));
        GD_ASSIGN_OR_RETURN(Json j, rev->Get(*r.auth, id));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "PUT",
      .path = R"(/api/tickets/(\d+))",
      .roles = {R::kEditor},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(r, 0, kNoTicket));
        GD_ASSIGN_OR_RETURN(Content content, DecodeTicketBody(r.body));
        GD_ASSIGN_OR_RETURN(Json j, rev->Update(*r.auth, id, content));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "GET",
      .path = R"(/api/tickets/(\d+)/previews)",
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(r, 0, kNoTicket));
        GD_ASSIGN_OR_RETURN(Json j, rev->Previews(*r.auth, id));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "GET",
      .path = R"(/api/tickets/(\d+)/checks)",
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(r, 0, kNoTicket));
        GD_ASSIGN_OR_RETURN(Json j, rev->Checks(*r.auth, id));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "GET",
      .path = R"(/api/tickets/(\d+)/history)",
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(r, 0, kNoTicket));
        GD_ASSIGN_OR_RETURN(Json j, rev->History(*r.auth, id));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "POST",
      .path = R"(/api/tickets/(\d+)/submit)",
      .roles = {R::kEditor},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(r, 0, kNoTicket));
        GD_ASSIGN_OR_RETURN(SubmitRequest s, DecodeSubmit(r.body));
        GD_ASSIGN_OR_RETURN(Json j, rev->Submit(*r.auth, id, s));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "POST",
      .path = R"(/api/tickets/(\d+)/recall)",
      .roles = {R::kEditor},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(r, 0, kNoTicket));
        GD_RETURN_IF_ERROR(RequireObjectBody(r.body));
        GD_ASSIGN_OR_RETURN(Json j, rev->Recall(*r.auth, id));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "POST",
      .path = R"(/api/tickets/(\d+)/decisions)",
      .roles = {R::kUnitReviewer, R::kDeputyLeader, R::kPrincipalLeader, R::kSiteManager,
                R::kOffice},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(r, 0, kNoTicket));
        GD_ASSIGN_OR_RETURN(DecisionRequest decision, DecodeDecision(r.body));
        GD_ASSIGN_OR_RETURN(Json j, rev->Decide(*r.auth, id, decision));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "POST",
      .path = "/api/check",
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(DraftCheckRequest draft, DecodeDraftCheck(r.body));
        GD_ASSIGN_OR_RETURN(Json j, rev->CheckDraft(draft));
        return JsonResponse(std::move(j));
      },
  });
  return routes;
}

}  // namespace gd
