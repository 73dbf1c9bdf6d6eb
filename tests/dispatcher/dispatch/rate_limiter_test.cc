// The per-account token bucket with reservations (dispatcher/dispatch/rate_limiter.h).
#include "dispatcher/dispatch/rate_limiter.h"

#include <gtest/gtest.h>

#include <vector>

namespace gd {
namespace {

TEST(RateLimiterTest, BurstThenOneSlotPerIntervalEachReservedOnce) {
  FakeClock clock(1'000'000);
  RateLimiter limiter(clock);
  const RateSpec spec{10, 2};  // 10/s: a token every 100 ms, burst 2
  EXPECT_EQ(limiter.Acquire(1, 101, spec), 0);
  EXPECT_EQ(limiter.Acquire(1, 102, spec), 0);
  // The queue is spread over the next slots, one per caller.
  const TimeMs t = clock.Now();
  EXPECT_EQ(limiter.Acquire(1, 103, spec), t + 100);
  EXPECT_EQ(limiter.Acquire(1, 104, spec), t + 200);
  EXPECT_EQ(limiter.Acquire(1, 105, spec), t + 300);
  EXPECT_EQ(limiter.reservations(), 3u);
  // Asking again early keeps the same slot and takes nothing more.
  EXPECT_EQ(limiter.Acquire(1, 104, spec), t + 200);
  clock.Advance(100);
  EXPECT_EQ(limiter.Acquire(1, 103, spec), 0);  // its reserved token
  clock.Advance(100);
  EXPECT_EQ(limiter.Acquire(1, 104, spec), 0);
  clock.Advance(100);
  EXPECT_EQ(limiter.Acquire(1, 105, spec), 0);
  EXPECT_EQ(limiter.reservations(), 0u);
  // A newcomer now waits one interval: the reserved tokens were spent, not created twice.
  EXPECT_EQ(limiter.Acquire(1, 106, spec), clock.Now() + 100);
}

TEST(RateLimiterTest, LateCallersQueueAgainInsteadOfGoingAllAtOnce) {
  FakeClock clock(1'000'000);
  RateLimiter limiter(clock);
  const RateSpec spec{10, 1};  // a token every 100 ms, no burst
  EXPECT_EQ(limiter.Acquire(1, 1, spec), 0);
  std::vector<TimeMs> slots;
  for (int64_t c = 2; c <= 6; ++c) slots.push_back(limiter.Acquire(1, c, spec));
  EXPECT_EQ(slots.back(), clock.Now() + 500);
  // Everyone comes back a second late (workers were busy): one may go now, the rest queue
  // again one interval apart instead of five calls at once.
  clock.Advance(1500);
  int now_count = 0;
  std::vector<TimeMs> again;
  for (int64_t c = 2; c <= 6; ++c) {
    TimeMs t = limiter.Acquire(1, c, spec);
    if (t == 0)
      ++now_count;
    else
      again.push_back(t);
  }
  EXPECT_EQ(now_count, 1);
  ASSERT_EQ(again.size(), 4u);
  for (size_t i = 0; i < again.size(); ++i) EXPECT_EQ(again[i], clock.Now() + 100 * (i + 1));
}

TEST(RateLimiterTest, AccountsAreIndependentAndZeroRateNeverLimits) {
  FakeClock clock(1'000'000);
  RateLimiter limiter(clock);
  const RateSpec one{1, 1};
  EXPECT_EQ(limiter.Acquire(1, 1, one), 0);
  EXPECT_GT(limiter.Acquire(1, 2, one), 0);
  EXPECT_EQ(limiter.Acquire(2, 3, one), 0);  // another account has its own bucket
  for (int i = 0; i < 100; ++i) EXPECT_EQ(limiter.Acquire(3, 1000 + i, RateSpec{0, 1}), 0);
}

TEST(RateLimiterTest, IdleTimeRefillsUpToTheBurstOnly) {
  FakeClock clock(1'000'000);
  RateLimiter limiter(clock);
  const RateSpec spec{2, 3};  // a token every 500 ms, burst 3
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Acquire(1, i, spec), 0);
  clock.Advance(60'000);  // a minute idle: still only 3 at once
  for (int i = 10; i < 13; ++i) EXPECT_EQ(limiter.Acquire(1, i, spec), 0);
  EXPECT_EQ(limiter.Acquire(1, 20, spec), clock.Now() + 500);
}

}  // namespace
}  // namespace gd
