#include "dispatcher/render/templates.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <kainjow/mustache.hpp>
#include <thread>
#include <vector>

#include "tests/support/status_matchers.h"

namespace gd::render {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
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
  EXPECT_THAT(set->Render("portal/none", Json::object()), StatusIs(Code::kNotFound));
}

TEST_F(TemplateDir, BrokenTemplateNamesTheFile) {
  Write("portal/page.html.mustache", "{{#items}}<li>{{.}}</li>");
  Write("portal/page.html.sample.json", R"({"items":[1]})");
  auto set = TemplateSet::Load(dir_);
  ASSERT_THAT(set, StatusIs(Code::kInvalidArgument));
  // The text is the behaviour: the template author reads which file (and name) is wrong.
  EXPECT_THAT(set.status().message(), HasSubstr("page.html.mustache"));
}

TEST_F(TemplateDir, UnknownVariableFailsTheLoad) {
  Write("portal/page.html.mustache", "<h1>{{titel}}</h1>");
  Write("portal/page.html.sample.json", R"({"title":"t"})");
  auto set = TemplateSet::Load(dir_);
  ASSERT_THAT(set, StatusIs(Code::kInvalidArgument));
  // The text is the behaviour: the template author reads which file (and name) is wrong.
  EXPECT_THAT(set.status().message(), AllOf(HasSubstr("titel"), HasSubstr("page.html.mustache")));
}

TEST_F(TemplateDir, MissingSampleFailsTheLoad) {
  Write("portal/page.html.mustache", "<h1>{{title}}</h1>");
  auto set = TemplateSet::Load(dir_);
  ASSERT_THAT(set, StatusIs(Code::kInvalidArgument));
  // The text is the behaviour: the template author reads which file (and name) is wrong.
  EXPECT_THAT(set.status().message(), HasSubstr("page.html.sample.json"));
}

TEST_F(TemplateDir, MissingPartialFailsTheLoad) {
  Write("portal/page.html.mustache", "{{> _nav}}<h1>{{title}}</h1>");
  Write("portal/page.html.sample.json", R"({"title":"t"})");
  auto set = TemplateSet::Load(dir_);
  ASSERT_THAT(set, StatusIs(Code::kInvalidArgument));
  // The text is the behaviour: the template author reads which file (and name) is wrong.
  EXPECT_THAT(set.status().message(), HasSubstr("_nav"));
}

TEST_F(TemplateDir, BadAssetFailsTheLoad) {
  Write("portal/styles.json", "{bad");
  auto set = TemplateSet::Load(dir_);
  ASSERT_THAT(set, StatusIs(Code::kInvalidArgument));
  // The text is the behaviour: the template author reads which file (and name) is wrong.
  EXPECT_THAT(set.status().message(), HasSubstr("styles.json"));
}

TEST(TemplateSetTest, ProjectTemplatesLoad) {
  auto set = TemplateSet::Load(fs::path(GD_SOURCE_DIR) / "templates");
  ASSERT_TRUE(set.ok()) << set.status().message();
}

// What kainjow renders with the partials handed over as data (parsed at each use): the inlined
// templates must render the same.
std::string KainjowRender(const std::string& source,
                          const std::map<std::string, std::string>& partials, const Json& data,
                          bool plain_text) {
  kainjow::mustache::data root = kainjow::mustache::data::type::object;
  std::function<kainjow::mustache::data(const Json&)> to_data = [&](const Json& j) {
    if (j.is_object()) {
      kainjow::mustache::data d{kainjow::mustache::data::type::object};
      for (const auto& [k, v] : j.items()) d.set(k, to_data(v));
      return d;
    }
    if (j.is_array()) {
      kainjow::mustache::data d{kainjow::mustache::data::type::list};
      for (const auto& v : j) d.push_back(to_data(v));
      return d;
    }
    if (j.is_string()) return kainjow::mustache::data{j.get<std::string>()};
    if (j.is_boolean()) return kainjow::mustache::data{j.get<bool>()};
    if (j.is_number()) return kainjow::mustache::data{j.dump()};
    return kainjow::mustache::data{false};
  };
  root = to_data(data);
  for (const auto& [key, text] : partials) {
    root.set(key, kainjow::mustache::data{kainjow::mustache::partial{[text] { return text; }}});
  }
  kainjow::mustache::mustache m{source};
  if (plain_text) m.set_custom_escape([](const std::string& s) { return s; });
  return m.render(root);
}

std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(TemplateSetTest, ProjectTemplatesRenderAsKainjowWithPartials) {
  const fs::path dir = fs::path(GD_SOURCE_DIR) / "templates";
  auto set = TemplateSet::Load(dir);
  ASSERT_TRUE(set.ok()) << set.status().message();
  int checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const std::string file = entry.path().filename().string();
    if (!file.ends_with(".mustache") || file.starts_with("_")) continue;
    const std::string base = file.substr(0, file.size() - std::string(".mustache").size());
    const std::string name = entry.path().parent_path().filename().string() + "/" + base;
    std::map<std::string, std::string> partials;
    for (const auto& other : fs::directory_iterator(entry.path().parent_path())) {
      const std::string o = other.path().filename().string();
      if (o.starts_with("_") && o.ends_with(".mustache"))
        partials[o.substr(0, o.find('.'))] = ReadText(other.path());
    }
    const Json* sample = set->Sample(name);
    ASSERT_NE(sample, nullptr) << name;
    auto got = set->Render(name, *sample);
    ASSERT_TRUE(got.ok()) << name << ": " << got.status().message();
    EXPECT_EQ(*got,
              KainjowRender(ReadText(entry.path()), partials, *sample, name.ends_with(".txt")))
        << name;
    ++checked;
  }
  EXPECT_GE(checked, 8);
}

