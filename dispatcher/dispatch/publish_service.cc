#include "dispatcher/dispatch/publish_service.h"

#include <algorithm>
#include <map>

#include "channels/builtin_channels.h"
#include "dispatcher/core/time_util.h"
#include "dispatcher/core/utf8.h"
#include "dispatcher/dispatch/outcome.h"
#include "dispatcher/model/dispatch_state.h"
#include "dispatcher/store/audit_repo.h"
#include "dispatcher/store/channel_repo.h"
#include "dispatcher/store/dispatch_repo.h"
#include "dispatcher/store/ticket_repo.h"

namespace gd {
namespace {

Status Invalid(const std::string& field, const std::string& msg) {
  return InvalidArgument(msg, "invalid", {{"fields", {{field, msg}}}});
}
Status Conflict(const std::string& msg) { return FailedPrecondition(msg, "conflict"); }

bool HasBlock(const Json& findings) {
  for (const auto& f : findings)
    if (f.value("severity", "") == "block") return true;
  return false;
}

// The console's names for dispatch states (web/src/labels.js DISPATCH_STATES).
std::string StateLabel(const std::string& state) {
  auto s = ParseDispatchState(state);
  return s ? std::string(DispatchStateLabel(*s)) : state;
}

// Whether staff post dispatches of `kind` themselves and confirm (the registry's capability).
bool PublishesByHand(const std::string& kind) {
  const channels::BuiltinChannel* k = channels::FindBuiltinChannel(kind);
  return k != nullptr && k->publishes_by_hand;
}

bool NeedsDecision(const Dispatch& d) {
  return d.state == "awaiting" && d.error_reason == kNeedsDecision;
}

// Whether a person may record the confirmation: publishing for a manual channel waiting for
// its URL or for a dispatch of any kind whose outcome was handed to a person (needs_decision),
// a take-down only where the system handed the withdrawal to a person.
Status MayConfirm(const Dispatch& d, bool withdrawn) {
  const std::string now = "（当前状态：" + StateLabel(d.state) + "）";
  if (withdrawn) {
    if (d.state == "withdrawing" && (PublishesByHand(d.kind) || !d.error_reason.empty()))
      return Status::Ok();
    return Conflict("该渠道没有待人工删除的任务" + now);
  }
  if (NeedsDecision(d)) return Status::Ok();
  if (!PublishesByHand(d.kind))
    return Conflict("只有人工渠道或「需人工核实」的渠道可以登记人工发布" + now);
  if (d.state != "awaiting") return Conflict("该渠道当前无需人工确认" + now);
  return Status::Ok();
}

std::string AccountName(Tx& tx, int64_t id) {
  auto row = channel_repo::GetChannel(tx, id);
  return row.ok() && row->has_value() ? (*row)->name : "";
}

// The dispatch JSON's field saying a person acts on this dispatch (docs/api.md).
constexpr const char* kManualField = "manual";  // not a channel kind

}  // namespace

Json PublishService::DispatchJson(const Dispatch& d, const std::string& name) {
  return {{"id", d.id},
          {"account_id", d.account_id},
          {"name", name},
          {"kind", d.kind},
          {"version", d.version},
          {"state", d.state},
          {"attempts", d.attempts},
          {"remote_id", d.remote_id.empty() ? Json() : Json(d.remote_id)},
          {"remote_url", d.remote_url.empty() ? Json() : Json(d.remote_url)},
          {"last_error", d.last_error.empty() ? Json() : Json(d.last_error)},
          {"error_reason", d.error_reason.empty() ? Json() : Json(d.error_reason)},
          {"scheduled_at", d.not_before > d.created_at && d.state == "pending"
                               ? Json(FormatRfc3339(d.not_before))
                               : Json()},
          {"published_at", d.published_at ? Json(FormatRfc3339(d.published_at)) : Json()},
          {kManualField, PublishesByHand(d.kind) || d.error_reason == "manual_handoff" ||
                             d.error_reason == "manual_withdrawal"},
          {"needs_decision", NeedsDecision(d)},
          {"updated_at", FormatRfc3339(d.updated_at)}};
}

Json PublishService::WithdrawalJson(const Withdrawal& w) {
  return {{"id", w.id},
          {"ticket_id", w.ticket_id},
          {"requested_by", w.requested_by},
          {"reason", w.reason},
          {"account_ids", w.account_ids},
          {"state", w.state},
          {"decided_by", w.decided_by ? Json(w.decided_by) : Json()},
          {"decided_at", w.decided_at ? Json(FormatRfc3339(w.decided_at)) : Json()},
          {"comment", w.comment},
          {"created_at", FormatRfc3339(w.created_at)}};
}

StatusOr<Json> PublishService::Publish(const AuthContext& who, int64_t ticket_id,
                                       const PublishRequest& request) {
  if (!request.proofread) return Invalid("proofread", "发布前须完成终校（三校），并勾选确认");
  const std::optional<TimeMs>& at = request.at;
  Json out;
  Json blocking;
  Status st = store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto t, ticket_repo::GetTicket(tx, ticket_id));
    if (!t) return NotFound("工单不存在");
    if (!who.user.Has(Role::kSiteManager) || who.user.unit_id != t->unit_id)
      return PermissionDenied("只有本单位的网站信息管理员可以发布");
    auto next = NextState(t->state, TicketEvent::kPublish);
    if (!next)
      return Conflict("工单当前状态为「" + std::string(TicketStateLabel(t->state)) +
                      "」，只有已审定的工单可以发布");
    // 先审查、后发布: the chain of this very version, complete, every signature valid.
    GD_ASSIGN_OR_RETURN(ChainView chain, review_.ReadChain(tx, *t));
    if (!chain.complete) return Conflict("审核流程尚未完成，不能发布");
    if (!chain.signatures_valid) return Conflict("审核记录签名校验失败，不能发布，请联系管理员");
    for (const auto& d : chain.decisions)
      if (d.content_hash != t->content_hash)
        return Conflict("审核所依据的内容与当前版本不一致，不能发布");
    GD_ASSIGN_OR_RETURN(auto ver, ticket_repo::GetVersion(tx, t->id, t->version));
    const Content& c = ver->content;
    // Art. 12: the checks run once more right before publishing.
    Json findings = review_.checker().Run({c.category, c.title, c.summary, c.body, c.source});
    for (const auto& r : ver->renderings)
      for (const auto& p : r.value("problems", Json::array()))
        if (p.value("severity", "block") == "block")
          findings.push_back({{"rule", "channel_limit"},
                              {"severity", "block"},
                              {"kind", p.value("code", "")},
                              {"message", r.value("name", "") + "：" + p.value("message", "")}});
    GD_RETURN_IF_ERROR(
        ticket_repo::InsertCheckRun(tx, {0, t->id, t->version, "publish", findings, tx.now()}));
    if (HasBlock(findings)) {
      blocking = findings;
      return audit_repo::Audit(tx, who.user.id, "ticket.publish_blocked", "ticket", t->id,
                               {{"version", t->version}});
    }
    TimeMs when = at.value_or(c.scheduled_at.value_or(tx.now()));
    for (const auto& r : ver->renderings) {
      Dispatch d;
      d.ticket_id = t->id;
      d.version = t->version;
      d.account_id = r.value("account_id", int64_t{0});
      d.kind = r.value("kind", "");
      d.rendering = r.value("rendering", Json::object());
      d.not_before = when;
      GD_RETURN_IF_ERROR(dispatch_repo::Insert(tx, d));
    }
    Ticket u = *t;
    u.state = *next;
    GD_RETURN_IF_ERROR(ticket_repo::UpdateTicket(tx, u));
    GD_RETURN_IF_ERROR(audit_repo::Audit(tx, who.user.id, "ticket.publish", "ticket", t->id,
                                         {{"version", t->version},
                                          {"content_hash", t->content_hash},
                                          {"proofread", true},
                                          {"at", FormatRfc3339(when)},
                                          {"channels", ver->renderings.size()}}));
    GD_ASSIGN_OR_RETURN(auto fresh, ticket_repo::GetTicket(tx, t->id));
    GD_ASSIGN_OR_RETURN(out, review_.TicketJson(tx, *fresh));
    GD_ASSIGN_OR_RETURN(auto ds, dispatch_repo::ForTicket(tx, t->id));
    Json items = Json::array();
    for (const auto& d : ds) items.push_back(DispatchJson(d, AccountName(tx, d.account_id)));
    out["dispatches"] = items;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (!blocking.is_null())
    return InvalidArgument("发布前检查发现必须修改的问题，不能发布", "check_failed",
                           {{"findings", blocking}});
  engine_.Wake();
  return out;
}

