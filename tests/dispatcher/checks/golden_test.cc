// Golden rule cases: every *.jsonl file under tests/testdata/checks holds one case per line
// (format in tests/testdata/checks/README.md). Adding a case edits data, not this file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "dispatcher/checks/engine.h"
#include "dispatcher/core/utf8.h"

namespace gd::checks {
namespace {

std::filesystem::path SourceDir() {
  const char* env = std::getenv("GD_SOURCE_DIR");
  return env && *env ? env : GD_SOURCE_DIR;
}

struct Case {
  std::string where;
  Json spec;
};

std::vector<Case> LoadCases() {
  std::vector<Case> cases;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(SourceDir() / "tests/testdata/checks"))
    if (e.path().extension() == ".jsonl") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.empty() || line[0] == '#') continue;
      std::string where = f.filename().string() + ":" + std::to_string(n);
      auto j = ParseJson(line);
      if (!j.ok()) {
        ADD_FAILURE() << where << ": " << j.status().message();
        continue;
      }
      cases.push_back({where, *j});
    }
  }
  return cases;
}

const std::shared_ptr<const CheckEngine>& Engine() {
  static std::shared_ptr<const CheckEngine> engine = [] {
    auto e = CheckEngine::Load(SourceDir() / "policies/checks");
    if (!e.ok()) {
      ADD_FAILURE() << e.status().message();
      return std::shared_ptr<const CheckEngine>();
    }
    return *e;
  }();
  return engine;
}

std::string Describe(const Finding& f) {
  return f.field + " " + f.rule + "/" + f.kind + " [" + std::to_string(f.start) + "," +
         std::to_string(f.end) + ") \"" + f.text + "\" → \"" + f.suggestion + "\"";
}

TEST(GoldenTest, HasEnoughCases) {
  auto cases = LoadCases();
  EXPECT_GE(cases.size(), 300u);
  // Every family has positives and negatives.
  std::map<std::string, std::pair<int, int>> per_rule;
  for (const auto& c : cases) {
    bool positive = !c.spec.value("expect", Json::array()).empty();
    for (const auto& r : c.spec.value("rules", Json::array()))
      (positive ? per_rule[r].first : per_rule[r].second)++;
    for (const auto& e : c.spec.value("expect", Json::array())) per_rule[e.value("rule", "")];
  }
  for (const char* fam : {"secret_marking", "sensitive_word", "expression", "typo", "pii",
                          "missing_source", "date", "number", "link"}) {
    EXPECT_GT(per_rule[fam].first, 0) << "no positive case restricted to " << fam;
    EXPECT_GT(per_rule[fam].second, 0) << "no negative case restricted to " << fam;
  }
}

TEST(GoldenTest, AllCases) {
  ASSERT_TRUE(Engine());
  int failures = 0;
  for (const auto& c : LoadCases()) {
    const Json& s = c.spec;
    CheckInput in;
    std::string title = s.value("title", ""), summary = s.value("summary", ""),
                body = s.value("body", ""), source = s.value("source", "");
    auto cat = ParseCategory(s.value("category", "work_news"));
    ASSERT_TRUE(cat) << c.where;
    in.category = *cat;
    in.title = title;
    in.summary = summary;
    in.body = body;
    in.source = source;
    std::vector<Finding> all = Engine()->Run(in);
    std::set<std::string> rules;
    for (const auto& r : s.value("rules", Json::array())) rules.insert(r.get<std::string>());
    std::vector<Finding> got;
    for (const auto& f : all) {
      // Invariants for every finding.
      std::string_view field = f.field == "title"     ? std::string_view(title)
                               : f.field == "summary" ? std::string_view(summary)
                               : f.field == "source"  ? std::string_view(source)
                                                      : std::string_view(body);
      EXPECT_LE(f.end, field.size()) << c.where;
      if (f.end <= field.size()) {
        EXPECT_EQ(field.substr(f.start, f.end - f.start), f.text) << c.where;
        EXPECT_EQ(CodePointCount(field.substr(0, f.start)), f.char_start) << c.where;
        EXPECT_EQ(CodePointCount(field.substr(0, f.end)), f.char_end) << c.where;
      }
      if (rules.empty() || rules.count(f.rule)) got.push_back(f);
    }
    const Json expect = s.value("expect", Json::array());
    std::string detail;
    bool ok = got.size() == expect.size();
    for (size_t i = 0; ok && i < expect.size(); ++i) {
      const Json& e = expect[i];
      const Finding& f = got[i];
      for (auto it = e.begin(); it != e.end() && ok; ++it) {
        const std::string& k = it.key();
        if (k == "rule")
          ok = f.rule == it.value();
        else if (k == "kind")
          ok = f.kind == it.value();
        else if (k == "text")
          ok = f.text == it.value();
        else if (k == "field")
          ok = f.field == it.value();
        else if (k == "severity")
          ok = f.severity == it.value();
        else if (k == "suggestion")
          ok = f.suggestion == it.value();
        else if (k == "overridable")
          ok = f.overridable == it.value().get<bool>();
        else if (k == "start")
          ok = f.start == it.value().get<size_t>();
        else if (k == "end")
          ok = f.end == it.value().get<size_t>();
        else if (k == "char_start")
          ok = f.char_start == it.value().get<size_t>();
        else if (k == "char_end")
          ok = f.char_end == it.value().get<size_t>();
        else if (k == "id")
          ok = f.id == it.value();
        else
          ADD_FAILURE() << c.where << ": unknown expect key " << k;
        if (!ok) detail = "mismatch on " + k + " of finding " + std::to_string(i);
      }
    }
    if (!ok) {
      ++failures;
      std::string got_s;
      for (const auto& f : got) got_s += "\n    " + Describe(f);
      ADD_FAILURE() << c.where << " (" << s.value("name", "") << "): " << detail
                    << "\n  expected: " << expect.dump() << "\n  got:" << got_s;
    }
  }
  EXPECT_EQ(failures, 0);
}

}  // namespace
}  // namespace gd::checks
