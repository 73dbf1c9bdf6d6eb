// Golden renderings: every article of tests/testdata/articles through every built-in channel,
// compared with tests/testdata/renderings/<article>/<channel>.{json,html,txt}. Run with
// GD_UPDATE_GOLDEN=1 to rewrite the files after an intended change, then review the diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "test_support.h"

namespace gd::channels::testing {
namespace {
namespace fs = std::filesystem;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return "<missing>";
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool UpdateGolden() {
  const char* v = std::getenv("GD_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

// The golden files of one rendering: the JSON (long HTML/text fields moved to their own file so
// diffs stay readable) and the side files.
std::map<std::string, std::string> GoldenFiles(std::string_view kind, const Rendering& r) {
  std::map<std::string, std::string> files;
  Json body = r.body;
  auto move_out = [&](const char* key, const std::string& file) {
    if (!body.contains(key)) return;
    std::string& text = files[file];
    text += body[key].get<std::string>();
    if (text.empty() || text.back() != '\n') text += '\n';
    body[key] = "<见 " + file + ">";
  };
  const std::string k(kind);
  if (kind == "portal") {
    move_out("page_html", k + ".html");
    body["article_html"] = "<见 " + k + ".html 的 gd-body>";
  } else if (kind == "wechat_mp") {
    move_out("content", k + ".html");
  } else if (kind == "manual") {
    move_out("instructions", k + ".txt");
  } else if (kind == "weibo") {
    files[k + ".txt"] = body["text"].get<std::string>() + "\n";
  }
  Json problems = Json::array();
  for (const Problem& p : r.problems) {
    problems.push_back(
        {{"code", p.code}, {"field", p.field}, {"severity", p.severity}, {"message", p.message}});
  }
  files[k + ".json"] = DumpJson({{"body", body}, {"problems", problems}}, 2) + "\n";
  return files;
}

TEST(GoldenRenderingTest, EveryArticleOnEveryChannel) {
  const fs::path root = SourceDir() / "tests/testdata/renderings";
  const auto articles = LoadArticles();
  ASSERT_GE(articles.size(), 7u);
  for (const Article& a : articles) {
    for (const BuiltinChannel& b : BuiltinChannels()) {
      Rendering r = RenderArticle(a, b.kind);
      for (const auto& [file, text] : GoldenFiles(b.kind, r)) {
        const fs::path path = root / a.name / file;
        if (UpdateGolden()) {
          fs::create_directories(path.parent_path());
          std::ofstream(path, std::ios::binary) << text;
          continue;
        }
        EXPECT_EQ(ReadAll(path), text)
            << path << " differs; if intended, rerun with GD_UPDATE_GOLDEN=1 and review the diff";
      }
    }
  }
}

TEST(GoldenRenderingTest, RenderingIsDeterministic) {
  for (const Article& a : LoadArticles()) {
    for (const BuiltinChannel& b : BuiltinChannels()) {
      EXPECT_EQ(DumpJson(RenderArticle(a, b.kind).body), DumpJson(RenderArticle(a, b.kind).body))
          << a.name << " " << b.kind;
    }
  }
}

TEST(GoldenRenderingTest, NoHostileMarkupSurvivesAnywhere) {
  for (const Article& a : LoadArticles()) {
    for (const BuiltinChannel& b : BuiltinChannels()) {
      Json body = RenderArticle(a, b.kind).body;
      if (b.kind == "portal") body.erase("page_html");  // the page's own script is the template's
      const std::string dump = DumpJson(body);
      for (const char* bad : {"<script", "javascript:", "onerror", "onclick", "<iframe",
                              "data:text", "evil.example/track"}) {
        EXPECT_EQ(dump.find(bad), std::string::npos) << a.name << " " << b.kind << ": " << bad;
      }
    }
  }
}

}  // namespace
}  // namespace gd::channels::testing
