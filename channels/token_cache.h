// Access tokens cached per channel account, refreshed once (single flight) however many
// dispatch workers ask, invalidated on the platform's expiry codes, persisted through a
// TokenStore so a restart does not spend the platform's daily token quota.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "dispatcher/core/clock.h"
#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"

namespace gd::channels {

struct Token {
  std::string access_token;
  std::string refresh_token;  // empty where the platform issues none (WeChat, Weibo)
  TimeMs expires_at = 0;      // 0 = unknown (a user token from the account's secrets)
  TimeMs refresh_expires_at = 0;
  TimeMs issued_at = 0;

  Json ToJson() const;
  static std::optional<Token> FromJson(const Json& j);
};

// Persistence hook: the engine implements it over the database, encrypting the values (they are
// secrets). Load returns nullopt when nothing is stored. Must be thread-safe.
class TokenStore {
 public:
  virtual ~TokenStore() = default;
  virtual StatusOr<std::optional<Token>> Load(int64_t account_id) = 0;
  virtual Status Save(int64_t account_id, const Token& token) = 0;
  // Removes the stored token of `account_id` (absent is not an error).
  virtual Status Erase(int64_t account_id) = 0;
};

// For tests and the demo.
class MemoryTokenStore final : public TokenStore {
 public:
  StatusOr<std::optional<Token>> Load(int64_t account_id) override;
  Status Save(int64_t account_id, const Token& token) override;
  Status Erase(int64_t account_id) override;
  int saves() const;

 private:
  mutable std::mutex mu_;
  std::map<int64_t, Token> tokens_;
  int saves_ = 0;
};

// Thread-safe. One instance per process, shared by every client.
class TokenCache {
 public:
  // Obtains a new token. `current` is the token being replaced (possibly expired or rejected),
  // so platforms with refresh tokens can use it; nullopt when there is none.
  using Fetcher = std::function<StatusOr<Token>(const std::optional<Token>& current)>;

  // `store` may be null (nothing persisted). A token is refreshed `refresh_margin_ms` before its
  // expiry, or a tenth of its lifetime before it when that is shorter.
  TokenCache(const Clock& clock, TokenStore* store, TimeMs refresh_margin_ms = 5 * 60 * 1000);

  // The cached token of `account_id` if still usable, else the stored one, else (or when
  // `seed` provides one and nothing is cached) a fresh one from `fetch`. Only one fetch runs per
  // account at a time; concurrent callers wait for it and share its result (or its error).
  // `seed`, if given, supplies an initial token without a network call (user tokens kept in
  // the account's secrets); it is consulted only when neither memory nor the store has one.
  StatusOr<Token> Get(int64_t account_id, const Fetcher& fetch,
                      const std::function<std::optional<Token>()>& seed = nullptr);

  // The platform said `access_token` is expired or invalid. Drops it if it is still the cached
  // one (a token already replaced by another worker's refresh is left alone), so the next Get
  // fetches. Returns true if it was dropped.
  bool Invalidate(int64_t account_id, const std::string& access_token);

  // The account's credentials or host changed: every token obtained for it belongs to the old
  // host. Drops the cached and the stale token, erases the stored one, and makes a fetch
  // already running keep its result to itself (neither cached nor stored). The store is not
  // consulted again for this account in this process. Returns the store's error, if any.
  Status Forget(int64_t account_id);

  // A person authorised the account anew (channels/oauth.h): `token` replaces whatever is cached
  // or stored, and a fetch already running keeps its result to itself (as after Forget). Stored
  // before it is used; when the store fails the token is still cached, marked unsaved (stored
  // again on next use), and the store's error is returned.
  Status Install(int64_t account_id, const Token& token);

  // The token the account would use now, as far as known without a network call: the cached one,
  // else the stored one (nullopt: none). `unsaved`: it lives in memory only, the store having
  // failed (a restart would lose it).
  struct Held {
    std::optional<Token> token;
    bool unsaved = false;
  };
  StatusOr<Held> Current(int64_t account_id);

  // Number of successful fetches for `account_id` (for metrics and tests).
  int64_t fetch_count(int64_t account_id) const;

  // Fetches so far per account: successful and failed (for /metrics).
  struct FetchCounts {
    int64_t ok = 0;
    int64_t failed = 0;
  };
  std::map<int64_t, FetchCounts> Counts() const;

 private:
  struct Entry {
    std::optional<Token> token;
    std::optional<Token> stale;  // the last invalidated/expired token, handed to the fetcher
    bool loaded = false;         // the store was consulted
    bool fetching = false;
    uint64_t generation = 0;  // bumped when a fetch finishes
    uint64_t epoch = 0;       // bumped by Forget: results of older fetches are not kept
    Status last_error;
    int64_t fetches = 0;
    int64_t failed_fetches = 0;
    // The cached token could not be stored. Platforms that rotate refresh tokens (Kuaishou)
    // void the old one when they issue a new one, so the only valid refresh token would live in
    // memory alone: every later Get tries to store it again until one succeeds.
    bool unsaved = false;
  };
  bool Usable(const Token& t) const;
  // Stores `t` unless a Forget came after `epoch`; returns whether it is stored. Takes
  // store_mu_ then mu_; call with neither held.
  bool Save(int64_t account_id, const Token& t, uint64_t epoch);

  const Clock& clock_;
  TokenStore* store_;
  TimeMs margin_;
  mutable std::mutex mu_;
  // Serialises store_->Save against Forget's store_->Erase, so that a fetch that started before
  // a Forget cannot store its token after the erase. Taken before mu_, never inside it.
  std::mutex store_mu_;
  std::condition_variable cv_;
  std::map<int64_t, Entry> entries_;
};

}  // namespace gd::channels
