#include "channels/portal/site.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "channels/portal/formatter.h"
#include "dispatcher/core/time_util.h"
#include "test_support.h"

namespace gd::channels::testing {
namespace {
namespace fs = std::filesystem;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class SiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gd_site_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    options_.site_dir = dir_ / "site";
    options_.site_name = "示例市人民政府";
    options_.public_base_url = "https://www.example.gov.cn";
    options_.settings = TestAccount("portal").settings;
    options_.page_size = 3;
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  SiteOptions options_;
};

TEST(SitePathTest, ArticlePathsAndDates) {
  EXPECT_TRUE(IsValidArticlePath("art/2026/11/29/art_12.html"));
  EXPECT_FALSE(IsValidArticlePath("art/2026/11/29/../../../etc.html"));
  EXPECT_FALSE(IsValidArticlePath("art/2026/11/29/art_.html"));
  EXPECT_FALSE(IsValidArticlePath("/etc/passwd"));
  EXPECT_EQ(Rfc822Date(*ParseRfc3339("2026-11-29T09:30:05+08:00")),
            "Sun, 29 Nov 2026 09:30:05 +0800");
}

TEST_F(SiteTest, WritesArticleWithMediaAndIndexes) {
  std::vector<SiteArticle> published;
  for (const Article& a : LoadArticles()) {
    Rendering r = RenderArticle(a, "portal");
    std::vector<MediaRef> media = a.content.media;
    for (MediaRef& m : media) {
      m.path = (dir_ / (m.sha256 + ".src")).string();
      fs::create_directories(dir_);
      std::ofstream(m.path, std::ios::binary) << "file " << m.sha256;
    }
    ASSERT_TRUE(StaticSite(*ProjectEnv().templates, options_).WriteArticle(r.body, media).ok());
    published.push_back(SiteArticle::FromRendering(r.body, a.ticket_id, a.publish_time));
  }
  StaticSite site(*ProjectEnv().templates, options_);
  ASSERT_TRUE(site.WriteIndexes(published).ok());

  const fs::path root = options_.site_dir;
  const std::string page = ReadAll(root / "art/2026/11/29/art_103.html");
  EXPECT_NE(page.find("src=\"../../../../media/"
                      "128ea27ff4143f020b48413830aa425568846fa619cf9e79194e9dc07ce8dd01.jpg\""),
            std::string::npos);
  EXPECT_EQ(page.find("media:"), std::string::npos);
  // The page's tools load from the site itself: its CSP allows no inline script.
  EXPECT_NE(page.find("<script src=\"../../../../gd-site.js\"></script>"), std::string::npos);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_NE(ReadAll(root / "gd-site.js").find("window.print()"), std::string::npos);
  EXPECT_EQ(
      ReadAll(root / "media/128ea27ff4143f020b48413830aa425568846fa619cf9e79194e9dc07ce8dd01.jpg"),
      "file 128ea27ff4143f020b48413830aa425568846fa619cf9e79194e9dc07ce8dd01");
  EXPECT_TRUE(fs::exists(root / "art/2026/11/29/art_106.html"));

  const std::string column = ReadAll(root / "col/gzdt/index.html");
  EXPECT_NE(column.find("工作动态"), std::string::npos);
  EXPECT_NE(column.find("../../art/2026/11/29/art_108.html"), std::string::npos);
  const std::string home = ReadAll(root / "index.html");
  EXPECT_NE(home.find("col/gzdt/index.html"), std::string::npos);
  const std::string rss = ReadAll(root / "rss.xml");
  EXPECT_NE(rss.find("<link>https://www.example.gov.cn/art/2026/11/29/art_101.html</link>"),
            std::string::npos);
  const std::string sitemap = ReadAll(root / "sitemap.xml");
  EXPECT_NE(sitemap.find("<loc>https://www.example.gov.cn/col/gzdt/index.html</loc>"),
            std::string::npos);
  // No temporary files are left behind.
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << e.path();
  }
  EXPECT_EQ(site.ArticleUrl("art/2026/11/29/art_1.html"),
            "https://www.example.gov.cn/art/2026/11/29/art_1.html");
}

TEST_F(SiteTest, ColumnPagination) {
  std::vector<SiteArticle> published;
  for (int i = 1; i <= 7; ++i) {
    SiteArticle a;
    a.ticket_id = i;
    a.title = "第" + std::to_string(i) + "条";
    a.column = "工作动态";
    a.publish_time = *ParseRfc3339("2026-11-01T08:00:00+08:00") + i * 86400000LL;
    a.path = PortalArticlePath(i, a.publish_time);
    published.push_back(a);
  }
  StaticSite site(*ProjectEnv().templates, options_);
  ASSERT_TRUE(site.WriteIndexes(published).ok());
  const fs::path col = options_.site_dir / "col/gzdt";
  EXPECT_TRUE(fs::exists(col / "index.html"));
  EXPECT_TRUE(fs::exists(col / "index_2.html"));
  EXPECT_TRUE(fs::exists(col / "index_3.html"));
  EXPECT_FALSE(fs::exists(col / "index_4.html"));
  const std::string first = ReadAll(col / "index.html");
  EXPECT_LT(first.find("第7条"), first.find("第6条"));  // newest first
  EXPECT_EQ(first.find("第4条"), std::string::npos);
  EXPECT_NE(first.find("第 1/3 页"), std::string::npos);
}

TEST_F(SiteTest, RejectsBadPathAndRemoves) {
  StaticSite site(*ProjectEnv().templates, options_);
  EXPECT_FALSE(site.WriteArticle({{"path", "../x.html"}, {"page_html", "x"}}, {}).ok());
  Json body = {{"path", "art/2026/11/29/art_9.html"}, {"page_html", "<p>x</p>"}};
  ASSERT_TRUE(site.WriteArticle(body, {}).ok());
  EXPECT_TRUE(fs::exists(options_.site_dir / "art/2026/11/29/art_9.html"));
  ASSERT_TRUE(site.RemoveArticle("art/2026/11/29/art_9.html").ok());
  EXPECT_FALSE(fs::exists(options_.site_dir / "art/2026/11/29/art_9.html"));
  EXPECT_TRUE(site.RemoveArticle("art/2026/11/29/art_9.html").ok());
}

}  // namespace
}  // namespace gd::channels::testing
