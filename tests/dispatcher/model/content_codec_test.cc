#include "dispatcher/model/content_codec.h"

#include <gtest/gtest.h>

#include "dispatcher/core/crypto.h"

namespace gd {
namespace {

TEST(ContentHash, IsTheHashOfTheCombinedJsonText) {
  Content c;
  c.title = "关于\"防汛\"的通知";
  c.summary = "摘要";
  c.body = "# 标题\n\n正文 <b>&</b>\n";
  c.source = "市应急管理局";
  c.channels.push_back({1, "portal", Json::object()});
  c.scheduled_at = 1764460800000;
  const Json renderings = Json::array(
      {{{"account_id", 1}, {"rendering", {{"page_html", "<p>正文 &amp;</p>\n"}, {"n", 2.5}}}}});
  const Json all = {{"content", ContentToJson(c)}, {"renderings", renderings}};
  EXPECT_EQ(ContentHash(c, renderings), Sha256Hex(all.dump()));
  EXPECT_EQ(ContentHashOfText(ContentToJson(c).dump(), renderings.dump()),
            ContentHash(c, renderings));
  Content other = c;
  other.title += "（更正）";
  EXPECT_NE(ContentHash(other, renderings), ContentHash(c, renderings));
}

}  // namespace
}  // namespace gd
