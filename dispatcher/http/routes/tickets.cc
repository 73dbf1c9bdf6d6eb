#include <optional>
#include <string>

#include "dispatcher/http/routes/routes.h"

namespace gd {
namespace {

using R = Role;

std::optional<int> IntQuery(const ApiRequest& r, const std::string& key) {
  std::string v = r.Query(key);
  if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoi(v);
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
        GD_ASSIGN_OR_RETURN(Json t, rev->Create(*r.auth, r.body));
        return JsonResponse(std::move(t), 201);
      },
  });
  routes.push_back({
      .method = "GET",
      .path = "/api/tickets",
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        TicketQuery q;
        if (!r.Query("state").empty()) q.state = r.Query("state");
        if (!r.Query("category").empty()) q.category = r.Query("category");
        if (auto u = IntQuery(r, "unit_id")) q.unit_id = *u;
        q.mine = r.Query("mine") == "1" || r.Query("mine") == "true";
        q.awaiting_me = r.Query("awaiting_me") == "1" || r.Query("awaiting_me") == "true";
        q.page = IntQuery(r, "page").value_or(1);
        q.per_page = IntQuery(r, "per_page").value_or(20);
        GD_ASSIGN_OR_RETURN(Json j, rev->List(*r.auth, q));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "GET",
      .path = R"(/api/tickets/(\d+))",
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, rev->Get(*r.auth, r.Id()));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "PUT",
      .path = R"(/api/tickets/(\d+))",
      .roles = {R::kEditor},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, rev->Update(*r.auth, r.Id(), r.body));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "GET",
      .path = R"(/api/tickets/(\d+)/previews)",
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, rev->Previews(*r.auth, r.Id()));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "GET",
      .path = R"(/api/tickets/(\d+)/checks)",
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, rev->Checks(*r.auth, r.Id()));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "GET",
      .path = R"(/api/tickets/(\d+)/history)",
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, rev->History(*r.auth, r.Id()));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "POST",
      .path = R"(/api/tickets/(\d+)/submit)",
      .roles = {R::kEditor},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(
            Json j, rev->Submit(*r.auth, r.Id(), r.body.is_null() ? Json::object() : r.body));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "POST",
      .path = R"(/api/tickets/(\d+)/recall)",
      .roles = {R::kEditor},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, rev->Recall(*r.auth, r.Id()));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "POST",
      .path = R"(/api/tickets/(\d+)/decisions)",
      .roles = {R::kUnitReviewer, R::kDeputyLeader, R::kPrincipalLeader, R::kSiteManager,
                R::kOffice},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, rev->Decide(*r.auth, r.Id(), r.body));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "POST",
      .path = "/api/check",
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, rev->CheckDraft(r.body));
        return JsonResponse(std::move(j));
      },
  });
  return routes;
}

}  // namespace gd
