#include "channels/portal/formatter.h"

#include <fmt/format.h>

#include <algorithm>

#include "channels/formatter_util.h"
#include "dispatcher/core/crypto.h"
#include "dispatcher/core/time_util.h"

namespace gd::channels {
namespace {

constexpr std::string_view kPageTemplate = "portal/article.html";

std::string IndexNumber(const RenderInput& in) {
  std::string explicit_no = OptionString(in, "index_no");
  if (!explicit_no.empty()) return explicit_no;
  if (in.account == nullptr) return "";
  auto it = in.account->settings.find("index_no_prefix");
  if (it == in.account->settings.end() || !it->is_string() || it->get<std::string>().empty()) {
    return "";
  }
  CivilDate d = CstDate(in.publish_time);
  return fmt::format("{}/{:04d}-{:05d}", it->get<std::string>(), d.year, in.ticket_id);
}

std::string SettingString(const RenderInput& in, const char* key) {
  if (in.account == nullptr) return "";
  auto it = in.account->settings.find(key);
  return it != in.account->settings.end() && it->is_string() ? it->get<std::string>() : "";
}

// The portal's section of policies/channel_limits.json.
struct PortalLimits {
  int64_t title_max_chars = 100;
};

class PortalFormatter final : public Formatter {
 public:
  PortalFormatter(const render::TemplateSet& templates, PortalLimits limits)
      : templates_(templates), limits_(limits) {}

  Rendering Render(const RenderInput& in) const override {
    Rendering r;
    const Content& c = *in.content;
    const std::string title = CollapseSpaces(c.title);
    const std::string column =
        c.column.empty() ? std::string(CategoryLabel(c.category)) : CollapseSpaces(c.column);
    const std::string publisher = PublisherName(in);
    const std::string source = c.source.empty() ? publisher : CollapseSpaces(c.source);
    const std::string path = PortalArticlePath(in.ticket_id, in.publish_time);
    const std::string date = PublishDate(in.publish_time);
    const std::string index_no = IndexNumber(in);
    const Json& settings = in.account ? in.account->settings : Json::object();

    render::SanitizePolicy policy;  // the portal keeps links, external images and video
    BodyHtml body = RenderBody(c, policy);
    ReportUnknownMedia(body.report, &r.problems);
    std::string article_html;
    std::vector<std::string> media;
    const MediaRef* video = FindMedia(c, "video");
    const MediaRef* cover = FindMedia(c, "cover");
    if (video != nullptr && render::IsSha256Hex(video->sha256)) {
      std::string tag = "<video src=\"media:" + video->sha256 + "\"";
      if (cover != nullptr && render::IsSha256Hex(cover->sha256)) {
        tag += " poster=\"media:" + cover->sha256 + "\"";
      }
      tag += " controls></video>";
      article_html = render::SanitizeHtml("<div>" + tag + "</div>\n", policy);
      media.push_back(video->sha256);
      if (cover != nullptr && render::IsSha256Hex(cover->sha256)) media.push_back(cover->sha256);
    }
    article_html += body.html;
    for (const std::string& sha : body.report.media) {
      if (std::find(media.begin(), media.end(), sha) == media.end()) media.push_back(sha);
    }

    if (title.empty()) {
      r.problems.push_back(MakeProblem("title_missing", "title", "标题不能为空"));
    } else if (static_cast<int64_t>(Chars(title)) > limits_.title_max_chars) {
      r.problems.push_back(MakeProblem("title_too_long", "title",
                                       fmt::format("门户网站标题为 {} 字，超过上限 {} 字",
                                                   Chars(title), limits_.title_max_chars)));
    }
    if (c.category == Category::kReposted && c.source.empty()) {
      r.problems.push_back(MakeProblem("source_missing", "source", "转载信息必须注明来源"));
    }

    const std::string root = PortalRootPrefix(path);
    const std::string slug = PortalColumnSlug(settings, column);
    std::string site_name = SettingString(in, "site_name");
    if (site_name.empty()) site_name = publisher.empty() ? "政府门户网站" : publisher;
    Json page = {
        {"site_name", site_name},
        {"title", title},
        {"column", column},
        {"column_href", root + "col/" + slug + "/index.html"},
        {"home_href", root + "index.html"},
        {"root", root},
        {"publish_date", date},
        {"source", source},
        {"publisher", publisher},
        {"index_no", index_no.empty() ? Json(false) : Json(index_no)},
        {"summary", CollapseSpaces(c.summary)},
        {"article_html", article_html},
    };
    auto page_html = templates_.Render(kPageTemplate, page);
    if (!page_html.ok()) {
      r.problems.push_back(
          MakeProblem("template_failed", "page_html",
                      "门户网站页面模板渲染失败：" + page_html.status().message()));
    }

    r.body = {
        {"title", title},
        {"column", column},
        {"column_slug", slug},
        {"publish_date", date},
        {"source", source},
        {"publisher", publisher},
        {"path", path},
        {"summary", CollapseSpaces(c.summary)},
        {"media", media},
        {"article_html", article_html},
        {"page_html", page_html.ok() ? *page_html : std::string()},
    };
    if (!index_no.empty()) r.body["index_no"] = index_no;
    return r;
  }

 private:
  const render::TemplateSet& templates_;
  const PortalLimits limits_;
};

}  // namespace

std::string PortalArticlePath(int64_t ticket_id, TimeMs publish_time) {
  CivilDate d = CstDate(publish_time);
  return fmt::format("art/{:04d}/{:02d}/{:02d}/art_{}.html", d.year, d.month, d.day, ticket_id);
}

std::string PortalColumnSlug(const Json& settings, std::string_view column) {
  if (settings.is_object()) {
    auto cols = settings.find("columns");
    if (cols != settings.end() && cols->is_object()) {
      auto it = cols->find(std::string(column));
      if (it != cols->end() && it->is_string()) {
        const std::string slug = it->get<std::string>();
        bool valid =
            !slug.empty() && slug.size() <= 64 &&
            std::all_of(slug.begin(), slug.end(), [](char ch) {
              return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
            });
        if (valid) return slug;
      }
    }
  }
  return "c" + Sha256Hex(column).substr(0, 12);
}

std::string PortalRootPrefix(std::string_view from_path) {
  std::string prefix;
  for (char ch : from_path) {
    if (ch == '/') prefix += "../";
  }
  return prefix;
}

StatusOr<std::unique_ptr<Formatter>> MakePortalFormatter(const FormatterEnv& env) {
  if (!env.templates->Has(kPageTemplate)) {
    return InvalidArgument("缺少模板 templates/portal/article.html.mustache");
  }
  PortalLimits limits;
  GD_RETURN_IF_ERROR(env.limits->Section("portal").Int("title_max_chars", &limits.title_max_chars));
  return std::unique_ptr<Formatter>(new PortalFormatter(*env.templates, limits));
}

}  // namespace gd::channels
