#include "channels/sandbox/oauth_grant.h"

#include <mutex>

#include "channels/transport.h"
#include "dispatcher/render/sanitizer.h"

namespace gd::channels::sandbox {
namespace {

std::string Escape(const std::string& s) { return render::EscapeHtml(s); }

SbResponse Html(int status, const std::string& title, const std::string& body) {
  SbResponse r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body =
      "<!doctype html><html lang=zh-CN><head><meta charset=utf-8>"
      "<meta name=viewport content=\"width=device-width,initial-scale=1\">"
      // No icon to fetch: the page is the whole sandbox site.
      "<link rel=icon href=\"data:,\"><title>" +
      Escape(title) +
      "</title><style>body{font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 "
      "1rem}button{font-size:1.1rem;padding:.6rem 2rem}</style></head><body>" +
      body + "</body></html>";
  return r;
}

}  // namespace

std::string AppendQuery(const std::string& url,
                        const std::vector<std::pair<std::string, std::string>>& params) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + BuildQuery(params);
}

void AuthGrants::SetRedirect(const std::string& app, const std::string& redirect_uri) {
  redirects_[app] = redirect_uri;
}

bool AuthGrants::RedirectAllowed(const std::string& app, const std::string& redirect_uri) const {
  auto it = redirects_.find(app);
  if (it == redirects_.end() || it->second.empty() || redirect_uri.empty()) return false;
  return redirect_uri.rfind(it->second, 0) == 0;
}

SbResponse AuthGrants::Page(const SbRequest& req, const std::string& app_param,
                            const std::string& app_label, const std::string& approve_path) const {
  const std::string app = req.Param(app_param);
  const std::string redirect = req.Param("redirect_uri");
  if (req.Param("response_type") != "code") {
    return Html(400, "授权失败", "<h1>授权失败</h1><p>response_type 必须为 code</p>");
  }
  if (!RedirectAllowed(app, redirect)) {
    return Html(
        400, "授权失败",
        "<h1>授权失败</h1><p>redirect_uri 与应用 " + Escape(app) + " 登记的回调地址不一致</p>");
  }
  std::string hidden;
  for (const auto& [k, v] : req.params) {
    hidden += "<input type=hidden name=\"" + Escape(k) + "\" value=\"" + Escape(v) + "\">";
  }
  return Html(200, app_label + "授权",
              "<h1>" + Escape(app_label) + "授权</h1><p>应用 <b>" + Escape(app) +
                  "</b> 申请获得你的账号的以下权限：" +
                  Escape(req.Param("scope").empty() ? "默认权限" : req.Param("scope")) +
                  "</p><form method=get action=\"" + Escape(approve_path) + "\">" + hidden +
                  "<button type=submit>同意授权</button> "
                  "<button type=submit name=decision value=deny>取消</button></form>");
}

SbResponse AuthGrants::Approve(const SbRequest& req, const std::string& app_param,
                               const std::string& subject, Env& env) {
  const std::string app = req.Param(app_param);
  const std::string redirect = req.Param("redirect_uri");
  if (!RedirectAllowed(app, redirect)) {
    return Html(400, "授权失败", "<h1>授权失败</h1><p>redirect_uri 与应用登记的回调地址不一致</p>");
  }
  // 取消: RFC 6749 §4.1.2.1 — back to the redirect URI with error=access_denied and the state,
  // no code. (Weibo also adds its own error_code 21330 [B15]; the other platforms' extras are
  // not documented, so the sandbox sends the standard part alone.)
  if (req.Param("decision") == "deny") {
    SbResponse r;
    r.status = 302;
    r.content_type = "text/plain; charset=utf-8";
    r.headers.emplace_back("Location", AppendQuery(redirect, {{"error", "access_denied"},
                                                              {"state", req.Param("state")}}));
    return r;
  }
  std::string code = env.NewId("code") + "x" + std::to_string(env.Now());
  codes_[code] = Issued{Grant{app, subject, redirect}, env.Now() + ttl_, false};
  SbResponse r;
  r.status = 302;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location",
                         AppendQuery(redirect, {{"code", code}, {"state", req.Param("state")}}));
  return r;
}

std::optional<AuthGrants::Grant> AuthGrants::Redeem(const std::string& code, TimeMs now) {
  auto it = codes_.find(code);
  if (it == codes_.end() || it->second.used || now >= it->second.expires_at) return std::nullopt;
  it->second.used = true;
  return it->second.grant;
}

namespace {

class OAuthSandbox final : public PlatformSandbox {
 public:
  OAuthSandbox(std::unique_ptr<PlatformSandbox> inner, Env& env, OAuthFront front)
      : inner_(std::move(inner)),
        env_(env),
        front_(std::move(front)),
        grants_(front_.code_ttl_ms) {}

  std::string name() const override { return inner_->name(); }
  SbResponse Handle(const SbRequest& req) override {
    {
      std::lock_guard lock(mu_);
      if (req.path == front_.authorize_path) {
        return grants_.Page(req, front_.app_param, front_.label,
                            "/" + name() + front_.authorize_path + "/approve");
      }
      if (req.path == front_.authorize_path + "/approve") {
        return grants_.Approve(req, front_.app_param, "sandbox", env_);
      }
      if (req.path == "/_sandbox/oauth") {
        auto body = ParseJson(req.body);
        if (!body.ok() || !body->is_object()) return SbResponse::FromJson(Json::object(), 400);
        grants_.SetRedirect("sandbox", body->value("redirect_uri", ""));
        return SbResponse::FromJson(Json{{"ok", true}});
      }
    }
    if (req.path == front_.token_path && req.Param("code") != "sandbox-code") {
      std::optional<AuthGrants::Grant> grant;
      {
        std::lock_guard lock(mu_);
        grant = grants_.Redeem(req.Param("code"), env_.Now());
      }
      if (!grant || grant->app != req.Param(front_.app_param)) return front_.bad_code(req);
      return front_.exchange(req, *inner_);
    }
    return inner_->Handle(req);
  }
  SbResponse InjectedError(const SbRequest& req, std::optional<int> code) const override {
    return inner_->InjectedError(req, code);
  }
  SbResponse RateLimited(const SbRequest& req) const override { return inner_->RateLimited(req); }
  bool InjectedErrorProcesses(int code) const override {
    return inner_->InjectedErrorProcesses(code);
  }
  void ExpireTokens() override { inner_->ExpireTokens(); }
  void Settle() override { inner_->Settle(); }
  std::vector<QuotaRule> DefaultQuotas() const override { return inner_->DefaultQuotas(); }
  SbResponse QuotaExceeded(const SbRequest& req, const QuotaRule& rule) const override {
    return inner_->QuotaExceeded(req, rule);
  }

 private:
  std::unique_ptr<PlatformSandbox> inner_;
  Env& env_;
  OAuthFront front_;
  std::mutex mu_;
  AuthGrants grants_;
};

}  // namespace

std::unique_ptr<PlatformSandbox> WithOAuth(std::unique_ptr<PlatformSandbox> inner, Env& env,
                                           OAuthFront front) {
  return std::make_unique<OAuthSandbox>(std::move(inner), env, std::move(front));
}

}  // namespace gd::channels::sandbox
