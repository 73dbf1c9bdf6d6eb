#include "dispatcher/review/review_service.h"

#include <algorithm>
#include <map>
#include <string>

#include "channels/field_check.h"
#include "dispatcher/core/crypto.h"
#include "dispatcher/core/time_util.h"
#include "dispatcher/model/content_codec.h"
#include "dispatcher/store/audit_repo.h"
#include "dispatcher/store/channel_repo.h"
#include "dispatcher/store/dispatch_repo.h"
#include "dispatcher/store/media_repo.h"
#include "dispatcher/store/ticket_repo.h"
#include "dispatcher/store/user_repo.h"

namespace gd {
namespace {

Status Conflict(std::string msg, Json details = Json::object()) {
  return FailedPrecondition(std::move(msg), "conflict", std::move(details));
}
Status Invalid(const std::string& field, const std::string& msg) {
  return InvalidArgument(msg, "invalid", {{"fields", {{field, msg}}}});
}

// A ticket channel's options are ones its kind names (channels/builtin_channels.h), each of
// the option's type.
Status CheckOptions(const std::string& kind, const Json& options, const std::string& field) {
  const channels::BuiltinChannel* c = channels::FindBuiltinChannel(kind);
  if (c == nullptr || !options.is_object()) return Status::Ok();
  for (const auto& [k, v] : options.items()) {
    const std::string path = field + ".options." + k;
    const channels::Field* f = nullptr;
    for (const channels::Field& o : c->options)
      if (o.name == k) f = &o;
    if (f == nullptr) return Invalid(path, c->label + "没有选项 " + k);
    if (v.is_null()) continue;
    if (auto problem = channels::FieldValueProblem(*f, v)) return Invalid(path, *problem);
  }
  return Status::Ok();
}
Status WrongState(const Ticket& t, const std::string& what) {
  return Conflict("工单当前状态为「" + std::string(TicketStateLabel(t.state)) + "」，不能" + what,
                  {{"state", std::string(TicketStateKey(t.state))}});
}

bool HasBlock(const Json& findings) {
  for (const auto& f : findings)
    if (f.value("severity", "") == "block") return true;
  return false;
}

// Rendering problems that block become findings of the channel_limit family.
Json LimitFindings(const Json& renderings) {
  Json out = Json::array();
  for (const auto& r : renderings) {
    for (const auto& p : r.value("problems", Json::array())) {
      out.push_back({{"id", "channel_limit:" + std::to_string(r.value("account_id", int64_t{0})) +
                                ":" + p.value("code", "")},
                     {"rule", "channel_limit"},
                     {"kind", p.value("code", "")},
                     {"severity", p.value("severity", "block")},
                     {"field", p.value("field", "")},
                     {"account_id", r.value("account_id", int64_t{0})},
                     {"channel", r.value("name", "")},
                     {"message", r.value("name", "") + "：" + p.value("message", "")},
                     {"start", 0},
                     {"end", 0},
                     {"char_start", 0},
                     {"char_end", 0},
                     {"text", ""},
                     {"suggestion", ""}});
    }
  }
  return out;
}

// What the renderings of a content depend on in its channel account.
bool SameAccount(const ChannelAccountRow& a, const ChannelAccountRow& b) {
  return a.id == b.id && a.kind == b.kind && a.name == b.name && a.unit_id == b.unit_id &&
         a.base_url == b.base_url && a.settings == b.settings && a.disabled == b.disabled &&
         a.updated_at == b.updated_at;
}

// A rough size of a cached version, for the cache's budget.
size_t ApproxBytes(const VersionInfo& v) {
  const Content& c = v.content;
  return 1024 +
         2 * (c.title.size() + c.summary.size() + c.body.size() + c.source.size() +
              c.column.size()) +
         256 * (c.media.size() + c.channels.size()) + 512 * v.limit_findings.size();
}

// The automated checks of a version plus its renderings' limit problems.
Json RunChecks(const ContentChecker& checker, const VersionInfo& v) {
  const Content& c = v.content;
  Json findings = checker.Run({c.category, c.title, c.summary, c.body, c.source});
  for (const auto& f : v.limit_findings) findings.push_back(f);
  return findings;
}

}  // namespace

bool CanSeeUnit(const AuthContext& who, int64_t unit_id) {
  return who.user.CityWide() || who.user.unit_id == unit_id;
}

std::string ReviewService::SignDecision(const Decision& d) const {
  std::string material = std::to_string(d.ticket_id) + "|" + std::to_string(d.version) + "|" +
                         std::to_string(d.round) + "|" + d.content_hash + "|" +
                         std::to_string(d.step) + "|" + d.role + "|" + std::to_string(d.user_id) +
                         "|" + d.decision + "|" + std::to_string(d.decided_at) + "|" +
                         d.checklist.dump() + "|" + d.comment;
  return signing_key_.Hex(material);
}

StatusOr<Ticket> ReviewService::Load(Tx& tx, const AuthContext& who, int64_t id) const {
  GD_ASSIGN_OR_RETURN(auto t, ticket_repo::GetTicket(tx, id));
  if (!t) return NotFound("工单不存在");
  if (!CanSeeUnit(who, t->unit_id)) return PermissionDenied("无权查看其他单位的工单");
  return *t;
}

Status ReviewService::Resolve(Tx& tx, int64_t unit_id, Content& c,
                              std::vector<ChannelAccountRow>* accounts,
                              std::string* unit_name) const {
  accounts->clear();
  for (size_t i = 0; i < c.channels.size(); ++i) {
    auto& ch = c.channels[i];
    GD_ASSIGN_OR_RETURN(auto acct, channel_repo::GetChannel(tx, ch.account_id));
    std::string field = "channels[" + std::to_string(i) + "]";
    if (!acct || acct->disabled) return Invalid(field, "渠道账号不存在或已停用");
    if (acct->unit_id != 0 && acct->unit_id != unit_id)
      return Invalid(field, "不能选择其他单位的渠道账号");
    ch.kind = acct->kind;
    GD_RETURN_IF_ERROR(CheckOptions(acct->kind, ch.options, field));
    accounts->push_back(std::move(*acct));
  }
  for (size_t i = 0; i < c.media.size(); ++i) {
    auto& m = c.media[i];
    GD_ASSIGN_OR_RETURN(auto row, media_repo::GetMedia(tx, m.media_id));
    std::string field = "media[" + std::to_string(i) + "]";
    if (!row || (row->unit_id != unit_id)) return Invalid(field, "素材不存在或不属于本单位");
    if (m.role == "video" && row->kind != "video")
      return Invalid(field, "视频位置只能使用视频文件");
    if ((m.role == "cover" || m.role == "image") && row->kind != "image")
      return Invalid(field, "封面和配图只能使用图片文件");
    m.kind = row->kind;
    m.mime = row->mime;
    m.sha256 = row->sha256;
    m.size = row->size;
    m.width = row->width;
    m.height = row->height;
  }
  auto unit = user_repo::GetUnit(tx, unit_id);
  *unit_name = unit.ok() && unit->has_value() ? (*unit)->name : "";
  return Status::Ok();
}

ReviewService::NewVersion ReviewService::Prepare(const Content& c, int64_t ticket_id, int version,
                                                 TimeMs at, std::vector<ChannelAccountRow> accounts,
                                                 std::string unit_name) const {
  std::vector<RenderTarget> targets;
  for (const auto& a : accounts) targets.push_back({a, unit_name});
  Json renderings = renderer_.RenderAll(c, ticket_id, c.scheduled_at.value_or(at), targets);
  NewVersion n;
  auto info = std::make_shared<VersionInfo>();
  info->ticket_id = ticket_id;
  info->version = version;
  info->content = c;
  info->has_limits = true;
  info->limit_findings = LimitFindings(renderings);
  n.content_json = ContentToJson(c).dump();
  n.renderings_json = renderings.dump();
  n.content_hash = ContentHashOfText(n.content_json, n.renderings_json);
  n.info = std::move(info);
  n.accounts = std::move(accounts);
  n.unit_name = std::move(unit_name);
  n.rendered_at = at;
  return n;
}

StatusOr<ReviewService::NewVersion> ReviewService::Revalidate(Tx& tx, int64_t unit_id,
                                                              const Content& request,
                                                              int64_t ticket_id, int version,
                                                              std::optional<NewVersion> pre) const {
  Content c = request;
  std::vector<ChannelAccountRow> accounts;
  std::string unit_name;
  GD_RETURN_IF_ERROR(Resolve(tx, unit_id, c, &accounts, &unit_name));
  // Media rows never change, so the renderings depend on the channel accounts, the unit's name,
  // the ticket id and (without a schedule) the publish date, which the formatters take from the
  // time of rendering in China Standard Time.
  bool same = pre && pre->info->ticket_id == ticket_id && pre->info->version == version &&
              pre->unit_name == unit_name && pre->accounts.size() == accounts.size() &&
              (c.scheduled_at || CstDate(pre->rendered_at) == CstDate(tx.now()));
  for (size_t i = 0; same && i < accounts.size(); ++i)
    same = SameAccount(pre->accounts[i], accounts[i]);
  if (same) return std::move(*pre);
  return Prepare(c, ticket_id, version, tx.now(), std::move(accounts), std::move(unit_name));
}

std::shared_ptr<const VersionInfo> ReviewService::Cached(int64_t ticket_id) const {
  std::lock_guard<std::mutex> lock(cache_mu_);
  auto it = cache_index_.find(ticket_id);
  if (it == cache_index_.end()) return nullptr;
  cache_lru_.splice(cache_lru_.end(), cache_lru_, it->second);
  return it->second->first;
}

void ReviewService::Remember(std::shared_ptr<const VersionInfo> v) const {
  if (!v) return;
  const size_t bytes = ApproxBytes(*v);
  if (bytes > kCacheBytes / 16) return;
  std::lock_guard<std::mutex> lock(cache_mu_);
  auto it = cache_index_.find(v->ticket_id);
  if (it != cache_index_.end()) {
    const VersionInfo& old = *it->second->first;
    if (old.version > v->version || (old.version == v->version && old.has_limits)) return;
    cache_bytes_ -= it->second->second;
    cache_lru_.erase(it->second);
    cache_index_.erase(it);
  }
  const int64_t id = v->ticket_id;
  cache_lru_.emplace_back(std::move(v), bytes);
  cache_index_[id] = std::prev(cache_lru_.end());
  cache_bytes_ += bytes;
  while (cache_bytes_ > kCacheBytes && !cache_lru_.empty()) {
    cache_bytes_ -= cache_lru_.front().second;
    cache_index_.erase(cache_lru_.front().first->ticket_id);
    cache_lru_.pop_front();
  }
}

StatusOr<std::shared_ptr<const VersionInfo>> ReviewService::Version(Tx& tx, int64_t ticket_id,
                                                                    int version,
                                                                    bool limits) const {
  auto cached = Cached(ticket_id);
  if (cached && cached->version == version && (cached->has_limits || !limits)) return cached;
  std::optional<TicketVersion> ver;
  if (limits) {
    GD_ASSIGN_OR_RETURN(ver, ticket_repo::GetVersion(tx, ticket_id, version));
  } else {
    GD_ASSIGN_OR_RETURN(ver, ticket_repo::GetVersionContent(tx, ticket_id, version));
  }
  if (!ver) return Internal("工单版本缺失");
  auto info = std::make_shared<VersionInfo>();
  info->ticket_id = ticket_id;
  info->version = version;
  info->content = std::move(ver->content);
  info->has_limits = limits;
  if (limits) info->limit_findings = LimitFindings(ver->renderings);
  if (!tx.writing()) Remember(info);
  return std::shared_ptr<const VersionInfo>(std::move(info));
}

StatusOr<Json> ReviewService::Create(const AuthContext& who, const Content& request) {
  if (!who.user.Has(Role::kEditor)) return PermissionDenied("只有信息员可以起草工单");
  const int64_t unit_id = who.user.unit_id;
  // Outside the write, on a snapshot: resolve, take the ticket id, render, hash, serialize.
  // The write re-resolves and keeps this unless something it depends on changed meanwhile.
  std::optional<NewVersion> pre;
  {
    Content c = request;
    std::vector<ChannelAccountRow> accounts;
    std::string unit_name;
    Status st = store_.Read(
        [&](Tx& tx) -> Status { return Resolve(tx, unit_id, c, &accounts, &unit_name); });
    if (st.code() == Code::kInvalidArgument) return st;
    if (st.ok())
      pre = Prepare(c, store_.ReserveTicketId(), 1, clock_.Now(), std::move(accounts),
                    std::move(unit_name));
  }
  TicketData data;
  std::shared_ptr<const VersionInfo> info;
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    int64_t id = pre ? pre->info->ticket_id : 0;
    // Reserved ids are free unless another process has added tickets meanwhile.
    for (bool first = true;; first = false) {
      if (!first || id == 0) id = store_.ReserveTicketId();
      GD_ASSIGN_OR_RETURN(auto taken, ticket_repo::GetTicket(tx, id));
      if (!taken) break;
    }
    std::optional<NewVersion> reuse;
    if (pre && pre->info->ticket_id == id) reuse = std::move(pre);
    GD_ASSIGN_OR_RETURN(NewVersion nv, Revalidate(tx, unit_id, request, id, 1, std::move(reuse)));
    const Content& c = nv.info->content;
    Ticket t;
    t.id = id;
    t.unit_id = unit_id;
    t.author_id = who.user.id;
    t.category = c.category;
    t.state = TicketState::kDraft;
    t.version = 1;
    t.content_hash = nv.content_hash;
    GD_RETURN_IF_ERROR(ticket_repo::InsertTicket(tx, t).status());
    GD_RETURN_IF_ERROR(ticket_repo::InsertVersionText(tx, id, 1, nv.content_json, nv.content_hash,
                                                      nv.renderings_json, who.user.id));
    GD_RETURN_IF_ERROR(
        audit_repo::Audit(tx, who.user.id, "ticket.create", "ticket", id,
                          {{"version", 1}, {"content_hash", nv.content_hash}, {"title", c.title}}));
    GD_ASSIGN_OR_RETURN(auto fresh, ticket_repo::GetTicket(tx, id));
    info = nv.info;
    GD_ASSIGN_OR_RETURN(data, LoadTicketData(tx, *fresh, info));
    return Status::Ok();
  }));
  Remember(info);
  return TicketDataJson(data);
}

