// Finding 5, the tokens' side: access tokens obtained with an account's credentials belong to
// the host they came from. TokenCache::Forget (called when an account's kind or host changes)
// drops them in memory and in the store, and a fetch already running keeps its token to itself.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "channels/token_cache.h"

namespace gd::channels {
namespace {

TEST(TokenForget, ForgetDropsCachedStoredAndStaleTokens) {
  FakeClock clock(1'000'000);
  MemoryTokenStore store;
  TokenCache cache(clock, &store, 1000);
  auto token = [&](const std::string& v) {
    Token t;
    t.access_token = v;
    t.refresh_token = v + "-refresh";
    t.expires_at = clock.Now() + 60'000;
    return t;
  };
  auto old_host = [&](const std::optional<Token>&) -> StatusOr<Token> { return token("old"); };
  ASSERT_EQ(cache.Get(5, old_host)->access_token, "old");
  ASSERT_TRUE(cache.Invalidate(5, "old")) << "now the stale token a refresh would be given";
  ASSERT_TRUE(cache.Forget(5).ok());
  EXPECT_FALSE(store.Load(5)->has_value()) << "the stored token was kept";

  std::optional<Token> handed;
  auto next = cache.Get(5, [&](const std::optional<Token>& current) -> StatusOr<Token> {
    handed = current;
    return token("new");
  });
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->access_token, "new");
  EXPECT_FALSE(handed.has_value()) << "the old host's refresh token went to the new host";
}

TEST(TokenForget, AFetchRunningDuringForgetIsNotKept) {
  FakeClock clock(1'000'000);
  MemoryTokenStore store;
  TokenCache cache(clock, &store, 1000);
  std::promise<void> entered, release;
  std::thread late([&] {
    auto t = cache.Get(9, [&](const std::optional<Token>&) -> StatusOr<Token> {
      entered.set_value();
      release.get_future().wait();
      Token t;
      t.access_token = "late-old-host";
      t.expires_at = clock.Now() + 60'000;
      return t;
    });
    EXPECT_TRUE(t.ok());  // the caller that started it still gets it (its call, its host)
  });
  entered.get_future().wait();
  ASSERT_TRUE(cache.Forget(9).ok());
  release.set_value();
  late.join();
  EXPECT_FALSE(store.Load(9)->has_value()) << "stored after the Forget";
  auto after = cache.Get(9, [&](const std::optional<Token>&) -> StatusOr<Token> {
    Token t;
    t.access_token = "fresh";
    return t;
  });
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->access_token, "fresh") << "cached after the Forget";
}

}  // namespace
}  // namespace gd::channels
