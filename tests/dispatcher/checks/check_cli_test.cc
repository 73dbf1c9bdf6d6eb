#include "dispatcher/checks/check_cli.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dispatcher/core/json_util.h"

namespace gd::checks {
namespace {

namespace fs = std::filesystem;

std::string Policies() {
  const char* env = std::getenv("GD_SOURCE_DIR");
  return (fs::path(env && *env ? env : GD_SOURCE_DIR) / "policies/checks").string();
}

class CheckCliTest : public ::testing::Test {
 protected:
  std::string File(const std::string& content) {
    fs::path p = fs::temp_directory_path() /
                 ("gd_check_cli_" + std::to_string(counter_++) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".md");
    std::ofstream(p, std::ios::binary) << content;
    files_.push_back(p);
    return p.string();
  }
  ~CheckCliTest() override {
    for (auto& f : files_) fs::remove(f);
  }
  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    return RunCheckCli(args, out_, err_);
  }
  std::ostringstream out_, err_;
  std::vector<fs::path> files_;
  int counter_ = 0;
};

TEST_F(CheckCliTest, CleanFileExitsZero) {
  EXPECT_EQ(Run({"--policies", Policies(), File("市政府召开常务会议。")}), 0) << err_.str();
  EXPECT_NE(out_.str().find("未发现问题"), std::string::npos);
}

TEST_F(CheckCliTest, BlockingExitsOne) {
  std::string f = File("标题\n\n机密★ 电话13812345678");
  EXPECT_EQ(Run({"--policies", Policies(), f}), 1);
  EXPECT_NE(out_.str().find(":3:1: [阻断] 密级标志"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("138****5678"), std::string::npos);
}

TEST_F(CheckCliTest, WarningsOnlyExitZero) {
  EXPECT_EQ(Run({"--policies=" + Policies(), File("再接再励")}), 0);
  EXPECT_NE(out_.str().find("[提示] 错别字"), std::string::npos) << out_.str();
}

TEST_F(CheckCliTest, JsonOutput) {
  EXPECT_EQ(Run({"--format", "json", "--policies", Policies(), File("电话13812345678")}), 1);
  auto j = ParseJson(out_.str());
  ASSERT_TRUE(j.ok());
  ASSERT_EQ((*j)["findings"].size(), 1u);
  EXPECT_EQ((*j)["findings"][0]["kind"], "mobile");
}

TEST_F(CheckCliTest, RepostedNeedsSource) {
  std::string f = File("转载正文");
  EXPECT_EQ(Run({"--category", "reposted", "--policies", Policies(), f}), 1);
  EXPECT_EQ(Run({"--category", "reposted", "--source", "新华社", "--policies", Policies(), f}), 0);
}

TEST_F(CheckCliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Run({}), 2);
  EXPECT_EQ(Run({"--bogus", File("x")}), 2);
  EXPECT_EQ(Run({"--category", "nope", "--policies", Policies(), File("x")}), 2);
  EXPECT_EQ(Run({"--format", "xml", File("x")}), 2);
  EXPECT_EQ(Run({"--policies", Policies(), "/nonexistent/file.md"}), 2);
  EXPECT_EQ(Run({"--policies", Policies(), File("\xff\xfe")}), 2);
  EXPECT_EQ(Run({"--policies", "/nonexistent", File("x")}), 2);
  EXPECT_EQ(Run({"--category"}), 2);
  // The exit code is the contract; the usage text is what the person at the terminal reads.
  EXPECT_NE(err_.str().find("用法"), std::string::npos);
  EXPECT_EQ(Run({"--help"}), 0);
}

}  // namespace
}  // namespace gd::checks
