#include "dispatcher/dispatch/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace gd {
namespace {

// Reservations older than this are of callers that never came back (cancelled, withdrawn).
constexpr TimeMs kStaleReservationMs = 3600 * 1000;

}  // namespace

RateLimiter::Bucket& RateLimiter::BucketOf(int64_t account, const RateSpec& spec, TimeMs now) {
  Bucket& b = buckets_[account];
  const double burst = std::max(1.0, spec.burst);
  if (!b.init) {
    b.tokens = burst;
    b.at = now;
    b.init = true;
  }
  if (now > b.at) {
    if (spec.per_second > 0)
      b.tokens =
          std::min(burst, b.tokens + static_cast<double>(now - b.at) * spec.per_second / 1000.0);
    b.at = now;
  }
  return b;
}

TimeMs RateLimiter::Acquire(int64_t account, int64_t caller, const RateSpec& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  const TimeMs now = clock_.Now();
  Bucket& b = BucketOf(account, spec, now);
  // Without a rate of our own, only the platform's pause spaces callers (by 100 ms).
  const double per_second = spec.per_second > 0 ? spec.per_second : 10.0;
  if (spec.per_second <= 0 && b.paused_until <= now) {
    reserved_.erase(caller);
    return 0;
  }
  if (spec.per_second <= 0) b.tokens = std::min(b.tokens, 1.0);
  const TimeMs interval = static_cast<TimeMs>(std::ceil(1000.0 / per_second));
  if (auto it = reserved_.find(caller); it != reserved_.end()) {
    const Reservation r = it->second;
    if (r.epoch == b.epoch && r.slot > now) return r.slot;  // early: keep waiting for its slot
    reserved_.erase(it);
    // On time — up to `burst` intervals after its slot — its token is the one set aside: the
    // callers whose slots fall in such a window are at most a burst, so even arriving together
    // they make no more than one burst, which the bucket allows anyway (a busy machine makes
    // workers come back tens of milliseconds late; a tolerance of one interval lost those
    // tokens and with them a fifth of the throughput). A caller later than that has lost its
    // token with its slot and queues again like a newcomer, so that callers held up elsewhere
    // do not all go at once. A pause since the reservation voids it.
    const TimeMs on_time = interval * static_cast<TimeMs>(std::max(1.0, std::floor(spec.burst)));
    if (r.epoch == b.epoch && now - r.slot <= on_time) return 0;
  }
  b.tokens -= 1.0;
  if (b.tokens >= 0 && b.at <= now) return 0;
  const TimeMs slot =
      b.at + static_cast<TimeMs>(std::ceil(std::max(0.0, -b.tokens) * 1000.0 / per_second));
  if (reserved_.size() > 10000) {
    std::erase_if(reserved_,
                  [&](const auto& r) { return r.second.slot < now - kStaleReservationMs; });
  }
  reserved_[caller] = Reservation{slot, b.epoch};
  return slot;
}

TimeMs RateLimiter::Pause(int64_t account, TimeMs retry_after_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  const TimeMs now = clock_.Now();
  Bucket& b = BucketOf(account, RateSpec{0, 1}, now);
  TimeMs wait = retry_after_ms;
  if (wait <= 0) {
    if (b.paused_until <= now) b.strikes = std::min(b.strikes + 1, 30);
    wait = std::min(kMaxPauseMs, kFirstPauseMs << std::clamp(b.strikes - 1, 0, 16));
  }
  if (now + wait > b.paused_until) {
    b.paused_until = now + wait;
    // The platform accepts nothing until then; one token is there at the end of the pause.
    b.at = b.paused_until;
    b.tokens = 1.0;
    ++b.epoch;
  }
  return b.paused_until;
}

void RateLimiter::Succeeded(int64_t account) {
  std::lock_guard<std::mutex> lock(mu_);
  auto b = buckets_.find(account);
  if (b != buckets_.end() && b->second.paused_until <= clock_.Now()) b->second.strikes = 0;
}

TimeMs RateLimiter::PausedUntil(int64_t account) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto b = buckets_.find(account);
  return b != buckets_.end() && b->second.paused_until > clock_.Now() ? b->second.paused_until : 0;
}

TimeMs RateLimiter::PauseApi(int64_t account, const std::string& api, TimeMs retry_after_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  const TimeMs now = clock_.Now();
  ApiPause& p = api_pauses_[{account, api}];
  TimeMs wait = retry_after_ms;
  if (wait <= 0) {
    if (p.until <= now) p.strikes = std::min(p.strikes + 1, 30);
    wait = std::min(kMaxPauseMs, kFirstPauseMs << std::clamp(p.strikes - 1, 0, 16));
  }
  p.until = std::max(p.until, now + wait);
  return p.until;
}

std::map<std::string, TimeMs> RateLimiter::PausedApis(int64_t account) const {
  std::lock_guard<std::mutex> lock(mu_);
  const TimeMs now = clock_.Now();
  std::map<std::string, TimeMs> out;
  for (auto it = api_pauses_.lower_bound({account, std::string()});
       it != api_pauses_.end() && it->first.first == account; ++it)
    if (it->second.until > now) out[it->first.second] = it->second.until;
  return out;
}

size_t RateLimiter::reservations() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reserved_.size();
}

}  // namespace gd