StatusOr<Json> PublishService::Dispatches(const AuthContext& who, int64_t ticket_id) {
  Json items = Json::array();
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto t, ticket_repo::GetTicket(tx, ticket_id));
    if (!t) return NotFound("工单不存在");
    if (!CanSeeUnit(who, t->unit_id)) return PermissionDenied("无权查看其他单位的工单");
    GD_ASSIGN_OR_RETURN(auto ds, dispatch_repo::ForTicket(tx, ticket_id));
    for (const auto& d : ds) items.push_back(DispatchJson(d, AccountName(tx, d.account_id)));
    return Status::Ok();
  }));
  return Json{{"items", items}, {"total", items.size()}};
}

StatusOr<Json> PublishService::Retry(const AuthContext& who, int64_t ticket_id,
                                     int64_t account_id) {
  Json out;
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto t, ticket_repo::GetTicket(tx, ticket_id));
    if (!t) return NotFound("工单不存在");
    if (!who.user.Has(Role::kSiteManager) || who.user.unit_id != t->unit_id)
      return PermissionDenied("只有本单位的网站信息管理员可以重试发布");
    GD_ASSIGN_OR_RETURN(auto ds, dispatch_repo::ForTicket(tx, ticket_id));
    std::optional<Dispatch> target;
    for (auto& d : ds)
      if (d.version == t->version && d.account_id == account_id) target = d;
    if (!target) return NotFound("该渠道没有发布任务");
    if (target->state != "failed") return Conflict("只有发布失败的渠道可以重试");
    GD_RETURN_IF_ERROR(ApplyDispatchEvent(*target, DispatchEvent::kRetry));
    target->attempts = 0;
    target->not_before = tx.now();
    target->last_error.clear();
    target->error_reason.clear();
    GD_RETURN_IF_ERROR(dispatch_repo::Update(tx, *target, ""));
    if (auto next = NextState(t->state, TicketEvent::kRetry)) {
      Ticket u = *t;
      u.state = *next;
      GD_RETURN_IF_ERROR(ticket_repo::UpdateTicket(tx, u));
    }
    GD_RETURN_IF_ERROR(audit_repo::Audit(tx, who.user.id, "dispatch.retry", "ticket", ticket_id,
                                         {{"account_id", account_id}, {"kind", target->kind}}));
    out = DispatchJson(*target, AccountName(tx, account_id));
    return Status::Ok();
  }));
  engine_.Wake();
  return out;
}

