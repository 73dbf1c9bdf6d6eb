#include <gtest/gtest.h>

#include <set>

#include "channels/formatter_util.h"
#include "channels/manual/formatter.h"
#include "channels/portal/formatter.h"
#include "channels/wechat_mp/formatter.h"
#include "channels/weibo/formatter.h"
#include "dispatcher/core/time_util.h"
#include "test_support.h"
#include "tests/support/status_matchers.h"

namespace gd::channels::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

const std::string kCover(64, 'c');
const std::string kVideo(64, 'd');
const std::string kImage(64, 'e');

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

struct Fixture {
  Content content;
  ChannelTarget target;
  RenderInput in;

  explicit Fixture(std::string_view kind, Json options = Json::object()) {
    content.title = "市政府召开常务会议";
    content.body = "会议研究了近期重点工作。会议强调要抓好落实！";
    content.column = "工作动态";
    content.channels.push_back({1, "portal", Json::object()});
    target.kind = std::string(kind);
    target.options = std::move(options);
    in.content = &content;
    in.account = &TestAccount(kind);
    in.target = &target;
    in.ticket_id = 42;
    in.publish_time = *ParseRfc3339("2026-11-29T23:30:00+08:00");
    in.unit_name = "示例市人民政府办公室";
  }
  Rendering Render() const { return ProjectFormatter(target.kind).Render(in); }
};

bool HasProblem(const Rendering& r, std::string_view code) {
  for (const Problem& p : r.problems) {
    if (p.code == code) return true;
  }
  return false;
}

// Every entry of the registry is findable by its kind, unique, labelled in Chinese, and has a
// formatter built from the project's templates and limits.
TEST(BuiltinChannelsTest, ListIsCompleteAndBuilds) {
  auto formatters = MakeBuiltinFormatters(ProjectEnv());
  ASSERT_TRUE(formatters.ok()) << formatters.status().ToString();
  std::set<std::string> kinds;
  for (const BuiltinChannel& c : BuiltinChannels()) {
    EXPECT_TRUE(kinds.insert(c.kind).second) << c.kind;
    EXPECT_EQ(FindBuiltinChannel(c.kind), &c);
    EXPECT_FALSE(c.label.empty());
    EXPECT_GE(static_cast<unsigned char>(c.label[0]), 0xE4) << c.kind;  // a Chinese name
    EXPECT_TRUE(formatters->contains(c.kind)) << c.kind;
  }
  EXPECT_EQ(formatters->size(), kinds.size());
  EXPECT_EQ(BuiltinChannels().front().kind, "portal");
  ASSERT_NE(FindBuiltinChannel("weibo"), nullptr);
  EXPECT_EQ(FindBuiltinChannel("weibo")->label, "新浪微博");
  EXPECT_EQ(FindBuiltinChannel("no_such_kind"), nullptr);
}

TEST(BuiltinChannelsTest, MissingTemplateFailsWithItsName) {
  render::TemplateSet empty;
  FormatterEnv env{&empty, ProjectEnv().limits};
  auto f = MakeBuiltinFormatters(env);
  ASSERT_THAT(f, StatusIs(Code::kInvalidArgument));
  // The text is the behaviour: whoever deploys the templates reads which one is missing.
  EXPECT_THAT(f.status().message(), HasSubstr("templates/portal/article.html.mustache"));
}

// Each platform reads its own section of the limits file when its formatter is built (at
// start-up): a bad value stops the start, naming the file and the field.
TEST(ChannelLimitsTest, BadFieldNamesThePath) {
  auto build = [](const char* doc) {
    auto l = ParseChannelLimits(Json::parse(doc), "x.json");
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    FormatterEnv env{ProjectEnv().templates, &*l};
    return MakeBuiltinFormatters(env).status();
  };
  Status w = build(R"({"wechat_mp":{"title_max_chars":"32"}})");
  ASSERT_THAT(w, StatusIs(Code::kInvalidArgument));
  // The text is the behaviour: whoever edits the limits file reads which file and field.
  EXPECT_THAT(w.message(), AllOf(HasSubstr("x.json"), HasSubstr("wechat_mp.title_max_chars")));
  Status m = build(R"({"manual":{"platforms":{"视频号":{"text_max_chars":0}}}})");
  ASSERT_THAT(m, StatusIs(Code::kInvalidArgument));
  EXPECT_THAT(m.message(), HasSubstr("manual.platforms.视频号.text_max_chars"));
  EXPECT_THAT(build(R"({"weibo":{"link_units":200}})").message(), HasSubstr("weibo.link_units"));
  EXPECT_THAT(build(R"({"douyin":{"video_mimes":[]}})").message(), HasSubstr("douyin.video_mimes"));
  EXPECT_THAT(ParseChannelLimits(Json::parse(R"({"weibo":5})"), "x.json").status().message(),
              HasSubstr("weibo"));
}

