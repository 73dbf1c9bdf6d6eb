// The one-time `state` of an authorisation in progress (channels/oauth.h), with hostile callbacks:
// absent, malformed, unknown, expired, reused, or from another session — none gives an account.
#include <gtest/gtest.h>

#include "channels/oauth.h"
#include "tests/support/status_matchers.h"

namespace gd::channels {
namespace {

TEST(OAuthStatesTest, AStateIsTakenOnceBySessionThatStartedIt) {
  FakeClock clock(1'000'000);
  OAuthStates states(clock, 600'000);
  std::string s = states.Begin("session-a", 42);
  EXPECT_GE(s.size(), 32u);
  EXPECT_NE(states.Begin("session-a", 42), s) << "random, never repeated";
  EXPECT_THAT(states.Take(s, "session-b"), StatusIs(Code::kPermissionDenied));
  auto ok = states.Take(s, "session-a");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(*ok, 42);
  EXPECT_THAT(states.Take(s, "session-a"), StatusIs(Code::kFailedPrecondition, "oauth_state_used"));
}

TEST(OAuthStatesTest, HostileStatesGiveNoAccount) {
  FakeClock clock(1'000'000);
  OAuthStates states(clock, 600'000);
  std::string s = states.Begin("session-a", 7);
  EXPECT_THAT(states.Take("", "session-a"), StatusIs(Code::kInvalidArgument));
  EXPECT_THAT(states.Take(std::string(10000, 'x'), "session-a"), StatusIs(Code::kInvalidArgument));
  EXPECT_THAT(states.Take("不存在的state", "session-a"), StatusIs(Code::kNotFound));
  EXPECT_THAT(states.Take(s + "x", "session-a"), StatusIs(Code::kNotFound));
  EXPECT_THAT(states.Take(s.substr(1), "session-a"), StatusIs(Code::kNotFound));
  EXPECT_THAT(states.Take(s, ""), StatusIs(Code::kPermissionDenied));
  clock.Advance(600'000);
  EXPECT_THAT(states.Take(s, "session-a"),
              StatusIs(Code::kFailedPrecondition, "oauth_state_expired"));
  EXPECT_THAT(states.Take(s, "session-a"), StatusIs(Code::kNotFound));
}

TEST(OAuthStatesTest, PendingStatesAreBounded) {
  FakeClock clock(1'000'000);
  OAuthStates states(clock, 600'000, 3);
  std::string first = states.Begin("s", 1);
  clock.Advance(1);
  for (int i = 0; i < 3; ++i) states.Begin("s", 2 + i);
  EXPECT_THAT(states.Take(first, "s"), StatusIs(Code::kNotFound)) << "the oldest made room";
}

}  // namespace
}  // namespace gd::channels
