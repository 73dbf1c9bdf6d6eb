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

TEST(RateLimiterTest, ACallerLateByLessThanABurstOfIntervalsStillUsesItsOwnToken) {
  FakeClock clock(1'000'000);
  RateLimiter limiter(clock);
  const RateSpec spec{10, 3};  // a token every 100 ms, burst 3
  const TimeMs t = clock.Now();
  for (int64_t c = 1; c <= 3; ++c) EXPECT_EQ(limiter.Acquire(1, c, spec), 0);
  for (int64_t c = 4; c <= 9; ++c) EXPECT_EQ(limiter.Acquire(1, c, spec), t + 100 * (c - 3));
  // The machine was busy: callers 4 and 5 come back 150 ms and 50 ms late. Within three
  // intervals of their slots they go on the tokens set aside for them, and the queue behind
  // them does not grow: a newcomer still gets the slot after the last reservation.
  clock.Advance(250);
  EXPECT_EQ(limiter.Acquire(1, 4, spec), 0);
  EXPECT_EQ(limiter.Acquire(1, 5, spec), 0);
  EXPECT_EQ(limiter.Acquire(1, 10, spec), t + 700);
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

TEST(RateLimiterTest, APlatformsRateLimitAnswerPausesTheAccountAndVoidsReservations) {
  FakeClock clock(1'000'000);
  RateLimiter limiter(clock);
  const RateSpec spec{10, 2};  // a token every 100 ms, burst 2
  EXPECT_EQ(limiter.Acquire(1, 1, spec), 0);
  EXPECT_EQ(limiter.Acquire(1, 2, spec), 0);
  EXPECT_EQ(limiter.Acquire(1, 3, spec), clock.Now() + 100);  // reserved before the answer
  // The platform says "too many calls" without saying for how long: a 1 s pause.
  const TimeMs until = limiter.Pause(1, 0);
  EXPECT_EQ(until, clock.Now() + RateLimiter::kFirstPauseMs);
  EXPECT_EQ(limiter.PausedUntil(1), until);
  // The reservation lapsed: caller 3 comes back at its slot and queues behind the pause, first
  // at its end; a newcomer one interval later. Nobody goes during the pause.
  clock.Advance(100);
  EXPECT_EQ(limiter.Acquire(1, 3, spec), until);
  EXPECT_EQ(limiter.Acquire(1, 4, spec), until + 100);
  EXPECT_EQ(limiter.Acquire(1, 3, spec), until);  // asking again early keeps the slot
  // Other accounts are not affected.
  EXPECT_EQ(limiter.Acquire(2, 5, spec), 0);
  EXPECT_EQ(limiter.PausedUntil(2), 0);
  clock.Advance(until - clock.Now());
  EXPECT_EQ(limiter.PausedUntil(1), 0);
  EXPECT_EQ(limiter.Acquire(1, 3, spec), 0);
  clock.Advance(100);
  EXPECT_EQ(limiter.Acquire(1, 4, spec), 0);
  EXPECT_EQ(limiter.Acquire(1, 6, spec), clock.Now() + 100);  // the bucket refills from empty
}

TEST(RateLimiterTest, UnhintedPausesDoubleUntilACallIsAcceptedAndHintsAreObeyed) {
  FakeClock clock(1'000'000);
  RateLimiter limiter(clock);
  // Four workers meet the same overload at once: one strike, one 1 s pause.
  TimeMs until = 0;
  for (int i = 0; i < 4; ++i) until = limiter.Pause(7, 0);
  EXPECT_EQ(until, clock.Now() + 1000);
  // Answered again after the pause: 2 s, then 4 s.
  clock.Advance(1000);
  EXPECT_EQ(limiter.Pause(7, 0), clock.Now() + 2000);
  clock.Advance(2000);
  EXPECT_EQ(limiter.Pause(7, 0), clock.Now() + 4000);
  // Capped.
  for (int i = 0; i < 10; ++i) {
    clock.Advance(RateLimiter::kMaxPauseMs);
    until = limiter.Pause(7, 0);
  }
  EXPECT_EQ(until, clock.Now() + RateLimiter::kMaxPauseMs);
  // A call accepted after the pause: the next unhinted pause is 1 s again.
  clock.Advance(RateLimiter::kMaxPauseMs);
  limiter.Succeeded(7);
  EXPECT_EQ(limiter.Pause(7, 0), clock.Now() + 1000);
  // The platform's own Retry-After (or quota window) is the pause when it gives one, and a
  // shorter answer never shortens a pause under way.
  EXPECT_EQ(limiter.Pause(7, 30'000), clock.Now() + 30'000);
  EXPECT_EQ(limiter.Pause(7, 5'000), clock.Now() + 30'000);
}

TEST(RateLimiterTest, AccountsWithoutARateOfOurOwnStillWaitOutThePlatformsPause) {
  FakeClock clock(1'000'000);
  RateLimiter limiter(clock);
  const RateSpec unlimited{0, 1};
  EXPECT_EQ(limiter.Acquire(3, 1, unlimited), 0);
  const TimeMs until = limiter.Pause(3, 2000);
  // Spaced 100 ms apart from the end of the pause, so that they do not all go at once.
  EXPECT_EQ(limiter.Acquire(3, 1, unlimited), until);
  EXPECT_EQ(limiter.Acquire(3, 2, unlimited), until + 100);
  EXPECT_EQ(limiter.Acquire(3, 3, unlimited), until + 200);
  clock.Advance(until - clock.Now() + 1000);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(limiter.Acquire(3, 100 + i, unlimited), 0);
}

// A quota answer naming its API (details["quota_scope"]) pauses only that API of the account.
TEST(RateLimiterTest, AScopedQuotaPausesOnlyThatApiOfThatAccount) {
  FakeClock clock(1'000'000);
  RateLimiter limiter(clock);
  const TimeMs t = clock.Now();
  EXPECT_EQ(limiter.PauseApi(7, "sendall", 3'600'000), t + 3'600'000);
  EXPECT_EQ(limiter.PausedUntil(7), 0) << "the account itself is not paused";
  EXPECT_EQ(limiter.Acquire(7, 1, RateSpec{0, 1}), 0) << "other calls go on";
  auto paused = limiter.PausedApis(7);
  ASSERT_EQ(paused.size(), 1u);
  EXPECT_EQ(paused["sendall"], t + 3'600'000);
  EXPECT_TRUE(limiter.PausedApis(8).empty()) << "other accounts are not paused";
  // A shorter answer during the pause does not shorten it; an unhinted one doubles.
  EXPECT_EQ(limiter.PauseApi(7, "sendall", 1000), t + 3'600'000);
  EXPECT_EQ(limiter.PauseApi(7, "draft/add", 0), t + RateLimiter::kFirstPauseMs);
  clock.Advance(RateLimiter::kFirstPauseMs);
  EXPECT_EQ(limiter.PausedApis(7).count("draft/add"), 0u) << "ended";
  EXPECT_EQ(limiter.PauseApi(7, "draft/add", 0), clock.Now() + 2 * RateLimiter::kFirstPauseMs);
  clock.Advance(3'600'000);
  EXPECT_TRUE(limiter.PausedApis(7).empty());
}

}  // namespace
}  // namespace gd
