// What follows a dispatch's change of state, shared by the engine's workers and the people's
// actions (confirm, declare not published): the audit of the outcome, the withdrawal done once
// every targeted channel is down, and the ticket state that follows its dispatches.
#pragma once

#include <string>

#include "dispatcher/core/status.h"
#include "dispatcher/model/dispatch.h"
#include "dispatcher/store/db.h"

namespace gd {

// The error_reason of a dispatch whose outcome a person must decide (channels/client.h).
inline constexpr const char* kNeedsDecision = "needs_decision";
// The error_reason of a needs_decision dispatch a person declared not published.
inline constexpr const char* kDeclaredNotPublished = "declared_not_published";

// A dispatch whose account is not ready (kAccountNotReady, dispatcher/model/dispatch.h: the
// clients' reasons account_not_ready, missing_setting, missing_secret) waits, retried every
// kNotReadyRetryMs and at once when the account changes, for at most kNotReadyHoldMs, then fails
// with the client's message.
inline constexpr TimeMs kNotReadyRetryMs = 10 * 60 * 1000;
inline constexpr TimeMs kNotReadyHoldMs = 3 * 24 * 3600 * 1000;
// Whether a client's error says the account, not the piece or the platform, is at fault.
bool AccountNotReady(const Status& failure);

// Called in the transaction that wrote `d`. Audits a published, failed or withdrawn dispatch
// (and, when `entered_decision`, its hand-over to a person) as `actor` (0: the system), then
// moves the ticket when its dispatches of the current version call for it.
Status FollowDispatch(Tx& tx, const Dispatch& d, int64_t actor, bool entered_decision = false);

// The awaiting deadline of dispatches of `kind` (the registry's, never below one hour).
TimeMs AwaitingDeadlineMs(const std::string& kind);
// Whether a person, not the platform, is what an awaiting dispatch waits for (a manual
// hand-off or a needs_decision): such dispatches have no awaiting deadline.
bool WaitsForAPerson(const Dispatch& d);
// The Chinese message of a dispatch that waited `waited_ms` for the platform of `kind`.
std::string AwaitingTooLongMessage(const std::string& kind, TimeMs waited_ms);

}  // namespace gd
