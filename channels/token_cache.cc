#include "channels/token_cache.h"

#include <algorithm>

#include "dispatcher/core/log.h"

namespace gd::channels {

Json Token::ToJson() const {
  return Json{{"access_token", access_token},
              {"refresh_token", refresh_token},
              {"expires_at", expires_at},
              {"refresh_expires_at", refresh_expires_at},
              {"issued_at", issued_at}};
}

std::optional<Token> Token::FromJson(const Json& j) {
  if (!j.is_object() || !j.contains("access_token") || !j["access_token"].is_string()) {
    return std::nullopt;
  }
  Token t;
  t.access_token = j["access_token"].get<std::string>();
  t.refresh_token = j.value("refresh_token", "");
  t.expires_at = j.value("expires_at", int64_t{0});
  t.refresh_expires_at = j.value("refresh_expires_at", int64_t{0});
  t.issued_at = j.value("issued_at", int64_t{0});
  return t;
}

StatusOr<std::optional<Token>> MemoryTokenStore::Load(int64_t account_id) {
  std::lock_guard lock(mu_);
  auto it = tokens_.find(account_id);
  if (it == tokens_.end()) return std::optional<Token>();
  return std::optional<Token>(it->second);
}

Status MemoryTokenStore::Save(int64_t account_id, const Token& token) {
  std::lock_guard lock(mu_);
  tokens_[account_id] = token;
  ++saves_;
  return Status::Ok();
}

Status MemoryTokenStore::Erase(int64_t account_id) {
  std::lock_guard lock(mu_);
  tokens_.erase(account_id);
  return Status::Ok();
}

int MemoryTokenStore::saves() const {
  std::lock_guard lock(mu_);
  return saves_;
}

TokenCache::TokenCache(const Clock& clock, TokenStore* store, TimeMs refresh_margin_ms)
    : clock_(clock), store_(store), margin_(refresh_margin_ms) {}

bool TokenCache::Usable(const Token& t) const {
  if (t.access_token.empty()) return false;
  if (t.expires_at == 0) return true;
  // Refresh `margin_` early, but never more than a tenth of the token's lifetime early: a token
  // that lives seconds (a platform under test, a short-lived grant) is still used for nine
  // tenths of its life instead of being refreshed on every use.
  TimeMs margin = margin_;
  if (t.issued_at > 0 && t.expires_at > t.issued_at) {
    margin = std::min(margin, (t.expires_at - t.issued_at) / 10);
  }
  return clock_.Now() + margin < t.expires_at;
}

StatusOr<Token> TokenCache::Get(int64_t account_id, const Fetcher& fetch,
                                const std::function<std::optional<Token>()>& seed) {
  std::unique_lock lock(mu_);
  Entry& e = entries_[account_id];
  for (;;) {
    if (e.token && Usable(*e.token)) {
      Token t = *e.token;
      if (e.unsaved && !e.fetching) {
        const uint64_t epoch = e.epoch;
        lock.unlock();
        (void)Save(account_id, t, epoch);
      }
      return t;
    }
    if (!e.fetching) break;
    // Another caller is fetching: wait for it and share its outcome.
    uint64_t gen = e.generation;
    cv_.wait(lock, [&] { return !e.fetching || e.generation != gen; });
    if (e.generation != gen) {
      if (e.token && Usable(*e.token)) return *e.token;
      if (!e.last_error.ok()) return e.last_error;
    }
  }
  if (e.token) {  // expired (or about to): keep it for the fetcher's refresh token
    e.stale = e.token;
    e.token.reset();
  }
  e.fetching = true;
  const uint64_t epoch = e.epoch;
  bool need_load = !e.loaded && store_ != nullptr;
  e.loaded = true;
  std::optional<Token> current = e.stale;
  lock.unlock();

  std::optional<Token> found;
  if (need_load) {
    auto loaded = store_->Load(account_id);
    if (loaded.ok() && loaded->has_value()) {
      if (Usable(**loaded)) {
        found = **loaded;
      } else {
        current = **loaded;
      }
    }
  }
  if (!found && !current && seed) {
    std::optional<Token> seeded = seed();
    if (seeded && Usable(*seeded)) found = seeded;
  }
  Status error;
  bool fetched = false;
  bool saved = true;
  if (!found) {
    StatusOr<Token> got = fetch(current);
    if (got.ok()) {
      Token t = std::move(got).value();
      if (t.issued_at == 0) t.issued_at = clock_.Now();
      if (t.refresh_token.empty() && current) t.refresh_token = current->refresh_token;
      // Stored before it is used; when the store fails twice the token is still used (the
      // platform has issued it, and may have voided the previous refresh token) and kept marked
      // unsaved, so later uses store it.
      saved = store_ == nullptr || Save(account_id, t, epoch) || Save(account_id, t, epoch);
      found = std::move(t);
      fetched = true;
    } else {
      error = got.status();
    }
  }
  const bool fetch_failed = !found && !error.ok();

  lock.lock();
  Entry& e2 = entries_[account_id];
  e2.fetching = false;
  ++e2.generation;
  e2.last_error = error;
  if (found && e2.epoch == epoch) {
    e2.token = found;
    e2.stale.reset();
    if (fetched) e2.unsaved = !saved;
  }
  if (fetched) ++e2.fetches;
  if (fetch_failed) ++e2.failed_fetches;
  cv_.notify_all();
  if (!found) return error;
  return *found;
}

bool TokenCache::Save(int64_t account_id, const Token& t, uint64_t epoch) {
  std::lock_guard store_lock(store_mu_);
  {
    std::lock_guard check(mu_);
    Entry& e = entries_[account_id];
    if (e.epoch != epoch) return false;  // forgotten meanwhile: the token is not ours to keep
    if (e.unsaved && e.token && e.token->access_token != t.access_token) return false;
  }
  Status st = store_->Save(account_id, t);
  std::lock_guard lock(mu_);
  Entry& e = entries_[account_id];
  if (!st.ok()) {
    log::Error(
        "channel account {}: access token not stored ({}); kept in memory, storing it "
        "again on next use",
        account_id, st.ToString());
    return false;
  }
  if (e.epoch == epoch && e.token && e.token->access_token == t.access_token) e.unsaved = false;
  return true;
}

bool TokenCache::Invalidate(int64_t account_id, const std::string& access_token) {
  std::lock_guard lock(mu_);
  Entry& e = entries_[account_id];
  if (e.token && e.token->access_token == access_token) {
    e.stale = e.token;
    e.token.reset();
    e.loaded = true;  // the stored copy is the same bad token
    return true;
  }
  return false;
}

Status TokenCache::Forget(int64_t account_id) {
  {
    std::lock_guard lock(mu_);
    Entry& e = entries_[account_id];
    ++e.epoch;
    e.token.reset();
    e.stale.reset();
    e.loaded = true;
    e.last_error = Status::Ok();
  }
  if (store_ == nullptr) return Status::Ok();
  std::lock_guard store_lock(store_mu_);
  return store_->Erase(account_id);
}

Status TokenCache::Install(int64_t account_id, const Token& token) {
  uint64_t epoch = 0;
  {
    std::lock_guard lock(mu_);
    Entry& e = entries_[account_id];
    epoch = ++e.epoch;
    e.token = token;
    e.stale.reset();
    e.loaded = true;
    e.last_error = Status::Ok();
    e.unsaved = store_ != nullptr;
  }
  if (store_ == nullptr) return Status::Ok();
  if (Save(account_id, token, epoch)) return Status::Ok();
  return Unavailable("授权令牌未能保存，已暂存于内存，将在下次使用时重试保存");
}

StatusOr<TokenCache::Held> TokenCache::Current(int64_t account_id) {
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(account_id);
    if (it != entries_.end() && (it->second.token || it->second.loaded || store_ == nullptr)) {
      const Entry& e = it->second;
      return Held{e.token ? e.token : e.stale, e.unsaved};
    }
  }
  if (store_ == nullptr) return Held{};
  GD_ASSIGN_OR_RETURN(std::optional<Token> stored, store_->Load(account_id));
  return Held{std::move(stored), false};
}

int64_t TokenCache::fetch_count(int64_t account_id) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(account_id);
  return it == entries_.end() ? 0 : it->second.fetches;
}

std::map<int64_t, TokenCache::FetchCounts> TokenCache::Counts() const {
  std::lock_guard lock(mu_);
  std::map<int64_t, FetchCounts> out;
  for (const auto& [id, e] : entries_)
    if (e.fetches > 0 || e.failed_fetches > 0) out[id] = {e.fetches, e.failed_fetches};
  return out;
}

}  // namespace gd::channels
