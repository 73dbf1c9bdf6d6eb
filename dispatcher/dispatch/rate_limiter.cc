#include "dispatcher/dispatch/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace gd {

TimeMs RateLimiter::TryTake(int64_t account, const RateSpec& spec) {
  if (spec.per_second <= 0) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  Bucket& b = buckets_[account];
  const TimeMs now = clock_.Now();
  const double burst = std::max(1.0, spec.burst);
  if (!b.init) {
    b.tokens = burst;
    b.at = now;
    b.init = true;
  }
  b.tokens = std::min(burst, b.tokens + static_cast<double>(now - b.at) * spec.per_second / 1000.0);
  b.at = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  return static_cast<TimeMs>(std::ceil((1.0 - b.tokens) * 1000.0 / spec.per_second));
}

}  // namespace gd