StatusOr<Json> ReviewService::Update(const AuthContext& who, int64_t id, const Content& request) {
  // Outside the write, on a snapshot: when the edit looks allowed, render the next version.
  std::optional<NewVersion> pre;
  {
    Content c = request;
    std::vector<ChannelAccountRow> accounts;
    std::string unit_name;
    int next_version = 0;
    Status st = store_.Read([&](Tx& tx) -> Status {
      GD_ASSIGN_OR_RETURN(Ticket t, Load(tx, who, id));
      if (t.author_id != who.user.id || !NextState(t.state, TicketEvent::kEdit))
        return FailedPrecondition("");
      next_version = t.version + 1;
      return Resolve(tx, t.unit_id, c, &accounts, &unit_name);
    });
    if (st.ok())
      pre = Prepare(c, id, next_version, clock_.Now(), std::move(accounts), std::move(unit_name));
  }
  TicketData data;
  std::shared_ptr<const VersionInfo> info;
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(Ticket t, Load(tx, who, id));
    if (t.author_id != who.user.id) return PermissionDenied("只有作者本人可以修改工单");
    auto next = NextState(t.state, TicketEvent::kEdit);
    if (!next) return WrongState(t, "修改（审核中的工单请先撤回）");
    GD_ASSIGN_OR_RETURN(NewVersion nv,
                        Revalidate(tx, t.unit_id, request, t.id, t.version + 1, std::move(pre)));
    t.version += 1;
    t.category = nv.info->content.category;
    t.content_hash = nv.content_hash;
    t.state = *next;
    t.current_step.reset();
    t.current_role.clear();
    GD_RETURN_IF_ERROR(ticket_repo::UpdateTicket(tx, t));
    GD_RETURN_IF_ERROR(ticket_repo::InsertVersionText(
        tx, t.id, t.version, nv.content_json, nv.content_hash, nv.renderings_json, who.user.id));
    GD_RETURN_IF_ERROR(
        audit_repo::Audit(tx, who.user.id, "ticket.edit", "ticket", t.id,
                          {{"version", t.version}, {"content_hash", nv.content_hash}}));
    GD_ASSIGN_OR_RETURN(auto fresh, ticket_repo::GetTicket(tx, t.id));
    info = nv.info;
    GD_ASSIGN_OR_RETURN(data, LoadTicketData(tx, *fresh, info));
    return Status::Ok();
  }));
  Remember(info);
  return TicketDataJson(data);
}

