#include "dispatcher/dispatch/outcome.h"

#include <algorithm>

#include "channels/builtin_channels.h"
#include "dispatcher/model/dispatch_state.h"
#include "dispatcher/model/ticket_state.h"
#include "dispatcher/store/audit_repo.h"
#include "dispatcher/store/dispatch_repo.h"
#include "dispatcher/store/ticket_repo.h"

namespace gd {
namespace {

constexpr TimeMs kHourMs = 3600 * 1000;

Status AuditOutcome(Tx& tx, const Dispatch& d, int64_t actor, bool entered_decision) {
  if (d.state == "published" || d.state == "failed")
    return audit_repo::Audit(tx, actor, "dispatch." + d.state, "ticket", d.ticket_id,
                             {{"account_id", d.account_id},
                              {"kind", d.kind},
                              {"remote_id", d.remote_id},
                              {"remote_url", d.remote_url},
                              {"error", d.last_error},
                              {"error_reason", d.error_reason},
                              {"attempts", d.attempts}});
  if (d.state == "withdrawn")
    return audit_repo::Audit(
        tx, actor, "dispatch.withdrawn", "ticket", d.ticket_id,
        {{"account_id", d.account_id}, {"kind", d.kind}, {"remote_id", d.remote_id}});
  if (entered_decision)
    return audit_repo::Audit(tx, actor, "dispatch.needs_decision", "ticket", d.ticket_id,
                             {{"account_id", d.account_id},
                              {"kind", d.kind},
                              {"error", d.last_error},
                              {"attempts", d.attempts}});
  return Status::Ok();
}

}  // namespace

Status FollowDispatch(Tx& tx, const Dispatch& d, int64_t actor, bool entered_decision) {
  GD_RETURN_IF_ERROR(AuditOutcome(tx, d, actor, entered_decision));
  // The ticket follows its dispatches.
  GD_ASSIGN_OR_RETURN(auto t, ticket_repo::GetTicket(tx, d.ticket_id));
  if (!t) return Status::Ok();
  GD_ASSIGN_OR_RETURN(auto all, dispatch_repo::ForTicket(tx, d.ticket_id));
  int total = 0, published = 0, failed = 0, active = 0, withdrawing = 0, withdrawn = 0;
  for (const auto& x : all) {
    if (x.version != t->version) continue;
    ++total;
    if (x.state == "published")
      ++published;
    else if (x.state == "failed")
      ++failed;
    else if (x.state == "withdrawing")
      ++withdrawing;
    else if (x.state == "withdrawn")
      ++withdrawn;
    else
      ++active;
  }
  std::optional<TicketEvent> ev;
  if (total > 0 && published == total)
    ev = TicketEvent::kAllPublished;
  else if (failed > 0 && active == 0 && withdrawing == 0 && withdrawn == 0)
    ev = TicketEvent::kDispatchFailed;
  if (d.state == "withdrawn" && withdrawing == 0) {
    // Every targeted channel is down: the withdrawal is done.
    GD_ASSIGN_OR_RETURN(auto ws, dispatch_repo::WithdrawalsForTicket(tx, d.ticket_id));
    for (auto& w : ws) {
      if (w.state != "approved") continue;
      GD_RETURN_IF_ERROR(ApplyWithdrawalEvent(w, WithdrawalEvent::kComplete));
      GD_RETURN_IF_ERROR(dispatch_repo::UpdateWithdrawal(tx, w));
    }
    ev = published == 0 ? std::optional<TicketEvent>(TicketEvent::kWithdraw) : std::nullopt;
  }
  if (!ev) return Status::Ok();
  auto next = NextState(t->state, *ev);
  if (!next || *next == t->state) return Status::Ok();
  Ticket u = *t;
  u.state = *next;
  if (*ev == TicketEvent::kAllPublished && u.published_at == 0) u.published_at = tx.now();
  GD_RETURN_IF_ERROR(ticket_repo::UpdateTicket(tx, u));
  return audit_repo::Audit(tx, actor, "ticket." + std::string(TicketStateKey(u.state)), "ticket",
                           u.id, {{"from", std::string(TicketStateKey(t->state))}});
}

bool AccountNotReady(const Status& failure) {
  const std::string& r = failure.reason();
  return r == kAccountNotReady || r == "missing_setting" || r == "missing_secret";
}

TimeMs AwaitingDeadlineMs(const std::string& kind) {
  const channels::BuiltinChannel* k = channels::FindBuiltinChannel(kind);
  const TimeMs registry = k != nullptr ? k->awaiting_deadline_ms : 24 * kHourMs;
  return std::max(registry, channels::kMinAwaitingDeadlineMs);
}

bool WaitsForAPerson(const Dispatch& d) {
  const channels::BuiltinChannel* k = channels::FindBuiltinChannel(d.kind);
  return (k != nullptr && k->publishes_by_hand) || d.error_reason == "manual_handoff" ||
         d.error_reason == kNeedsDecision;
}

std::string AwaitingTooLongMessage(const std::string& kind, TimeMs waited_ms) {
  const channels::BuiltinChannel* k = channels::FindBuiltinChannel(kind);
  const std::string platform = k != nullptr ? k->label : kind;
  const TimeMs minutes = waited_ms / 60000;
  const TimeMs deadline_hours = AwaitingDeadlineMs(kind) / kHourMs;
  return "已等待" + platform + "处理 " + std::to_string(minutes / 60) + " 小时 " +
         std::to_string(minutes % 60) + " 分钟仍无结果（该渠道最长等待 " +
         std::to_string(deadline_hours) + " 小时），系统不再自动查询。请登录" + platform +
         "后台核实这篇稿件是否已发布、是否仍在平台审核中：已发布请点「确认已发布」并填写链接；"
         "确认未发布请点「判定未发布」并说明原因，之后可重试发布。";
}

}  // namespace gd
