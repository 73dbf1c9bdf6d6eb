// Token buckets per channel account (the platforms' documented quotas).
#pragma once

#include <map>
#include <mutex>

#include "dispatcher/core/clock.h"
#include "dispatcher/dispatch/config.h"

namespace gd {

class RateLimiter {
 public:
  explicit RateLimiter(const Clock& clock) : clock_(clock) {}
  // Takes one token for `account` if available (returns 0), else returns how many ms until one
  // is. A spec with per_second <= 0 never limits.
  TimeMs TryTake(int64_t account, const RateSpec& spec);

 private:
  struct Bucket {
    double tokens = 0;
    TimeMs at = 0;
    bool init = false;
  };
  const Clock& clock_;
  std::mutex mu_;
  std::map<int64_t, Bucket> buckets_;
};

}  // namespace gd
