#include "dispatcher/dispatch/engine.h"

#include <algorithm>
#include <random>

#include "channels/builtin_channels.h"
#include "dispatcher/core/crypto.h"
#include "dispatcher/core/log.h"
#include "dispatcher/dispatch/outcome.h"
#include "dispatcher/model/dispatch_state.h"
#include "dispatcher/store/audit_repo.h"
#include "dispatcher/store/channel_repo.h"
#include "dispatcher/store/dispatch_repo.h"
#include "dispatcher/store/ticket_repo.h"
#include "dispatcher/store/user_repo.h"

namespace gd {
namespace {

// Whether dispatches of `kind` publish the ticket's portal page ({{portal_url}}).
bool IsPortalKind(const std::string& kind) {
  const channels::BuiltinChannel* k = channels::FindBuiltinChannel(kind);
  return k != nullptr && k->is_portal;
}

// The kind whose published URL the other dispatches of a ticket wait for.
const std::string& PortalKind() {
  static const std::string& kind = *[] {
    for (const auto& k : channels::BuiltinChannels())
      if (k.is_portal) return new std::string(k.kind);
    return new std::string();
  }();
  return kind;
}

}  // namespace
namespace {

bool Transient(Code c) {
  return c == Code::kUnavailable || c == Code::kDeadlineExceeded || c == Code::kResourceExhausted;
}

constexpr TimeMs kFarFuture = 365LL * 24 * 3600 * 1000;

void FillStrings(Json& j, const std::string& url) {
  if (j.is_string()) {
    std::string s = j.get<std::string>();
    const std::string ph(channels::kPortalUrlPlaceholder);
    size_t pos = 0;
    bool changed = false;
    while ((pos = s.find(ph, pos)) != std::string::npos) {
      s.replace(pos, ph.size(), url);
      pos += url.size();
      changed = true;
    }
    if (changed) j = s;
  } else if (j.is_array() || j.is_object()) {
    for (auto& v : j) FillStrings(v, url);
  }
}

}  // namespace

Json FillPortalUrl(const Json& rendering, const std::string& url) {
  Json out = rendering;
  FillStrings(out, url);
  return out;
}

void DispatchMetrics::Observe(TimeMs ms) {
  int i = 0;
  while (i < kBuckets && ms > kBounds[i]) ++i;
  latency_count[i].fetch_add(1);
  latency_sum_ms.fetch_add(ms);
}

DispatchEngine::DispatchEngine(Deps deps, DispatchConfig config)
    : deps_(std::move(deps)), config_(std::move(config)), limiter_(*deps_.clock) {
  instance_ = "w" + RandomToken(6);
  channels::ClientDeps cd{deps_.transport, deps_.tokens, deps_.clock, config_.http_timeout_ms};
  for (const channels::BuiltinChannel& k : channels::BuiltinChannels()) {
    auto c = channels::NewClient(k.kind, cd);
    if (c.ok()) clients_[k.kind] = std::move(c).value();
  }
  site_ = {deps_.templates, deps_.site_dir, deps_.site_base_url};
  builtin_portal_ = channels::portal::NewBuiltinClient(site_);
}

DispatchEngine::~DispatchEngine() { Stop(); }

std::unique_ptr<channels::Client> DispatchEngine::ReplaceClient(
    const std::string& kind, std::unique_ptr<channels::Client> client) {
  std::swap(clients_[kind], client);
  return client;
}

Status DispatchEngine::Start() {
  GD_RETURN_IF_ERROR(deps_.store->Write([&](Tx& tx) -> Status {
    // A killed process leaves leases behind; we are the only dispatcher on this database.
    return dispatch_repo::ReleaseAllLeases(tx);
  }));
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = false;
  for (int i = 0; i < config_.workers; ++i) workers_.emplace_back([this, i] { WorkerLoop(i); });
  return Status::Ok();
}

void DispatchEngine::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_)
    if (t.joinable()) t.join();
  workers_.clear();
}

void DispatchEngine::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++wake_seq_;
  }
  cv_.notify_all();
}

int DispatchEngine::Drain() {
  int total = 0;
  for (int n; (n = Step(instance_ + "-drain")) > 0;) total += n;
  return total;
}

