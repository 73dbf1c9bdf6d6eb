// The authorisation-code half of a fake platform's OAuth (docs/channels-protocols.md, conformance
// tables: Weibo /oauth2/authorize, Douyin /platform/oauth/connect/, Kuaishou /oauth2/authorize):
// the authorise page a person sees, the redirect back with `code` and `state`, and single-use
// codes with the platform's lifetime. Not thread-safe: the owning sandbox locks.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "channels/sandbox/platform.h"

namespace gd::channels::sandbox {

class AuthGrants {
 public:
  // `code_ttl_ms`: how long an issued code can be exchanged.
  explicit AuthGrants(TimeMs code_ttl_ms) : ttl_(code_ttl_ms) {}

  // The redirect URI registered for app `app` (a prefix match, as the platforms compare the
  // registered callback address). An app without one refuses every authorisation.
  void SetRedirect(const std::string& app, const std::string& redirect_uri);
  bool RedirectAllowed(const std::string& app, const std::string& redirect_uri) const;

  // GET of the authorise page: `app` and `redirect_uri` come from the query. Answers an HTML page
  // naming `app_label` with a 授权 button (a GET form to `approve_path` carrying the query), or
  // an HTML error page when the app or redirect URI is wrong.
  SbResponse Page(const SbRequest& req, const std::string& app_param, const std::string& app_label,
                  const std::string& approve_path) const;
  // The 授权 button: issues a code for (app, open id `subject`) and redirects to redirect_uri
  // with code and state.
  SbResponse Approve(const SbRequest& req, const std::string& app_param, const std::string& subject,
                     Env& env);

  struct Grant {
    std::string app, subject, redirect_uri;
  };
  // Redeems `code` once. nullopt: unknown, used or expired (the platform's error is the caller's).
  std::optional<Grant> Redeem(const std::string& code, TimeMs now);

 private:
  struct Issued {
    Grant grant;
    TimeMs expires_at = 0;
    bool used = false;
  };
  TimeMs ttl_;
  std::map<std::string, std::string> redirects_;
  std::map<std::string, Issued> codes_;
};

// A platform sandbox with the authorisation-code flow put in front of it (Weibo, Kuaishou): serves
// the authorise page at `authorize_path` and its approve button, checks redirect_uri against the
// app's registered address (POST <prefix>/_sandbox/oauth {"redirect_uri"} registers it for app
// "sandbox"), and at `token_path` redeems a code once, within its lifetime, through `exchange`
// (which asks the wrapped sandbox for a token). Everything else goes to the wrapped sandbox.
struct OAuthFront {
  std::string authorize_path;  // e.g. "/oauth2/authorize"
  std::string token_path;      // e.g. "/oauth2/access_token"
  std::string app_param;       // the query field naming the app: "client_id", "app_id"
  std::string label;           // "新浪微博"
  TimeMs code_ttl_ms = 10 * 60 * 1000;
  // The platform's error answer for an unknown, used or expired code.
  SbResponse (*bad_code)(const SbRequest& req) = nullptr;
  // The token answer for a redeemed code; may call `inner`.
  SbResponse (*exchange)(const SbRequest& req, PlatformSandbox& inner) = nullptr;
};
std::unique_ptr<PlatformSandbox> WithOAuth(std::unique_ptr<PlatformSandbox> inner, Env& env,
                                           OAuthFront front);

// `url` with `params` appended as a query (after '?' or '&').
std::string AppendQuery(const std::string& url,
                        const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace gd::channels::sandbox
