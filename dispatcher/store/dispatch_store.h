// SQL for the dispatch engine: the outbox of dispatches, their attempts, and withdrawals.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dispatcher/store/store.h"

namespace gd {

// Dispatch states (API.md): pending, sending, awaiting, published, failed, withdrawing, withdrawn.
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

namespace dispatch_sql {

Status Insert(Tx& tx, Dispatch& d);
StatusOr<std::optional<Dispatch>> Get(Tx& tx, int64_t id);
StatusOr<std::vector<Dispatch>> ForTicket(Tx& tx, int64_t ticket_id);
// Every column that changes, guarded by the lease owner when `owner` is non-empty
// (kAborted if another worker holds the dispatch now).
Status Update(Tx& tx, const Dispatch& d, const std::string& owner);
// Claims up to `limit` due dispatches for `owner` until `lease_until`: states pending,
// sending or awaiting (send and poll), withdrawing; not_before <= now; lease expired. A
// non-portal dispatch waits until its ticket's portal dispatch (if any) is published.
StatusOr<std::vector<Dispatch>> ClaimDue(Tx& tx, const std::string& owner, TimeMs lease_until,
                                         int limit);
// The earliest not_before among claimable work (for sleeping), if any.
StatusOr<std::optional<TimeMs>> NextDue(Tx& tx);
StatusOr<int64_t> BeginAttempt(Tx& tx, int64_t dispatch_id, const std::string& action);
Status EndAttempt(Tx& tx, int64_t attempt_id, const std::string& outcome, const std::string& error);
// Counts by kind and state, for /metrics.
StatusOr<std::vector<std::tuple<std::string, std::string, int64_t>>> CountByKindState(Tx& tx);
// Published portal articles of the built-in site, newest first.
StatusOr<std::vector<Dispatch>> PublishedBuiltinPortal(Tx& tx);

StatusOr<int64_t> InsertWithdrawal(Tx& tx, const Withdrawal& w);
StatusOr<std::optional<Withdrawal>> GetWithdrawal(Tx& tx, int64_t id);
StatusOr<std::vector<Withdrawal>> WithdrawalsForTicket(Tx& tx, int64_t ticket_id);
StatusOr<std::vector<Withdrawal>> PendingWithdrawals(Tx& tx);
Status UpdateWithdrawal(Tx& tx, const Withdrawal& w);

}  // namespace dispatch_sql
}  // namespace gd
