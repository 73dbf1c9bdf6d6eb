// Connecting accounts by authorising (docs/api.md §4.3), over HTTP against a real App and the
// platforms' sandboxes: for every kind the registry marks with an authorisation flow, the whole
// round trip (start → the sandbox's authorise page → its redirect → GET /api/oauth/callback →
// POST /api/oauth/complete) ends with the tokens sealed, the grant's settings merged and the
// account working; and the hostile table: states replayed, expired, of another session, of the
// wrong shape; codes the platform refuses; callbacks with hostile parameters; wrong roles and
// bodies. Nothing is stored unless everything succeeded.
#include <gtest/gtest.h>

#include <regex>

#include "channels/builtin_channels.h"
#include "channels/oauth.h"
#include "channels/sandbox/registry.h"
#include "channels/sandbox/server.h"
#include "channels/token_cache.h"
#include "channels/transport.h"
#include "dispatcher/channel_accounts/token_keeper.h"
#include "dispatcher/store/channel_repo.h"
#include "tests/dispatcher/app/api_harness.h"
#include "tests/support/status_matchers.h"

namespace gd::testing {
namespace {

const bool kWorkersOff = [] {
  Harness::ConfigHook() = [](AppConfig& cfg) { cfg.run_dispatch = false; };
  return true;
}();

// The query parameter `name` of `url` ("" when absent).
std::string QueryParam(const std::string& url, const std::string& name) {
  const size_t q = url.find_first_of("?#");
  if (q == std::string::npos) return "";
  for (const auto& [k, v] : channels::ParseQuery(url.substr(q + 1)))
    if (k == name) return v;
  return "";
}

class ChannelOAuth : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    (void)kWorkersOff;
    channels::sandbox::SandboxOptions opts;
    opts.clock = &Harness::Get().clock;
    auto s = channels::sandbox::SandboxServer::Start("127.0.0.1", 0, opts);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = s->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  std::string Callback() const {
    return "http://127.0.0.1:" + std::to_string(h.port) + "/api/oauth/callback";
  }

  channels::HttpResponse Send(const std::string& method, const std::string& url,
                              const std::string& body = "") {
    channels::HttpRequest req;
    req.method = method;
    req.url = url;
    req.timeout_ms = 5000;
    if (!body.empty()) {
      req.content_type = "application/json";
      req.body = body;
    }
    auto r = http_->Send(req);
    EXPECT_TRUE(r.ok()) << url << ": " << r.status().ToString();
    return r.ok() ? *r : channels::HttpResponse{};
  }

  // An account of `kind` on the sandbox (the sandbox registry's demo account) without tokens,
  // its callback this server's, the sandbox's app registered with that callback.
  int64_t Account(const std::string& kind) {
    const auto* entry = channels::sandbox::FindSandboxEntry(kind);
    EXPECT_NE(entry, nullptr) << kind;
    Json body = entry->account(server_->base_url());
    body["name"] = body.value("name", kind) + " 授权" + std::to_string(++accounts_);
    body["unit_id"] = h.unit_a;
    body["settings"][channels::kOAuthRedirectSetting] = Callback();
    body["secrets"].erase("access_token");
    body["secrets"].erase("refresh_token");
    const std::string base = body.value("base_url", "");
    EXPECT_EQ(
        Send("POST", base + "/_sandbox/oauth", DumpJson(Json{{"redirect_uri", Callback()}})).status,
        200);
    Resp r = h.Call("POST", "/api/channels", h.Token("operator"), body);
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_FALSE(r.json["oauth"].value("connected", true)) << r.body;
    return r.json.value("id", int64_t{0});
  }

  Resp Start(int64_t id, const std::string& token) {
    return h.Call("POST", "/api/channels/" + std::to_string(id) + "/oauth/start", token,
                  Json::object());
  }