void DispatchEngine::WorkerLoop(int index) {
  const std::string owner = instance_ + "-" + std::to_string(index);
  while (true) {
    uint64_t seen;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      seen = wake_seq_;
    }
    int handled = Step(owner);
    if (handled > 0) continue;
    // Sleep until the next due time (bounded), or until woken.
    TimeMs wait = 1000;
    std::optional<TimeMs> next;
    (void)deps_.store->Read([&](Tx& tx) -> Status {
      GD_ASSIGN_OR_RETURN(next, dispatch_repo::NextDue(tx));
      return Status::Ok();
    });
    if (next) wait = std::clamp<TimeMs>(*next - deps_.clock->Now(), 5, 1000);
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(wait),
                 [&] { return stopping_ || wake_seq_ != seen; });
    if (stopping_) return;
  }
}

int DispatchEngine::Step(const std::string& owner) {
  std::vector<Dispatch> batch;
  Status st = deps_.store->Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(
        batch, dispatch_repo::ClaimDue(tx, owner, tx.now() + config_.lease_ms, 1, PortalKind()));
    return Status::Ok();
  });
  if (!st.ok()) {
    log::Warn("dispatch claim failed: {}", st.ToString());
    return 0;
  }
  for (auto& d : batch) Process(std::move(d), owner);
  return static_cast<int>(batch.size());
}

TimeMs DispatchEngine::Backoff(int attempts) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  TimeMs base = config_.backoff_base_ms << std::min(attempts > 0 ? attempts - 1 : 0, 20);
  base = std::min(base, config_.backoff_max_ms);
  std::uniform_int_distribution<TimeMs> jitter(base / 2, base);  // "equal jitter"
  return jitter(rng);
}

TimeMs DispatchEngine::RetryAfterMs(const Status& failure) {
  const Json& det = failure.details();
  if (det.is_object() && det.contains("retry_after_ms") && det["retry_after_ms"].is_number())
    return det["retry_after_ms"].get<TimeMs>();
  return 0;
}

TimeMs DispatchEngine::RetryWait(const Status& failure, int attempts) {
  // A platform's own hint (its rate-limit or quota window) wins when it is longer.
  return std::max(Backoff(attempts), RetryAfterMs(failure));
}

Status DispatchEngine::Finish(Dispatch& d, const std::string& owner, bool entered_decision) {
  return deps_.store->Write([&](Tx& tx) -> Status {
    GD_RETURN_IF_ERROR(dispatch_repo::Update(tx, d, owner));
    return FollowDispatch(tx, d, 0, entered_decision);
  });
}

void DispatchEngine::RefreshSiteIndexes() {
  // Coalesced: while one worker rebuilds, further requests only mark the site stale, and that
  // worker rebuilds once more when it is done. Article pages are written at once; the lists and
  // the sitemap follow within one rebuild, however many pieces are published meanwhile.
  // The lists are rebuilt at most every kSiteRebuildGapMs while pieces keep coming, and never
  // under the built-in portal client's page lock, so article pages are not held up by them.
  constexpr auto kSiteRebuildGap = std::chrono::milliseconds(300);
  site_stale_.store(true);
  while (site_stale_.load() && !site_rebuilding_.exchange(true)) {
    for (bool first = true; site_stale_.exchange(false); first = false) {
      if (!first) std::this_thread::sleep_for(kSiteRebuildGap);
      site_stale_.store(false);
      Status st = RebuildSiteIndexes();
      if (!st.ok()) log::Warn("portal index rebuild: {}", st.ToString());
    }
    site_rebuilding_.store(false);
  }
}

Status DispatchEngine::RebuildSiteIndexes() {
  std::vector<Dispatch> published;
  std::optional<ChannelAccountRow> account;
  GD_RETURN_IF_ERROR(deps_.store->Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(published, dispatch_repo::PublishedBuiltinPortal(tx, PortalKind()));
    GD_ASSIGN_OR_RETURN(auto rows, channel_repo::ListChannels(tx));
    for (auto& r : rows)
      if (channels::portal::IsBuiltinPortal(r.kind, r.settings) && !account) account = r;
    return Status::Ok();
  }));
  channels::SiteOptions opt = site_.Options(account ? account->settings : Json::object());
  std::vector<channels::SiteArticle> articles;
  for (const auto& d : published)
    articles.push_back(
        channels::SiteArticle::FromRendering(d.rendering, d.ticket_id, d.published_at));
  channels::StaticSite site(*deps_.templates, opt);
  return site.WriteIndexes(std::move(articles));
}

