// Channel accounts as records (docs/api.md §4): operators configure each
// platform account; secrets are sealed with AES-256-GCM, write-only, never returned or logged.
//
// Secrets stay with their host (issue 12, docs/decisions.md): a sealed value is bound to the
// account's id, kind and base-URL origin; changing the kind or the origin through the API clears
// the secrets and forgets the account's access tokens; base URLs are https:// (plain http://
// only to loopback hosts).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "channels/channel.h"
#include "dispatcher/accounts/account_service.h"
#include "dispatcher/model/channel_account.h"
#include "dispatcher/store/db.h"

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
  std::optional<std::string> kind = {};  // a new kind clears the stored secrets
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

  // Called with an account id after a commit that changed its kind or host: every access token
  // obtained for it belongs to the old host and must be forgotten (the token cache). Set once,
  // before serving.
  void SetTokenForgetter(std::function<void(int64_t account_id)> forget) {
    forget_tokens_ = std::move(forget);
  }

  // Adds to each account's view what other services know of it (the authorisation's state,
  // dispatcher/channel_accounts/channel_oauth.h). Called outside any transaction. Set once,
  // before serving.
  void SetViewExtras(std::function<void(Json& view)> extras) { view_extras_ = std::move(extras); }

  // Migration at open (docs/decisions.md): re-seals every value in the pre-binding format
  // ("v1:", bound to the id only) bound to the row's current kind and origin, in one
  // transaction, with a `channel.secrets_rebound` audit row each. Values that do not open
  // (another master key) are left as they are and logged. Returns the number re-sealed.
  StatusOr<int> RebindLegacySecrets();

  // GET /api/channel-kinds: every channel kind of the registry with its account schema,
  // per-ticket options and covers ({"items": [...]}, docs/api.md §7).
  static Json Kinds();

  StatusOr<Json> Create(const AuthContext& who, const ChannelCreate& request);
  StatusOr<Json> Patch(const AuthContext& who, int64_t id, const ChannelPatch& patch);
  StatusOr<Json> List(const AuthContext& who);
  StatusOr<Json> Get(const AuthContext& who, int64_t id);
  // Tries the stored credentials. 409 "请重新填写凭据" without calling anyone when they are
  // missing or do not open for this row (cleared by a host change, moved from another row).
  StatusOr<Json> Test(const AuthContext& who, int64_t id, const CredentialTester& tester);

  // The account `id` if `who` may see it; kNotFound otherwise.
  StatusOr<ChannelAccountRow> Row(const AuthContext& who, int64_t id) const;
  // Stores what an authorisation granted (channels/oauth.h): `settings` merged into the account's
  // settings, `secrets` (the tokens) into its sealed secrets, audited as channel.oauth_connected
  // with `audit` added. Refused with 409 oauth_account_changed when the account's kind, host or
  // settings differ from `was` (what the authorisation started with). The account's view.
  StatusOr<Json> ApplyGrant(const AuthContext& who, const ChannelAccountRow& was,
                            const Json& settings, const Json& secrets, const Json& audit);

  // Decrypted secrets, for the clients only, at the moment they need them. An error when the
  // sealed value does not open for this row's id, kind and origin.
  StatusOr<Json> Secrets(const ChannelAccountRow& row) const;
  // Seals `secrets` bound to `row`'s id, kind and base-URL origin.
  StatusOr<std::string> Seal(const ChannelAccountRow& row, const Json& secrets) const;
  // The account as the API shows it: secrets as "***" keys only.
  Json View(const ChannelAccountRow& row) const;

 private:
  Status Validate(const std::string& kind, const std::string& base_url, const Json& settings,
                  const Json& secrets) const;
  void AddExtras(Json& view) const;
  Store& store_;
  std::string key_;
  std::function<void(int64_t)> forget_tokens_;
  std::function<void(Json&)> view_extras_;
};

// The account as the channel clients take it.
channels::Account ClientAccount(const ChannelAccountRow& row, const std::string& unit_name = "");

// Whether `who` may see an account of `unit_id` (0 = city-wide).
bool CanSeeChannel(const AuthContext& who, int64_t unit_id);

// A channel base URL checked strictly: scheme http or https, a host (DNS name, dotted-quad IPv4
// or bracketed IPv6), an optional port, an optional path; no user info, percent-encoding,
// backslash, query, fragment, spaces or other IPv4 spellings. `origin` is
// "scheme://host:port" in lower case with the default port filled in.
struct BaseUrl {
  std::string scheme, host, origin;
  int port = 0;
  bool loopback = false;  // 127.0.0.0/8, ::1, localhost
};
StatusOr<BaseUrl> ParseBaseUrl(const std::string& url);
// Accepted for a channel: https://, or http:// to a loopback host. 422 naming base_url.
Status CheckBaseUrl(const std::string& url);

}  // namespace gd
