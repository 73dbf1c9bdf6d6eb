// Operators connect a channel account by authorising it on the platform instead of pasting
// tokens (issue 14; docs/api.md §4.3). The flow, for any kind whose registry entry has an
// OAuthSpec (channels/oauth.h), without naming a platform:
//
//   1. POST /api/channels/{id}/oauth/start: a one-time `state` bound to the operator's session
//      and the account; the answer is the platform's authorise page, which the console opens.
//   2. The platform sends the browser back to GET /api/oauth/callback?code=…&state=… (public: the
//      session cookie is SameSite=Strict, so a navigation from the platform's site arrives
//      without it). The route only checks the parameters' shape and redirects to the console's
//      渠道账号 page with them in the URL fragment, which browsers never send to a server.
//   3. The console, now a same-site page with the operator's session, posts them to
//      POST /api/oauth/complete: the state is taken (once, by the session that started it, within
//      ten minutes), the code exchanged at the platform's token endpoint, the tokens sealed into
//      the account's secrets and installed in the token cache (persisted sealed), the settings
//      the grant determines (the platform's user id) merged, all audited.
//
// Each account's view then carries "oauth": whether it is authorised, until when, and the
// reminder N days before the grant can no longer be renewed (channels::OAuthTokenWarning).
#pragma once

#include <string>

#include "channels/oauth.h"
#include "channels/token_cache.h"
#include "channels/transport.h"
#include "dispatcher/channel_accounts/channel_service.h"
#include "dispatcher/channel_accounts/token_keeper.h"

namespace gd {

class ChannelOAuthService {
 public:
  struct Deps {
    ChannelService* channels = nullptr;
    const Clock* clock = nullptr;
    channels::Transport* transport = nullptr;
    channels::TokenCache* tokens = nullptr;
    const TokenKeeper* keeper = nullptr;  // optional: its daily checks shown in the view
    int timeout_ms = 10000;
  };
  explicit ChannelOAuthService(Deps deps);

  // Step 1: {"authorize_url", "expires_in"}. kNotFound (no such account), 422 oauth_unsupported
  // (its kind has no authorisation flow), 422 naming the missing setting, 409 when the account's
  // secrets (the app secret) are missing or do not open.
  StatusOr<Json> Start(const AuthContext& who, int64_t account_id);

  // Step 3: {"account": view, "message"}. The state's errors (channels::OAuthStates::Take), the
  // platform's (Chinese) when the exchange fails, 409 oauth_account_changed when the account was
  // changed meanwhile. Nothing is stored unless everything succeeded.
  StatusOr<Json> Complete(const AuthContext& who, const std::string& state,
                          const std::string& code);

  // Adds "oauth" to an account's view when its kind has the flow (ChannelService view extras):
  // {"connected", "expires_at", "refresh_expires_at", "warning", "unsaved", "last_check"}
  // (last_check: the keeper's daily check, {"at", "ok", "message"}, or null).
  void AddStatus(Json& view);

 private:
  Deps deps_;
  channels::OAuthStates states_;
};

// The shapes GET /api/oauth/callback accepts (checked before anything is echoed into a URL):
// a state of 1–128 characters [A-Za-z0-9_-]; a code of 1–1024 printable ASCII characters
// without spaces; an error name of 1–64 characters [A-Za-z0-9_.-].
bool OAuthStateShapeOk(const std::string& state);
bool OAuthCodeShapeOk(const std::string& code);
bool OAuthErrorShapeOk(const std::string& error);

// Where GET /api/oauth/callback sends the browser: the console's 渠道账号 page with the
// platform's answer in the fragment — "oauth_state" and "oauth_code", or "oauth_error" (the
// platform's error name, or "bad_request" when a parameter is missing or malformed). Parameters
// of the wrong shape are never echoed.
std::string OAuthConsoleLocation(const std::string& state, const std::string& code,
                                 const std::string& error);

}  // namespace gd
