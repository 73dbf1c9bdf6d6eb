// The audit log (art. 15, 16): its rows and the verdict of checking their chain.
#pragma once

#include <cstdint>
#include <string>

#include "dispatcher/core/clock.h"
#include "dispatcher/core/json_util.h"

namespace gd {

struct AuditEntry {
  int64_t id = 0;
  TimeMs at = 0;
  int64_t actor_id = 0;
  std::string action;
  std::string entity;
  int64_t entity_id = 0;
  Json detail = Json::object();
  std::string prev_hash;
  std::string hash;
};

// Result of verifying the audit chain.
struct AuditVerdict {
  bool ok = true;
  int64_t rows = 0;
  int64_t broken_id = 0;  // first row that fails (0 when ok)
  std::string problem;    // Chinese description
};

}  // namespace gd
