// Sign-in throttling (art. 15; 等保 2.0 登录失败处理): failed sign-ins are counted per
// (username, client address) pair, answered after a delay that grows with each failure, and
// lock only that pair; a person signing in from another address is never locked by someone
// else's failures. The same rules apply whether the username exists or not, so no answer tells
// which accounts exist. Also: how many sign-ins one address may have in flight, and how many
// password hashes run at once (scrypt takes 32 MB and a CPU for ~0.25 s each).
//
// State lives in memory, bounded (LoginThrottle::Options::max_pairs): a restart clears it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dispatcher/core/clock.h"

namespace gd {

// A pair locked after too many failed sign-ins, as the office sees it.
struct LoginLock {
  int64_t id = 0;  // stable while the pair is remembered
  std::string username;
  std::string address;
  int failures = 0;
  TimeMs first_failed_at = 0;
  TimeMs locked_at = 0;
  TimeMs locked_until = 0;
};

// Thread-safe. Times come from the caller (the service's injected clock).
class LoginThrottle {
 public:
  struct Options {
    int threshold = 5;                  // failures within `window_ms` lock the pair ...
    TimeMs window_ms = 15 * 60 * 1000;  // ...
    TimeMs lock_ms = 15 * 60 * 1000;    // ... for this long
    TimeMs delay_base_ms = 500;         // the 2nd failure's answer waits this long, ...
    TimeMs delay_max_ms = 4000;         // ... doubling with each further one, up to this
    size_t max_pairs = 10000;           // pairs remembered; the oldest are forgotten first
    int max_in_flight_per_address = 2;  // sign-ins one address may have running (0 = any)
  };

  explicit LoginThrottle(Options options) : opt_(options) {}
  LoginThrottle(const LoginThrottle&) = delete;
  LoginThrottle& operator=(const LoginThrottle&) = delete;

  // One sign-in of an address in flight; gives its place back when destroyed.
  class Slot {
   public:
    Slot(Slot&& other) noexcept : t_(std::exchange(other.t_, nullptr)), address_(other.address_) {}
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    Slot& operator=(Slot&&) = delete;
    ~Slot();

   private:
    friend class LoginThrottle;
    Slot(LoginThrottle* t, std::string address) : t_(t), address_(std::move(address)) {}
    LoginThrottle* t_;
    std::string address_;
  };
  // A slot, or nullopt when `address` already has max_in_flight_per_address sign-ins running.
  std::optional<Slot> Enter(const std::string& address);

  // When the pair is locked at `now`, the end of the lock.
  std::optional<TimeMs> LockedUntil(const std::string& username, const std::string& address,
                                    TimeMs now) const;

  struct Failure {
    int failures = 0;         // within the current window, this one included
    bool locked_now = false;  // this failure locked the pair
    bool was_locked = false;  // the pair was already locked (a concurrent failure locked it)
    TimeMs locked_until = 0;
    TimeMs delay_ms = 0;  // how long to hold this failure's answer
  };
  Failure RecordFailure(const std::string& username, const std::string& address, TimeMs now);
  // Forgets the pair's failures after a successful sign-in. False, and nothing forgotten, when
  // the pair is locked (a concurrent failure locked it while this password was being checked).
  bool RecordSuccess(const std::string& username, const std::string& address, TimeMs now);

  // Pairs locked at `now`, oldest lock first.
  std::vector<LoginLock> Locks(TimeMs now) const;
  // Whether any pair of `username` is locked at `now`.
  bool AnyLocked(const std::string& username, TimeMs now) const;
  // Forgets one locked pair; nullopt when no locked pair has that id.
  std::optional<LoginLock> Unlock(int64_t id, TimeMs now);
  // Forgets every pair of `username` (locked or counting); returns the locked ones.
  std::vector<LoginLock> UnlockUser(const std::string& username, TimeMs now);

  size_t pairs() const;
  int in_flight(const std::string& address) const;

  // The pair's key parts as remembered: long inputs are cut (an unknown username may be
  // anything the client sends).
  static std::string KeyPart(const std::string& s);

 private:
  struct Pair {
    int64_t id = 0;
    int failures = 0;
    TimeMs first_failed_at = 0;
    TimeMs last_failed_at = 0;
    TimeMs locked_at = 0;
    TimeMs locked_until = 0;
  };
  using Key = std::pair<std::string, std::string>;  // username, address
  bool Stale(const Pair& p, TimeMs now) const;
  void MakeRoomLocked(TimeMs now);
  static LoginLock ToLock(const Key& k, const Pair& p);
  void Leave(const std::string& address);

  const Options opt_;
  mutable std::mutex mu_;
  std::map<Key, Pair> pairs_;                       // guarded by mu_
  std::unordered_map<std::string, int> in_flight_;  // guarded by mu_
  int64_t next_id_ = 1;                             // guarded by mu_
};

// A counting semaphore that admits waiters in arrival order, so a steady stream of new
// callers cannot starve one that is already waiting.
class FairSemaphore {
 public:
  explicit FairSemaphore(int permits) : permits_(permits < 1 ? 1 : permits) {}

  class Permit {
   public:
    Permit(Permit&& other) noexcept : s_(std::exchange(other.s_, nullptr)) {}
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    Permit& operator=(Permit&&) = delete;
    ~Permit() {
      if (s_) s_->Release();
    }

   private:
    friend class FairSemaphore;
    explicit Permit(FairSemaphore* s) : s_(s) {}
    FairSemaphore* s_;
  };
  // Blocks until a permit is free and every earlier caller has had one.
  Permit Acquire();
  int permits() const { return permits_; }
  // Callers that have asked for a permit so far (holding, done or waiting).
  uint64_t tickets() const;

 private:
  void Release();
  const int permits_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t next_ticket_ = 0;  // guarded by mu_
  uint64_t released_ = 0;     // guarded by mu_
};

}  // namespace gd
