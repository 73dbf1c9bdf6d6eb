// The dispatch engine (docs/architecture.md §5): workers claim dispatches from the outbox,
// call the channel clients and record every step.
//
// Exactly once: a dispatch is marked `sending` (and the attempt recorded) before any network
// call; the client checkpoints its progress (ids so far, the in-flight step) into the row
// before every call that could create a public post; after a crash or a timeout the next
// worker calls the client with that progress, which reconciles with the platform before
// sending anything again. Leases keep two workers off one dispatch; this process is the only
// dispatcher on its database, so leases left by a killed process are released at start.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "channels/client.h"
#include "channels/portal/builtin_client.h"
#include "channels/portal/site.h"
#include "dispatcher/channel_accounts/channel_service.h"
#include "dispatcher/dispatch/config.h"
#include "dispatcher/dispatch/rate_limiter.h"
#include "dispatcher/media/media_service.h"
#include "dispatcher/model/dispatch.h"
#include "dispatcher/store/db.h"

namespace gd {

// Counters for /metrics.
struct DispatchMetrics {
  std::atomic<int64_t> attempts{0}, retries{0}, published{0}, failed{0}, withdrawn{0};
  std::atomic<int64_t> rate_limited{0}, reconciled{0};
  std::atomic<int64_t> paused{0};  // platform rate-limit answers that paused an account
  // Attempt latency histogram (ms buckets).
  static constexpr int kBuckets = 8;
  static constexpr int64_t kBounds[kBuckets] = {50, 100, 250, 500, 1000, 2500, 5000, 10000};
  std::atomic<int64_t> latency_count[kBuckets + 1] = {};
  std::atomic<int64_t> latency_sum_ms{0};
  void Observe(TimeMs ms);
};

class DispatchEngine {
 public:
  struct Deps {
    Store* store = nullptr;
    const Clock* clock = nullptr;
    ChannelService* channels = nullptr;
    MediaService* media = nullptr;
    channels::Transport* transport = nullptr;
    channels::TokenCache* tokens = nullptr;
    const render::TemplateSet* templates = nullptr;  // for the built-in portal site
    std::filesystem::path site_dir;
    std::string site_base_url = "/site/";  // public base of the built-in site
  };
  DispatchEngine(Deps deps, DispatchConfig config);
  ~DispatchEngine();

  // Releases leases left by a previous process and starts the workers.
  Status Start();
  void Stop();
  // New work may be due: wake the workers.
  void Wake();
  // Processes due work on the calling thread until nothing is due now (tests, CLI).
  int Drain();

  // Replaces the client that serves `kind` and returns the one it served with (call before
  // Start, never while workers run): tests wrap a real client to script answers a sandbox
  // cannot be made to give on demand.
  std::unique_ptr<channels::Client> ReplaceClient(const std::string& kind,
                                                  std::unique_ptr<channels::Client> client);

  const DispatchMetrics& metrics() const { return metrics_; }
  const channels::TokenCache* tokens() const { return deps_.tokens; }
  // Prometheus text exposition of the metrics above and the outbox by channel kind and state
  // (GET /metrics); defined in metrics.cc.
  std::string MetricsText() const;
  const DispatchConfig& config() const { return config_; }
  // Rewrites the built-in site's indexes from the store (after publish or withdrawal).
  Status RebuildSiteIndexes();  // one at a time (RefreshSiteIndexes sees to it)
  void RefreshSiteIndexes();    // coalesces concurrent requests into as few rebuilds as needed

 private:
  void WorkerLoop(int index);
  // Claims and processes one batch; returns how many dispatches were handled.
  int Step(const std::string& owner);
  void Process(Dispatch d, const std::string& owner);
  // Process, step by step (engine.cc). Work: one dispatch, its job and its client.
  struct Work;
  channels::Client* ClientFor(const std::string& kind, bool builtin_portal) const;
  void Withdraw(Work& w);
  void Publish(Work& w);
  // False (and the dispatch put back until its slot) when the account must wait.
  bool TakeRateSlot(Work& w);
  // Marks the dispatch sending and records the attempt; false if the lease was lost.
  bool BeginAttempt(Work& w, int64_t* attempt_id);
  StatusOr<channels::PublishResult> CallClient(Work& w, channels::Progress& progress);
  // Applies the client's answer to the dispatch; the attempt's outcome, or "" when another
  // worker owns the dispatch now.
  std::string ApplyResult(Work& w, const StatusOr<channels::PublishResult>& result);
  // Writes `d` and lets its ticket follow (outcome.h); `entered_decision` audits its hand-over
  // to a person.
  Status Finish(Dispatch& d, const std::string& owner, bool entered_decision = false);
  // The account is not ready (outcome.h, kAccountNotReady): `d` waits, pending, for the account
  // instead of failing, unless it has waited kNotReadyHoldMs already. True when held.
  bool Hold(Dispatch& d, const Status& failure, TimeMs now);
  // An awaiting dispatch past its kind's deadline goes to a person (needs_decision) instead of
  // being polled again; true when it was (and has been written).
  bool AwaitedTooLong(Work& w);
  // Pauses what a quota answer names: the API in details["quota_scope"], else the whole
  // account. Returns the end of the pause.
  TimeMs PauseFor(const Dispatch& d, const Status& quota);
  TimeMs Backoff(int attempts);
  // Backoff, or the platform's retry_after_ms from `failure` when that is longer.
  TimeMs RetryWait(const Status& failure, int attempts);
  // The platform's own wait in a failure (its Retry-After or quota window), 0 when it gave none.
  static TimeMs RetryAfterMs(const Status& failure);

  Deps deps_;
  DispatchConfig config_;
  RateLimiter limiter_;
  DispatchMetrics metrics_;
  std::map<std::string, std::unique_ptr<channels::Client>> clients_;  // by account kind
  channels::portal::BuiltinSite site_;
  std::unique_ptr<channels::Client> builtin_portal_;
  std::atomic<bool> site_stale_{false}, site_rebuilding_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  uint64_t wake_seq_ = 0;
  std::vector<std::thread> workers_;
  std::string instance_;
};

// Replaces kPortalUrlPlaceholder in every string of `rendering`.
Json FillPortalUrl(const Json& rendering, const std::string& url);

}  // namespace gd
