// The sign-in throttle's rules (per pair, window, lock, delays, bounded memory, in-flight cap),
// the fair semaphore that bounds password hashing, and the client address behind proxies.
#include "dispatcher/accounts/login_throttle.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "dispatcher/http/connection.h"
#include "dispatcher/http/server.h"

namespace gd {
namespace {

constexpr TimeMs kMin = 60 * 1000;

LoginThrottle::Options Opts() {
  LoginThrottle::Options o;
  o.threshold = 5;
  o.window_ms = 15 * kMin;
  o.lock_ms = 15 * kMin;
  o.delay_base_ms = 500;
  o.delay_max_ms = 4000;
  o.max_pairs = 100;
  o.max_in_flight_per_address = 2;
  return o;
}

TEST(LoginThrottle, FifthFailureLocksThePairOnlyWithGrowingDelays) {
  LoginThrottle t(Opts());
  const TimeMs now = 1000 * kMin;
  const TimeMs want_delay[] = {0, 500, 1000, 2000, 4000};
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(t.LockedUntil("leader", "10.0.0.66", now));
    auto f = t.RecordFailure("leader", "10.0.0.66", now);
    EXPECT_EQ(f.failures, i + 1);
    EXPECT_EQ(f.delay_ms, want_delay[i]) << "failure " << i + 1;
    EXPECT_EQ(f.locked_now, i == 4);
  }
  EXPECT_EQ(t.LockedUntil("leader", "10.0.0.66", now), now + 15 * kMin);
  EXPECT_FALSE(t.LockedUntil("leader", "10.0.0.7", now)) << "another address";
  EXPECT_FALSE(t.LockedUntil("other", "10.0.0.66", now)) << "another username";
  EXPECT_TRUE(t.AnyLocked("leader", now));
  EXPECT_FALSE(t.AnyLocked("lead", now));
  EXPECT_FALSE(t.RecordSuccess("leader", "10.0.0.66", now)) << "a locked pair stays locked";
  EXPECT_TRUE(t.RecordFailure("leader", "10.0.0.66", now + 1).was_locked);
  EXPECT_FALSE(t.LockedUntil("leader", "10.0.0.66", now + 15 * kMin));
  // After the lock a new round starts from the first failure.
  auto f = t.RecordFailure("leader", "10.0.0.66", now + 15 * kMin);
  EXPECT_EQ(f.failures, 1);
  EXPECT_EQ(f.delay_ms, 0);
}

TEST(LoginThrottle, TheWindowAndSuccessResetTheCount) {
  LoginThrottle t(Opts());
  TimeMs now = 1000 * kMin;
  for (int i = 0; i < 4; ++i) t.RecordFailure("u", "a", now);
  now += 15 * kMin + 1;
  EXPECT_EQ(t.RecordFailure("u", "a", now).failures, 1);
  for (int i = 0; i < 3; ++i) t.RecordFailure("u", "a", now);
  EXPECT_TRUE(t.RecordSuccess("u", "a", now));
  EXPECT_EQ(t.RecordFailure("u", "a", now).failures, 1);
}

TEST(LoginThrottle, LocksAreListedAndLifted) {
  LoginThrottle t(Opts());
  const TimeMs now = 1000 * kMin;
  for (int i = 0; i < 5; ++i) {
    t.RecordFailure("leader", "10.0.0.66", now);
    t.RecordFailure("leader", "10.0.0.67", now + 1);
    t.RecordFailure("ghost", "10.0.0.66", now + 2);
  }
  t.RecordFailure("editor", "10.0.0.1", now);  // counting, not locked
  auto locks = t.Locks(now + 3);
  ASSERT_EQ(locks.size(), 3u);
  EXPECT_EQ(locks[0].username, "leader");
  EXPECT_EQ(locks[0].address, "10.0.0.66");
  EXPECT_EQ(locks[0].failures, 5);
  EXPECT_EQ(locks[0].locked_until, now + 15 * kMin);
  auto lifted = t.Unlock(locks[0].id, now + 3);
  ASSERT_TRUE(lifted);
  EXPECT_FALSE(t.LockedUntil("leader", "10.0.0.66", now + 3));
  EXPECT_FALSE(t.Unlock(locks[0].id, now + 3));
  EXPECT_EQ(t.UnlockUser("leader", now + 3).size(), 1u);
  EXPECT_FALSE(t.AnyLocked("leader", now + 3));
  EXPECT_TRUE(t.LockedUntil("ghost", "10.0.0.66", now + 3));
  EXPECT_TRUE(t.Locks(now + 15 * kMin + 2).empty()) << "expired locks are not listed";
}

TEST(LoginThrottle, MemoryIsBoundedAndLocksAreForgottenLast) {
  auto o = Opts();
  o.max_pairs = 10;
  LoginThrottle t(o);
  const TimeMs now = 1000 * kMin;
  for (int i = 0; i < 5; ++i) t.RecordFailure("leader", "10.0.0.66", now);
  for (int i = 0; i < 100; ++i) t.RecordFailure("spray" + std::to_string(i), "10.9.9.9", now + i);
  EXPECT_LE(t.pairs(), 10u);
  EXPECT_TRUE(t.LockedUntil("leader", "10.0.0.66", now + 200));
  // Stale pairs go first: after their window nothing of the spray is needed.
  t.RecordFailure("late", "10.0.0.1", now + 16 * kMin + 200);
  EXPECT_LE(t.pairs(), 2u);
}

TEST(LoginThrottle, LongUsernamesAreCutOnACharacterBoundary) {
  std::string name;
  for (int i = 0; i < 100; ++i) name += "领";  // 3 bytes each
  std::string part = LoginThrottle::KeyPart(name);
  EXPECT_LE(part.size(), 128u);
  EXPECT_EQ(part.size() % 3, 0u);
}

TEST(LoginThrottle, AnAddressHasAtMostTwoSignInsInFlight) {
  LoginThrottle t(Opts());
  auto a = t.Enter("10.0.0.66");
  auto b = t.Enter("10.0.0.66");
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(t.Enter("10.0.0.66"));
  EXPECT_TRUE(t.Enter("10.0.0.7"));
  EXPECT_EQ(t.in_flight("10.0.0.66"), 2);
  a.reset();
  EXPECT_EQ(t.in_flight("10.0.0.66"), 1);
  EXPECT_TRUE(t.Enter("10.0.0.66"));
  b.reset();
  EXPECT_EQ(t.in_flight("10.0.0.66"), 0);
}

TEST(FairSemaphore, BoundsConcurrencyAndAdmitsInArrivalOrder) {
  FairSemaphore sem(2);
  std::atomic<int> inside{0}, most{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      for (int k = 0; k < 50; ++k) {
        auto p = sem.Acquire();
        int n = ++inside;
        int m = most.load();
        while (n > m && !most.compare_exchange_weak(m, n)) {
        }
        std::this_thread::yield();
        --inside;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_LE(most.load(), 2);
  EXPECT_GE(most.load(), 1);

  // Arrival order: with the only permit held, later callers queue and enter one by one in order.
  FairSemaphore one(1);
  auto held = std::make_optional(one.Acquire());
  std::vector<int> order;
  std::mutex mu;
  std::vector<std::thread> queue;
  for (int i = 0; i < 4; ++i) {
    queue.emplace_back([&, i] {
      auto p = one.Acquire();
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(i);
    });
    // Each caller has asked (and waits) before the next one starts.
    while (one.tickets() < static_cast<uint64_t>(i) + 2) std::this_thread::yield();
  }
  held.reset();
  for (auto& t : queue) t.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
}

struct AddressCase {
  const char* peer;
  const char* forwarded_for;
  std::vector<std::string> trusted;
  const char* want;
};

TEST(ClientAddress, TheSocketPeerUnlessATrustedProxyForwarded) {
  const std::vector<std::string> proxy = {"127.0.0.1"};
  const std::vector<std::string> two = {"127.0.0.1", "10.0.0.2"};
  const std::vector<AddressCase> cases = {
      {"203.0.113.9", "", {}, "203.0.113.9"},
      {"203.0.113.9", "198.51.100.1", {}, "203.0.113.9"},     // nobody trusted: ignored
      {"203.0.113.9", "198.51.100.1", proxy, "203.0.113.9"},  // peer not a proxy: ignored
      {"127.0.0.1", "", proxy, "127.0.0.1"},                  // proxy, no header
      {"127.0.0.1", "198.51.100.1", proxy, "198.51.100.1"},
      {"127.0.0.1", "6.6.6.6, 198.51.100.1", proxy, "198.51.100.1"},  // client-made entry left
      {"127.0.0.1", "6.6.6.6,198.51.100.1, 10.0.0.2", two, "198.51.100.1"},
      {"127.0.0.1", "10.0.0.2, 127.0.0.1", two, "10.0.0.2"},  // all trusted: leftmost
      {"127.0.0.1", "198.51.100.1:4711", proxy, "198.51.100.1"},
      {"127.0.0.1", "[2001:db8::1]:443", proxy, "2001:db8::1"},
      {"127.0.0.1", "2001:DB8:0::1", proxy, "2001:db8::1"},
      {"127.0.0.1", "::ffff:198.51.100.1", proxy, "198.51.100.1"},
      {"::ffff:127.0.0.1", "198.51.100.1", proxy, "198.51.100.1"},  // mapped peer
      {"127.0.0.1", "unknown", proxy, "127.0.0.1"},                 // not an address
      {"127.0.0.1", "198.51.100.1, \xff\xfe", proxy, "127.0.0.1"},
      {"127.0.0.1", ",", proxy, "127.0.0.1"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(ClientAddress(c.peer, c.forwarded_for, c.trusted), c.want)
        << c.peer << " / " << c.forwarded_for;
  std::string many;
  for (int i = 0; i < 100; ++i) many += "198.51.100." + std::to_string(i % 250) + ",";
  many += "198.51.100.1";
  EXPECT_EQ(ClientAddress("127.0.0.1", many, proxy), "127.0.0.1") << "over 64 entries";
}

}  // namespace
}  // namespace gd
