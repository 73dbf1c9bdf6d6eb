#include "dispatcher/audit/audit_service.h"

#include <map>

#include "dispatcher/store/audit_repo.h"
#include "dispatcher/store/db.h"
#include "dispatcher/store/user_repo.h"

namespace gd {

StatusOr<AuditPage> AuditService::List(const AuditFilter& f) const {
  AuditPage page;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto rows, audit_repo::ListAudit(tx, f.ticket_id, f.user_id, f.from, f.to,
                                                         f.page, f.per_page, &page.total));
    std::map<int64_t, std::string> names;  // actor id -> name, one lookup per actor
    for (auto& e : rows) {
      AuditRow row{.entry = std::move(e), .actor_name = {}};
      if (const int64_t actor = row.entry.actor_id; actor != 0) {
        auto it = names.find(actor);
        if (it == names.end()) {
          GD_ASSIGN_OR_RETURN(auto u, user_repo::GetUser(tx, actor));
          it = names.emplace(actor, u ? u->name : "").first;
        }
        row.actor_name = it->second;
      }
      page.items.push_back(std::move(row));
    }
    return Status::Ok();
  }));
  return page;
}

AuditVerdict AuditService::Verify() const { return store_.VerifyAudit(); }

}  // namespace gd
