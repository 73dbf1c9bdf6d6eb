#include "channels/token_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace gd::channels {
namespace {

// A store whose first `failures` saves fail (a locked or full database).
class FlakyTokenStore final : public TokenStore {
 public:
  explicit FlakyTokenStore(int failures) : failures_(failures) {}
  StatusOr<std::optional<Token>> Load(int64_t id) override { return inner_.Load(id); }
  Status Save(int64_t id, const Token& t) override {
    ++attempts_;
    if (failures_ > 0) {
      --failures_;
      return Unavailable("database is locked");
    }
    return inner_.Save(id, t);
  }
  Status Erase(int64_t id) override { return inner_.Erase(id); }
  std::optional<Token> Stored(int64_t id) { return *inner_.Load(id); }
  int attempts() const { return attempts_; }

 private:
  MemoryTokenStore inner_;
  int failures_;
  int attempts_ = 0;
};

// A platform that rotates refresh tokens (Kuaishou): each refresh voids the previous one.
Token Rotated(const FakeClock& clock, int n) {
  Token t;
  t.access_token = "access-" + std::to_string(n);
  t.refresh_token = "refresh-" + std::to_string(n);
  t.expires_at = clock.Now() + 60'000;
  return t;
}

TEST(TokenCacheTest, RotatedTokenIsStoredOnTheSecondTryWhenTheFirstSaveFails) {
  FakeClock clock(1'000'000);
  FlakyTokenStore store(1);
  TokenCache cache(clock, &store, 1000);
  auto got = cache.Get(
      3, [&](const std::optional<Token>&) -> StatusOr<Token> { return Rotated(clock, 1); });
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(store.attempts(), 2);
  ASSERT_TRUE(store.Stored(3).has_value());
  EXPECT_EQ(store.Stored(3)->refresh_token, "refresh-1");
}

TEST(TokenCacheTest, ATokenTheStoreRefusedIsStoredAgainOnNextUse) {
  FakeClock clock(1'000'000);
  FlakyTokenStore store(2);  // both tries of the fetch fail
  TokenCache cache(clock, &store, 1000);
  int fetches = 0;
  auto fetch = [&](const std::optional<Token>&) -> StatusOr<Token> {
    return Rotated(clock, ++fetches);
  };
  auto first = cache.Get(3, fetch);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->refresh_token, "refresh-1") << "the platform issued it: it is used";
  EXPECT_FALSE(store.Stored(3).has_value());

  auto second = cache.Get(3, fetch);  // from memory; the store works again
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->access_token, "access-1");
  EXPECT_EQ(fetches, 1);
  ASSERT_TRUE(store.Stored(3).has_value()) << "the only valid refresh token must reach the store";
  EXPECT_EQ(store.Stored(3)->refresh_token, "refresh-1");

  const int attempts = store.attempts();
  ASSERT_TRUE(cache.Get(3, fetch).ok());
  EXPECT_EQ(store.attempts(), attempts) << "once stored, not stored again";
}

// An authorisation's token (channels/oauth.h) replaces what is cached and stored, at once; the
// reading the account view uses sees it, and sees when it lives in memory only.
TEST(TokenCacheTest, AnInstalledGrantReplacesTheCachedTokenAndIsStored) {
  FakeClock clock(1'000'000);
  FlakyTokenStore store(0);
  TokenCache cache(clock, &store, 1000);
  int fetches = 0;
  auto fetch = [&](const std::optional<Token>&) -> StatusOr<Token> {
    return Rotated(clock, ++fetches);
  };
  ASSERT_TRUE(cache.Get(5, fetch).ok());
  Token granted = Rotated(clock, 99);
  ASSERT_TRUE(cache.Install(5, granted).ok());
  auto got = cache.Get(5, fetch);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->access_token, "access-99");
  EXPECT_EQ(fetches, 1) << "no fetch after the grant";
  ASSERT_TRUE(store.Stored(5).has_value());
  EXPECT_EQ(store.Stored(5)->refresh_token, "refresh-99");
  auto held = cache.Current(5);
  ASSERT_TRUE(held.ok());
  ASSERT_TRUE(held->token.has_value());
  EXPECT_EQ(held->token->access_token, "access-99");
  EXPECT_FALSE(held->unsaved);

  // A fresh process reads the stored one; an absent account has none.
  TokenCache later(clock, &store, 1000);
  auto loaded = later.Current(5);
  ASSERT_TRUE(loaded.ok() && loaded->token.has_value());
  EXPECT_EQ(loaded->token->refresh_token, "refresh-99");
  auto none = later.Current(6);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->token.has_value());
}

