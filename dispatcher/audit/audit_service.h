// The audit log as the console and the auditing office read it (art. 15, 16): pages of entries
// with the actor's name, and the verdict of checking the hash chain end to end.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/core/status.h"
#include "dispatcher/model/audit.h"

namespace gd {

class Store;

struct AuditFilter {
  std::optional<int64_t> ticket_id, user_id;
  std::optional<TimeMs> from, to;  // inclusive bounds on the entry's time
  int page = 1, per_page = 50;     // page counts from 1
};

struct AuditRow {
  AuditEntry entry;
  std::string actor_name;  // empty for the system (actor 0) or a deleted user
};

struct AuditPage {
  std::vector<AuditRow> items;
  int64_t total = 0;  // entries matching the filter, over all pages
};

class AuditService {
 public:
  // `store` must outlive the service.
  explicit AuditService(Store& store) : store_(store) {}

  // Newest first, as audit_repo::ListAudit orders them; read from a snapshot.
  StatusOr<AuditPage> List(const AuditFilter& filter) const;
  // Checks every row's hash and the chain's head (Store::VerifyAudit).
  AuditVerdict Verify() const;

 private:
  Store& store_;
};

}  // namespace gd
