// Ticket states and the transition table (docs/style.md §4.7): one table, a pure NextState.
#pragma once

#include <optional>
#include <string_view>

namespace gd {

enum class TicketState {
  kDraft,
  kInReview,
  kReturned,
  kApproved,
  kPublishing,
  kPublished,
  kFailed,
  kWithdrawn,
};

enum class TicketEvent {
  kEdit,            // author saves a new version
  kSubmit,          // author submits (一校 done)
  kRecall,          // author recalls from review
  kApproveStep,     // a step approved, more steps remain
  kApproveFinal,    // the last step approved
  kReject,          // a reviewer rejects
  kPublish,         // site manager publishes (dispatches created)
  kAllPublished,    // every dispatch published
  kDispatchFailed,  // some dispatch failed permanently
  kRetry,           // retry failed channels
  kWithdraw,        // withdrawal approved by the office and carried out
};

std::string_view TicketStateKey(TicketState s);
std::string_view TicketStateLabel(TicketState s);
std::optional<TicketState> ParseTicketState(std::string_view key);
std::string_view TicketEventKey(TicketEvent e);

// The state after `event` in `from`, or nullopt if the event is not allowed there.
std::optional<TicketState> NextState(TicketState from, TicketEvent event);

}  // namespace gd