TEST(ChannelLimitsTest, ProjectFileMatchesPlatformRules) {
  const ChannelLimits& l = *ProjectEnv().limits;
  auto w = ReadWechatLimits(l.Section("wechat_mp"));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->title_max_chars, 32);
  EXPECT_EQ(w->author_max_chars, 16);
  EXPECT_EQ(w->digest_max_chars, 128);
  EXPECT_EQ(w->content_max_chars, 19999);
  auto wb = ReadWeiboLimits(l.Section("weibo"));
  ASSERT_TRUE(wb.ok());
  EXPECT_EQ(wb->text_max_units, 140);
  auto m = ReadManualLimits(l.Section("manual"));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->For("视频号").title_max_chars, 22);
  EXPECT_EQ(m->For("未知平台").text_max_chars, 1000);
}

TEST(WeiboLengthTest, CountingRule) {
  EXPECT_EQ(WeiboLength("政务公开", 11), 4);
  EXPECT_EQ(WeiboLength("abc", 11), 2);  // 3 halves, rounded up
  EXPECT_EQ(WeiboLength("ab", 11), 1);
  EXPECT_EQ(WeiboLength("详情：{{portal_url}}", 11), 14);
  EXPECT_EQ(WeiboLength("见https://www.example.gov.cn/art/2026/11/29/art_1.html。", 11), 13);
}

TEST(CutAtSentenceTest, WholeSentencesOnly) {
  auto fits10 = [](std::string_view s) { return Chars(s) <= 10; };
  EXPECT_EQ(CutAtSentence("第一句话。第二句话很长很长。", fits10), "第一句话。");
  EXPECT_EQ(CutAtSentence("他说：“好。”然后走了。", fits10), "他说：“好。”");
  EXPECT_EQ(CutAtSentence("没有句号的一长段文字内容", fits10), "");
}

TEST(PortalFormatterTest, PathDateAndIndexNumber) {
  Fixture f("portal");
  Rendering r = f.Render();
  // 23:30 in Beijing is still the 29th.
  EXPECT_EQ(r.body["path"], "art/2026/11/29/art_42.html");
  EXPECT_EQ(r.body["publish_date"], "2026-11-29");
  EXPECT_EQ(r.body["index_no"], "11370100MB0000000X/2026-00042");
  EXPECT_EQ(r.body["column_slug"], "gzdt");
  EXPECT_EQ(r.body["publisher"], "示例市人民政府办公室");
  EXPECT_EQ(r.body["source"], "示例市人民政府办公室");
  EXPECT_TRUE(r.problems.empty());
}

TEST(PortalFormatterTest, RepostWithoutSourceIsBlocked) {
  Fixture f("portal");
  f.content.category = Category::kReposted;
  EXPECT_TRUE(HasProblem(f.Render(), "source_missing"));
}

TEST(PortalFormatterTest, ColumnSlugFallsBackToHash) {
  EXPECT_EQ(PortalColumnSlug(Json::object(), "政策解读").size(), 13u);
  EXPECT_EQ(PortalColumnSlug({{"columns", {{"政策解读", "BAD SLUG"}}}}, "政策解读")[0], 'c');
  EXPECT_EQ(PortalColumnSlug({{"columns", {{"政策解读", "zcjd"}}}}, "政策解读"), "zcjd");
}

