// Dispatch and withdrawal-request states and their transition tables (like ticket_state.h): one
// table each, a pure Next function. Every change of Dispatch::state and Withdrawal::state goes
// through ApplyDispatchEvent / ApplyWithdrawalEvent; a refused event is a Chinese conflict error
// and leaves the row as it was.
#pragma once

#include <optional>
#include <string_view>

#include "dispatcher/core/status.h"
#include "dispatcher/model/dispatch.h"

namespace gd {

enum class DispatchState {
  kPending,      // waiting for its time, its rate slot or a retry
  kSending,      // a worker is calling the platform (recorded before the call)
  kAwaiting,     // accepted and still processing, a manual hand-off, or needs a person's decision
  kPublished,    // public
  kFailed,       // ended without a post; a person may retry
  kWithdrawing,  // withdrawal approved, the post is being taken down
  kWithdrawn,    // taken down
};

enum class DispatchEvent {
  kSend,                 // a worker starts (or resumes) the publish call
  kAccept,               // the platform accepted and is processing (or a poll says: still)
  kPublish,              // the platform shows the post public
  kBackOff,              // a transient answer: try again later
  kFail,                 // a permanent answer (or the job's data is missing)
  kNeedDecision,         // nobody can tell whether the post exists: a person decides
  kRetry,                // a person retries a failed channel
  kConfirmHandOff,       // a person reports a manual hand-off posted (the engine picks it up)
  kConfirmPublished,     // a person confirms the post of a needs_decision dispatch
  kDeclareNotPublished,  // a person declares a needs_decision dispatch not published
  kStartWithdrawal,      // the office approved the withdrawal
  kWithdrawWait,         // the take-down must wait (transient) or is handed to a person
  kWithdrawn,            // the post is down (by the platform's API or by hand)
};

enum class WithdrawalState { kPending, kApproved, kRejected, kDone };
enum class WithdrawalEvent { kApprove, kReject, kComplete };

std::string_view DispatchStateKey(DispatchState s);
std::string_view DispatchStateLabel(DispatchState s);  // zh-CN, as the console shows it
std::optional<DispatchState> ParseDispatchState(std::string_view key);
std::string_view DispatchEventKey(DispatchEvent e);
std::string_view DispatchEventLabel(DispatchEvent e);  // zh-CN

std::string_view WithdrawalStateKey(WithdrawalState s);
std::string_view WithdrawalStateLabel(WithdrawalState s);  // zh-CN
std::optional<WithdrawalState> ParseWithdrawalState(std::string_view key);
std::string_view WithdrawalEventKey(WithdrawalEvent e);

// The state after `event` in `from`, or nullopt if the event is not allowed there.
std::optional<DispatchState> NextDispatchState(DispatchState from, DispatchEvent event);
std::optional<WithdrawalState> NextWithdrawalState(WithdrawalState from, WithdrawalEvent event);

// Sets d.state (resp. w.state) to the state after `event`; kFailedPrecondition (reason
// "conflict", a Chinese message naming the state and the event) when the table refuses it or
// the stored state is unknown, leaving the object unchanged.
Status ApplyDispatchEvent(Dispatch& d, DispatchEvent event);
Status ApplyWithdrawalEvent(Withdrawal& w, WithdrawalEvent event);

}  // namespace gd