TEST_F(TemplateDir, NestedPartialsInSectionsRenderAsKainjow) {
  const std::string page =
      "{{> _head}}\n<ul>\n  {{#items}}\n  {{> _item}}\n  "
      "{{/items}}\n</ul>\n{{^items}}none{{/items}}";
  const std::string head = "<title>{{site}}</title>\n{{> _meta}}";
  const std::string meta = "  <meta name=\"x\" content=\"{{site}}\">\n";
  const std::string item = "<li>{{name}}{{#tags}} [{{.}}]{{/tags}}</li>\n";
  Write("portal/page.html.mustache", page);
  Write("portal/_head.html.mustache", head);
  Write("portal/_meta.html.mustache", meta);
  Write("portal/_item.html.mustache", item);
  Write("portal/page.html.sample.json", R"({"site":"s","items":[{"name":"a","tags":["t"]}]})");
  auto set = TemplateSet::Load(dir_);
  ASSERT_TRUE(set.ok()) << set.status().message();
  const std::map<std::string, std::string> partials = {
      {"_head", head}, {"_meta", meta}, {"_item", item}};
  for (const Json& data : {
           Json{{"site", "市<政府>"},
                {"items", {{{"name", "a&b"}, {"tags", {"x", "y"}}}, {{"name", "c"}}}}},
           Json{{"site", "s"}, {"items", Json::array()}},
       }) {
    auto got = set->Render("portal/page.html", data);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(*got, KainjowRender(page, partials, data, false));
  }
}

TEST_F(TemplateDir, DelimiterChangesStillRender) {
  Write("portal/page.html.mustache", "{{> _head}}{{=<% %>=}}<h1><% title %></h1>");
  Write("portal/_head.html.mustache", "<title>{{title}}</title>");
  Write("portal/page.html.sample.json", R"({"title":"t"})");
  Write("portal/other.html.mustache", "{{> _pick}}");
  Write("portal/_pick.html.mustache", "{{=[ ]=}}[title]");
  Write("portal/other.html.sample.json", R"({"title":"t"})");
  auto set = TemplateSet::Load(dir_);
  ASSERT_TRUE(set.ok()) << set.status().message();
  auto html = set->Render("portal/page.html", {{"title", "a<b"}});
  ASSERT_TRUE(html.ok()) << html.status().message();
  EXPECT_EQ(*html, "<title>a&lt;b</title><h1>a&lt;b</h1>");
  auto other = set->Render("portal/other.html", {{"title", "x"}});
  ASSERT_TRUE(other.ok()) << other.status().message();
  EXPECT_EQ(*other, "x");
}

TEST_F(TemplateDir, PartialIncludingItselfFailsTheLoad) {
  Write("portal/page.html.mustache", "<h1>{{title}}</h1>{{> _loop}}");
  Write("portal/_loop.html.mustache", "x{{> _loop}}");
  Write("portal/page.html.sample.json", R"({"title":"t"})");
  auto set = TemplateSet::Load(dir_);
  ASSERT_THAT(set, StatusIs(Code::kInvalidArgument));
  // The text is the behaviour: the template author reads which file (and name) is wrong.
  EXPECT_THAT(set.status().message(), HasSubstr("_loop"));
}

TEST(TemplateSetTest, AddingAPartialChangesTheTemplatesUsingIt) {
  TemplateSet set;
  ASSERT_TRUE(set.Add("portal/_head.html", "<title>{{site}}</title>", Json::object()).ok());
  ASSERT_TRUE(set.Add("portal/page.html", "{{> _head}}<p>{{site}}</p>", {{"site", "s"}}).ok());
  EXPECT_EQ(*set.Render("portal/page.html", {{"site", "x"}}), "<title>x</title><p>x</p>");
  ASSERT_TRUE(set.Add("portal/_head.html", "<head>{{site}}</head>", Json::object()).ok());
  EXPECT_EQ(*set.Render("portal/page.html", {{"site", "x"}}), "<head>x</head><p>x</p>");
}

TEST(TemplateSetTest, ConcurrentRendersOfOneTemplate) {
  TemplateSet set;
  ASSERT_TRUE(set.Add("portal/_head.html", "<title>{{site}}</title>", Json::object()).ok());
  ASSERT_TRUE(set.Add("portal/page.html", "{{> _head}}{{#items}}<i>{{.}}</i>{{/items}}",
                      {{"site", "s"}, {"items", {1}}})
                  .ok());
  std::vector<std::thread> threads;
  std::vector<int> mismatches(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string site = "s" + std::to_string(t) + "_" + std::to_string(i);
        auto out = set.Render("portal/page.html", {{"site", site}, {"items", {t, i}}});
        const std::string want = "<title>" + site + "</title><i>" + std::to_string(t) + "</i><i>" +
                                 std::to_string(i) + "</i>";
        if (!out.ok() || *out != want) ++mismatches[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

}  // namespace
}  // namespace gd::render