StatusOr<Json> PublishService::Confirm(const AuthContext& who, int64_t ticket_id,
                                       int64_t account_id, const ConfirmRequest& request) {
  Json out;
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto t, ticket_repo::GetTicket(tx, ticket_id));
    if (!t) return NotFound("工单不存在");
    if (!(who.user.Has(Role::kSiteManager) && who.user.unit_id == t->unit_id) &&
        !who.user.Has(Role::kOperator))
      return PermissionDenied("只有本单位的网站信息管理员或运维人员可以确认人工发布");
    GD_ASSIGN_OR_RETURN(auto ds, dispatch_repo::ForTicket(tx, ticket_id));
    std::optional<Dispatch> target;
    for (auto& d : ds)
      if (d.version == t->version && d.account_id == account_id) target = d;
    if (!target) return NotFound("该渠道没有发布任务");
    Json detail = {{"account_id", account_id}};
    if (request.withdrawn) {
      GD_RETURN_IF_ERROR(MayConfirm(*target, true));
      // A person took the post down by hand; the ticket follows below.
      GD_RETURN_IF_ERROR(ApplyDispatchEvent(*target, DispatchEvent::kWithdrawn));
      target->error_reason.clear();
      target->progress["manual_withdrawn"] = true;
      detail["withdrawn"] = true;
      target->lease_owner.clear();
      target->lease_until = 0;
      GD_RETURN_IF_ERROR(dispatch_repo::Update(tx, *target, ""));
    } else {
      const std::string& url = request.remote_url;
      if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0)
        return Invalid("remote_url", "请填写发布后的链接（以 https:// 开头）");
      GD_RETURN_IF_ERROR(MayConfirm(*target, false));
      target->progress["confirmed_url"] = url;
      target->progress["confirmed_id"] = request.remote_id;
      target->lease_owner.clear();
      target->lease_until = 0;
      detail["remote_url"] = url;
      if (NeedsDecision(*target)) {
        // The platform's own client cannot see it: the person's word publishes it here.
        GD_RETURN_IF_ERROR(ApplyDispatchEvent(*target, DispatchEvent::kConfirmPublished));
        target->remote_url = url;
        target->remote_id = request.remote_id.empty() ? url : request.remote_id;
        target->published_at = tx.now();
        target->last_error.clear();
        target->error_reason.clear();
        target->progress.erase("inflight");
        target->not_before = 0;
        GD_RETURN_IF_ERROR(dispatch_repo::Update(tx, *target, ""));
        detail["needs_decision"] = true;
        GD_RETURN_IF_ERROR(
            audit_repo::Audit(tx, who.user.id, "dispatch.confirm", "ticket", ticket_id, detail));
        GD_RETURN_IF_ERROR(FollowDispatch(tx, *target, who.user.id));
        out = DispatchJson(*target, AccountName(tx, account_id));
        return Status::Ok();
      }
      GD_RETURN_IF_ERROR(ApplyDispatchEvent(*target, DispatchEvent::kConfirmHandOff));
      target->not_before = tx.now();
      GD_RETURN_IF_ERROR(dispatch_repo::Update(tx, *target, ""));
      if (t->state == TicketState::kFailed) {
        Ticket u = *t;
        u.state = TicketState::kPublishing;
        GD_RETURN_IF_ERROR(ticket_repo::UpdateTicket(tx, u));
      }
    }
    GD_RETURN_IF_ERROR(
        audit_repo::Audit(tx, who.user.id, "dispatch.confirm", "ticket", ticket_id, detail));
    out = DispatchJson(*target, AccountName(tx, account_id));
    return Status::Ok();
  }));
  engine_.Wake();
  if (request.withdrawn) {
    // Let the ticket follow (all withdrawn -> withdrawn) through the same bookkeeping.
    GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
      GD_ASSIGN_OR_RETURN(auto t, ticket_repo::GetTicket(tx, ticket_id));
      GD_ASSIGN_OR_RETURN(auto ds, dispatch_repo::ForTicket(tx, ticket_id));
      int published = 0, withdrawing = 0;
      for (const auto& d : ds) {
        if (d.version != t->version) continue;
        if (d.state == "published") ++published;
        if (d.state == "withdrawing") ++withdrawing;
      }
      if (withdrawing > 0) return Status::Ok();
      GD_ASSIGN_OR_RETURN(auto ws, dispatch_repo::WithdrawalsForTicket(tx, ticket_id));
      for (auto& w : ws)
        if (w.state == "approved") {
          GD_RETURN_IF_ERROR(ApplyWithdrawalEvent(w, WithdrawalEvent::kComplete));
          GD_RETURN_IF_ERROR(dispatch_repo::UpdateWithdrawal(tx, w));
        }
      if (published == 0) {
        if (auto next = NextState(t->state, TicketEvent::kWithdraw)) {
          Ticket u = *t;
          u.state = *next;
          GD_RETURN_IF_ERROR(ticket_repo::UpdateTicket(tx, u));
          return audit_repo::Audit(tx, who.user.id, "ticket.withdrawn", "ticket", ticket_id,
                                   Json::object());
        }
      }
      return Status::Ok();
    }));
  }
  return out;
}