StatusOr<Json> ReviewService::Submit(const AuthContext& who, int64_t id,
                                     const SubmitRequest& request) {
  // Outside the write: the checks of the version seen last; the write uses them only if that
  // is still the ticket's version.
  std::shared_ptr<const VersionInfo> pre;
  Json pre_findings;
  if (request.proofread) {
    pre = Cached(id);
    if (!pre || !pre->has_limits) {
      Status st = store_.Read([&](Tx& tx) -> Status {
        GD_ASSIGN_OR_RETURN(Ticket t, Load(tx, who, id));
        GD_ASSIGN_OR_RETURN(pre, Version(tx, t.id, t.version, true));
        return Status::Ok();
      });
      if (!st.ok()) pre = nullptr;
    }
    if (pre) pre_findings = RunChecks(checker_, *pre);
  }
  TicketData data;
  Json blocking;
  Status st = store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(Ticket t, Load(tx, who, id));
    if (t.author_id != who.user.id) return PermissionDenied("只有作者本人可以提交工单");
    auto next = NextState(t.state, TicketEvent::kSubmit);
    if (!next) return WrongState(t, "提交");
    if (!request.proofread) return Invalid("proofread", "提交前请完成自校（一校），并勾选确认");
    const bool precomputed = pre && pre->ticket_id == t.id && pre->version == t.version;
    std::shared_ptr<const VersionInfo> ver = pre;
    if (!precomputed) {
      GD_ASSIGN_OR_RETURN(ver, Version(tx, t.id, t.version, true));
    }
    const Content& c = ver->content;
    if (c.channels.empty()) return Invalid("channels", "请至少选择一个发布渠道");
    if (c.out_of_scope && !c.urgent) {
      int days = policy_.out_of_scope_min_working_days();
      if (!c.scheduled_at)
        return Invalid("scheduled_at", "规定范围以外的信息须提前 " + std::to_string(days) +
                                           " 个工作日申请，请填写计划发布时间");
      CivilDate earliest = calendar_.AddWorkingDays(CstDate(tx.now()), days);
      if (CstDate(*c.scheduled_at) < earliest)
        return InvalidArgument("规定范围以外的信息须提前 " + std::to_string(days) +
                                   " 个工作日申请（第十三条），最早可于 " + FormatDate(earliest) +
                                   " 发布；紧急信息请勾选“紧急”",
                               "invalid",
                               {{"fields", {{"scheduled_at", "最早 " + FormatDate(earliest)}}},
                                {"earliest", FormatDate(earliest)}});
    }
    Json findings = precomputed ? pre_findings : RunChecks(checker_, *ver);
    GD_RETURN_IF_ERROR(
        ticket_repo::InsertCheckRun(tx, {0, t.id, t.version, "submit", findings, tx.now()}));
    if (HasBlock(findings)) {
      blocking = findings;
      // The check run is kept (committed) even though the submission is refused.
      return audit_repo::Audit(tx, who.user.id, "ticket.submit_blocked", "ticket", t.id,
                               {{"version", t.version}, {"blocks", findings.size()}});
    }
    auto chain = policy_.ChainFor(t.category, c.out_of_scope);
    t.state = *next;
    t.round += 1;
    t.submitted_at = tx.now();
    t.current_step = 0;
    t.current_role = std::string(RoleKey(chain[0].role));
    GD_RETURN_IF_ERROR(ticket_repo::UpdateTicket(tx, t));
    GD_RETURN_IF_ERROR(audit_repo::Audit(tx, who.user.id, "ticket.submit", "ticket", t.id,
                                         {{"version", t.version},
                                          {"round", t.round},
                                          {"proofread", true},
                                          {"content_hash", t.content_hash}}));
    GD_ASSIGN_OR_RETURN(auto fresh, ticket_repo::GetTicket(tx, t.id));
    GD_ASSIGN_OR_RETURN(data, LoadTicketData(tx, *fresh, ver));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (!blocking.is_null())
    return InvalidArgument("自动检查发现必须修改的问题，不能提交", "check_failed",
                           {{"findings", blocking}});
  return TicketDataJson(data);
}

