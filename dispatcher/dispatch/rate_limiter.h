// Token buckets per channel account (the platforms' documented quotas), with reservations: a
// call that finds the bucket empty is given the moment its token will have accrued, and that
// token is set aside for it. A queue of waiting dispatches is thus spread over the following
// slots once, instead of every waiting dispatch being claimed again and again only to find the
// bucket empty.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

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

  // The platform answered a call to `account` with its rate-limit (or quota) code: nobody calls
  // it before `retry_after_ms` from now when the platform said how long, else for a pause that
  // doubles with each such answer arriving after the previous pause ended (1 s, 2 s, 4 s, ... up
  // to kMaxPauseMs) and starts over once a call succeeds. Answers arriving during one pause are
  // the same overload seen by several workers and count once. Reservations made before the
  // pause lapse: every caller queues again behind it, the first at its end, then one per
  // interval. Returns the end of the pause.
  TimeMs Pause(int64_t account, TimeMs retry_after_ms);
  // A call to `account` was accepted: the next unhinted pause is a short one again.
  void Succeeded(int64_t account);
  // Until when `account` is paused (0 when it is not).
  TimeMs PausedUntil(int64_t account) const;

  // The platform answered a call to `api` of `account` that this API's quota is spent
  // (details["quota_scope"]): only that API waits, `retry_after_ms` from now when the platform
  // said how long, else for a pause that doubles like Pause's (counted per API, never reset:
  // a quota comes back in its window, not after another call succeeded). Returns its end.
  TimeMs PauseApi(int64_t account, const std::string& api, TimeMs retry_after_ms);
  // The APIs of `account` paused now, each with the end of its pause (for PublishJob).
  std::map<std::string, TimeMs> PausedApis(int64_t account) const;

  // Reservations currently held (for tests and metrics).
  size_t reservations() const;

  static constexpr TimeMs kFirstPauseMs = 1000;
  static constexpr TimeMs kMaxPauseMs = 60 * 1000;

 private:
  struct Bucket {
    double tokens = 0;  // may go below zero: tokens already promised to reservations
    TimeMs at = 0;      // tokens are counted as of this time; later than now while paused
    bool init = false;
    TimeMs paused_until = 0;
    int strikes = 0;  // unhinted rate-limit answers since the last accepted call
    int epoch = 0;    // pauses so far: reservations of an earlier epoch have lapsed
  };
  struct Reservation {
    TimeMs slot = 0;
    int epoch = 0;
  };
  Bucket& BucketOf(int64_t account, const RateSpec& spec, TimeMs now);
  const Clock& clock_;
  mutable std::mutex mu_;
  std::map<int64_t, Bucket> buckets_;
  std::map<int64_t, Reservation> reserved_;  // caller -> its slot
  struct ApiPause {
    TimeMs until = 0;
    int strikes = 0;
  };
  std::map<std::pair<int64_t, std::string>, ApiPause> api_pauses_;
};

}  // namespace gd
