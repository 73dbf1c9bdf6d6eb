#include <map>
#include <sstream>

#include "dispatcher/dispatch/engine.h"
#include "dispatcher/store/channel_repo.h"
#include "dispatcher/store/dispatch_repo.h"

namespace gd {

std::string DispatchEngine::MetricsText() const {
  Store& store = *deps_.store;
  std::ostringstream o;
  const DispatchMetrics& m = metrics_;
  o << "# HELP gd_dispatches Dispatches by channel kind and state.\n# TYPE gd_dispatches gauge\n";
  int64_t queue = 0;
  (void)store.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto rows, dispatch_repo::CountByKindState(tx));
    for (const auto& [kind, state, n] : rows) {
      o << "gd_dispatches{kind=\"" << kind << "\",state=\"" << state << "\"} " << n << "\n";
      if (state == "pending" || state == "sending" || state == "awaiting" || state == "withdrawing")
        queue += n;
    }
    return Status::Ok();
  });
  o << "# HELP gd_dispatch_queue_depth Dispatches not yet final.\n# TYPE gd_dispatch_queue_depth "
       "gauge\n"
    << "gd_dispatch_queue_depth " << queue << "\n";
  auto counter = [&](const char* name, const char* help, int64_t v) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n"
      << name << " " << v << "\n";
  };
  counter("gd_dispatch_attempts_total", "Platform calls made for dispatches.", m.attempts.load());
  counter("gd_dispatch_retries_total", "Attempts that retried an earlier failure.",
          m.retries.load());
  counter("gd_dispatch_published_total", "Dispatches that reached published.", m.published.load());
  counter("gd_dispatch_failed_total", "Dispatches that failed permanently.", m.failed.load());
  counter("gd_dispatch_withdrawn_total", "Posts taken down (art. 14).", m.withdrawn.load());
  counter("gd_dispatch_rate_limited_total", "Sends deferred by the per-account token bucket.",
          m.rate_limited.load());
  counter("gd_dispatch_platform_pauses_total",
          "Platform rate-limit answers after which the account was paused.", m.paused.load());
  if (const channels::TokenCache* cache = tokens()) {
    // Access tokens per channel account: one refresh per expiry window is the goal, however
    // many workers use the account.
    const auto counts = cache->Counts();
    std::map<int64_t, std::string> kinds;
    (void)store.Read([&](Tx& tx) -> Status {
      for (const auto& [id, c] : counts) {
        auto row = channel_repo::GetChannel(tx, id);
        if (row.ok() && row->has_value()) kinds[id] = (*row)->kind;
      }
      return Status::Ok();
    });
    auto per_account = [&](const char* name, const char* help, auto value) {
      o << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n";
      for (const auto& [id, c] : counts)
        o << name << "{account_id=\"" << id << "\",kind=\"" << kinds[id] << "\"} " << value(c)
          << "\n";
    };
    per_account("gd_token_refreshes_total", "Access tokens obtained from the platform.",
                [](const channels::TokenCache::FetchCounts& c) { return c.ok; });
    per_account("gd_token_refresh_failures_total",
                "Token requests that failed (platform error, refusal, no answer).",
                [](const channels::TokenCache::FetchCounts& c) { return c.failed; });
  }
  o << "# HELP gd_dispatch_attempt_seconds Platform call latency.\n# TYPE "
       "gd_dispatch_attempt_seconds histogram\n";
  int64_t cumulative = 0;
  for (int i = 0; i < DispatchMetrics::kBuckets; ++i) {
    cumulative += m.latency_count[i].load();
    o << "gd_dispatch_attempt_seconds_bucket{le=\"" << (DispatchMetrics::kBounds[i] / 1000.0)
      << "\"} " << cumulative << "\n";
  }
  cumulative += m.latency_count[DispatchMetrics::kBuckets].load();
  o << "gd_dispatch_attempt_seconds_bucket{le=\"+Inf\"} " << cumulative << "\n"
    << "gd_dispatch_attempt_seconds_sum " << (m.latency_sum_ms.load() / 1000.0) << "\n"
    << "gd_dispatch_attempt_seconds_count " << cumulative << "\n";
  return o.str();
}

}  // namespace gd