StatusOr<Json> ReviewService::Recall(const AuthContext& who, int64_t id) {
  TicketData data;
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(Ticket t, Load(tx, who, id));
    if (t.author_id != who.user.id) return PermissionDenied("只有作者本人可以撤回工单");
    auto next = NextState(t.state, TicketEvent::kRecall);
    if (!next) return WrongState(t, "撤回");
    t.state = *next;
    t.current_step.reset();
    t.current_role.clear();
    GD_RETURN_IF_ERROR(ticket_repo::UpdateTicket(tx, t));
    GD_RETURN_IF_ERROR(audit_repo::Audit(tx, who.user.id, "ticket.recall", "ticket", t.id,
                                         {{"version", t.version}, {"round", t.round}}));
    GD_ASSIGN_OR_RETURN(auto fresh, ticket_repo::GetTicket(tx, t.id));
    GD_ASSIGN_OR_RETURN(data, LoadTicketData(tx, *fresh));
    return Status::Ok();
  }));
  return TicketDataJson(data);
}

StatusOr<Json> ReviewService::Decide(const AuthContext& who, int64_t id,
                                     const DecisionRequest& request) {
  const std::string& decision = request.decision;
  if (decision != "approve" && decision != "reject")
    return Invalid("decision", "decision 应为 approve 或 reject");
  const std::string& comment = request.comment;
  Json checklist = Json::object();
  for (const auto& [key, checked] : request.checklist) checklist[key] = checked;
  Json acks = Json::array();
  for (const auto& a : request.acknowledged_warnings) {
    if (a.finding_id.empty() || a.reason.find_first_not_of(" \t\r\n") == std::string::npos)
      return Invalid("acknowledged_warnings", "每条警告确认都需要 finding_id 和理由");
    acks.push_back({{"finding_id", a.finding_id}, {"reason", a.reason}});
  }
  const std::optional<int>& step_given = request.step;
  // The version's content (for its chain) comes from the cache; read it on a snapshot first when
  // the cache has nothing for this ticket, so the write need not parse it.
  if (!Cached(id)) {
    Status warm = store_.Read([&](Tx& tx) -> Status {
      GD_ASSIGN_OR_RETURN(auto t, ticket_repo::GetTicket(tx, id));
      if (t) GD_RETURN_IF_ERROR(Version(tx, t->id, t->version, false).status());
      return Status::Ok();
    });
    (void)warm;  // only an optimisation: the write reads what it needs
  }
  TicketData data;
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto found, ticket_repo::GetTicket(tx, id));
    if (!found) return NotFound("工单不存在");
    Ticket t = *found;
    GD_ASSIGN_OR_RETURN(auto ver, Version(tx, t.id, t.version, false));
    GD_ASSIGN_OR_RETURN(auto all, ticket_repo::ListDecisions(tx, t.id));
    ChainView chain = BuildChain(t, ver->content.out_of_scope, all, nullptr, false);
    if (t.state != TicketState::kInReview || !t.current_step) return WrongState(t, "审核");
    const int cur = *t.current_step;
    const ReviewStep& step = chain.steps.at(static_cast<size_t>(cur));
    if (!who.user.Has(step.role))
      return PermissionDenied("当前步骤「" + step.label + "」需由" +
                              std::string(RoleLabel(step.role)) + "审核");
    // Unit roles act only within their unit; the office step is city-wide (art. 13).
    if (!IsCityWide(step.role) && who.user.unit_id != t.unit_id)
      return PermissionDenied("只能审核本单位的工单");
    if (t.author_id == who.user.id)
      return PermissionDenied("谁审查、谁负责：作者不能审核自己的稿件");
    for (const auto& d : chain.decisions)
      if (d.user_id == who.user.id)
        return PermissionDenied("同一版本的审核中，每人只能审核一个步骤");
    if (step_given && *step_given != cur)
      return Conflict("审核步骤已变化，请刷新后重试", {{"current_step", cur}});
    if (request.version_hash != t.content_hash)
      return Conflict("内容已更新，您审阅的版本已失效，请查看最新版本后再审核",
                      {{"content_hash", t.content_hash}});
    if (decision == "approve") {
      Json missing = Json::array();
      for (const auto& item : policy_.checklist()) {
        auto it = request.checklist.find(item.key);
        if (it == request.checklist.end() || !it->second) missing.push_back(item.key);
      }
      if (!missing.empty())
        return InvalidArgument(
            "审核通过前须逐项确认第十一条审核内容", "invalid",
            {{"fields", {{"checklist", "未确认：" + missing.dump()}}}, {"missing", missing}});
    } else if (comment.find_first_not_of(" \t\r\n") == std::string::npos) {
      return Invalid("comment", "退回时须填写意见");
    }
    Decision d;
    d.ticket_id = t.id;
    d.version = t.version;
    d.round = t.round;
    d.step = cur;
    d.role = std::string(RoleKey(step.role));
    d.user_id = who.user.id;
    d.decision = decision;
    d.comment = comment;
    d.checklist = checklist;
    d.acknowledged = acks;
    d.content_hash = t.content_hash;
    d.decided_at = tx.now();
    d.signature = SignDecision(d);
    GD_ASSIGN_OR_RETURN(d.id, ticket_repo::InsertDecision(tx, d));
    TicketEvent ev = decision == "reject" ? TicketEvent::kReject
                     : static_cast<size_t>(cur + 1) == chain.steps.size()
                         ? TicketEvent::kApproveFinal
                         : TicketEvent::kApproveStep;
    auto next = NextState(t.state, ev);
    if (!next) return WrongState(t, "审核");
    t.state = *next;
    if (ev == TicketEvent::kApproveStep) {
      t.current_step = cur + 1;
      t.current_role = std::string(RoleKey(chain.steps[cur + 1].role));
    } else {
      t.current_step.reset();
      t.current_role.clear();
    }
    GD_RETURN_IF_ERROR(ticket_repo::UpdateTicket(tx, t));
    GD_RETURN_IF_ERROR(audit_repo::Audit(tx, who.user.id, "ticket.decision", "ticket", t.id,
                                         {{"decision", decision},
                                          {"step", cur},
                                          {"label", step.label},
                                          {"version", t.version},
                                          {"content_hash", t.content_hash},
                                          {"decision_id", d.id}}));
    GD_ASSIGN_OR_RETURN(auto fresh, ticket_repo::GetTicket(tx, t.id));
    GD_ASSIGN_OR_RETURN(data, LoadTicketData(tx, *fresh, ver));
    return Status::Ok();
  }));
  return TicketDataJson(data);
}

StatusOr<Json> ReviewService::Checks(const AuthContext& who, int64_t id) {
  std::optional<TicketVersion> ver;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(Ticket t, Load(tx, who, id));
    GD_ASSIGN_OR_RETURN(ver, ticket_repo::GetVersion(tx, t.id, t.version));
    return Status::Ok();
  }));
  const Content& c = ver->content;
  Json findings = checker_.Run({c.category, c.title, c.summary, c.body, c.source});
  for (const auto& f : LimitFindings(ver->renderings)) findings.push_back(f);
  return Json{{"findings", findings}, {"version", ver->version}};
}

StatusOr<Json> ReviewService::CheckDraft(const DraftCheckRequest& d) const {
  if (d.body.size() > 2 * 1024 * 1024) return Invalid("body", "正文过长");
  return Json{{"findings", checker_.Run({d.category, d.title, d.summary, d.body, d.source})}};
}

}  // namespace gd
