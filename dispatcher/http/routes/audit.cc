#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "dispatcher/core/time_util.h"
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

std::vector<Route> AuditRoutes(const RouteDeps& d) {
  Store* store = d.store;
  const std::vector<Role> kCity = {R::kAdmin, R::kOffice, R::kAuditor};
  std::vector<Route> routes;
  routes.push_back({
      .method = "GET",
      .path = "/api/audit",
      .roles = kCity,
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        std::optional<int64_t> ticket, user;
        std::optional<TimeMs> from, to;
        if (auto v = IntQuery(r, "ticket_id")) ticket = *v;
        if (auto v = IntQuery(r, "user_id")) user = *v;
        if (!r.Query("from").empty()) {
          from = ParseRfc3339(r.Query("from"));
          if (!from) return InvalidArgument("from 时间格式不正确", "bad_request");
        }
        if (!r.Query("to").empty()) {
          to = ParseRfc3339(r.Query("to"));
          if (!to) return InvalidArgument("to 时间格式不正确", "bad_request");
        }
        int page = std::max(1, IntQuery(r, "page").value_or(1));
        int per_page = std::clamp(IntQuery(r, "per_page").value_or(50), 1, 500);
        Json items = Json::array();
        int64_t total = 0;
        GD_RETURN_IF_ERROR(store->Read([&](Tx& tx) -> Status {
          GD_ASSIGN_OR_RETURN(auto rows,
                              tx.ListAudit(ticket, user, from, to, page, per_page, &total));
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
                GD_ASSIGN_OR_RETURN(auto u, tx.GetUser(e.actor_id));
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