StatusOr<Json> PublishService::DeclareNotPublished(const AuthContext& who, int64_t ticket_id,
                                                   int64_t account_id,
                                                   const NotPublishedRequest& request) {
  const std::string& reason = request.reason;
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos)
    return Invalid("reason", "请说明核实情况（为什么判定未发布）");
  if (CodePointCount(reason) > 2000) return Invalid("reason", "说明不超过 2000 字");
  Json out;
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto t, ticket_repo::GetTicket(tx, ticket_id));
    if (!t) return NotFound("工单不存在");
    if (!(who.user.Has(Role::kSiteManager) && who.user.unit_id == t->unit_id) &&
        !who.user.Has(Role::kOperator))
      return PermissionDenied("只有本单位的网站信息管理员或运维人员可以判定未发布");
    GD_ASSIGN_OR_RETURN(auto ds, dispatch_repo::ForTicket(tx, ticket_id));
    std::optional<Dispatch> target;
    for (auto& d : ds)
      if (d.version == t->version && d.account_id == account_id) target = d;
    if (!target) return NotFound("该渠道没有发布任务");
    if (!NeedsDecision(*target))
      return Conflict("该渠道没有待人工核实的发布结果（当前状态：" + StateLabel(target->state) +
                      "）");
    GD_RETURN_IF_ERROR(ApplyDispatchEvent(*target, DispatchEvent::kDeclareNotPublished));
    // The person's word: a retry sends afresh instead of looking for the post once more.
    target->progress.erase("inflight");
    target->progress.erase("unknown_looks");
    target->progress.erase("awaiting_since");
    target->progress["declared_not_published"] = {
        {"by", who.user.id}, {"at", tx.now()}, {"reason", reason}};
    target->error_reason = kDeclaredNotPublished;
    target->last_error = "经人工核实未发布：" + reason;
    target->lease_owner.clear();
    target->lease_until = 0;
    target->not_before = 0;
    GD_RETURN_IF_ERROR(dispatch_repo::Update(tx, *target, ""));
    GD_RETURN_IF_ERROR(audit_repo::Audit(
        tx, who.user.id, "dispatch.declare_not_published", "ticket", ticket_id,
        {{"account_id", account_id}, {"kind", target->kind}, {"reason", reason}}));
    GD_RETURN_IF_ERROR(FollowDispatch(tx, *target, who.user.id));
    out = DispatchJson(*target, AccountName(tx, account_id));
    return Status::Ok();
  }));
  return out;
}