TEST(PortalFormatterTest, UnknownMediaIsBlocked) {
  Fixture f("portal");
  f.content.body = "![图](media:" + kImage + ")";
  Rendering r = f.Render();
  EXPECT_TRUE(HasProblem(r, "media_unknown"));
  EXPECT_EQ(r.body["article_html"].get<std::string>().find("<img"), std::string::npos);
}

TEST(WechatFormatterTest, LimitsAndCover) {
  Fixture f("wechat_mp", {{"author", "一二三四五六七八九十一二三四五六七"}});
  f.content.title = std::string(33 * 3, 'x');
  f.content.title = "";
  for (int i = 0; i < 33; ++i) f.content.title += "字";
  Rendering r = f.Render();
  EXPECT_TRUE(HasProblem(r, "title_too_long"));
  EXPECT_TRUE(HasProblem(r, "author_too_long"));
  EXPECT_TRUE(HasProblem(r, "cover_missing"));
  EXPECT_TRUE(r.body["cover"].is_null());
}

TEST(WechatFormatterTest, DefaultDigestIsFirst54Chars) {
  Fixture f("wechat_mp");
  f.content.body.clear();
  for (int i = 0; i < 10; ++i)
    f.content.body += "第" + std::to_string(i) + "段内容较长的文字。\n\n";
  f.content.media.push_back(Media(1, "cover", "image", "image/jpeg", kCover));
  Rendering r = f.Render();
  EXPECT_EQ(Chars(r.body["digest"].get<std::string>()), 54u);
  EXPECT_EQ(r.body["cover"], kCover);
  EXPECT_EQ(r.body["content_source_url"], "{{portal_url}}");
  EXPECT_TRUE(r.problems.empty());
}

TEST(WechatFormatterTest, InlineStylesOnlyAndImagesChecked) {
  Fixture f("wechat_mp");
  f.content.body =
      "<style>p{}</style>\n\n正文 [外链](https://www.example.com/) ![a](media:2)\n\n"
      "![b](https://evil.example/x.png)";
  f.content.media.push_back(Media(1, "cover", "image", "image/jpeg", kCover));
  f.content.media.push_back(Media(2, "image", "image", "image/gif", kImage, 2 * 1024 * 1024));
  Rendering r = f.Render();
  const std::string content = r.body["content"];
  EXPECT_EQ(content.find("<style"), std::string::npos);
  EXPECT_EQ(content.find("evil.example"), std::string::npos);
  EXPECT_EQ(content.find("href="), std::string::npos);
  EXPECT_NE(content.find("<p style=\""), std::string::npos);
  EXPECT_NE(content.find("src=\"media:" + kImage + "\""), std::string::npos);
  EXPECT_EQ(r.body["images"], Json::array({kImage}));
  EXPECT_TRUE(HasProblem(r, "media_format"));
  EXPECT_TRUE(HasProblem(r, "media_too_large"));
  EXPECT_TRUE(HasProblem(r, "external_image"));
  EXPECT_TRUE(HasProblem(r, "link_removed"));
}

TEST(WechatFormatterTest, ContentOverLimit) {
  Fixture f("wechat_mp");
  f.content.media.push_back(Media(1, "cover", "image", "image/jpeg", kCover));
  f.content.body.clear();
  for (int i = 0; i < 1200; ++i) f.content.body += "这是一段用于测试长度上限的正文。\n\n";
  EXPECT_TRUE(HasProblem(f.Render(), "content_too_long"));
}

TEST(WeiboFormatterTest, CutsAtSentenceAndKeepsLink) {
  Fixture f("weibo");
  f.content.body.clear();
  for (int i = 0; i < 40; ++i) f.content.body += "这是第" + std::to_string(i) + "句话。";
  Rendering r = f.Render();
  const std::string text = r.body["text"];
  EXPECT_LE(WeiboLength(text, 11), 140);
  EXPECT_NE(text.find("{{portal_url}}"), std::string::npos);
  EXPECT_NE(text.find("句话。 详情"), std::string::npos) << text;
  // statuses/share.json forbids #话题# [B1]: no topics in the text or the body.
  EXPECT_EQ(text.find('#'), std::string::npos) << text;
  EXPECT_FALSE(r.body.contains("topics"));
  EXPECT_TRUE(r.body["pic"].is_null());
  EXPECT_TRUE(r.problems.empty());
}