TEST(TokenCacheTest, AGrantTheStoreRefusedIsKeptAndSaidToBeInMemoryOnly) {
  FakeClock clock(1'000'000);
  FlakyTokenStore store(1);
  TokenCache cache(clock, &store, 1000);
  EXPECT_FALSE(cache.Install(7, Rotated(clock, 1)).ok());
  auto held = cache.Current(7);
  ASSERT_TRUE(held.ok() && held->token.has_value());
  EXPECT_TRUE(held->unsaved);
  // The next use stores it.
  auto got = cache.Get(
      7, [&](const std::optional<Token>&) -> StatusOr<Token> { return Rotated(clock, 2); });
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->access_token, "access-1");
  ASSERT_TRUE(store.Stored(7).has_value());
  EXPECT_FALSE(cache.Current(7)->unsaved);
}

TEST(TokenCacheTest, SingleFlightAcrossThreads) {
  FakeClock clock(1'000'000);
  MemoryTokenStore store;
  TokenCache cache(clock, &store, 1000);
  std::atomic<int> fetches{0};
  auto fetch = [&](const std::optional<Token>&) -> StatusOr<Token> {
    ++fetches;
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    Token t;
    t.access_token = "tok" + std::to_string(fetches.load());
    t.expires_at = clock.Now() + 60'000;
    return t;
  };
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto t = cache.Get(7, fetch);
      if (t.ok() && t->access_token == "tok1") ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(fetches.load(), 1);
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(store.saves(), 1);
  EXPECT_EQ(cache.fetch_count(7), 1);
}

TEST(TokenCacheTest, RefreshesBeforeExpiryAndOnInvalidate) {
  FakeClock clock(1'000'000);
  TokenCache cache(clock, nullptr, 5000);
  int n = 0;
  auto fetch = [&](const std::optional<Token>& cur) -> StatusOr<Token> {
    Token t;
    t.access_token = "t" + std::to_string(++n);
    t.refresh_token = cur ? cur->refresh_token + "+" : "r";
    t.expires_at = clock.Now() + 10'000;
    return t;
  };
  EXPECT_EQ(cache.Get(1, fetch)->access_token, "t1");
  clock.Advance(4000);
  EXPECT_EQ(cache.Get(1, fetch)->access_token, "t1");
  clock.Advance(4500);  // 1.5 s left: outside the 5 s margin's cap of a tenth of the 10 s life
  EXPECT_EQ(cache.Get(1, fetch)->access_token, "t1");
  clock.Advance(1000);  // 0.5 s left: within it
  auto t2 = cache.Get(1, fetch);
  EXPECT_EQ(t2->access_token, "t2");
  EXPECT_EQ(t2->refresh_token, "r+");       // the fetcher saw the token it replaces
  EXPECT_FALSE(cache.Invalidate(1, "t1"));  // stale: already replaced
  EXPECT_TRUE(cache.Invalidate(1, "t2"));
  EXPECT_EQ(cache.Get(1, fetch)->access_token, "t3");
}

TEST(TokenCacheTest, LongLivedTokensRefreshTheFullMarginEarly) {
  FakeClock clock(1'000'000);
  TokenCache cache(clock, nullptr);  // the default 5 min margin
  int n = 0;
  auto fetch = [&](const std::optional<Token>&) -> StatusOr<Token> {
    Token t;
    t.access_token = "t" + std::to_string(++n);
    t.expires_at = clock.Now() + 7'200'000;  // WeChat: 2 h
    return t;
  };
  EXPECT_EQ(cache.Get(1, fetch)->access_token, "t1");
  clock.Advance(7'200'000 - 301'000);
  EXPECT_EQ(cache.Get(1, fetch)->access_token, "t1");
  clock.Advance(2'000);  // 4 min 59 s left
  EXPECT_EQ(cache.Get(1, fetch)->access_token, "t2");
}

TEST(TokenCacheTest, LoadsFromStoreAndSeedsWithoutFetching) {
  FakeClock clock(1'000'000);
  MemoryTokenStore store;
  Token saved;
  saved.access_token = "persisted";
  saved.expires_at = clock.Now() + 3'600'000;
  ASSERT_TRUE(store.Save(3, saved).ok());
  TokenCache cache(clock, &store);
  auto never = [](const std::optional<Token>&) -> StatusOr<Token> {
    return Unavailable("must not fetch");
  };
  EXPECT_EQ(cache.Get(3, never)->access_token, "persisted");
  auto seeded = cache.Get(4, never, [] {
    Token t;
    t.access_token = "from-secrets";
    return std::optional<Token>(t);
  });
  ASSERT_TRUE(seeded.ok());
  EXPECT_EQ(seeded->access_token, "from-secrets");
  EXPECT_EQ(cache.fetch_count(3), 0);
}

TEST(TokenCacheTest, FetchErrorIsSharedAndRetriedLater) {
  FakeClock clock(0);
  TokenCache cache(clock, nullptr);
  int calls = 0;
  auto failing = [&](const std::optional<Token>&) -> StatusOr<Token> {
    ++calls;
    return Status(Code::kUnauthenticated, "bad secret");
  };
  EXPECT_EQ(cache.Get(1, failing).status().code(), Code::kUnauthenticated);
  EXPECT_EQ(cache.Get(1, failing).status().code(), Code::kUnauthenticated);
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace gd::channels
