// The outbox of dispatches, their attempts, and withdrawals. Every function runs inside a
// Store::Write/Read call and takes its Tx.
#pragma once

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "dispatcher/core/status.h"
#include "dispatcher/model/dispatch.h"
#include "dispatcher/store/db.h"

namespace gd::dispatch_repo {

Status Insert(Tx& tx, Dispatch& d);
StatusOr<std::optional<Dispatch>> Get(Tx& tx, int64_t id);
StatusOr<std::vector<Dispatch>> ForTicket(Tx& tx, int64_t ticket_id);
// Every column that changes, guarded by the lease owner when `owner` is non-empty
// (kAborted if another worker holds the dispatch now).
Status Update(Tx& tx, const Dispatch& d, const std::string& owner);
// Claims up to `limit` due dispatches for `owner` until `lease_until`: states pending,
// sending or awaiting (send and poll), withdrawing; not_before <= now; lease expired. A
// dispatch of another kind than `lead_kind` (the portal: its URL is the ticket's {{portal_url}})
// waits until its ticket's dispatch of `lead_kind` (if any) is published.
StatusOr<std::vector<Dispatch>> ClaimDue(Tx& tx, const std::string& owner, TimeMs lease_until,
                                         int limit, const std::string& lead_kind);
// Frees every lease (at start-up: no worker of an earlier process is still running).
Status ReleaseAllLeases(Tx& tx);
// A pushed event says the platform job `job_id` of account `account_id` ended: every awaiting
// dispatch of that account whose progress[`key`] is `job_id` (as a string or a number) becomes
// due at `now` unless a worker holds it. Returns how many were brought forward.
StatusOr<int> WakeAwaiting(Tx& tx, int64_t account_id, const std::string& key,
                           const std::string& job_id, TimeMs now);
// The account `account_id` changed (settings, secrets, an authorisation): every pending dispatch
// of it held for the account not being ready (error_reason `reason`) becomes due at `now` unless
// a worker holds it. Returns how many were brought forward.
StatusOr<int> WakeHeld(Tx& tx, int64_t account_id, const std::string& reason, TimeMs now);
// The earliest not_before among claimable work (for sleeping), if any.
StatusOr<std::optional<TimeMs>> NextDue(Tx& tx);
StatusOr<int64_t> BeginAttempt(Tx& tx, int64_t dispatch_id, const std::string& action);
Status EndAttempt(Tx& tx, int64_t attempt_id, const std::string& outcome, const std::string& error);
// Counts by kind and state, for /metrics.
StatusOr<std::vector<std::tuple<std::string, std::string, int64_t>>> CountByKindState(Tx& tx);
// Published articles of the built-in site (dispatches of `portal_kind`), newest first.
StatusOr<std::vector<Dispatch>> PublishedBuiltinPortal(Tx& tx, const std::string& portal_kind);

StatusOr<int64_t> InsertWithdrawal(Tx& tx, const Withdrawal& w);
StatusOr<std::optional<Withdrawal>> GetWithdrawal(Tx& tx, int64_t id);
StatusOr<std::vector<Withdrawal>> WithdrawalsForTicket(Tx& tx, int64_t ticket_id);
StatusOr<std::vector<Withdrawal>> PendingWithdrawals(Tx& tx);
Status UpdateWithdrawal(Tx& tx, const Withdrawal& w);

}  // namespace gd::dispatch_repo