TEST(WeiboFormatterTest, ExplicitTextTooLongIsBlocked) {
  std::string text;
  for (int i = 0; i < 150; ++i) text += "字";
  Fixture f("weibo", {{"text", text}});
  EXPECT_TRUE(HasProblem(f.Render(), "text_too_long"));
}

TEST(WeiboFormatterTest, NoPortalTargetIsBlocked) {
  Fixture f("weibo");
  f.content.channels.clear();
  EXPECT_TRUE(HasProblem(f.Render(), "portal_missing"));
}

TEST(WeiboFormatterTest, OneLongSentenceIsCutWithEllipsis) {
  Fixture f("weibo");
  f.content.body.assign(0, 'x');
  for (int i = 0; i < 300; ++i) f.content.body += "长";
  Rendering r = f.Render();
  const std::string text = r.body["text"];
  EXPECT_NE(text.find("……"), std::string::npos);
  EXPECT_LE(WeiboLength(text, 11), 140);
  EXPECT_GE(WeiboLength(text, 11), 138);
}

TEST(ShortVideoFormatterTest, VideoAndCoverRequired) {
  for (const char* kind : {"douyin", "kuaishou"}) {
    Fixture f(kind);
    Rendering r = f.Render();
    EXPECT_TRUE(HasProblem(r, "video_missing")) << kind;
    EXPECT_TRUE(HasProblem(r, "cover_missing")) << kind;
  }
}

TEST(ShortVideoFormatterTest, CaptionWithHashtags) {
  Fixture f("douyin", {{"caption", "防汛知识"}, {"hashtags", "防汛，安全 #应急#"}});
  f.content.media.push_back(Media(1, "video", "video", "video/mp4", kVideo));
  f.content.media.push_back(Media(2, "cover", "image", "image/png", kCover));
  Rendering r = f.Render();
  EXPECT_EQ(r.body["text"], "防汛知识 #防汛 #安全 #应急");
  EXPECT_EQ(r.body["video"], kVideo);
  EXPECT_EQ(r.body["cover"], kCover);
  EXPECT_TRUE(r.problems.empty());
}

TEST(ShortVideoFormatterTest, KuaishouCaptionLimit) {
  std::string caption;
  for (int i = 0; i < 501; ++i) caption += "字";
  Fixture f("kuaishou", {{"caption", caption}});
  Rendering r = f.Render();
  EXPECT_TRUE(r.body.contains("caption"));
  EXPECT_TRUE(HasProblem(r, "caption_too_long"));
}

TEST(ManualFormatterTest, PackageForPlatform) {
  Fixture f("manual", {{"hashtags", {"政务"}}});
  f.content.media.push_back(Media(1, "video", "video", "video/mp4", kVideo));
  Rendering r = f.Render();
  EXPECT_EQ(r.body["platform"], "视频号");
  EXPECT_EQ(r.body["text"], "会议研究了近期重点工作。会议强调要抓好落实！ #政务");
  EXPECT_EQ(r.body["media"].size(), 1u);
  const std::string instructions = r.body["instructions"];
  EXPECT_NE(instructions.find("视频号"), std::string::npos);
  EXPECT_NE(instructions.find(kVideo), std::string::npos);
}

TEST(ManualFormatterTest, TitleLimitPerPlatform) {
  Fixture f("manual");
  f.content.title = "关于进一步做好今冬明春农村地区安全生产工作的通知";
  EXPECT_TRUE(HasProblem(f.Render(), "title_too_long"));
}

TEST(FormattersTest, PortalPageCarriesOnlyTheTemplateScript) {
  for (const Article& a : LoadArticles()) {
    const std::string page = RenderArticle(a, "portal").body["page_html"];
    size_t count = 0;
    for (size_t p = page.find("<script"); p != std::string::npos; p = page.find("<script", p + 1)) {
      ++count;
    }
    EXPECT_EQ(count, 1u) << a.name;
  }
}

}  // namespace
}  // namespace gd::channels::testing
