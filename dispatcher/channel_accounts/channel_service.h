// Channel accounts as records (API.md "Media, channels, records"): operators configure each
// platform account; secrets are sealed with AES-256-GCM, write-only, never returned or logged.
#pragma once

#include <functional>
#include <string>

#include "dispatcher/accounts/account_service.h"
#include "dispatcher/store/store.h"

namespace gd {

// Tries an account's credentials against its platform; ok or a Chinese explanation.
using CredentialTester =
    std::function<Status(const ChannelAccountRow& account, const Json& secrets)>;

class ChannelService {
 public:
  ChannelService(Store& store, std::string master_key)
      : store_(store), key_(std::move(master_key)) {}

  StatusOr<Json> Create(const AuthContext& who, const Json& body);
  StatusOr<Json> Patch(const AuthContext& who, int64_t id, const Json& body);
  StatusOr<Json> List(const AuthContext& who);
  StatusOr<Json> Get(const AuthContext& who, int64_t id);
  StatusOr<Json> Test(const AuthContext& who, int64_t id, const CredentialTester& tester);

  // Decrypted secrets, for the clients only, at the moment they need them.
  StatusOr<Json> Secrets(const ChannelAccountRow& row) const;
  StatusOr<std::string> Seal(int64_t id, const Json& secrets) const;
  // The account as the API shows it: secrets as "***" keys only.
  Json View(const ChannelAccountRow& row) const;

 private:
  Status Validate(const std::string& kind, const std::string& base_url, const Json& settings,
                  const Json& secrets) const;
  Store& store_;
  std::string key_;
};

// Whether `who` may see an account of `unit_id` (0 = city-wide).
bool CanSeeChannel(const AuthContext& who, int64_t unit_id);

}  // namespace gd
