#include "dispatcher/checks/engine.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "dispatcher/checks/markdown_walker.h"
#include "tests/support/status_matchers.h"

namespace gd::checks {
namespace {

namespace fs = std::filesystem;

fs::path Policies() {
  const char* env = std::getenv("GD_SOURCE_DIR");
  return fs::path(env && *env ? env : GD_SOURCE_DIR) / "policies/checks";
}

// A private copy of the policies that a test may break.
class TempPolicies {
 public:
  TempPolicies() {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');
    dir_ = fs::temp_directory_path() / ("gd_checks_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(dir_);
    fs::copy(Policies(), dir_);
  }
  ~TempPolicies() { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary | std::ios::trunc) << content;
  }
  void Append(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary | std::ios::app) << content;
  }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
};

std::shared_ptr<const CheckEngine> Engine() {
  static auto e = CheckEngine::Load(Policies());
  EXPECT_TRUE(e.ok()) << e.status().message();
  return *e;
}

std::vector<Finding> Body(std::string_view body) {
  CheckInput in;
  in.body = body;
  return Engine()->Run(in);
}

TEST(EngineTest, LoadsShippedPolicies) {
  auto e = Engine();
  EXPECT_EQ(e->version().size(), 64u);
  EXPECT_GT(e->stats().patterns, 100u);
}

TEST(EngineTest, FindingJsonShape) {
  auto f = Body("联系电话13812345678");
  ASSERT_EQ(f.size(), 1u);
  Json j = FindingToJson(f[0]);
  EXPECT_EQ(j["id"], "pii:body:12");
  EXPECT_EQ(j["rule"], "pii");
  EXPECT_EQ(j["kind"], "mobile");
  EXPECT_EQ(j["severity"], "block");
  EXPECT_EQ(j["start"], 12);
  EXPECT_EQ(j["end"], 23);
  EXPECT_EQ(j["char_start"], 4);
  EXPECT_EQ(j["char_end"], 15);
  EXPECT_EQ(j["text"], "13812345678");
  EXPECT_EQ(j["suggestion"], "138****5678");
  EXPECT_FALSE(j.contains("field"));
  EXPECT_TRUE(AnyBlocking(f));
  CheckInput in;
  in.title = "13812345678";
  auto t = Engine()->Run(in);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(FindingToJson(t[0])["field"], "title");
  EXPECT_EQ(FindingsToJson(t)["findings"].size(), 1u);
}

TEST(EngineTest, SortedByFieldThenStart) {
  CheckInput in;
  in.category = Category::kReposted;
  in.title = "再接再励";
  in.summary = "机密★";
  in.body = "按装 13812345678 绝密";
  auto f = Engine()->Run(in);
  std::vector<std::string> order;
  for (auto& x : f) order.push_back(x.field + ":" + x.rule);
  EXPECT_EQ(order,
            (std::vector<std::string>{"title:typo", "summary:secret_marking", "body:typo",
                                      "body:pii", "body:secret_marking", "source:missing_source"}));
  EXPECT_FALSE(f[1].overridable);
}

TEST(EngineTest, IdsAreUniqueWithinARun) {
  auto f = Body("[a](http://example.com)");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_NE(f[0].id, f[1].id);
}

TEST(EngineTest, ThreadSafeRuns) {
  auto e = Engine();
  CheckInput in;
  std::string body;
  for (int i = 0; i < 200; ++i) body += "机密★ 联系13812345678，再接再励，占比120%，2月30日。\n\n";
  in.body = body;
  auto want = e->Run(in);
  ASSERT_EQ(want.size(), 1000u);
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int k = 0; k < 5; ++k) {
        auto got = e->Run(in);
        if (got.size() != want.size() || got.back().id != want.back().id) ++bad;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST(EngineTest, MalformedUtf8IsTolerated) {
  auto f = Body("\xff\xfe机密★\xc3");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].start, 2u);
}

TEST(EngineTest, VersionFollowsTheFiles) {
  TempPolicies p;
  auto a = CheckEngine::Load(p.dir());
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ((*a)->version(), Engine()->version());
  p.Append("sensitive_words.tsv", "测试新词\t测试\twarn\n");
  auto b = CheckEngine::Load(p.dir());
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_NE((*a)->version(), (*b)->version());
  CheckInput in;
  in.body = "这是测试新词";
  EXPECT_EQ((*a)->Run(in).size(), 0u);
  EXPECT_EQ((*b)->Run(in).size(), 1u);
}

TEST(EngineTest, ExtraSensitiveDictionaryFile) {
  TempPolicies p;
  p.Write("sensitive_words_local.tsv", "# local\n本地敏感词\t本地\tblock\n");
  auto e = CheckEngine::Load(p.dir());
  ASSERT_TRUE(e.ok()) << e.status().message();
  CheckInput in;
  in.body = "出现本地敏感词";
  auto f = (*e)->Run(in);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "本地");
}

