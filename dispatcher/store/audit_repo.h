// The audit log (art. 15, 16): an HMAC chain appended in the same transaction as the change it
// records. Every function runs inside a Store::Write/Read call and takes its Tx.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"
#include "dispatcher/model/audit.h"
#include "dispatcher/store/db.h"

namespace gd::audit_repo {

// Appends a row chained to the previous one, and moves the chain head kept in meta.
Status Audit(Tx& tx, int64_t actor_id, const std::string& action, const std::string& entity,
             int64_t entity_id, const Json& detail);
// Newest first, filtered; *total = rows matching the filter.
StatusOr<std::vector<AuditEntry>> ListAudit(Tx& tx, std::optional<int64_t> ticket_id,
                                            std::optional<int64_t> user_id,
                                            std::optional<TimeMs> from, std::optional<TimeMs> to,
                                            int page, int per_page, int64_t* total);
// Checks the whole chain and its head (Store::VerifyAudit runs it on the writer).
AuditVerdict Verify(Tx& tx);

}  // namespace gd::audit_repo