StatusOr<Json> PublishService::RequestWithdrawal(const AuthContext& who, int64_t ticket_id,
                                                 const WithdrawalRequest& request) {
  const std::string& reason = request.reason;
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos)
    return InvalidArgument("撤稿须说明理由（第十四条）", "bad_request",
                           {{"fields", {{"reason", "必填"}}}});
  if (CodePointCount(reason) > 2000) return Invalid("reason", "理由不超过 2000 字");
  Json out;
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto t, ticket_repo::GetTicket(tx, ticket_id));
    if (!t) return NotFound("工单不存在");
    bool allowed = who.user.unit_id == t->unit_id &&
                   (who.user.Has(Role::kSiteManager) || who.user.Has(Role::kDeputyLeader) ||
                    who.user.Has(Role::kPrincipalLeader));
    if (!allowed) return PermissionDenied("只有本单位的网站信息管理员或单位领导可以申请撤稿");
    if (t->state != TicketState::kPublished && t->state != TicketState::kFailed &&
        t->state != TicketState::kPublishing)
      return Conflict("只有已发布的工单可以申请撤稿");
    GD_ASSIGN_OR_RETURN(auto pending, dispatch_repo::WithdrawalsForTicket(tx, ticket_id));
    for (const auto& w : pending)
      if (w.state == "pending" || w.state == "approved")
        return Conflict("该工单已有撤稿申请在处理中");
    GD_ASSIGN_OR_RETURN(auto ds, dispatch_repo::ForTicket(tx, ticket_id));
    Json targets = Json::array();
    for (const auto& d : ds) {
      if (d.version != t->version || d.state != "published") continue;
      const auto& ids = request.account_ids;
      if (ids.empty() || std::find(ids.begin(), ids.end(), d.account_id) != ids.end())
        targets.push_back(d.account_id);
    }
    if (targets.empty()) return Conflict("没有可撤回的已发布渠道");
    Withdrawal w;
    w.ticket_id = ticket_id;
    w.requested_by = who.user.id;
    w.reason = reason;
    w.account_ids = targets;
    GD_ASSIGN_OR_RETURN(w.id, dispatch_repo::InsertWithdrawal(tx, w));
    w.created_at = tx.now();
    GD_RETURN_IF_ERROR(
        audit_repo::Audit(tx, who.user.id, "withdrawal.request", "ticket", ticket_id,
                          {{"withdrawal_id", w.id}, {"reason", reason}, {"account_ids", targets}}));
    out = WithdrawalJson(w);
    return Status::Ok();
  }));
  return out;
}

