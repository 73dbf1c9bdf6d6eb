// The authorisation-code flow of a platform (issue 14: operators connect accounts by authorising,
// not by pasting tokens). A registry entry (channels/builtin_channels.h) points to one of these
// when its platform has the flow; the server drives it without naming the platform:
// POST /api/channel-accounts/{id}/oauth/start → AuthorizeUrl, the platform's redirect to
// GET /api/oauth/callback → ExchangeCode, the tokens stored sealed.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "channels/builtin_channels.h"
#include "channels/channel.h"
#include "channels/token_cache.h"
#include "channels/transport.h"
#include "dispatcher/core/clock.h"
#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"

namespace gd::channels {

// The account settings every OAuth entry adds (see OAuthSettings()).
inline constexpr const char* kOAuthRedirectSetting = "oauth_redirect_uri";
inline constexpr const char* kOAuthScopeSetting = "oauth_scope";

struct OAuthExchange {
  Transport* transport = nullptr;
  const Clock* clock = nullptr;
  int timeout_ms = 10000;
  const Account* account = nullptr;
  Json secrets = Json::object();  // the account's sealed secrets, opened (app secret)
  std::string code;
  std::string redirect_uri;
};

struct OAuthGrant {
  Token token;                     // access and refresh tokens with their expiries
  Json settings = Json::object();  // settings the grant determines (e.g. {"open_id": …})
};

// How a platform's token answer names its fields (channels/<kind>/oauth.cc).
struct GrantFields {
  int64_t expires_in_default_s = 0;     // when the answer omits expires_in (0: unknown)
  std::string refresh_expires_in = {};  // the refresh token's lifetime field ("": none)
  int64_t refresh_expires_in_default_s = 0;
  std::string user_setting = {};  // the account setting the answer's user id fills ("open_id")
  std::string user_field = {};    // its field in the answer (default: user_setting)
};
// The grant of token answer `j` received at `now`: access_token, refresh_token, expires_in and
// the refresh lifetime (integers, or numeric strings as some platforms send them), the user id
// setting. kUnavailable-free: a missing access token is the caller's to judge.
OAuthGrant GrantFromAnswer(const Json& j, TimeMs now, const GrantFields& fields);

struct OAuthSpec {
  // The platform's authorise page for `account` (its app key, registered redirect URI and scopes
  // from its settings), carrying `state`. kInvalidArgument (Chinese, naming the field) when a
  // setting is missing.
  StatusOr<std::string> (*authorize_url)(const Account& account,
                                         const std::string& state) = nullptr;
  // Exchanges a code through the platform's token endpoint. Errors are the client's usual
  // Chinese platform errors.
  StatusOr<OAuthGrant> (*exchange_code)(const OAuthExchange& in) = nullptr;
  // The account secret the exchange needs (the app's secret): checked before the operator is
  // sent to the platform, so a missing one is said at once rather than after authorising.
  const char* secret = "app_secret";
  // Days before the refresh token (or, without one, the access token) ends in which the
  // operator is reminded to authorise again.
  int warn_days = 7;
};

// The account fields of an OAuth entry: the callback address registered with the platform
// (this server's /api/oauth/callback) and the scopes asked for.
Field OAuthRedirectField();
Field OAuthScopeField(std::string default_scope, std::string help);

// The reminder for a stored token of an OAuth account, or "" when none is due: the grant ends
// within `spec.warn_days` of `now` (or has ended). Chinese.
std::string OAuthTokenWarning(const OAuthSpec& spec, const Token& token, TimeMs now);

// The one-time `state` values of authorisations in progress (for the server's
// POST /api/channel-accounts/{id}/oauth/start and GET /api/oauth/callback): each is random, bound
// to the operator's session and the account, usable once, and expires after `ttl_ms`. Kept in
// memory: a restart voids the authorisations in progress (the operator starts again). Thread-safe.
class OAuthStates {
 public:
  explicit OAuthStates(const Clock& clock, TimeMs ttl_ms = 10 * 60 * 1000,
                       size_t max_pending = 10000);
  // A fresh state for `account_id`, started by the session `session_id`.
  std::string Begin(const std::string& session_id, int64_t account_id);
  // Takes `state` for the session `session_id`: the account it was issued for. Errors (Chinese):
  // kInvalidArgument when absent or malformed, kNotFound when unknown, kFailedPrecondition when
  // expired or already used, kPermissionDenied when another session started it (that state stays
  // usable by its own session).
  StatusOr<int64_t> Take(const std::string& state, const std::string& session_id);

 private:
  struct Pending {
    std::string session_id;
    int64_t account_id = 0;
    TimeMs expires_at = 0;
    bool used = false;
  };
  void Prune(TimeMs now);  // drops entries past their expiry (used ones included)

  const Clock& clock_;
  TimeMs ttl_;
  size_t max_;
  std::mutex mu_;
  std::map<std::string, Pending> pending_;
};

}  // namespace gd::channels