namespace {

void Release(Dispatch& d, TimeMs not_before) {
  d.lease_owner.clear();
  d.lease_until = 0;
  d.not_before = not_before;
}

// Applies `event` to d.state through the transition table; a refused event is logged and the
// caller writes nothing (the lease lapses and the dispatch is looked at again).
bool Move(Dispatch& d, DispatchEvent event) {
  Status s = ApplyDispatchEvent(d, event);
  if (!s.ok())
    log::Error("dispatch {} ({}): {} refused: {}", d.id, d.kind, DispatchEventKey(event),
               s.message());
  return s.ok();
}

// Hands the outcome to a person: awaiting, error_reason needs_decision, never retried alone.
bool ParkForDecision(Dispatch& d, const std::string& message, TimeMs now) {
  if (!Move(d, DispatchEvent::kNeedDecision)) return false;
  d.last_error = message;
  d.error_reason = kNeedsDecision;
  Release(d, now + kFarFuture);
  return true;
}

}  // namespace

struct DispatchEngine::Work {
  Dispatch& d;
  const std::string& owner;
  channels::PublishJob job;
  channels::Client* client;  // null when no client serves the kind
  bool builtin_portal;
  bool polling = false;  // asking how an accepted publish ended (state "awaiting")
};

channels::Client* DispatchEngine::ClientFor(const std::string& kind, bool builtin_portal) const {
  if (builtin_portal) return builtin_portal_.get();
  auto it = clients_.find(kind);
  return it == clients_.end() ? nullptr : it->second.get();
}

void DispatchEngine::Process(Dispatch d, const std::string& owner) {
  Store& store = *deps_.store;
  // Everything the call needs, read in one snapshot.
  std::optional<ChannelAccountRow> row;
  std::optional<TicketVersion> ver;
  std::string unit_name, portal_url;
  Status st = store.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(row, channel_repo::GetChannel(tx, d.account_id));
    GD_ASSIGN_OR_RETURN(ver, ticket_repo::GetVersion(tx, d.ticket_id, d.version));
    GD_ASSIGN_OR_RETURN(auto t, ticket_repo::GetTicket(tx, d.ticket_id));
    if (t) {
      GD_ASSIGN_OR_RETURN(auto unit, user_repo::GetUnit(tx, t->unit_id));
      if (unit) unit_name = unit->name;
    }
    GD_ASSIGN_OR_RETURN(auto all, dispatch_repo::ForTicket(tx, d.ticket_id));
    for (const auto& x : all)
      if (x.version == d.version && IsPortalKind(x.kind) && !x.remote_url.empty())
        portal_url = x.remote_url;
    return Status::Ok();
  });
  if (!st.ok() || !row || !ver) {
    const bool withdrawing = d.state == "withdrawing";
    // A take-down without its data is handed to a person; a publish without it fails.
    if (!Move(d, withdrawing ? DispatchEvent::kWithdrawWait : DispatchEvent::kFail)) return;
    d.last_error = "发布任务的数据缺失（渠道账号或工单版本不存在）";
    if (withdrawing) d.error_reason = "manual_withdrawal";
    Release(d, withdrawing ? deps_.clock->Now() + kFarFuture : 0);
    (void)Finish(d, owner);
    return;
  }
  const bool builtin_portal = channels::portal::IsBuiltinPortal(d.kind, row->settings);
  channels::Account account = ClientAccount(*row, unit_name);
  Work w{d, owner, {}, ClientFor(d.kind, builtin_portal), builtin_portal, false};
  w.job.account = &account;
  w.job.secrets = [this, r = *row]() { return deps_.channels->Secrets(r); };
  // The built-in portal writes its own page: there is no portal URL to fill in.
  w.job.rendering =
      portal_url.empty() || builtin_portal ? d.rendering : FillPortalUrl(d.rendering, portal_url);
  w.job.media = ver->content.media;
  for (auto& m : w.job.media) m.path = deps_.media->PathFor(m.sha256).string();
  w.job.dispatch_key = "d" + std::to_string(d.id);
  w.job.paused_apis = limiter_.PausedApis(d.account_id);
  if (d.state == "withdrawing")
    Withdraw(w);
  else
    Publish(w);
}

// Withdrawal (art. 14).
void DispatchEngine::Withdraw(Work& w) {
  Dispatch& d = w.d;
  const TimeMs now = deps_.clock->Now();
  Status s = w.client == nullptr
                 ? Status(Code::kFailedPrecondition, "该渠道不支持接口删除", "manual_withdrawal")
                 : w.client->Withdraw(w.job, d.remote_id);
  if (!Move(d, s.ok() ? DispatchEvent::kWithdrawn : DispatchEvent::kWithdrawWait)) return;
  if (s.ok()) {
    d.last_error.clear();
    d.error_reason.clear();
    Release(d, 0);
    metrics_.withdrawn.fetch_add(1);
  } else if (Transient(s.code())) {
    d.last_error = s.message();
    TimeMs wait = RetryWait(s, ++d.attempts);
    if (s.code() == Code::kResourceExhausted) wait = std::max(wait, PauseFor(d, s) - now);
    Release(d, now + wait);
  } else {
    // A person must take it down by hand and confirm (manual channels, platforms without delete).
    d.last_error = s.message();
    d.error_reason = s.reason().empty() ? "manual_withdrawal" : s.reason();
    Release(d, now + kFarFuture);
  }
  Status f = Finish(d, w.owner);
  if (f.ok() && w.builtin_portal && d.state == "withdrawn") {
    RefreshSiteIndexes();
  }
}