// The shipped leaders list is example data; an operator replaces the whole file (docs/checks.md,
// "Starter data"). After the replacement the rules follow the new list and the example names
// mean nothing any more.
TEST(EngineTest, ReplacedLeadersList) {
  TempPolicies p;
  p.Write("leaders.tsv",
          "# 领导姓名、职务与排序\n# 格式：姓名<TAB>职务<TAB>排序\n"
          "周建国\t市委书记\t1\n吴晓梅\t市委副书记|市长\t2\n郑卫东\t常务副市长\t3\n");
  auto e = CheckEngine::Load(p.dir());
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_NE((*e)->version(), Engine()->version());
  auto run = [&](std::string body) {
    CheckInput in;
    in.body = std::move(body);
    std::vector<std::pair<std::string, std::string>> out;  // kind, text
    for (const auto& f : (*e)->Run(in))
      if (f.rule == "expression") out.push_back({f.kind, f.text});
    return out;
  };
  using V = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(run("市长周建国出席会议。"), (V{{"leader_title", "市长周建国"}}));
  EXPECT_EQ(run("吴晓梅、周建国出席会议。"), (V{{"leader_order", "吴晓梅、周建国"}}));
  EXPECT_EQ(run("市委书记周建国、市长吴晓梅出席会议。"), V{});
  // The example names are gone with the example file.
  EXPECT_EQ(run("市长张华出席会议。李明、张华出席会议。"), V{});
  // The shipped file still carries its example-data notice.
  std::ifstream shipped(Policies() / "leaders.tsv");
  std::string text((std::istreambuf_iterator<char>(shipped)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("示例数据"), std::string::npos);
}

struct BadFile {
  std::string file, content, expect_in_message;
};

class EngineLoadErrorTest : public ::testing::TestWithParam<BadFile> {};

TEST_P(EngineLoadErrorTest, NamesFileAndLine) {
  TempPolicies p;
  p.Write(GetParam().file, GetParam().content);
  auto e = CheckEngine::Load(p.dir());
  ASSERT_THAT(e, StatusIs(Code::kInvalidArgument));
  // The text is the behaviour: whoever edits the rule files reads which file, line and fault.
  EXPECT_THAT(e.status().message(), ::testing::HasSubstr(GetParam().expect_in_message));
}

INSTANTIATE_TEST_SUITE_P(
    BadFiles, EngineLoadErrorTest,
    ::testing::Values(
        BadFile{"sensitive_words.tsv", "# c\n好词\t类别\tmaybe\n", "sensitive_words.tsv 第 2 行"},
        BadFile{"sensitive_words.tsv", "只有一列\n", "sensitive_words.tsv 第 1 行"},
        BadFile{"typo.tsv", "\n\n错字\t错字\n", "typo.tsv 第 3 行"},
        BadFile{"expression.tsv", "旧\t新\tkind\tblock\t不含词条的例外\n", "不包含词条"},
        BadFile{"leaders.tsv", "张三\t市长\t第一\n", "leaders.tsv 第 1 行"},
        BadFile{"id_regions.tsv", "123\t错\n", "id_regions.tsv 第 1 行"},
        BadFile{"link_domains.txt", "not a domain\n", "link_domains.txt 第 1 行"},
        BadFile{"variants.tsv", "機器\t机\n", "variants.tsv 第 1 行"},
        BadFile{"families.json", "{", "families.json"},
        BadFile{"families.json", "{}", "缺少规则族"},
        BadFile{"unknown.tsv", "x\n", "未知的规则文件"},
        BadFile{"secret_marking.tsv", "\xff\n", "UTF-8"},
        BadFile{"secret_marking.tsv", "***\n", "规范化后为空"}));

TEST(EngineTest, MissingDirectoryAndFile) {
  EXPECT_THAT(CheckEngine::Load("/nonexistent/policies"), StatusIs(Code::kInvalidArgument));
  TempPolicies p;
  fs::remove(p.dir() / "typo.tsv");
  auto e = CheckEngine::Load(p.dir());
  ASSERT_THAT(e, StatusIs(Code::kInvalidArgument));
  // The text is the behaviour: it names the missing file.
  EXPECT_THAT(e.status().message(), ::testing::HasSubstr("typo.tsv"));
}

TEST(MarkdownWalkerTest, PiecesAndLinks) {
  std::string md =
      "# 标题\n\n正文**强调**和`代码`，见[链接](https://www.gov.cn/a)。\n\n```\ncode\n```\n";
  ProseText p = WalkMarkdown(md);
  std::string prose;
  for (auto& piece : p.pieces) prose += md.substr(piece.begin, piece.end - piece.begin) + "|";
  EXPECT_EQ(prose, "标题|正文|强调|和|，见|链接|。|");
  ASSERT_EQ(p.links.size(), 1u);
  EXPECT_EQ(p.links[0].url, "https://www.gov.cn/a");
  EXPECT_EQ(md.substr(p.links[0].begin, p.links[0].end - p.links[0].begin), p.links[0].url);
}

}  // namespace
}  // namespace gd::checks
