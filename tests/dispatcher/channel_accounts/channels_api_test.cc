// Channel accounts over HTTP: secrets are write-only and sealed at rest.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace gd::testing
