// Channel accounts over HTTP: secrets are write-only and sealed at rest.
#include <gtest/gtest.h>

#include <algorithm>

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
  EXPECT_EQ(kinds, (std::vector<std::string>{"portal", "wechat_mp", "weibo", "douyin", "kuaishou",
                                             "manual"}));
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
  const Json& manual = r.json["items"][5];
  EXPECT_TRUE(manual["base_url"].is_null());
  EXPECT_TRUE(manual["publishes_by_hand"]);
  EXPECT_TRUE(manual["secrets"].empty());
}

}  // namespace
}  // namespace gd::testing
