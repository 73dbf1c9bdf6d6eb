// Token buckets per channel account (the platforms' documented quotas), with reservations: a
// call that finds the bucket empty is given the moment its token will have accrued, and that
// token is set aside for it. A queue of waiting dispatches is thus spread over the following
// slots once, instead of every waiting dispatch being claimed again and again only to find the
// bucket empty.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>

#include "dispatcher/core/clock.h"
#include "dispatcher/dispatch/config.h"

namespace gd {

class RateLimiter {
 public:
  explicit RateLimiter(const Clock& clock) : clock_(clock) {}

  // When may `caller` (a dispatch id) make its call to `account`? Returns 0 for "now" (its
  // token is taken), else the time at which it may — the token accruing by then is reserved for
  // it, and asking again at or after that time returns 0 without taking another. A spec with
  // per_second <= 0 never limits.
  TimeMs Acquire(int64_t account, int64_t caller, const RateSpec& spec);

  // Reservations currently held (for tests and metrics).
  size_t reservations() const;

 private:
  struct Bucket {
    double tokens = 0;  // may go below zero: tokens already promised to reservations
    TimeMs at = 0;
    bool init = false;
  };
  const Clock& clock_;
  mutable std::mutex mu_;
  std::map<int64_t, Bucket> buckets_;
  std::map<int64_t, TimeMs> reserved_;  // caller -> its slot
};

}  // namespace gd
