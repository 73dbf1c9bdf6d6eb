// Publishing (art. 12), per-channel results, retries, manual confirmations and withdrawals
// (art. 14): the service half of the dispatch engine.
#pragma once

#include "dispatcher/accounts/account_service.h"
#include "dispatcher/dispatch/engine.h"
#include "dispatcher/review/review_service.h"

namespace gd {

// POST /api/tickets/{id}/publish.
struct PublishRequest {
  bool proofread = false;         // the site manager's final proofread (三校); required
  std::optional<TimeMs> at = {};  // publish at this time instead of the scheduled one (or now)
};

// POST /api/tickets/{id}/dispatches/{account_id}/confirm: a manual step done by hand.
struct ConfirmRequest {
  bool withdrawn = false;       // the post was taken down by hand (else: it was published)
  std::string remote_url = {};  // where it was published (required unless withdrawn)
  std::string remote_id = {};
};

// POST /api/tickets/{id}/dispatches/{account_id}/not-published: a person checked the platform
// and found no post for a needs_decision dispatch.
struct NotPublishedRequest {
  std::string reason = {};  // required: what the person checked
};

// POST /api/tickets/{id}/withdrawals (art. 14).
struct WithdrawalRequest {
  std::string reason = {};                // required
  std::vector<int64_t> account_ids = {};  // empty = every published channel
};

// POST /api/withdrawals/{id}/decisions.
struct WithdrawalDecision {
  std::string decision = {};  // "approve" or "reject"
  std::string comment = {};   // required to reject
};

class PublishService {
 public:
  PublishService(Store& store, ReviewService& review, DispatchEngine& engine)
      : store_(store), review_(review), engine_(engine) {}

  // POST /api/tickets/{id}/publish {"proofread": true, "at"?}: the unit's site manager, an
  // approved ticket with a complete and valid chain, after the 三校 proofread and a final run
  // of the checks. Writes one dispatch per channel in the same transaction (the outbox).
  StatusOr<Json> Publish(const AuthContext& who, int64_t ticket_id, const PublishRequest& request);
  StatusOr<Json> Dispatches(const AuthContext& who, int64_t ticket_id);
  // Retries a failed channel (only that one).
  StatusOr<Json> Retry(const AuthContext& who, int64_t ticket_id, int64_t account_id);
  // A person confirms a manual hand-off: {"remote_url", "remote_id"?} (publish), or that a
  // post was taken down by hand ({"withdrawn": true}).
  StatusOr<Json> Confirm(const AuthContext& who, int64_t ticket_id, int64_t account_id,
                         const ConfirmRequest& request);
  // A person declares a needs_decision dispatch not published (what they checked in `reason`):
  // it fails with error_reason "declared_not_published", and Retry may send it again. Same
  // roles as Confirm; 409 unless the dispatch needs a decision.
  StatusOr<Json> DeclareNotPublished(const AuthContext& who, int64_t ticket_id, int64_t account_id,
                                     const NotPublishedRequest& request);
  StatusOr<Json> RequestWithdrawal(const AuthContext& who, int64_t ticket_id,
                                   const WithdrawalRequest& request);
  StatusOr<Json> DecideWithdrawal(const AuthContext& who, int64_t withdrawal_id,
                                  const WithdrawalDecision& request);
  StatusOr<Json> ListWithdrawals(const AuthContext& who, int64_t ticket_id);
  // Pending withdrawals across the city (the office's work list).
  StatusOr<Json> PendingWithdrawals(const AuthContext& who);

  static Json DispatchJson(const Dispatch& d, const std::string& name);
  static Json WithdrawalJson(const Withdrawal& w);

 private:
  Store& store_;
  ReviewService& review_;
  DispatchEngine& engine_;
};

}  // namespace gd
