// The outbox: a ticket version going out to one channel account, its attempts, and withdrawals.
#pragma once

#include <cstdint>
#include <string>

#include "dispatcher/core/clock.h"
#include "dispatcher/core/json_util.h"

namespace gd {

// The error_reason of a pending dispatch held because its account is not ready to publish (a
// setting or secret missing or wrong, not yet authorised): the engine retries it and the
// account's changes wake it (dispatcher/dispatch/outcome.h).
inline constexpr const char* kAccountNotReady = "account_not_ready";

// Dispatch states (docs/api.md §3.4): pending, sending, awaiting, published, failed, withdrawing,
// withdrawn.
struct Dispatch {
  int64_t id = 0;
  int64_t ticket_id = 0;
  int version = 0;
  int64_t account_id = 0;
  std::string kind;
  std::string state = "pending";
  int attempts = 0;
  Json rendering = Json::object();
  Json progress = Json::object();
  std::string remote_id, remote_url, last_error, error_reason;
  TimeMs not_before = 0;
  TimeMs lease_until = 0;
  std::string lease_owner;
  TimeMs published_at = 0;
  TimeMs created_at = 0, updated_at = 0;
};

// One try of a worker at a dispatch (send, poll, withdraw).
struct DispatchAttempt {
  int64_t id = 0;
  int64_t dispatch_id = 0;
  std::string action;
  TimeMs started_at = 0;
  TimeMs finished_at = 0;
  std::string outcome = "unknown";
  std::string error;
};

struct Withdrawal {
  int64_t id = 0;
  int64_t ticket_id = 0;
  int64_t requested_by = 0;
  std::string reason;
  Json account_ids = Json::array();
  std::string state = "pending";  // pending, approved, rejected, done
  int64_t decided_by = 0;
  TimeMs decided_at = 0;
  std::string comment;
  TimeMs created_at = 0;
};

}  // namespace gd
