#include "dispatcher/accounts/login_throttle.h"

#include <algorithm>

namespace gd {

namespace {
constexpr size_t kMaxKeyBytes = 128;
}  // namespace

std::string LoginThrottle::KeyPart(const std::string& s) {
  if (s.size() <= kMaxKeyBytes) return s;
  size_t cut = kMaxKeyBytes;  // on a UTF-8 character boundary: the part goes into audit JSON
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut);
}

LoginThrottle::Slot::~Slot() {
  if (t_) t_->Leave(address_);
}

std::optional<LoginThrottle::Slot> LoginThrottle::Enter(const std::string& address) {
  std::string key = KeyPart(address);
  std::lock_guard<std::mutex> lock(mu_);
  int& n = in_flight_[key];
  if (opt_.max_in_flight_per_address > 0 && n >= opt_.max_in_flight_per_address)
    return std::nullopt;
  ++n;
  return Slot(this, std::move(key));
}

void LoginThrottle::Leave(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = in_flight_.find(address);
  if (it != in_flight_.end() && --it->second <= 0) in_flight_.erase(it);
}

int LoginThrottle::in_flight(const std::string& address) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = in_flight_.find(KeyPart(address));
  return it == in_flight_.end() ? 0 : it->second;
}

size_t LoginThrottle::pairs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pairs_.size();
}

bool LoginThrottle::Stale(const Pair& p, TimeMs now) const {
  if (p.locked_until > now) return false;
  return p.locked_until != 0 || p.failures == 0 || now - p.first_failed_at > opt_.window_ms;
}

void LoginThrottle::MakeRoomLocked(TimeMs now) {
  if (pairs_.size() < opt_.max_pairs) return;
  std::erase_if(pairs_, [&](const auto& kv) { return Stale(kv.second, now); });
  if (pairs_.size() < opt_.max_pairs) return;
  // Still full: forget the pair whose last failure is oldest, counting pairs before locked ones.
  auto victim = pairs_.end();
  for (auto it = pairs_.begin(); it != pairs_.end(); ++it) {
    if (victim == pairs_.end()) {
      victim = it;
      continue;
    }
    bool it_locked = it->second.locked_until > now;
    bool v_locked = victim->second.locked_until > now;
    if (it_locked != v_locked) {
      if (!it_locked) victim = it;
    } else if (it->second.last_failed_at < victim->second.last_failed_at) {
      victim = it;
    }
  }
  if (victim != pairs_.end()) pairs_.erase(victim);
}

std::optional<TimeMs> LoginThrottle::LockedUntil(const std::string& username,
                                                 const std::string& address, TimeMs now) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pairs_.find({KeyPart(username), KeyPart(address)});
  if (it == pairs_.end() || it->second.locked_until <= now) return std::nullopt;
  return it->second.locked_until;
}

LoginThrottle::Failure LoginThrottle::RecordFailure(const std::string& username,
                                                    const std::string& address, TimeMs now) {
  Key key{KeyPart(username), KeyPart(address)};
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pairs_.find(key);
  if (it == pairs_.end()) {
    MakeRoomLocked(now);
    it = pairs_.emplace(std::move(key), Pair{}).first;
    it->second.id = next_id_++;
  }
  Pair& p = it->second;
  Failure f;
  if (p.locked_until > now) {
    f.was_locked = true;
    f.failures = p.failures;
    f.locked_until = p.locked_until;
    return f;
  }
  if (p.locked_until != 0 || p.failures == 0 || now - p.first_failed_at > opt_.window_ms) {
    p.failures = 0;
    p.first_failed_at = now;
    p.locked_at = 0;
    p.locked_until = 0;
  }
  ++p.failures;
  p.last_failed_at = now;
  f.failures = p.failures;
  if (p.failures >= opt_.threshold) {
    p.locked_at = now;
    p.locked_until = now + opt_.lock_ms;
    f.locked_now = true;
    f.locked_until = p.locked_until;
  }
  if (p.failures >= 2 && opt_.delay_base_ms > 0) {
    TimeMs d = opt_.delay_base_ms;
    for (int i = 2; i < p.failures && d < opt_.delay_max_ms; ++i) d *= 2;
    f.delay_ms = std::min(d, opt_.delay_max_ms);
  }
  return f;
}

bool LoginThrottle::RecordSuccess(const std::string& username, const std::string& address,
                                  TimeMs now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pairs_.find({KeyPart(username), KeyPart(address)});
  if (it == pairs_.end()) return true;
  if (it->second.locked_until > now) return false;
  pairs_.erase(it);
  return true;
}

LoginLock LoginThrottle::ToLock(const Key& k, const Pair& p) {
  return LoginLock{p.id,        k.first,       k.second, p.failures, p.first_failed_at,
                   p.locked_at, p.locked_until};
}

std::vector<LoginLock> LoginThrottle::Locks(TimeMs now) const {
  std::vector<LoginLock> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [k, p] : pairs_)
      if (p.locked_until > now) out.push_back(ToLock(k, p));
  }
  std::sort(out.begin(), out.end(), [](const LoginLock& a, const LoginLock& b) {
    return a.locked_at != b.locked_at ? a.locked_at < b.locked_at : a.id < b.id;
  });
  return out;
}

bool LoginThrottle::AnyLocked(const std::string& username, TimeMs now) const {
  std::string u = KeyPart(username);
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = pairs_.lower_bound({u, ""}); it != pairs_.end() && it->first.first == u; ++it)
    if (it->second.locked_until > now) return true;
  return false;
}

std::optional<LoginLock> LoginThrottle::Unlock(int64_t id, TimeMs now) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = pairs_.begin(); it != pairs_.end(); ++it) {
    if (it->second.id != id) continue;
    if (it->second.locked_until <= now) return std::nullopt;
    LoginLock l = ToLock(it->first, it->second);
    pairs_.erase(it);
    return l;
  }
  return std::nullopt;
}

std::vector<LoginLock> LoginThrottle::UnlockUser(const std::string& username, TimeMs now) {
  std::string u = KeyPart(username);
  std::vector<LoginLock> out;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pairs_.lower_bound({u, ""});
  while (it != pairs_.end() && it->first.first == u) {
    if (it->second.locked_until > now) out.push_back(ToLock(it->first, it->second));
    it = pairs_.erase(it);
  }
  return out;
}

FairSemaphore::Permit FairSemaphore::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t ticket = next_ticket_++;
  cv_.wait(lock, [&] { return ticket < released_ + static_cast<uint64_t>(permits_); });
  return Permit(this);
}

uint64_t FairSemaphore::tickets() const {
  std::lock_guard<std::mutex> lock(mu_);
  return next_ticket_;
}

void FairSemaphore::Release() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++released_;
  }
  cv_.notify_all();
}

}  // namespace gd
