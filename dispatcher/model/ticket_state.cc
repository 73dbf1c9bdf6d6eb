#include "dispatcher/model/ticket_state.h"

#include <array>

namespace gd {
namespace {
using S = TicketState;
using E = TicketEvent;

struct Transition {
  S from;
  E event;
  S to;
};

// The whole lifecycle of a ticket (docs/architecture.md §2).
constexpr std::array<Transition, 17> kTransitions{{
    {S::kDraft, E::kEdit, S::kDraft},
    {S::kReturned, E::kEdit, S::kDraft},
    {S::kDraft, E::kSubmit, S::kInReview},
    {S::kReturned, E::kSubmit, S::kInReview},
    {S::kInReview, E::kRecall, S::kDraft},
    {S::kInReview, E::kApproveStep, S::kInReview},
    {S::kInReview, E::kApproveFinal, S::kApproved},
    {S::kInReview, E::kReject, S::kReturned},
    {S::kApproved, E::kPublish, S::kPublishing},
    {S::kPublishing, E::kAllPublished, S::kPublished},
    {S::kPublishing, E::kDispatchFailed, S::kFailed},
    {S::kFailed, E::kRetry, S::kPublishing},
    {S::kFailed, E::kAllPublished, S::kPublished},
    {S::kPublished, E::kWithdraw, S::kWithdrawn},
    {S::kFailed, E::kWithdraw, S::kWithdrawn},
    {S::kPublishing, E::kWithdraw, S::kWithdrawn},
    {S::kPublished, E::kDispatchFailed, S::kFailed},
}};

struct StateInfo {
  S s;
  std::string_view key, label;
};
constexpr std::array<StateInfo, 8> kStates{{
    {S::kDraft, "draft", "草稿"},
    {S::kInReview, "in_review", "审核中"},
    {S::kReturned, "returned", "已退回"},
    {S::kApproved, "approved", "已审定"},
    {S::kPublishing, "publishing", "发布中"},
    {S::kPublished, "published", "已发布"},
    {S::kFailed, "failed", "发布失败"},
    {S::kWithdrawn, "withdrawn", "已撤稿"},
}};
}  // namespace

std::string_view TicketStateKey(TicketState s) {
  for (const auto& i : kStates)
    if (i.s == s) return i.key;
  return "";
}
std::string_view TicketStateLabel(TicketState s) {
  for (const auto& i : kStates)
    if (i.s == s) return i.label;
  return "";
}
std::optional<TicketState> ParseTicketState(std::string_view key) {
  for (const auto& i : kStates)
    if (i.key == key) return i.s;
  return std::nullopt;
}

std::string_view TicketEventKey(TicketEvent e) {
  switch (e) {
    case E::kEdit:
      return "edit";
    case E::kSubmit:
      return "submit";
    case E::kRecall:
      return "recall";
    case E::kApproveStep:
      return "approve_step";
    case E::kApproveFinal:
      return "approve_final";
    case E::kReject:
      return "reject";
    case E::kPublish:
      return "publish";
    case E::kAllPublished:
      return "all_published";
    case E::kDispatchFailed:
      return "dispatch_failed";
    case E::kRetry:
      return "retry";
    case E::kWithdraw:
      return "withdraw";
  }
  return "";
}

std::optional<TicketState> NextState(TicketState from, TicketEvent event) {
  for (const auto& t : kTransitions)
    if (t.from == from && t.event == event) return t.to;
  return std::nullopt;
}

}  // namespace gd
