#include "channels/wechat_mp/formatter.h"

#include <fmt/format.h>

#include <algorithm>

#include "channels/formatter_util.h"
#include "dispatcher/core/utf8.h"

namespace gd::channels {
namespace {

constexpr std::string_view kTemplate = "wechat_mp/article.html";
constexpr std::string_view kStyles = "wechat_mp/inline_styles";

using Problems = std::vector<Problem>;

class WechatFormatter final : public Formatter {
 public:
  WechatFormatter(const render::TemplateSet& templates, WechatLimits limits,
                  render::SanitizePolicy policy)
      : templates_(templates), limits_(std::move(limits)), policy_(std::move(policy)) {}

  Rendering Render(const RenderInput& in) const override {
    Rendering r;
    const Content& c = *in.content;
    auto* problems = &r.problems;
    const std::string title = Title(c, problems);
    const std::string author = Author(in, problems);
    BodyHtml body = RenderBody(c, policy_);
    ReportBody(body, problems);
    const std::string digest = Digest(in, body, problems);
    const bool portal = TargetsPortal(c);
    const std::string content = ArticleHtml(in, title, author, body, portal, problems);
    std::vector<std::string> images = Images(c, body, problems);
    const MediaRef* cover = Cover(in, problems);
    r.body = {
        {"title", title},
        {"author", author},
        {"digest", digest},
        {"content", content},
        {"content_source_url", portal ? std::string(kPortalUrlPlaceholder) : std::string()},
        {"cover", cover != nullptr ? Json(cover->sha256) : Json(nullptr)},
        {"images", images},
    };
    return r;
  }

 private:
  std::string Title(const Content& c, Problems* problems) const {
    const std::string title = CollapseSpaces(c.title);
    if (title.empty()) problems->push_back(MakeProblem("title_missing", "title", "标题不能为空"));
    if (static_cast<int64_t>(Chars(title)) > limits_.title_max_chars) {
      problems->push_back(MakeProblem("title_too_long", "title",
                                      fmt::format("公众号标题为 {} 字，超过上限 {} 字",
                                                  Chars(title), limits_.title_max_chars)));
    }
    return title;
  }

  // The option "author", else the publishing unit when it fits.
  std::string Author(const RenderInput& in, Problems* problems) const {
    std::string author = CollapseSpaces(OptionString(in, "author"));
    if (!author.empty()) {
      if (static_cast<int64_t>(Chars(author)) > limits_.author_max_chars) {
        problems->push_back(MakeProblem(
            "author_too_long", "author",
            fmt::format("作者为 {} 字，超过上限 {} 字", Chars(author), limits_.author_max_chars)));
      }
    } else {
      author = PublisherName(in);
      // The unit as default author only when it fits; the platform shows no author otherwise.
      if (static_cast<int64_t>(Chars(author)) > limits_.author_max_chars) author.clear();
    }
    return author;
  }

  void ReportBody(const BodyHtml& body, Problems* problems) const {
    ReportUnknownMedia(body.report, problems);
    if (!body.report.external_images.empty()) {
      problems->push_back(MakeProblem(
          "external_image", "content",
          fmt::format("正文含 {} 张外部图片，公众号会过滤外部图片，已从正文中移除；请改为上传附件",
                      body.report.external_images.size()),
          "warn"));
    }
    if (body.report.unwrapped_links > 0) {
      problems->push_back(
          MakeProblem("link_removed", "content",
                      fmt::format("正文含 {} 个公众号不支持的外部链接，已改为纯文本",
                                  body.report.unwrapped_links),
                      "warn"));
    }
  }

  // The option "digest", else the summary cut to fit, else the start of the body text.
  std::string Digest(const RenderInput& in, const BodyHtml& body, Problems* problems) const {
    const Content& c = *in.content;
    std::string digest = CollapseSpaces(OptionString(in, "digest"));
    if (!digest.empty()) {
      if (static_cast<int64_t>(Chars(digest)) > limits_.digest_max_chars) {
        problems->push_back(MakeProblem(
            "digest_too_long", "digest",
            fmt::format("摘要为 {} 字，超过上限 {} 字", Chars(digest), limits_.digest_max_chars)));
      }
    } else if (!c.summary.empty()) {
      digest = CollapseSpaces(c.summary);
      if (static_cast<int64_t>(Chars(digest)) > limits_.digest_max_chars) {
        std::string cut = CutAtSentence(digest, [&](std::string_view s) {
          return static_cast<int64_t>(Chars(s)) <= limits_.digest_max_chars;
        });
        digest = cut.empty() ? CutChars(digest, limits_.digest_max_chars) : cut;
      }
    } else {
      std::string text = render::HtmlToText(body.html);
      text.erase(std::remove(text.begin(), text.end(), '\n'), text.end());
      digest = std::string(TruncateCodePoints(text, limits_.digest_default_chars));
    }
    return digest;
  }

