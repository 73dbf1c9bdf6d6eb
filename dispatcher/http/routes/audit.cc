#include <algorithm>

#include "dispatcher/core/time_util.h"
#include "dispatcher/http/decode.h"
#include "dispatcher/http/routes/routes.h"

namespace gd {
namespace {

using R = Role;

StatusOr<AuditFilter> DecodeAuditQuery(const ApiRequest& r) {
  AuditFilter q;
  GD_ASSIGN_OR_RETURN(q.ticket_id, QueryId(r, "ticket_id"));
  GD_ASSIGN_OR_RETURN(q.user_id, QueryId(r, "user_id"));
  GD_ASSIGN_OR_RETURN(q.from, QueryTime(r, "from"));
  GD_ASSIGN_OR_RETURN(q.to, QueryTime(r, "to"));
  GD_ASSIGN_OR_RETURN(auto page, QueryInt(r, "page", 0, 1'000'000'000));
  GD_ASSIGN_OR_RETURN(auto per_page, QueryInt(r, "per_page", 0, 1'000'000'000));
  q.page = static_cast<int>(std::max<int64_t>(1, page.value_or(1)));
  q.per_page = static_cast<int>(std::clamp<int64_t>(per_page.value_or(50), 1, 500));
  return q;
}

}  // namespace

std::vector<Route> AuditRoutes(const RouteDeps& d) {
  AuditService* audit = d.audit;
  const std::vector<Role> kCity = {R::kAdmin, R::kOffice, R::kAuditor};
  std::vector<Route> routes;
  routes.push_back({
      .method = "GET",
      .path = "/api/audit",
      .roles = kCity,
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(AuditFilter q, DecodeAuditQuery(r));
        GD_ASSIGN_OR_RETURN(AuditPage page, audit->List(q));
        Json items = Json::array();
        for (const AuditRow& a : page.items) {
          const AuditEntry& e = a.entry;
          Json row = {{"id", e.id},
                      {"at", FormatRfc3339(e.at)},
                      {"actor_id", e.actor_id},
                      {"action", e.action},
                      {"entity", e.entity},
                      {"entity_id", e.entity_id},
                      {"detail", e.detail},
                      {"hash", e.hash}};
          if (!a.actor_name.empty()) row["actor_name"] = a.actor_name;
          items.push_back(std::move(row));
        }
        return JsonResponse({{"items", items}, {"total", page.total}});
      },
  });
  routes.push_back({
      .method = "GET",
      .path = "/api/audit/verify",
      .roles = kCity,
      .handler = [=](ApiRequest&) -> StatusOr<ApiResponse> {
        AuditVerdict v = audit->Verify();
        if (v.ok) return JsonResponse({{"ok", true}, {"rows", v.rows}});
        return JsonResponse(
            {{"ok", false}, {"rows", v.rows}, {"broken_id", v.broken_id}, {"problem", v.problem}});
      },
  });
  return routes;
}

}  // namespace gd