  // The browser's part: the authorise page, its 同意授权 form, the platform's redirect to the
  // callback, the callback's redirect to the console. The console's fragment as a query string.
  std::string Authorise(const std::string& authorize_url) {
    channels::HttpResponse page = Send("GET", authorize_url);
    EXPECT_EQ(page.status, 200) << page.body;
    std::smatch m;
    EXPECT_TRUE(std::regex_search(page.body, m, std::regex("action=\"([^\"]+)\"")));
    if (m.empty()) return "";
    const std::string origin = server_->base_url();
    const std::string approve = origin + m[1].str() + authorize_url.substr(authorize_url.find('?'));
    channels::HttpResponse back = Send("GET", approve);
    EXPECT_EQ(back.status, 302) << back.body;
    const std::string to = back.Header("Location");
    EXPECT_EQ(to.rfind(Callback() + "?", 0), 0u) << to;
    Resp console = h.Raw("GET", to.substr(to.find("/api/oauth/callback")), {}, "");
    EXPECT_EQ(console.status, 303) << console.body;
    EXPECT_EQ(console.location.rfind("/channels#", 0), 0u) << console.location;
    return console.location.substr(console.location.find('#') + 1);
  }

  Resp Complete(const std::string& fragment, const std::string& token) {
    const std::string q = "?" + fragment;
    return h.Call("POST", "/api/oauth/complete", token,
                  {{"state", QueryParam(q, "oauth_state")}, {"code", QueryParam(q, "oauth_code")}});
  }