bool DispatchEngine::TakeRateSlot(Work& w) {
  Dispatch& d = w.d;
  // Our bucket for the account (publishing only), and for every call the platform's pause
  // after its rate-limit answer.
  TimeMs slot = limiter_.PausedUntil(d.account_id);
  if (!w.polling) {
    auto rate = config_.rates.find(d.kind);
    slot = limiter_.Acquire(d.account_id, d.id,
                            rate != config_.rates.end() ? rate->second : RateSpec{0, 1});
  }
  if (slot <= 0) return true;
  metrics_.rate_limited.fetch_add(1);
  Release(d, slot);
  (void)deps_.store->Write([&](Tx& tx) { return dispatch_repo::Update(tx, d, w.owner); });
  return false;
}

bool DispatchEngine::BeginAttempt(Work& w, int64_t* attempt_id) {
  Dispatch& d = w.d;
  const bool polling = w.polling;
  // Recorded before the network call: a crash from here on leaves `sending` and the attempt.
  if (!polling) {
    if (!Move(d, DispatchEvent::kSend)) return false;
    if (d.attempts > 0) metrics_.retries.fetch_add(1);
    d.attempts += 1;
  }
  Status st = deps_.store->Write([&](Tx& tx) -> Status {
    GD_RETURN_IF_ERROR(dispatch_repo::Update(tx, d, w.owner));
    GD_ASSIGN_OR_RETURN(*attempt_id,
                        dispatch_repo::BeginAttempt(tx, d.id, polling ? "poll" : "publish"));
    return Status::Ok();
  });
  return st.ok();  // not ok: lost the lease, someone else has it
}

StatusOr<channels::PublishResult> DispatchEngine::CallClient(Work& w,
                                                             channels::Progress& progress) {
  Dispatch& d = w.d;
  if (w.client == nullptr) return Status(Code::kFailedPrecondition, "不支持的渠道类型 " + d.kind);
  auto checkpoint = [&](const channels::Progress& p) -> Status {
    d.progress = p.state;
    return deps_.store->Write([&](Tx& tx) { return dispatch_repo::Update(tx, d, w.owner); });
  };
  return w.polling ? w.client->Poll(w.job, progress, checkpoint)
                   : w.client->Publish(w.job, progress, checkpoint);
}

TimeMs DispatchEngine::PauseFor(const Dispatch& d, const Status& quota) {
  metrics_.paused.fetch_add(1);
  const Json& det = quota.details();
  if (det.is_object() && det.contains("quota_scope") && det["quota_scope"].is_string() &&
      !det["quota_scope"].get<std::string>().empty())
    return limiter_.PauseApi(d.account_id, det["quota_scope"].get<std::string>(),
                             RetryAfterMs(quota));
  // Without a scope the whole account waits, not only this dispatch: every call to it now
  // would only meet the same answer and prolong the overload.
  return limiter_.Pause(d.account_id, RetryAfterMs(quota));
}

