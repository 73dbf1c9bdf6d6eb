#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "dispatcher/core/time_util.h"
#include "dispatcher/http/decode.h"
#include "dispatcher/http/routes/routes.h"
#include "dispatcher/store/audit_repo.h"
#include "dispatcher/store/user_repo.h"

namespace gd {
namespace {

using R = Role;

// GET /api/audit filters.
struct AuditQuery {
  std::optional<int64_t> ticket_id, user_id;
  std::optional<TimeMs> from, to;
  int page = 1, per_page = 50;
};

StatusOr<AuditQuery> DecodeAuditQuery(const ApiRequest& r) {
  AuditQuery q;
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
  Store* store = d.store;
  const std::vector<Role> kCity = {R::kAdmin, R::kOffice, R::kAuditor};
  std::vector<Route> routes;
  routes.push_back({
      .method = "GET",
      .path = "/api/audit",
      .roles = kCity,
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(AuditQuery q, DecodeAuditQuery(r));
        Json items = Json::array();
        int64_t total = 0;
        GD_RETURN_IF_ERROR(store->Read([&](Tx& tx) -> Status {
          GD_ASSIGN_OR_RETURN(auto rows, audit_repo::ListAudit(tx, q.ticket_id, q.user_id, q.from,
                                                               q.to, q.page, q.per_page, &total));
          std::map<int64_t, std::string> names;  // actor id -> name
          for (const auto& e : rows) {
            Json row = {{"id", e.id},
                        {"at", FormatRfc3339(e.at)},
                        {"actor_id", e.actor_id},
                        {"action", e.action},
                        {"entity", e.entity},
                        {"entity_id", e.entity_id},
                        {"detail", e.detail},
                        {"hash", e.hash}};
            if (e.actor_id != 0) {
              auto it = names.find(e.actor_id);
              if (it == names.end()) {
                GD_ASSIGN_OR_RETURN(auto u, user_repo::GetUser(tx, e.actor_id));
                it = names.emplace(e.actor_id, u ? u->name : "").first;
              }
              if (!it->second.empty()) row["actor_name"] = it->second;
            }
            items.push_back(std::move(row));
          }
          return Status::Ok();
        }));
        return JsonResponse({{"items", items}, {"total", total}});
      },
  });
  routes.push_back({
      .method = "GET",
      .path = "/api/audit/verify",
      .roles = kCity,
      .handler = [=](ApiRequest&) -> StatusOr<ApiResponse> {
        AuditVerdict v = store->VerifyAudit();
        if (v.ok) return JsonResponse({{"ok", true}, {"rows", v.rows}});
        return JsonResponse(
            {{"ok", false}, {"rows", v.rows}, {"broken_id", v.broken_id}, {"problem", v.problem}});
      },
  });
  return routes;
}

}  // namespace gd
