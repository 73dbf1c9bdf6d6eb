// The Bilibili formatter (channels/bilibili/formatter.cc): title, description, tags and partition
// within the limits of the "bilibili" section of policies/channel_limits.json, video and cover.
#include <gtest/gtest.h>

#include "channels/bilibili/formatter.h"
#include "test_support.h"
#include "tests/support/status_matchers.h"

namespace gd::channels::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

const std::string kCover(64, 'c');
const std::string kVideo(64, 'd');

MediaRef Media(int64_t id, const char* role, const char* kind, const char* mime,
               const std::string& sha, int64_t size = 1000) {
  MediaRef m;
  m.media_id = id;
  m.role = role;
  m.kind = kind;
  m.mime = mime;
  m.sha256 = sha;
  m.size = size;
  return m;
}

std::string Repeat(const char* s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

struct Fixture {
  Content content;
  ChannelTarget target;
  Account account = TestAccount("bilibili");
  RenderInput in;

  explicit Fixture(Json options = Json::object(), bool with_media = true) {
    content.title = "汛期安全知识";
    content.body = "请注意防范强降雨。";
    if (with_media) {
      content.media.push_back(Media(1, "video", "video", "video/mp4", kVideo));
      content.media.push_back(Media(2, "cover", "image", "image/jpeg", kCover));
    }
    target.kind = "bilibili";
    target.options = std::move(options);
    in.content = &content;
    in.account = &account;
    in.target = &target;
    in.ticket_id = 7;
  }
  Rendering Render(const Formatter& f) const { return f.Render(in); }
  Rendering Render() const { return Render(ProjectFormatter("bilibili")); }
};

bool HasProblem(const Rendering& r, std::string_view code) {
  for (const Problem& p : r.problems) {
    if (p.code == code) return true;
  }
  return false;
}

TEST(BilibiliFormatterTest, ArchiveFieldsFromOptionsAndAccount) {
  Fixture f(Json{{"caption", "防汛知识早知道"}, {"hashtags", "防汛，安全"}});
  Rendering r = f.Render();
  EXPECT_TRUE(r.problems.empty()) << r.problems[0].message;
  EXPECT_EQ(r.body["title"], "汛期安全知识");
  EXPECT_EQ(r.body["desc"], "防汛知识早知道");
  EXPECT_EQ(r.body["tag"], "防汛,安全");
  EXPECT_EQ(r.body["tid"], 228);  // the account's default partition
  EXPECT_EQ(r.body["copyright"], 1);
  EXPECT_EQ(r.body["video"], kVideo);
  EXPECT_EQ(r.body["cover"], kCover);

  Fixture g(Json{{"title", "自定义标题"}, {"tid", 21}});
  Rendering s = g.Render();
  EXPECT_EQ(s.body["title"], "自定义标题");
  EXPECT_EQ(s.body["desc"], "汛期安全知识");  // no description: the title
  EXPECT_EQ(s.body["tid"], 21);
}

TEST(BilibiliFormatterTest, LimitsFromThePolicyFile) {
  Fixture f(Json{{"title", Repeat("长", 81)}});
  EXPECT_TRUE(HasProblem(f.Render(), "title_too_long"));
  Fixture ok(Json{{"title", Repeat("长", 80)}});
  EXPECT_FALSE(HasProblem(ok.Render(), "title_too_long"));

  Fixture desc(Json{{"caption", Repeat("字", 2001)}});
  EXPECT_TRUE(HasProblem(desc.Render(), "caption_too_long"));

  Fixture tags(Json{{"hashtags", "一,二,三,四,五,六,七,八,九,十,十一"}});
  EXPECT_TRUE(HasProblem(tags.Render(), "hashtags_too_many"));
  Fixture tag(Json{{"hashtags", Repeat("标", 21)}});
  Rendering r = tag.Render();
  ASSERT_TRUE(HasProblem(r, "tag_too_long"));
  for (const Problem& p : r.problems) {
    if (p.code == "tag_too_long") {
      EXPECT_THAT(p.message, HasSubstr("20"));
    }
  }
}

TEST(BilibiliFormatterTest, CoverIsAJpegOrPngOfAtMostFiveMegabytes) {
  Fixture none(Json::object(), false);
  Rendering r = none.Render();
  EXPECT_TRUE(HasProblem(r, "video_missing"));
  EXPECT_TRUE(HasProblem(r, "cover_missing"));

  Fixture gif;
  gif.content.media[1].mime = "image/gif";
  EXPECT_TRUE(HasProblem(gif.Render(), "media_format"));

  Fixture big;
  big.content.media[1].size = 5 * 1024 * 1024 + 1;
  EXPECT_TRUE(HasProblem(big.Render(), "media_too_large"));

  Fixture chosen(Json{{"cover", 1}});  // the video is no cover
  EXPECT_TRUE(HasProblem(chosen.Render(), "media_format"));
}

TEST(BilibiliFormatterTest, PartitionRequired) {
  Fixture f;
  f.account.settings.erase("tid");
  EXPECT_TRUE(HasProblem(f.Render(), "tid_missing"));
}

TEST(BilibiliFormatterTest, LimitsSectionIsReadAndCheckedAtStartUp) {
  auto bad = ParseChannelLimits(Json::parse(R"({"bilibili":{"title_max_chars":"80"}})"), "x.json");
  ASSERT_TRUE(bad.ok());  // the section belongs to the platform: its factory reads it
  FormatterEnv env{ProjectEnv().templates, &*bad};
  auto f = MakeBilibiliFormatter(env);
  ASSERT_THAT(f, StatusIs(Code::kInvalidArgument));
  EXPECT_THAT(f.status().message(),
              AllOf(HasSubstr("x.json"), HasSubstr("bilibili.title_max_chars")));

  auto small = ParseChannelLimits(Json::parse(R"({"bilibili":{"title_max_chars":4}})"), "y.json");
  ASSERT_TRUE(small.ok());
  FormatterEnv env2{ProjectEnv().templates, &*small};
  auto g = MakeBilibiliFormatter(env2);
  ASSERT_TRUE(g.ok());
  Fixture five(Json{{"title", "五个字标题"}});
  EXPECT_TRUE(HasProblem(five.Render(**g), "title_too_long"));

  render::TemplateSet empty;
  FormatterEnv no_template{&empty, ProjectEnv().limits};
  EXPECT_THAT(MakeBilibiliFormatter(no_template).status().message(),
              HasSubstr("templates/bilibili/desc.txt.mustache"));
}

}  // namespace
}  // namespace gd::channels::testing