  // A second session of the same operator (another browser).
  std::string SecondSession() {
    Resp r = h.Call("POST", "/api/session", "",
                    {{"username", "operator"}, {"password", Harness::kPassword}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json.value("token", "");
  }

  Json View(int64_t id) {
    return h.Call("GET", "/api/channels/" + std::to_string(id), h.Token("operator")).json;
  }

  Harness& h = Harness::Get();
  std::unique_ptr<channels::Transport> http_ = channels::NewHttpTransport();
  static inline channels::sandbox::SandboxServer* server_ = nullptr;
  static inline int accounts_ = 0;
};

TEST_F(ChannelOAuth, EveryKindWithTheFlowConnectsThroughItsSandbox) {
  int kinds = 0;
  for (const channels::BuiltinChannel& c : channels::BuiltinChannels()) {
    if (c.oauth == nullptr) continue;
    SCOPED_TRACE(c.kind);
    ++kinds;
    const int64_t id = Account(c.kind);
    Resp started = Start(id, h.Token("operator"));
    ASSERT_EQ(started.status, 200) << started.body;
    const std::string url = started.json.value("authorize_url", "");
    EXPECT_EQ(url.rfind(server_->base_url(), 0), 0u) << url;
    EXPECT_EQ(QueryParam(url, "redirect_uri"), Callback());
    EXPECT_EQ(QueryParam(url, "state").size(), 43u) << "256 random bits";
    const std::string fragment = Authorise(url);
    ASSERT_FALSE(fragment.empty());

    Resp done = Complete(fragment, h.Token("operator"));
    ASSERT_EQ(done.status, 200) << done.body;
    EXPECT_EQ(done.json.value("message", "").find("授权成功"), 0u) << done.body;
    Json view = View(id);
    EXPECT_TRUE(view["oauth"].value("connected", false)) << view.dump();
    EXPECT_EQ(view["secrets"].value("access_token", ""), "***");
    EXPECT_EQ(view.dump().find("2.00sbx"), std::string::npos) << "no token in the view";
    // The tokens are sealed: neither the secrets column nor the token store holds them plain.
    std::string sealed;
    ASSERT_THAT(h.app->store().Read([&](Tx& tx) -> Status {
      GD_ASSIGN_OR_RETURN(auto row, channel_repo::GetChannel(tx, id));
      if (row) sealed = row->secrets_sealed;
      return Status::Ok();
    }),
                IsOk());
    EXPECT_FALSE(sealed.empty());
    EXPECT_EQ(sealed.find("access_token"), std::string::npos);
    // The account works with what was granted.
    Resp tried = h.Call("POST", "/api/channels/" + std::to_string(id) + "/test",
                        h.Token("operator"), Json::object());
    EXPECT_EQ(tried.status, 200) << tried.body;
    EXPECT_TRUE(tried.json.value("ok", false)) << tried.body;
    // The same state again: spent.
    Resp again = Complete(fragment, h.Token("operator"));
    EXPECT_EQ(again.status, 409) << again.body;
    EXPECT_EQ(again.json["error"]["details"].value("reason", ""), "oauth_state_used");
  }
  EXPECT_GE(kinds, 3) << "Weibo, Douyin and Kuaishou at least";
}

TEST_F(ChannelOAuth, StateIsBoundToTheSessionAndExpires) {
  const int64_t id = Account("weibo");
  Resp started = Start(id, h.Token("operator"));
  ASSERT_EQ(started.status, 200) << started.body;
  const std::string fragment = Authorise(started.json.value("authorize_url", ""));
  // Another session (the same operator in another browser, or someone who got the link).
  Resp other = Complete(fragment, SecondSession());
  EXPECT_EQ(other.status, 403) << other.body;
  // Still usable by its own session afterwards, but not after ten minutes.
  h.clock.Advance(11 * 60 * 1000);
  Resp late = Complete(fragment, h.Token("operator"));
  EXPECT_EQ(late.status, 409) << late.body;
  EXPECT_EQ(late.json["error"]["details"].value("reason", ""), "oauth_state_expired");
  EXPECT_FALSE(View(id)["oauth"].value("connected", true));
  EXPECT_EQ(View(id)["secrets"].count("access_token"), 0u);
}

TEST_F(ChannelOAuth, ARefusedCodeStoresNothing) {
  const int64_t id = Account("weibo");
  Resp started = Start(id, h.Token("operator"));
  ASSERT_EQ(started.status, 200) << started.body;
  const std::string state = QueryParam(started.json.value("authorize_url", ""), "state");
  Resp r = h.Call("POST", "/api/oauth/complete", h.Token("operator"),
                  {{"state", state}, {"code", "never-issued"}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.json["error"].value("message", "").find("授权码换取令牌失败"), std::string::npos)
      << r.body;
  EXPECT_EQ(r.json["error"]["details"].value("reason", ""), "oauth_failed");
  Json view = View(id);
  EXPECT_FALSE(view["oauth"].value("connected", true));
  EXPECT_EQ(view["secrets"].count("access_token"), 0u);
}

TEST_F(ChannelOAuth, StartRefusesWhatCannotBeAuthorised) {
  const std::string op = h.Token("operator");
  // A kind without the flow, a missing account, a role that may not, a body that is not an object.
  Resp wechat = Start(h.wechat_a, op);
  EXPECT_EQ(wechat.status, 422) << wechat.body;
  EXPECT_EQ(wechat.json["error"]["details"].value("reason", ""), "oauth_unsupported");
  EXPECT_EQ(Start(999999, op).status, 404);
  const int64_t id = Account("weibo");
  EXPECT_EQ(Start(id, h.Token("editor_a")).status, 403);
  EXPECT_EQ(
      h.Call("POST", "/api/channels/" + std::to_string(id) + "/oauth/start", op, Json::array())
          .status,
      400);
  // Without the callback address the authorise URL cannot be built: 422 naming it.
  Resp patched = h.Call("PATCH", "/api/channels/" + std::to_string(id), op,
                        {{"settings", {{channels::kOAuthRedirectSetting, nullptr}}}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  Resp missing = Start(id, op);
  EXPECT_EQ(missing.status, 422) << missing.body;
  EXPECT_NE(missing.body.find("授权回调地址"), std::string::npos) << missing.body;
  EXPECT_TRUE(missing.json["error"]["details"]["fields"].contains("settings.oauth_redirect_uri"))
      << missing.body;
  // Without the app secret the code could not be exchanged: refused before the operator leaves.
  Resp cleared = h.Call("PATCH", "/api/channels/" + std::to_string(id), op,
                        {{"settings", {{channels::kOAuthRedirectSetting, Callback()}}},
                         {"secrets", {{"app_secret", nullptr}}}});
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  Resp no_secret = Start(id, op);
  EXPECT_EQ(no_secret.status, 409) << no_secret.body;
  EXPECT_NE(no_secret.body.find("App Secret"), std::string::npos) << no_secret.body;
}

TEST_F(ChannelOAuth, CompleteRejectsHostileBodies) {
  const std::string op = h.Token("operator");
  struct Case {
    Json body;
    int status;
  };
  const std::vector<Case> cases = {
      {Json::array(), 400},
      {Json::object(), 422},
      {{{"state", 5}, {"code", "x"}}, 422},
      {{{"state", "abc"}, {"code", Json::object()}}, 422},
      {{{"state", std::string(129, 'a')}, {"code", "x"}}, 422},
      {{{"state", "abc"}, {"code", std::string(1025, 'c')}}, 422},
      {{{"state", "a/../b"}, {"code", "x"}}, 422},
      {{{"state", "abc"}, {"code", "has space"}}, 422},
      {{{"state", "abc"}, {"code", "tab\there"}}, 422},
      {{{"state", "unknownstate"}, {"code", "x"}}, 404},
  };
  for (const Case& c : cases) {
    Resp r = h.Call("POST", "/api/oauth/complete", op, c.body);
    EXPECT_EQ(r.status, c.status) << c.body.dump() << " → " << r.body;
  }
  // Invalid UTF-8 and a deep body: refused at the edge.
  EXPECT_EQ(h.Raw("POST", "/api/oauth/complete", {{"Authorization", "Bearer " + op}},
                  "{\"state\":\"\xff\xfe\",\"code\":\"x\"}")
                .status,
            400);
  EXPECT_EQ(h.Raw("POST", "/api/oauth/complete", {{"Authorization", "Bearer " + op}},
                  std::string(200, '[') + std::string(200, ']'))
                .status,
            400);
  // Signed out and wrong roles.
  EXPECT_EQ(h.Call("POST", "/api/oauth/complete", "", {{"state", "a"}, {"code", "b"}}).status, 401);
  EXPECT_EQ(
      h.Call("POST", "/api/oauth/complete", h.Token("editor_a"), {{"state", "a"}, {"code", "b"}})
          .status,
      403);
}

TEST_F(ChannelOAuth, CallbackNeverEchoesWhatItCannotVouchFor) {
  struct Case {
    std::string query;
    std::string want;  // the fragment the console gets
  };
  const std::vector<Case> cases = {
      {"?code=abc123&state=st_ok-1", "oauth_state=st_ok-1&oauth_code=abc123"},
      {"?code=a%26b%23c&state=st1", "oauth_state=st1&oauth_code=a%26b%23c"},
      {"?code=a%2Fb%3D&state=st1", "oauth_state=st1&oauth_code=a%2Fb%3D"},
      {"?error=access_denied&error_code=21330&state=st1",
       "oauth_state=st1&oauth_error=access_denied"},
      {"?error_code=21330", "oauth_error=error_code"},
      {"", "oauth_error=bad_request"},
      {"?code=abc", "oauth_error=bad_request"},
      {"?state=st1", "oauth_state=st1&oauth_error=bad_request"},
      {"?code=%3Cscript%3E&state=%22%3E%3Cimg", "oauth_error=bad_request"},
      {"?code=a%20b&state=st1", "oauth_state=st1&oauth_error=bad_request"},
      {"?code=%ff%fe&state=st1", "oauth_state=st1&oauth_error=bad_request"},
      {"?code=a%00b&state=st1", "oauth_state=st1&oauth_error=bad_request"},
      {"?code=x&state=" + std::string(129, 's'), "oauth_error=bad_request"},
      {"?code=" + std::string(1025, 'c') + "&state=st1", "oauth_state=st1&oauth_error=bad_request"},
      {"?error=%3Cscript%3E&state=st1", "oauth_state=st1&oauth_error=bad_request"},
      {"?code=x&state=..%2F..%2Fetc", "oauth_error=bad_request"},
  };
  for (const Case& c : cases) {
    Resp r = h.Raw("GET", "/api/oauth/callback" + c.query, {}, "");
    EXPECT_EQ(r.status, 303) << c.query;
    // cpp-httplib's client hands the Location header over percent-decoded.
    EXPECT_EQ(r.location, channels::UrlDecode("/channels#" + c.want)) << c.query;
  }
  // The encoding itself, which the client above cannot show.
  EXPECT_EQ(OAuthConsoleLocation("st1", "a&b#c/=", ""),
            "/channels#oauth_state=st1&oauth_code=a%26b%23c%2F%3D");
  // Other methods and paths under it are not the callback.
  EXPECT_NE(h.Raw("POST", "/api/oauth/callback?code=a&state=b", {}, "{}").status, 303);
  EXPECT_EQ(h.Raw("GET", "/api/oauth/callback/../../etc/passwd", {}, "").location, "");
  EXPECT_EQ(h.Raw("GET", "/api/oauth/callback%2f..%2f..%2fetc%2fpasswd", {}, "").location, "");
}

// An idle Douyin account whose refresh token nears its end: the keeper's daily check makes the
// client renew it, once a day; disabled and not-yet-authorised accounts are left alone.
TEST_F(ChannelOAuth, KeeperRenewsAnIdleGrantOncePerDay) {
  const auto* entry = channels::sandbox::FindSandboxEntry("douyin");
  ASSERT_NE(entry, nullptr);
  auto create = [&](const std::string& name, bool with_tokens) {
    Json body = entry->account(server_->base_url());
    body["name"] = name;
    body["unit_id"] = h.unit_a;
    if (!with_tokens) {
      body["secrets"].erase("access_token");
      body["secrets"].erase("refresh_token");
    }
    Resp r = h.Call("POST", "/api/channels", h.Token("operator"), body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.value("id", int64_t{0});
  };
  const int64_t idle = create("闲置抖音号", true);
  const int64_t off = create("停用抖音号", true);
  const int64_t fresh = create("未授权抖音号", false);
  ASSERT_EQ(h.Call("PATCH", "/api/channels/" + std::to_string(off), h.Token("operator"),
                   {{"disabled", true}})
                .status,
            200);
  const TimeMs day = TimeMs{24} * 3600 * 1000;
  const TimeMs now = h.clock.Now();
  channels::MemoryTokenStore store;
  channels::TokenCache cache(h.clock, &store);
  channels::Token old;
  old.access_token = "expired-access";
  old.refresh_token = "sandbox-refresh";
  old.issued_at = now - 15 * day;
  old.expires_at = now - 1000;
  old.refresh_expires_at = now + 10 * day;
  ASSERT_THAT(cache.Install(idle, old), IsOk());

  TokenKeeper keeper({&h.app->store(), &h.clock, &h.app->channels(),
                      channels::ClientDeps{http_.get(), &cache, &h.clock, 5000}});
  EXPECT_GE(keeper.RunDue(), 1);
  auto first = keeper.LastCheck(idle);
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->ok) << first->message;
  auto stored = store.Load(idle);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_NE((*stored)->refresh_token, "sandbox-refresh") << "renewed";
  EXPECT_GT((*stored)->refresh_expires_at, now + 20 * day);
  EXPECT_NE((*stored)->access_token, "expired-access");
  EXPECT_FALSE(keeper.LastCheck(off).has_value()) << "disabled";
  EXPECT_FALSE(keeper.LastCheck(fresh).has_value()) << "nothing to keep alive yet";

  // Once a day.
  EXPECT_EQ(keeper.RunDue(), 0);
  EXPECT_EQ(keeper.LastCheck(idle)->at, first->at);
  h.clock.Advance(day);
  EXPECT_GE(keeper.RunDue(), 1);
  EXPECT_EQ(keeper.LastCheck(idle)->at, first->at + day);
}

}  // namespace
}  // namespace gd::testing