StatusOr<Json> PublishService::DecideWithdrawal(const AuthContext& who, int64_t withdrawal_id,
                                                const WithdrawalDecision& request) {
  const std::string& decision = request.decision;
  if (decision != "approve" && decision != "reject")
    return Invalid("decision", "decision 应为 approve 或 reject");
  const std::string& comment = request.comment;
  if (decision == "reject" && comment.find_first_not_of(" \t\r\n") == std::string::npos)
    return Invalid("comment", "不同意撤稿时须填写意见");
  Json out;
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto w, dispatch_repo::GetWithdrawal(tx, withdrawal_id));
    if (!w) return NotFound("撤稿申请不存在");
    if (w->state != "pending") return Conflict("该撤稿申请已处理");
    if (w->requested_by == who.user.id) return PermissionDenied("申请人不能审批自己的撤稿申请");
    GD_RETURN_IF_ERROR(ApplyWithdrawalEvent(
        *w, decision == "approve" ? WithdrawalEvent::kApprove : WithdrawalEvent::kReject));
    w->decided_by = who.user.id;
    w->decided_at = tx.now();
    w->comment = comment;
    GD_RETURN_IF_ERROR(dispatch_repo::UpdateWithdrawal(tx, *w));
    if (decision == "approve") {
      GD_ASSIGN_OR_RETURN(auto ds, dispatch_repo::ForTicket(tx, w->ticket_id));
      for (auto& d : ds) {
        bool target = false;
        for (const auto& id : w->account_ids) target = target || id.get<int64_t>() == d.account_id;
        if (!target || d.state != "published") continue;
        GD_RETURN_IF_ERROR(ApplyDispatchEvent(d, DispatchEvent::kStartWithdrawal));
        d.error_reason.clear();  // set again only when the take-down is handed to a person
        d.not_before = tx.now();
        d.attempts = 0;
        d.lease_owner.clear();
        d.lease_until = 0;
        GD_RETURN_IF_ERROR(dispatch_repo::Update(tx, d, ""));
      }
    }
    GD_RETURN_IF_ERROR(audit_repo::Audit(tx, who.user.id, "withdrawal." + w->state, "ticket",
                                         w->ticket_id,
                                         {{"withdrawal_id", w->id}, {"comment", comment}}));
    out = WithdrawalJson(*w);
    return Status::Ok();
  }));
  engine_.Wake();
  return out;
}

StatusOr<Json> PublishService::ListWithdrawals(const AuthContext& who, int64_t ticket_id) {
  Json items = Json::array();
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto t, ticket_repo::GetTicket(tx, ticket_id));
    if (!t) return NotFound("工单不存在");
    if (!CanSeeUnit(who, t->unit_id)) return PermissionDenied("无权查看其他单位的工单");
    GD_ASSIGN_OR_RETURN(auto ws, dispatch_repo::WithdrawalsForTicket(tx, ticket_id));
    for (const auto& w : ws) items.push_back(WithdrawalJson(w));
    return Status::Ok();
  }));
  return Json{{"items", items}, {"total", items.size()}};
}

StatusOr<Json> PublishService::PendingWithdrawals(const AuthContext& who) {
  Json items = Json::array();
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto ws, dispatch_repo::PendingWithdrawals(tx));
    for (const auto& w : ws) {
      GD_ASSIGN_OR_RETURN(auto t, ticket_repo::GetTicket(tx, w.ticket_id));
      if (!t || !CanSeeUnit(who, t->unit_id)) continue;
      Json j = WithdrawalJson(w);
      GD_ASSIGN_OR_RETURN(auto ver, ticket_repo::GetVersion(tx, t->id, t->version));
      if (ver) j["title"] = ver->content.title;
      items.push_back(std::move(j));
    }
    return Status::Ok();
  }));
  return Json{{"items", items}, {"total", items.size()}};
}

}  // namespace gd
