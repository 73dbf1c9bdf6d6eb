// Access tokens persisted encrypted (AES-256-GCM) in the store, so a restart does not spend the
// platforms' daily token quota.
#pragma once

#include "channels/token_cache.h"
#include "dispatcher/store/db.h"

namespace gd {

class SealedTokenStore final : public channels::TokenStore {
 public:
  SealedTokenStore(Store& store, std::string key) : store_(store), key_(std::move(key)) {}
  StatusOr<std::optional<channels::Token>> Load(int64_t account_id) override;
  Status Save(int64_t account_id, const channels::Token& token) override;
  Status Erase(int64_t account_id) override;

 private:
  Store& store_;
  std::string key_;
};

}  // namespace gd
