#include "dispatcher/dispatch/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace gd {
namespace {

// Reservations older than this are of callers that never came back (cancelled, withdrawn).
constexpr TimeMs kStaleReservationMs = 3600 * 1000;

}  // namespace

TimeMs RateLimiter::Acquire(int64_t account, int64_t caller, const RateSpec& spec) {
  if (spec.per_second <= 0) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  const TimeMs now = clock_.Now();
  Bucket& b = buckets_[account];
  const double burst = std::max(1.0, spec.burst);
  if (!b.init) {
    b.tokens = burst;
    b.at = now;
    b.init = true;
  }
  b.tokens = std::min(burst, b.tokens + static_cast<double>(now - b.at) * spec.per_second / 1000.0);
  b.at = now;
  if (auto it = reserved_.find(caller); it != reserved_.end()) {
    const TimeMs slot = it->second;
    if (slot > now) return slot;  // early: keep waiting for its own slot
    reserved_.erase(it);
    // On time (within one interval): its token is the one set aside. A late caller's token
    // went unused with its slot; it queues again like a newcomer, so that callers held up
    // elsewhere do not all go at once.
    if (now - slot <= static_cast<TimeMs>(1000.0 / spec.per_second)) return 0;
  }
  b.tokens -= 1.0;
  if (b.tokens >= 0) return 0;
  const TimeMs slot = now + static_cast<TimeMs>(std::ceil(-b.tokens * 1000.0 / spec.per_second));
  if (reserved_.size() > 10000) {
    std::erase_if(reserved_, [&](const auto& r) { return r.second < now - kStaleReservationMs; });
  }
  reserved_[caller] = slot;
  return slot;
}

size_t RateLimiter::reservations() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reserved_.size();
}

}  // namespace gd
