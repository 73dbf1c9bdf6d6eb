#include "dispatcher/render/templates.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace gd::render {
namespace {
namespace fs = std::filesystem;

class TemplateDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gd_templates_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "portal");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(dir_ / rel, std::ios::binary) << text;
  }
  fs::path dir_;
};

TEST_F(TemplateDir, LoadsRendersAndEscapes) {
  Write("portal/page.html.mustache", "{{> _head}}<h1>{{title}}</h1>{{{html}}}");
  Write("portal/_head.html.mustache", "<title>{{site}}</title>");
  Write("portal/page.html.sample.json", R"({"title":"t","html":"<p>x</p>","site":"s"})");
  Write("portal/note.txt.mustache", "{{title}} & {{#items}}[{{.}}]{{/items}}");
  Write("portal/note.txt.sample.json", R"({"title":"a<b","items":[1,2]})");
  Write("portal/styles.json", R"({"p":"margin:0;"})");
  auto set = TemplateSet::Load(dir_);
  ASSERT_TRUE(set.ok()) << set.status().message();
  auto html = set->Render("portal/page.html",
                          {{"title", "<甲&乙>"}, {"html", "<b>b</b>"}, {"site", "市政府"}});
  ASSERT_TRUE(html.ok());
  EXPECT_EQ(*html, "<title>市政府</title><h1>&lt;甲&amp;乙&gt;</h1><b>b</b>");
  auto text = set->Render("portal/note.txt", {{"title", "a<b"}, {"items", {1, 2}}});
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "a<b & [1][2]");
  ASSERT_NE(set->Asset("portal/styles"), nullptr);
  EXPECT_EQ((*set->Asset("portal/styles"))["p"], "margin:0;");
  EXPECT_FALSE(set->Render("portal/none", Json::object()).ok());
}

TEST_F(TemplateDir, BrokenTemplateNamesTheFile) {
  Write("portal/page.html.mustache", "{{#items}}<li>{{.}}</li>");
  Write("portal/page.html.sample.json", R"({"items":[1]})");
  auto set = TemplateSet::Load(dir_);
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find("page.html.mustache"), std::string::npos);
}

TEST_F(TemplateDir, UnknownVariableFailsTheLoad) {
  Write("portal/page.html.mustache", "<h1>{{titel}}</h1>");
  Write("portal/page.html.sample.json", R"({"title":"t"})");
  auto set = TemplateSet::Load(dir_);
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find("titel"), std::string::npos);
  EXPECT_NE(set.status().message().find("page.html.mustache"), std::string::npos);
}

TEST_F(TemplateDir, MissingSampleFailsTheLoad) {
  Write("portal/page.html.mustache", "<h1>{{title}}</h1>");
  auto set = TemplateSet::Load(dir_);
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find("page.html.sample.json"), std::string::npos);
}

TEST_F(TemplateDir, MissingPartialFailsTheLoad) {
  Write("portal/page.html.mustache", "{{> _nav}}<h1>{{title}}</h1>");
  Write("portal/page.html.sample.json", R"({"title":"t"})");
  auto set = TemplateSet::Load(dir_);
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find("_nav"), std::string::npos);
}

TEST_F(TemplateDir, BadAssetFailsTheLoad) {
  Write("portal/styles.json", "{bad");
  auto set = TemplateSet::Load(dir_);
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find("styles.json"), std::string::npos);
}

TEST(TemplateSetTest, ProjectTemplatesLoad) {
  auto set = TemplateSet::Load(fs::path(GD_SOURCE_DIR) / "templates");
  ASSERT_TRUE(set.ok()) << set.status().message();
}

}  // namespace
}  // namespace gd::render