std::string DispatchEngine::ApplyResult(Work& w, const StatusOr<channels::PublishResult>& result) {
  Dispatch& d = w.d;
  const bool polling = w.polling;
  const TimeMs now = deps_.clock->Now();
  if (result.ok()) limiter_.Succeeded(d.account_id);
  if (result.ok() && result->kind == channels::PublishResult::Kind::kPublished) {
    if (!Move(d, DispatchEvent::kPublish)) return "";
    d.remote_id = result->remote_id;
    d.remote_url = result->remote_url;
    d.published_at = now;
    d.last_error.clear();
    d.error_reason.clear();
    Release(d, 0);
    metrics_.published.fetch_add(1);
    return "published";
  }
  if (result.ok()) {
    if (!Move(d, DispatchEvent::kAccept)) return "";
    d.last_error.clear();
    d.error_reason.clear();
    // The awaiting deadline counts from the platform's acceptance, not from each poll.
    if (!polling || !d.progress.contains("awaiting_since")) d.progress["awaiting_since"] = now;
    if (!result->note.empty()) d.progress["note"] = result->note;
    Release(d, now + std::max(config_.poll_min_ms, result->poll_after_ms));
    return "awaiting";
  }
  const Status& failure = result.status();
  if (failure.code() == Code::kAborted) return "";
  if (failure.reason() == kNeedsDecision) {
    if (!ParkForDecision(d, failure.message(), now)) return "";
    return kNeedsDecision;
  }
  if (!polling && AccountNotReady(failure) && Hold(d, failure, now)) return "held";
  if (Transient(failure.code()) &&
      (d.attempts < config_.max_attempts || failure.code() == Code::kResourceExhausted)) {
    // The platform's rate-limit (or quota) answer refused the call without looking at the piece:
    // it does not use up the bound on failures (the attempt row still records it), it only
    // backs off — for as long as the platform says, when it says.
    if (!Move(d, DispatchEvent::kBackOff)) return "";
    TimeMs wait = RetryWait(failure, d.attempts);
    if (failure.code() == Code::kResourceExhausted) {
      wait = std::max(wait, PauseFor(d, failure) - now);
      if (!polling && d.attempts > 0) --d.attempts;
    }
    d.last_error = failure.message();
    Release(d, now + wait);
    return "retry";
  }
  if (!Move(d, DispatchEvent::kFail)) return "";
  d.last_error = failure.message();
  d.error_reason = failure.reason();
  Release(d, 0);
  metrics_.failed.fetch_add(1);
  return "failed";
}

bool DispatchEngine::Hold(Dispatch& d, const Status& failure, TimeMs now) {
  const TimeMs since = d.progress.value("held_since", now);
  if (now - since >= kNotReadyHoldMs) return false;  // held long enough: it fails
  if (!Move(d, DispatchEvent::kBackOff)) return false;
  d.progress["held_since"] = since;
  if (d.attempts > 0) --d.attempts;  // nothing reached the platform: no attempt used up
  d.last_error =
      failure.message() + "。无需手动重试：账号就绪后（运营人员补全设置或完成授权）自动继续发布";
  d.error_reason = kAccountNotReady;
  Release(d, now + kNotReadyRetryMs);
  return true;
}

bool DispatchEngine::AwaitedTooLong(Work& w) {
  Dispatch& d = w.d;
  if (WaitsForAPerson(d)) return false;
  const TimeMs now = deps_.clock->Now();
  const TimeMs since = d.progress.value("awaiting_since", TimeMs{0});
  if (since <= 0) {
    d.progress["awaiting_since"] = now;  // awaiting since before deadlines existed
    return false;
  }
  if (now - since <= AwaitingDeadlineMs(d.kind)) return false;
  if (ParkForDecision(d, AwaitingTooLongMessage(d.kind, now - since), now)) {
    log::Info("dispatch {} ({}) needs a decision: awaited {} ms", d.id, d.kind, now - since);
    Status f = Finish(d, w.owner, true);
    if (!f.ok()) log::Warn("dispatch {} finish: {}", d.id, f.ToString());
  }
  return true;
}

void DispatchEngine::Publish(Work& w) {
  Dispatch& d = w.d;
  w.polling = d.state == "awaiting";
  if (w.polling && AwaitedTooLong(w)) return;
  if (!TakeRateSlot(w)) return;
  int64_t attempt_id = 0;
  if (!BeginAttempt(w, &attempt_id)) return;
  metrics_.attempts.fetch_add(1);
  const TimeMs started = deps_.clock->Now();
  channels::Progress progress{d.progress};
  StatusOr<channels::PublishResult> result = CallClient(w, progress);
  metrics_.Observe(deps_.clock->Now() - started);
  d.progress = progress.state;

  const std::string outcome = ApplyResult(w, result);
  if (outcome.empty()) return;  // the lease moved on; the other worker records the outcome
  if (outcome != "published" && outcome != "awaiting")
    log::Info("dispatch {} ({}) {}: {}", d.id, d.kind, outcome, d.last_error);
  Status f = deps_.store->Write([&](Tx& tx) {
    return dispatch_repo::EndAttempt(tx, attempt_id, outcome,
                                     result.ok() ? "" : result.status().message());
  });
  (void)f;
  Status fin = Finish(d, w.owner, outcome == kNeedsDecision);
  if (!fin.ok()) {
    log::Warn("dispatch {} finish: {}", d.id, fin.ToString());
    return;
  }
  if (w.builtin_portal && d.state == "published") {
    RefreshSiteIndexes();
  }
  // Channels waiting for the portal's URL can go now.
  if (IsPortalKind(d.kind) && d.state == "published") Wake();
}

}  // namespace gd
