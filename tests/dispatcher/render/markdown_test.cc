#include "dispatcher/render/markdown.h"

#include <gtest/gtest.h>

#include "dispatcher/render/sanitizer.h"

namespace gd::render {
namespace {

TEST(MarkdownTest, ParagraphsAndEmphasis) {
  EXPECT_EQ(MarkdownToHtml("第一段**加粗**。\n\n第二段~~删除~~。"),
            "<p>第一段<strong>加粗</strong>。</p>\n<p>第二段<del>删除</del>。</p>\n");
}

TEST(MarkdownTest, Tables) {
  std::string html = MarkdownToHtml("| 项目 | 数量 |\n|:--|--:|\n| 道路 | 12 |\n");
  EXPECT_NE(html.find("<table>"), std::string::npos);
  EXPECT_NE(html.find("<th align=\"left\">项目</th>"), std::string::npos);
  EXPECT_NE(html.find("<td align=\"right\">12</td>"), std::string::npos);
}

TEST(MarkdownTest, PermissiveAutolinks) {
  std::string html = MarkdownToHtml("详见 https://www.example.gov.cn/a.html 。");
  EXPECT_NE(html.find("<a href=\"https://www.example.gov.cn/a.html\">"), std::string::npos);
}

TEST(MarkdownTest, MediaImage) {
  std::string sha(64, 'a');
  std::string html = SanitizeHtml(MarkdownToHtml("![现场](media:" + sha + ")"), {});
  EXPECT_EQ(html, "<p><img src=\"media:" + sha + "\" alt=\"现场\"></p>\n");
}

TEST(MarkdownTest, InvalidUtf8IsReplaced) {
  std::string html = MarkdownToHtml(std::string("ab\xff\xfe", 4) + std::string(1, '\0') + "c");
  EXPECT_EQ(html,
            "<p>ab\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
            "c</p>\n");
}

TEST(MarkdownTest, ToValidUtf8KeepsValidText) {
  EXPECT_EQ(ToValidUtf8("政务公开\xEF\xBF\xBD"), "政务公开\xEF\xBF\xBD");
}

}  // namespace
}  // namespace gd::render
