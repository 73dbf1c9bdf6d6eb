// Channel accounts over HTTP: secrets are write-only and sealed at rest.
#include <gtest/gtest.h>

#include <algorithm>

#include "channels/builtin_channels.h"
#include "dispatcher/store/channel_repo.h"
#include "tests/dispatcher/app/api_harness.h"
#include "tests/support/status_matchers.h"

namespace gd::testing {
namespace {

TEST_F(Api, ChannelSecretsAreWriteOnly) {
  std::string op = h.Token("operator");
  Resp created = h.Call("POST", "/api/channels", op,
                        {{"kind", "wechat_mp"},
                         {"name", "测试公众号"},
                         {"unit_id", h.unit_a},
                         {"base_url", "https://api.weixin.qq.com"},
                         {"settings", {{"app_id", "wx123"}, {"publish_mode", "publish"}}},
                         {"secrets", {{"app_secret", "super-secret-value-123"}}}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.body.find("super-secret-value-123"), std::string::npos);
  EXPECT_EQ(created.json["secrets"]["app_secret"], "***");
  int64_t id = created.json["id"];
  for (const auto& who : {"operator", "editor_a", "office"}) {
    Resp g = h.Call("GET", "/api/channels/" + std::to_string(id), h.Token(who));
    EXPECT_EQ(g.status, 200) << who;
    EXPECT_EQ(g.body.find("super-secret"), std::string::npos) << who;
  }
  // The mask echoed back does not overwrite; a new value does.
  Resp patched = h.Call("PATCH", "/api/channels/" + std::to_string(id), op,
                        {{"name", "测试公众号（改）"}, {"secrets", {{"app_secret", "***"}}}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto row = [&] {
    std::optional<ChannelAccountRow> r;
    (void)h.app->store().Read([&](Tx& tx) -> Status {
      r = *channel_repo::GetChannel(tx, id);
      return Status::Ok();
    });
    return *r;
  };
  EXPECT_EQ((*h.app->channels().Secrets(row()))["app_secret"], "super-secret-value-123");
  EXPECT_EQ(row().secrets_sealed.find("super-secret"), std::string::npos) << "sealed at rest";
  ASSERT_EQ(h.Call("PATCH", "/api/channels/" + std::to_string(id), op,
                   {{"secrets", {{"app_secret", "rotated-456"}}}})
                .status,
            200);
  EXPECT_EQ((*h.app->channels().Secrets(row()))["app_secret"], "rotated-456");
  // Another unit's users do not see this unit's accounts.
  Resp list_b = h.Call("GET", "/api/channels", h.Token("editor_b"));
  for (const auto& c : list_b.json["items"]) EXPECT_NE(c["id"], id);
  // Unknown kind and missing settings name the field.
  Resp bad = h.Call("POST", "/api/channels", op,
                    {{"kind", "wechat_mp"}, {"name", "x"}, {"base_url", "https://a"}});
  EXPECT_THAT(bad, ApiError(422, "invalid"));
  EXPECT_TRUE(bad.json["error"]["details"]["fields"].contains("settings.app_id"));
}

// GET /api/channel-kinds: every kind of the registry, in display order, with Chinese labels and
// the field shape the console renders (/work contract: docs/api.md §7).
TEST_F(Api, ChannelKindsListEveryKindWithChineseLabels) {
  EXPECT_THAT(h.Call("GET", "/api/channel-kinds", ""), ApiError(401, "unauthenticated"));
  Resp r = h.Call("GET", "/api/channel-kinds", h.Token("editor_a"));
  ASSERT_EQ(r.status, 200) << r.body;
  std::vector<std::string> kinds;
  auto has_han = [](const std::string& s) {
    return std::any_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) >= 0xE4; });
  };
  for (const Json& k : r.json["items"]) {
    kinds.push_back(k["kind"]);
    EXPECT_TRUE(has_han(k["label"].get<std::string>())) << k["kind"];
    EXPECT_TRUE(k["publishes_by_hand"].is_boolean());
    ASSERT_TRUE(k["covers"].is_array());
    ASSERT_TRUE(k["base_url"].is_null() || k["base_url"].is_object());
    std::vector<Json> fields;
    if (k["base_url"].is_object()) fields.push_back(k["base_url"]);
    for (const char* group : {"settings", "secrets", "options"}) {
      ASSERT_TRUE(k[group].is_array()) << k["kind"] << " " << group;
      for (const Json& f : k[group]) fields.push_back(f);
    }
    for (const Json& f : fields) {
      SCOPED_TRACE(k["kind"].get<std::string>() + "." + f.value("name", "?"));
      for (const char* key : {"name", "label", "type", "help"})
        EXPECT_TRUE(f[key].is_string()) << key;
      EXPECT_TRUE(has_han(f["label"].get<std::string>()) || f["label"] != f["name"]);
      EXPECT_TRUE(f["required"].is_boolean());
      EXPECT_TRUE(f.contains("default"));
      const std::string type = f["type"];
      EXPECT_NE(std::string("string text url integer boolean select media").find(type),
                std::string::npos)
          << type;
      if (type == "select") {
        ASSERT_FALSE(f["choices"].empty());
        for (const Json& c : f["choices"]) EXPECT_TRUE(has_han(c["label"].get<std::string>()));
      } else {
        EXPECT_FALSE(f.contains("choices"));
      }
    }
  }
  std::vector<std::string> registry;
  for (const channels::BuiltinChannel& c : channels::BuiltinChannels()) registry.push_back(c.kind);
  EXPECT_EQ(kinds, registry);
  EXPECT_EQ(kinds.front(), "portal");
  const Json& portal = r.json["items"][0];
  ASSERT_EQ(portal["secrets"].size(), 1u);
  EXPECT_EQ(portal["secrets"][0]["name"], "signing_key");
  EXPECT_EQ(portal["secrets"][0]["when"], Json({{"mode", {"push"}}}));
  EXPECT_EQ(portal["base_url"]["when"], Json({{"mode", {"push"}}}));
  const Json& wechat = r.json["items"][1];
  EXPECT_EQ(wechat["label"], "微信公众号");
  EXPECT_EQ(wechat["base_url"]["default"], "https://api.weixin.qq.com");
  EXPECT_EQ(wechat["base_url"]["type"], "url");
  EXPECT_FALSE(wechat["base_url"].contains("when"));
  const auto manual_it = std::find(kinds.begin(), kinds.end(), "manual");
  ASSERT_NE(manual_it, kinds.end());
  const Json& manual = r.json["items"][manual_it - kinds.begin()];
  EXPECT_TRUE(manual["base_url"].is_null());
  EXPECT_TRUE(manual["publishes_by_hand"]);
  EXPECT_TRUE(manual["secrets"].empty());
}

// Account settings and secrets are checked against the kind's schema; each 422 names the field.
TEST_F(Api, ChannelAccountsRejectHostileSettingsNamingTheField) {
  std::string op = h.Token("operator");
  const Json good = {{"kind", "wechat_mp"},
                     {"name", "校验公众号"},
                     {"unit_id", h.unit_a},
                     {"base_url", "https://api.weixin.qq.com"},
                     {"settings", {{"app_id", "wx1"}, {"publish_mode", "publish"}}},
                     {"secrets", {{"app_secret", "s"}}}};
  auto with = [&](const std::string& group, const std::string& key, const Json& value) {
    Json b = good;
    b[group][key] = value;
    return b;
  };
  struct Case {
    std::string what;
    Json body;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"unknown setting", with("settings", "foo", "x"), "settings.foo"},
      {"unknown secret", with("secrets", "foo", "x"), "secrets.foo"},
      {"number for string", with("settings", "app_id", 5), "settings.app_id"},
      {"array for string", with("settings", "app_id", Json::array({"a"})), "settings.app_id"},
      {"object for string", with("settings", "app_id", Json{{"a", {{"b", 1}}}}), "settings.app_id"},
      {"string for integer", with("settings", "poll_interval_ms", "30000"),
       "settings.poll_interval_ms"},
      {"integer out of range", with("settings", "poll_interval_ms", 0),
       "settings.poll_interval_ms"},
      {"not a choice", with("settings", "publish_mode", "broadcast"), "settings.publish_mode"},
      {"missing required", with("settings", "app_id", ""), "settings.app_id"},
      {"over-long string", with("settings", "app_id", std::string(65, 'a')), "settings.app_id"},
      {"over-long secret", with("secrets", "app_secret", std::string(300, 'a')),
       "secrets.app_secret"},
      {"number for secret", with("secrets", "app_secret", 7), "secrets.app_secret"},
  };
  for (const Case& c : cases) {
    Resp r = h.Call("POST", "/api/channels", op, c.body);
    EXPECT_THAT(r, ApiError(422, "invalid")) << c.what;
    EXPECT_TRUE(r.json["error"]["details"]["fields"].contains(c.field)) << c.what << ": " << r.body;
  }
  Json missing = good;
  missing["settings"].erase("app_id");
  Resp r = h.Call("POST", "/api/channels", op, missing);
  EXPECT_TRUE(r.json["error"]["details"]["fields"].contains("settings.app_id")) << r.body;
  // Invalid UTF-8 in a setting never reaches the service.
  std::string raw = good.dump();
  const std::string needle = "\"wx1\"";
  raw.replace(raw.find(needle), needle.size(), "\"wx\xC3\x28\"");
  Resp bad_utf8 = h.Raw("POST", "/api/channels", {{"Authorization", "Bearer " + op}}, raw);
  EXPECT_EQ(bad_utf8.status / 100, 4) << bad_utf8.body;
  // The portal's signing key applies only in push mode; push needs an API address.
  Json portal = {{"kind", "portal"},
                 {"name", "门户推送"},
                 {"unit_id", h.unit_a},
                 {"settings", {{"mode", "push"}}}};
  EXPECT_TRUE(h.Call("POST", "/api/channels", op, portal)
                  .json["error"]["details"]["fields"]
                  .contains("base_url"));
  // Every name that works today keeps working, and the good body passes.
  EXPECT_EQ(h.Call("POST", "/api/channels", op, good).status, 201);
  Json weibo = {{"kind", "weibo"},
                {"name", "微博全字段"},
                {"unit_id", h.unit_a},
                {"base_url", "https://api.weibo.com"},
                {"settings",
                 {{"app_key", "k"},
                  {"uid", "1"},
                  {"safe_domain", "example.gov.cn"},
                  {"rip", "203.0.113.5"},
                  {"poll_interval_ms", 60000}}},
                {"secrets", {{"app_secret", "s"}, {"access_token", "t"}}}};
  EXPECT_EQ(h.Call("POST", "/api/channels", op, weibo).status, 201);
  Json built_in = {{"kind", "portal"},
                   {"name", "门户全字段"},
                   {"unit_id", h.unit_a},
                   {"settings",
                    {{"mode", "builtin"},
                     {"site_name", "网站"},
                     {"public_base_url", "https://www.example.gov.cn"},
                     {"index_no_prefix", "0001"},
                     {"columns", {{"工作动态", "gzdt"}}}}}};
  EXPECT_EQ(h.Call("POST", "/api/channels", op, built_in).status, 201);
}

// A ticket channel's options are ones its kind names.
TEST_F(Api, TicketChannelOptionsAreCheckedAgainstTheKind) {
  Json body = h.TicketBody("work_news", {h.portal_a, h.wechat_a});
  body["channels"][1]["options"] = {{"digest", "摘要"}, {"nonsense", "x"}};
  Resp r = h.Call("POST", "/api/tickets", h.Token("editor_a"), body);
  EXPECT_THAT(r, ApiError(422, "invalid"));
  EXPECT_TRUE(r.json["error"]["details"]["fields"].contains("channels[1].options.nonsense"))
      << r.body;
  body["channels"][1]["options"] = {{"digest", Json::array({1})}};
  r = h.Call("POST", "/api/tickets", h.Token("editor_a"), body);
  EXPECT_TRUE(r.json["error"]["details"]["fields"].contains("channels[1].options.digest"))
      << r.body;
  body["channels"][1]["options"] = {{"digest", "摘要"}, {"author", "作者"}};
  EXPECT_EQ(h.Call("POST", "/api/tickets", h.Token("editor_a"), body).status, 201);
}

}  // namespace
}  // namespace gd::testing
