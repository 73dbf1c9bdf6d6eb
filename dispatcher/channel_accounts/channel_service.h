// Channel accounts as records (API.md "Media, channels, records"): operators configure each
// platform account; secrets are sealed with AES-256-GCM, write-only, never returned or logged.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "dispatcher/accounts/account_service.h"
#include "dispatcher/store/store.h"

namespace gd {

// Tries an account's credentials against its platform; ok or a Chinese explanation.
using CredentialTester =
    std::function<Status(const ChannelAccountRow& account, const Json& secrets)>;

// POST /api/channels, as decoded at the edge: settings hold strings (integers for the tuning
// knobs, an object of strings for the portal's column slugs), secrets strings. The unit comes
// first so that a braced JSON object never converts to this by mistake.
struct ChannelCreate {
  int64_t unit_id = 0;  // 0 = city-wide
  std::string kind = {};
  std::string name = {};
  std::string base_url = {};
  Json settings = Json::object();
  std::map<std::string, std::string> secrets = {};
};

// PATCH /api/channels/{id}: only what is given changes.
struct ChannelPatch {
  std::optional<std::string> name = {};
  std::optional<std::string> base_url = {};
  std::optional<bool> disabled = {};
  std::optional<Json> settings = {};  // merged into the current ones; a null removes a setting
  // nullopt removes a secret; "***" (the console's echo of the mask) keeps it.
  std::optional<std::map<std::string, std::optional<std::string>>> secrets = {};
};

class ChannelService {
 public:
  ChannelService(Store& store, std::string master_key)
      : store_(store), key_(std::move(master_key)) {}

  StatusOr<Json> Create(const AuthContext& who, const ChannelCreate& request);
  StatusOr<Json> Patch(const AuthContext& who, int64_t id, const ChannelPatch& patch);
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
