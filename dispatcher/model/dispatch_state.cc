#include "dispatcher/model/dispatch_state.h"

#include <array>
#include <string>

namespace gd {
namespace {
using S = DispatchState;
using E = DispatchEvent;

struct Transition {
  S from;
  E event;
  S to;
};

// The whole lifecycle of a dispatch (docs/architecture.md §5, docs/api.md §3.4).
constexpr std::array<Transition, 20> kTransitions{{
    {S::kPending, E::kSend, S::kSending},
    {S::kPending, E::kFail, S::kFailed},   // the job's data is missing
    {S::kSending, E::kSend, S::kSending},  // resumed after a crash or a lost lease
    {S::kSending, E::kAccept, S::kAwaiting},
    {S::kSending, E::kPublish, S::kPublished},
    {S::kSending, E::kBackOff, S::kPending},
    {S::kSending, E::kFail, S::kFailed},
    {S::kSending, E::kNeedDecision, S::kAwaiting},
    {S::kAwaiting, E::kAccept, S::kAwaiting},
    {S::kAwaiting, E::kPublish, S::kPublished},
    {S::kAwaiting, E::kBackOff, S::kAwaiting},  // a poll met a transient answer
    {S::kAwaiting, E::kFail, S::kFailed},
    {S::kAwaiting, E::kNeedDecision, S::kAwaiting},
    {S::kAwaiting, E::kConfirmHandOff, S::kAwaiting},
    {S::kAwaiting, E::kConfirmPublished, S::kPublished},
    {S::kAwaiting, E::kDeclareNotPublished, S::kFailed},
    {S::kPublished, E::kStartWithdrawal, S::kWithdrawing},
    {S::kFailed, E::kRetry, S::kPending},
    {S::kWithdrawing, E::kWithdrawWait, S::kWithdrawing},
    {S::kWithdrawing, E::kWithdrawn, S::kWithdrawn},
}};

struct StateInfo {
  S s;
  std::string_view key, label;
};
constexpr std::array<StateInfo, 7> kStates{{
    {S::kPending, "pending", "待发送"},
    {S::kSending, "sending", "发送中"},
    {S::kAwaiting, "awaiting", "等待平台处理"},
    {S::kPublished, "published", "已发布"},
    {S::kFailed, "failed", "失败"},
    {S::kWithdrawing, "withdrawing", "撤回中"},
    {S::kWithdrawn, "withdrawn", "已撤回"},
}};

struct EventInfo {
  E e;
  std::string_view key, label;
};
constexpr std::array<EventInfo, 13> kEvents{{
    {E::kSend, "send", "开始发送"},
    {E::kAccept, "accept", "平台受理"},
    {E::kPublish, "publish", "发布成功"},
    {E::kBackOff, "back_off", "稍后重试"},
    {E::kFail, "fail", "发布失败"},
    {E::kNeedDecision, "need_decision", "转人工核实"},
    {E::kRetry, "retry", "重试发布"},
    {E::kConfirmHandOff, "confirm_hand_off", "确认人工发布"},
    {E::kConfirmPublished, "confirm_published", "确认已发布"},
    {E::kDeclareNotPublished, "declare_not_published", "判定未发布"},
    {E::kStartWithdrawal, "start_withdrawal", "开始撤回"},
    {E::kWithdrawWait, "withdraw_wait", "等待撤回"},
    {E::kWithdrawn, "withdrawn", "撤回完成"},
}};

using WS = WithdrawalState;
using WE = WithdrawalEvent;
struct WithdrawalTransition {
  WS from;
  WE event;
  WS to;
};
constexpr std::array<WithdrawalTransition, 3> kWithdrawalTransitions{{
    {WS::kPending, WE::kApprove, WS::kApproved},
    {WS::kPending, WE::kReject, WS::kRejected},
    {WS::kApproved, WE::kComplete, WS::kDone},
}};
struct WithdrawalStateInfo {
  WS s;
  std::string_view key, label;
};
constexpr std::array<WithdrawalStateInfo, 4> kWithdrawalStates{{
    {WS::kPending, "pending", "待审批"},
    {WS::kApproved, "approved", "已同意"},
    {WS::kRejected, "rejected", "未同意"},
    {WS::kDone, "done", "已完成"},
}};

}  // namespace

std::string_view DispatchStateKey(DispatchState s) {
  for (const auto& i : kStates)
    if (i.s == s) return i.key;
  return "";
}
std::string_view DispatchStateLabel(DispatchState s) {
  for (const auto& i : kStates)
    if (i.s == s) return i.label;
  return "";
}
std::optional<DispatchState> ParseDispatchState(std::string_view key) {
  for (const auto& i : kStates)
    if (i.key == key) return i.s;
  return std::nullopt;
}
std::string_view DispatchEventKey(DispatchEvent e) {
  for (const auto& i : kEvents)
    if (i.e == e) return i.key;
  return "";
}
std::string_view DispatchEventLabel(DispatchEvent e) {
  for (const auto& i : kEvents)
    if (i.e == e) return i.label;
  return "";
}

std::string_view WithdrawalStateKey(WithdrawalState s) {
  for (const auto& i : kWithdrawalStates)
    if (i.s == s) return i.key;
  return "";
}
std::string_view WithdrawalStateLabel(WithdrawalState s) {
  for (const auto& i : kWithdrawalStates)
    if (i.s == s) return i.label;
  return "";
}
std::optional<WithdrawalState> ParseWithdrawalState(std::string_view key) {
  for (const auto& i : kWithdrawalStates)
    if (i.key == key) return i.s;
  return std::nullopt;
}
std::string_view WithdrawalEventKey(WithdrawalEvent e) {
  switch (e) {
    case WE::kApprove:
      return "approve";
    case WE::kReject:
      return "reject";
    case WE::kComplete:
      return "complete";
  }
  return "";
}

std::optional<DispatchState> NextDispatchState(DispatchState from, DispatchEvent event) {
  for (const auto& t : kTransitions)
    if (t.from == from && t.event == event) return t.to;
  return std::nullopt;
}

std::optional<WithdrawalState> NextWithdrawalState(WithdrawalState from, WithdrawalEvent event) {
  for (const auto& t : kWithdrawalTransitions)
    if (t.from == from && t.event == event) return t.to;
  return std::nullopt;
}

Status ApplyDispatchEvent(Dispatch& d, DispatchEvent event) {
  const auto from = ParseDispatchState(d.state);
  const auto to = from ? NextDispatchState(*from, event) : std::nullopt;
  if (!to) {
    const std::string label = from ? std::string(DispatchStateLabel(*from)) : d.state;
    return FailedPrecondition(
        "发布任务当前状态为「" + label + "」，不能" + std::string(DispatchEventLabel(event)),
        "conflict");
  }
  d.state = std::string(DispatchStateKey(*to));
  return Status::Ok();
}

Status ApplyWithdrawalEvent(Withdrawal& w, WithdrawalEvent event) {
  const auto from = ParseWithdrawalState(w.state);
  const auto to = from ? NextWithdrawalState(*from, event) : std::nullopt;
  if (!to) {
    const std::string label = from ? std::string(WithdrawalStateLabel(*from)) : w.state;
    return FailedPrecondition("撤稿申请当前状态为「" + label + "」，该操作不可执行", "conflict");
  }
  w.state = std::string(WithdrawalStateKey(*to));
  return Status::Ok();
}

}  // namespace gd