  // The article template filled in and sanitised, with its length checked.
  std::string ArticleHtml(const RenderInput& in, const std::string& title,
                          const std::string& author, const BodyHtml& body, bool portal,
                          Problems* problems) const {
    const Content& c = *in.content;
    Json data = {
        {"title", title},
        {"author", author},
        {"source", CollapseSpaces(c.source)},
        {"has_source", !c.source.empty()},
        {"publish_date", PublishDate(in.publish_time)},
        {"content_html", body.html},
        {"portal_url", portal ? std::string(kPortalUrlPlaceholder) : std::string()},
    };
    std::string content;
    auto rendered = templates_.Render(kTemplate, data);
    if (rendered.ok()) {
      // The template is operator data: it passes the same sanitiser, so only allowed tags and
      // the configured inline styles reach WeChat.
      content = render::SanitizeHtml(*rendered, policy_);
    } else {
      problems->push_back(MakeProblem("template_failed", "content",
                                      "公众号正文模板渲染失败：" + rendered.status().message()));
    }
    if (static_cast<int64_t>(Chars(content)) > limits_.content_max_chars) {
      problems->push_back(MakeProblem("content_too_long", "content",
                                      fmt::format("正文 HTML 为 {} 字符，公众号要求少于 {} 字符",
                                                  Chars(content), limits_.content_max_chars + 1)));
    }
    if (static_cast<int64_t>(content.size()) > limits_.content_max_bytes) {
      problems->push_back(
          MakeProblem("content_too_large", "content",
                      fmt::format("正文 HTML 为 {} 字节，公众号要求小于 1MB", content.size())));
    }
    return content;
  }

  std::vector<std::string> Images(const Content& c, const BodyHtml& body,
                                  Problems* problems) const {
    std::vector<std::string> images;
    for (const std::string& sha : body.report.media) {
      images.push_back(sha);
      if (const MediaRef* m = FindMediaBySha(c, sha)) {
        CheckMedia(*m, "images", "正文图片", limits_.image_max_bytes, limits_.image_mimes,
                   problems);
      }
    }
    return images;
  }

  // The cover named by the target's option "cover", else the attachment of role "cover".
  const MediaRef* Cover(const RenderInput& in, Problems* problems) const {
    const Content& c = *in.content;
    const MediaRef* cover = nullptr;
    if (in.target != nullptr && in.target->options.contains("cover")) {
      cover = FindMediaByOption(c, in.target->options["cover"]);
      if (cover == nullptr) {
        problems->push_back(
            MakeProblem("cover_unknown", "cover", "指定的封面图片不在本工单的附件中"));
      }
    } else {
      cover = FindMedia(c, "cover");
      if (cover == nullptr) {
        problems->push_back(
            MakeProblem("cover_missing", "cover", "公众号图文必须有封面图片，请上传封面"));
      }
    }
    if (cover != nullptr) {
      CheckMedia(*cover, "cover", "封面图片", limits_.cover_max_bytes, limits_.cover_mimes,
                 problems);
    }
    return cover;
  }

  const render::TemplateSet& templates_;
  const WechatLimits limits_;
  render::SanitizePolicy policy_;
};

}  // namespace

StatusOr<WechatLimits> ReadWechatLimits(const LimitsSection& s) {
  WechatLimits w;
  GD_RETURN_IF_ERROR(s.Int("title_max_chars", &w.title_max_chars));
  GD_RETURN_IF_ERROR(s.Int("author_max_chars", &w.author_max_chars));
  GD_RETURN_IF_ERROR(s.Int("digest_max_chars", &w.digest_max_chars));
  GD_RETURN_IF_ERROR(s.Int("digest_default_chars", &w.digest_default_chars));
  GD_RETURN_IF_ERROR(s.Int("content_max_chars", &w.content_max_chars));
  GD_RETURN_IF_ERROR(s.Int("content_max_bytes", &w.content_max_bytes));
  GD_RETURN_IF_ERROR(s.Int("source_url_max_bytes", &w.source_url_max_bytes));
  GD_RETURN_IF_ERROR(s.Int("image_max_bytes", &w.image_max_bytes));
  GD_RETURN_IF_ERROR(s.Strings("image_mimes", &w.image_mimes));
  GD_RETURN_IF_ERROR(s.Int("cover_max_bytes", &w.cover_max_bytes));
  GD_RETURN_IF_ERROR(s.Strings("cover_mimes", &w.cover_mimes));
  GD_RETURN_IF_ERROR(s.Strings("link_hosts", &w.link_hosts));
  if (w.digest_default_chars > w.digest_max_chars)
    return s.Error("digest_default_chars", "不能大于 digest_max_chars");
  return w;
}

StatusOr<std::unique_ptr<Formatter>> MakeWechatFormatter(const FormatterEnv& env) {
  if (!env.templates->Has(kTemplate)) {
    return InvalidArgument("缺少模板 templates/wechat_mp/article.html.mustache");
  }
  const Json* styles = env.templates->Asset(kStyles);
  if (styles == nullptr || !styles->is_object()) {
    return InvalidArgument("缺少或无效的样式文件 templates/wechat_mp/inline_styles.json");
  }
  GD_ASSIGN_OR_RETURN(WechatLimits limits, ReadWechatLimits(env.limits->Section("wechat_mp")));
  render::SanitizePolicy policy;
  policy.allow_external_images = false;
  policy.allow_video = false;
  policy.link_hosts = limits.link_hosts;
  for (const auto& [tag, css] : styles->items()) {
    if (tag.starts_with("_")) continue;  // comments
    if (!css.is_string()) {
      return InvalidArgument("templates/wechat_mp/inline_styles.json：" + tag +
                             " 的样式应为字符串");
    }
    const std::string value = css.get<std::string>();
    for (std::string_view bad : {"<", ">", "\"", "url(", "expression", "@import", "\\"}) {
      if (value.find(bad) != std::string::npos) {
        return InvalidArgument("templates/wechat_mp/inline_styles.json：" + tag +
                               " 的样式含不允许的内容 " + std::string(bad));
      }
    }
    policy.inline_styles.emplace(tag, value);
  }
  return std::unique_ptr<Formatter>(
      new WechatFormatter(*env.templates, std::move(limits), std::move(policy)));
}

}  // namespace gd::channels
