// Finding 5: "write-only" channel secrets could be sent elsewhere. An operator PATCHed an
// account's base_url to any host (plain http:// accepted) and pressed 测试连接: the stored secret
// went there. Now only https:// (or loopback) base URLs are accepted, a new host or kind clears
// the secrets (and the access tokens obtained with them), and every sealed secret is bound to
// its account id, kind and host.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "channels/sandbox/server.h"
#include "dispatcher/core/crypto.h"
#include "dispatcher/dispatch/token_store.h"
#include "dispatcher/http/routes/requests.h"
#include "dispatcher/store/channel_repo.h"
#include "dispatcher/store/user_repo.h"
#include "tests/dispatcher/app/api_harness.h"
#include "tests/dispatcher/dispatch/sandbox_channels.h"
#include "tests/security/recording_listener.h"
#include "tests/support/status_matchers.h"

namespace gd::testing {
namespace {

std::string Path(int64_t id) { return "/api/channels/" + std::to_string(id); }

ChannelAccountRow Row(int64_t id) {
  std::optional<ChannelAccountRow> r;
  Status st = Harness::Get().app->store().Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(r, channel_repo::GetChannel(tx, id));
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok() && r.has_value()) << id;
  return r.value_or(ChannelAccountRow{});
}

void WriteRow(const ChannelAccountRow& row) {
  Status st = Harness::Get().app->store().Write(
      [&](Tx& tx) -> Status { return channel_repo::UpdateChannel(tx, row); });
  ASSERT_TRUE(st.ok()) << st.ToString();
}

// A WeChat account of unit A with one stored secret.
int64_t NewWechat(const std::string& base_url, const std::string& secret) {
  Harness& h = Harness::Get();
  Resp r = h.Call("POST", "/api/channels", h.Token("operator"),
                  {{"kind", "wechat_mp"},
                   {"name", "安全测试公众号"},
                   {"unit_id", h.unit_a},
                   {"base_url", base_url},
                   {"settings", {{"app_id", "sandbox"}, {"publish_mode", "publish"}}},
                   {"secrets", {{"app_secret", secret}}}});
  EXPECT_EQ(r.status, 201) << r.body;
  return r.json.value("id", int64_t{0});
}

TEST(ChannelSecrets, BaseUrlMustBeHttpsExceptLoopback) {
  Harness& h = Harness::Get();
  const std::string op = h.Token("operator");
  const int64_t id = NewWechat("https://api.weixin.qq.com", "keep-me-1");
  for (const char* bad :
       {"http://evil.example/wechat", "http://evil.example", "ftp://evil.example/",
        "http://127.0.0.1.evil.example/", "http://localhost.evil.example/",
        "https://user:pw@evil.example/", "http://evil.example@127.0.0.1/", "https://", "evil",
        "https://evil.example:99999/", "https://bad host/", "http://10.0.0.8/",
        "http://[::ffff:7f00:1]/", "https://evil.example\\@good.example/",
        // Other spellings of 127.0.0.1 a resolver may accept: not taken for loopback.
        "http://127.1/", "http://0x7f.0.0.1/", "http://2130706433/", "http://0177.0.0.1/",
        "http://127.0.0.1:0/", "http://127.0.0.1%2f@evil.example/", "https://evil.example/a?b",
        "https://evil.example/#x", "http://localhost./"}) {
    Resp r = h.Call("PATCH", Path(id), op, {{"base_url", bad}});
    EXPECT_THAT(r, ApiError(422, "invalid")) << bad;
    EXPECT_TRUE(r.json["error"]["details"]["fields"].contains("base_url")) << bad << r.body;
  }
  EXPECT_EQ(Row(id).base_url, "https://api.weixin.qq.com") << "nothing was changed";
  EXPECT_EQ((*h.app->channels().Secrets(Row(id)))["app_secret"], "keep-me-1");

  Resp created = h.Call("POST", "/api/channels", op,
                        {{"kind", "wechat_mp"},
                         {"name", "明文地址"},
                         {"unit_id", h.unit_a},
                         {"base_url", "http://evil.example/wechat"},
                         {"settings", {{"app_id", "x"}}},
                         {"secrets", {{"app_secret", "s"}}}});
  EXPECT_EQ(created.status, 422) << created.body;
  EXPECT_TRUE(created.json["error"]["details"]["fields"].contains("base_url"));

  // Loopback hosts (sandboxes, tests) may use plain http.
  for (const char* ok :
       {"http://127.0.0.1:9/wechat", "http://127.8.9.10/wechat", "http://localhost:9/wechat",
        "http://[::1]:9/wechat", "https://other.example/wechat", "HTTPS://Other.Example/wechat"}) {
    Resp r = h.Call("PATCH", Path(id), op, {{"base_url", ok}});
    EXPECT_EQ(r.status, 200) << ok << " " << r.body;
  }
}

TEST(ChannelSecrets, NewHostClearsTheSecretsAndTestConnectionSendsNothing) {
  Harness& h = Harness::Get();
  const std::string op = h.Token("operator");
  RecordingListener elsewhere;
  const int64_t id = NewWechat("https://api.weixin.qq.com", "old-secret-5a7f");

  // Another host: the stored secret does not follow it.
  Resp moved = h.Call("PATCH", Path(id), op, {{"base_url", "https://other.example/"}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json["secrets"], Json::object()) << moved.body;
  EXPECT_EQ(moved.json["secrets_cleared"], Json::array({"app_secret"})) << moved.body;
  // The console shows this notice to the operator: its words are the behaviour.
  EXPECT_THAT(moved.json.value("message", ""), ::testing::HasSubstr("请重新填写凭据"));
  EXPECT_EQ(h.Call("GET", Path(id), op).json["secrets"], Json::object());
  EXPECT_EQ(*h.app->channels().Secrets(Row(id)), Json::object());

  // Test connection refuses before any call while the credentials are missing.
  Resp test = h.Call("POST", Path(id) + "/test", op, Json::object());
  EXPECT_THAT(test, ApiError(409, "conflict"));

  // And to a listener that records everything: still nothing is sent.
  ASSERT_EQ(h.Call("PATCH", Path(id), op, {{"base_url", elsewhere.base_url() + "/wechat"}}).status,
            200);
  test = h.Call("POST", Path(id) + "/test", op, Json::object());
  EXPECT_EQ(test.status, 409) << test.body;
  EXPECT_TRUE(elsewhere.requests().empty()) << elsewhere.requests().front();
  EXPECT_FALSE(elsewhere.Saw("old-secret-5a7f"));

  // Secrets sent with the new host are the operator's re-entry: kept, and used there.
  RecordingListener third;
  Resp reentered = h.Call("PATCH", Path(id), op,
                          {{"base_url", third.base_url() + "/wechat"},
                           {"secrets", {{"app_secret", "new-secret-9c2e"}}}});
  ASSERT_EQ(reentered.status, 200) << reentered.body;
  EXPECT_EQ(reentered.json["secrets"]["app_secret"], "***");
  EXPECT_EQ((*h.app->channels().Secrets(Row(id)))["app_secret"], "new-secret-9c2e");
  test = h.Call("POST", Path(id) + "/test", op, Json::object());
  EXPECT_EQ(test.status, 200) << test.body;
  EXPECT_FALSE(test.json.value("ok", true));
  EXPECT_TRUE(third.Saw("new-secret-9c2e")) << "the listener does record what a client sends";
  EXPECT_FALSE(third.Saw("old-secret-5a7f"));

  // The same host with another path keeps the secrets.
  Resp same_host = h.Call("PATCH", Path(id), op, {{"base_url", third.base_url() + "/other"}});
  ASSERT_EQ(same_host.status, 200) << same_host.body;
  EXPECT_EQ(same_host.json["secrets"]["app_secret"], "***");
  EXPECT_FALSE(same_host.json.contains("secrets_cleared"));
}

TEST(ChannelSecrets, ChangingKindClearsTheSecrets) {
  Harness& h = Harness::Get();
  const std::string op = h.Token("operator");
  const int64_t id = NewWechat("http://127.0.0.1:9/wechat", "wechat-secret-77");
  Resp changed = h.Call("PATCH", Path(id), op,
                        {{"kind", "weibo"},
                         {"base_url", "http://127.0.0.1:9/weibo"},
                         {"settings", {{"app_key", "k"}, {"uid", "u"}, {"rip", "203.0.113.5"}}}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json["kind"], "weibo");
  EXPECT_EQ(changed.json["settings"],
            (Json{{"app_key", "k"}, {"uid", "u"}, {"rip", "203.0.113.5"}}))
      << "the old kind's settings (app_id) do not follow the account to the new kind";
  EXPECT_EQ(changed.json["secrets"], Json::object());
  EXPECT_EQ(changed.json["secrets_cleared"], Json::array({"app_secret"}));
  EXPECT_EQ(Row(id).kind, "weibo");
  EXPECT_EQ(*h.app->channels().Secrets(Row(id)), Json::object());
  Resp test = h.Call("POST", Path(id) + "/test", op, Json::object());
  EXPECT_EQ(test.status, 409) << test.body;

  Resp unknown = h.Call("PATCH", Path(id), op, {{"kind", "myspace"}});
  EXPECT_EQ(unknown.status, 422) << unknown.body;
  EXPECT_TRUE(unknown.json["error"]["details"]["fields"].contains("kind"));
}

TEST(ChannelSecrets, SealedSecretsAreBoundToAccountKindAndHost) {
  Harness& h = Harness::Get();
  const int64_t a = NewWechat("http://127.0.0.1:9/wechat", "secret-of-a-31");
  const int64_t b = NewWechat("http://127.0.0.1:9/wechat", "secret-of-b-42");
  ASSERT_EQ((*h.app->channels().Secrets(Row(a)))["app_secret"], "secret-of-a-31");

  // A sealed blob copied into another account row does not open there.
  ChannelAccountRow rb = Row(b);
  rb.secrets_sealed = Row(a).secrets_sealed;
  WriteRow(rb);
  EXPECT_FALSE(h.app->channels().Secrets(Row(b)).ok());
  EXPECT_EQ(h.Call("GET", Path(b), h.Token("operator")).json["secrets"], Json::object());
  Resp test = h.Call("POST", Path(b) + "/test", h.Token("operator"), Json::object());
  EXPECT_EQ(test.status, 409) << test.body;
  EXPECT_EQ(test.body.find("secret-of-a"), std::string::npos);

  // Nor when the row's host is changed behind the service's back (a database edit).
  ChannelAccountRow ra = Row(a);
  ra.base_url = "https://evil.example/wechat";
  WriteRow(ra);
  EXPECT_FALSE(h.app->channels().Secrets(Row(a)).ok()) << "opened with another host";
  // ... or its kind.
  ra.base_url = "http://127.0.0.1:9/wechat";
  ra.kind = "weibo";
  WriteRow(ra);
  EXPECT_FALSE(h.app->channels().Secrets(Row(a)).ok()) << "opened as another kind";
  ra.kind = "wechat_mp";
  WriteRow(ra);
  EXPECT_EQ((*h.app->channels().Secrets(Row(a)))["app_secret"], "secret-of-a-31");
}

// Databases written before the binding keep working: opening them re-seals every secret in the
// bound format (docs/decisions.md), after which the unbound format no longer opens.
TEST(ChannelSecrets, SecretsSealedTheOldWayAreReboundAtOpen) {
  char tmpl[] = "/tmp/gd_legacy_secrets_XXXXXX";
  const std::filesystem::path dir = mkdtemp(tmpl);
  AppConfig cfg;
  cfg.data_dir = dir / "data";
  cfg.port = 0;
  cfg.admin_password = Harness::kPassword;
  cfg.web_dir = dir / "no-web";
  cfg.run_dispatch = false;
  int64_t id = 0;
  std::string legacy;
  {
    auto app = App::Create(cfg);
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    AuthContext op;
    ASSERT_TRUE((*app)
                    ->store()
                    .Read([&](Tx& tx) -> Status {
                      op.user = **user_repo::GetUserByName(tx, "admin");
                      op.user.roles.push_back(Role::kOperator);
                      return Status::Ok();
                    })
                    .ok());
    auto created = (*app)->channels().Create(
        op, *DecodeChannelCreate({{"kind", "wechat_mp"},
                                  {"name", "旧库账号"},
                                  {"base_url", "http://127.0.0.1:9/wechat"},
                                  {"settings", {{"app_id", "x"}}}}));
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    id = (*created)["id"];
    // Sealed as the releases before the binding did: bound to the account id only.
    auto key = LoadMasterKey(cfg.data_dir, "");
    ASSERT_TRUE(key.ok());
    auto sealed = SealAesGcm(*key, R"({"app_secret":"legacy-secret-8"})",
                             "channel-secrets:" + std::to_string(id));
    ASSERT_TRUE(sealed.ok());
    legacy = *sealed;
    ASSERT_TRUE((*app)
                    ->store()
                    .Write([&](Tx& tx) -> Status {
                      auto row = **channel_repo::GetChannel(tx, id);
                      row.secrets_sealed = legacy;
                      return channel_repo::UpdateChannel(tx, row);
                    })
                    .ok());
  }
  auto reopened = App::Create(cfg);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  App& app = **reopened;
  auto row = [&] {
    ChannelAccountRow r;
    (void)app.store().Read([&](Tx& tx) -> Status {
      r = **channel_repo::GetChannel(tx, id);
      return Status::Ok();
    });
    return r;
  };
  EXPECT_NE(row().secrets_sealed, legacy) << "re-sealed at open";
  auto opened = app.channels().Secrets(row());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ((*opened)["app_secret"], "legacy-secret-8");
  // The old format itself no longer opens (only the migration at open reads it).
  ChannelAccountRow r = row();
  r.secrets_sealed = legacy;
  EXPECT_FALSE(app.channels().Secrets(r).ok());
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// The access tokens a client obtained (or was seeded with) are secrets of the old host too:
// after a host change the next call must not carry them there.
TEST(ChannelSecrets, CachedTokensDoNotFollowANewHost) {
  Harness& h = Harness::Get();
  const std::string op = h.Token("operator");
  auto sandbox = channels::sandbox::SandboxServer::Start("127.0.0.1", 0);
  ASSERT_TRUE(sandbox.ok()) << sandbox.status().ToString();
  RecordingListener elsewhere;
  Json body = SandboxChannel("douyin", (*sandbox)->base_url());
  body["unit_id"] = h.unit_a;
  Resp created = h.Call("POST", "/api/channels", op, body);
  ASSERT_EQ(created.status, 201) << created.body;
  const int64_t id = created.json["id"];
  Resp first = h.Call("POST", Path(id) + "/test", op, Json::object());
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_TRUE(first.json.value("ok", false)) << first.body << " (the token is now cached)";

  // The operator re-enters only the client secret for the new host.
  Resp moved = h.Call("PATCH", Path(id), op,
                      {{"base_url", elsewhere.base_url() + "/douyin"},
                       {"secrets", {{"client_secret", "new-client-secret-4"}}}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json["secrets_cleared"],
            Json::array({"access_token", "client_secret", "refresh_token"}));
  (void)h.Call("POST", Path(id) + "/test", op, Json::object());
  EXPECT_FALSE(elsewhere.Saw("sandbox-token")) << "the cached access token followed the host";
  EXPECT_FALSE(elsewhere.Saw("sandbox-refresh"));
  EXPECT_FALSE(elsewhere.Saw("sandbox-secret"));
  SealedTokenStore tokens(h.app->store(),
                          HmacSha256Raw(*LoadMasterKey(h.dir / "data", ""), "token-store"));
  auto stored = tokens.Load(id);
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(stored->has_value() && (*stored)->access_token == "sandbox-token")
      << "the persisted token was kept";
  (*sandbox)->Stop();
}

}  // namespace
}  // namespace gd::testing
