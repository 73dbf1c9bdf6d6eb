#include "channels/portal/site.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iterator>
#include <map>

#include "channels/portal/formatter.h"
#include "dispatcher/core/time_util.h"
#include "dispatcher/render/sanitizer.h"

namespace gd::channels {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSiteScriptFile = "gd-site.js";
constexpr std::string_view kSiteScript =
    "document.getElementById(\"gd-print\").addEventListener(\"click\",function(){window.print();});"
    "\n"
    "document.getElementById(\"gd-close\").addEventListener(\"click\",function(){window.close();});"
    "\n";

bool FileHolds(const fs::path& path, std::string_view expected) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return data == expected;
}

std::string ExtensionFor(std::string_view mime) {
  static const std::map<std::string_view, std::string_view> kExt = {
      {"image/jpeg", ".jpg"},     {"image/png", ".png"},   {"image/gif", ".gif"},
      {"image/bmp", ".bmp"},      {"image/webp", ".webp"}, {"video/mp4", ".mp4"},
      {"video/quicktime", ".mov"}};
  auto it = kExt.find(mime);
  return it == kExt.end() ? std::string(".bin") : std::string(it->second);
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string DateOf(TimeMs t) { return FormatDate(CstDate(t)); }

}  // namespace

bool IsValidArticlePath(std::string_view p) {
  // art/YYYY/MM/DD/art_<digits>.html
  if (p.size() < 25 || !p.starts_with("art/") || !p.ends_with(".html")) return false;
  if (!AllDigits(p.substr(4, 4)) || p[8] != '/' || !AllDigits(p.substr(9, 2)) || p[11] != '/' ||
      !AllDigits(p.substr(12, 2)) || p[14] != '/' || p.substr(15, 4) != "art_") {
    return false;
  }
  return AllDigits(p.substr(19, p.size() - 19 - 5));
}

std::string Rfc822Date(TimeMs t) {
  static constexpr const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  CivilDate d = CstDate(t);
  int64_t secs = (t / 1000 + kCstOffsetSeconds) % 86400;
  if (secs < 0) secs += 86400;
  return fmt::format("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} +0800", kDays[Weekday(d)], d.day,
                     kMonths[d.month - 1], d.year, secs / 3600, secs / 60 % 60, secs % 60);
}

SiteArticle SiteArticle::FromRendering(const Json& body, int64_t ticket_id, TimeMs publish_time) {
  SiteArticle a;
  a.ticket_id = ticket_id;
  a.title = body.value("title", "");
  a.column = body.value("column", "");
  a.path = body.value("path", "");
  a.summary = body.value("summary", "");
  a.publish_time = publish_time;
  return a;
}

StaticSite::StaticSite(const render::TemplateSet& templates, SiteOptions options)
    : templates_(templates), options_(std::move(options)) {
  if (options_.page_size <= 0) options_.page_size = 20;
  if (!options_.public_base_url.ends_with('/')) options_.public_base_url += '/';
}

std::string StaticSite::ArticleUrl(std::string_view path) const {
  return options_.public_base_url + std::string(path);
}

Status StaticSite::WriteFile(const fs::path& rel, std::string_view data) const {
  static std::atomic<uint64_t> counter{0};
  const fs::path target = options_.site_dir / rel;
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) return Internal("无法创建目录 " + target.parent_path().string() + "：" + ec.message());
  const fs::path tmp = target.string() + fmt::format(".tmp-{}-{}", ::getpid(), counter++);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.flush();
    if (!out) {
      fs::remove(tmp, ec);
      return Internal("无法写入文件 " + tmp.string());
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return Internal("无法替换文件 " + target.string());
  }
  return Status::Ok();
}

Status StaticSite::WriteArticle(const Json& body, const std::vector<MediaRef>& media) const {
  const std::string path = body.value("path", "");
  if (!IsValidArticlePath(path)) return InvalidArgument("门户网站文章路径无效：" + path);
  // The article page's tools run from this file, not inline: the site's Content-Security-Policy
  // allows scripts from the site itself only.
  if (!FileHolds(options_.site_dir / kSiteScriptFile, kSiteScript)) {
    GD_RETURN_IF_ERROR(WriteFile(kSiteScriptFile, kSiteScript));
  }
  std::string page = body.value("page_html", "");
  const std::string root = PortalRootPrefix(path);

  std::map<std::string, const MediaRef*> by_sha;
  for (const MediaRef& m : media) by_sha.emplace(m.sha256, &m);
  std::string out;
  out.reserve(page.size());
  size_t pos = 0;
  while (true) {
    size_t p = page.find(render::kMediaScheme, pos);
    if (p == std::string::npos) break;
    std::string sha;
    if (!render::ParseMediaRef(std::string_view(page).substr(p, render::kMediaScheme.size() + 64),
                               &sha)) {
      out.append(page, pos, p + render::kMediaScheme.size() - pos);
      pos = p + render::kMediaScheme.size();
      continue;
    }
    auto it = by_sha.find(sha);
    const std::string file =
        "media/" + sha + ExtensionFor(it != by_sha.end() ? it->second->mime : "");
    out.append(page, pos, p - pos);
    out += root + file;
    pos = p + render::kMediaScheme.size() + 64;
    if (it != by_sha.end() && !it->second->path.empty()) {
      std::error_code ec;
      const fs::path dest = options_.site_dir / file;
      if (!fs::exists(dest, ec)) {
        std::ifstream in(it->second->path, std::ios::binary);
        if (!in) return Internal("无法读取媒体文件 " + it->second->path);
        std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        GD_RETURN_IF_ERROR(WriteFile(file, data));
      }
    }
  }
  out.append(page, pos);
  return WriteFile(path, out);
}

Status StaticSite::RemoveArticle(std::string_view path) const {
  if (!IsValidArticlePath(path)) {
    return InvalidArgument("门户网站文章路径无效：" + std::string(path));
  }
  std::error_code ec;
  fs::remove(options_.site_dir / path, ec);
  if (ec) return Internal("无法删除文件 " + std::string(path) + "：" + ec.message());
  return Status::Ok();
}

Status StaticSite::WriteIndexes(std::vector<SiteArticle> published) const {
  std::sort(published.begin(), published.end(), [](const SiteArticle& a, const SiteArticle& b) {
    if (a.publish_time != b.publish_time) return a.publish_time > b.publish_time;
    return a.ticket_id > b.ticket_id;
  });
  std::erase_if(published, [](const SiteArticle& a) { return !IsValidArticlePath(a.path); });

  // Columns in order of their newest article.
  std::vector<std::string> columns;
  std::map<std::string, std::vector<const SiteArticle*>> by_column;
  for (const SiteArticle& a : published) {
    auto& list = by_column[a.column];
    if (list.empty()) columns.push_back(a.column);
    list.push_back(&a);
  }

  auto item = [](const SiteArticle& a, const std::string& root) {
    return Json{
        {"title", a.title}, {"href", root + a.path}, {"publish_date", DateOf(a.publish_time)}};
  };

  Json home_columns = Json::array();
  for (const std::string& column : columns) {
    const auto& list = by_column[column];
    const std::string slug = PortalColumnSlug(options_.settings, column);
    const int pages = static_cast<int>((list.size() + options_.page_size - 1) / options_.page_size);
    for (int page = 1; page <= pages; ++page) {
      Json items = Json::array();
      for (size_t i = static_cast<size_t>(page - 1) * options_.page_size;
           i < list.size() && i < static_cast<size_t>(page) * options_.page_size; ++i) {
        items.push_back(item(*list[i], "../../"));
      }
      Json nav = Json::array();
      for (int n = 1; n <= pages; ++n) {
        nav.push_back(
            {{"number", n},
             {"href", n == 1 ? std::string("index.html") : fmt::format("index_{}.html", n)},
             {"current", n == page}});
      }
      Json data = {{"site_name", options_.site_name},
                   {"column", column},
                   {"home_href", "../../index.html"},
                   {"items", items},
                   {"has_pages", pages > 1},
                   {"total", list.size()},
                   {"page", page},
                   {"page_count", pages},
                   {"pages", nav}};
      GD_ASSIGN_OR_RETURN(std::string html, templates_.Render("portal/column.html", data));
      const std::string name = page == 1 ? "index.html" : fmt::format("index_{}.html", page);
      GD_RETURN_IF_ERROR(WriteFile(fs::path("col") / slug / name, html));
    }
    Json latest = Json::array();
    for (size_t i = 0; i < list.size() && i < static_cast<size_t>(options_.home_items); ++i) {
      latest.push_back(item(*list[i], ""));
    }
    home_columns.push_back(
        {{"name", column}, {"href", "col/" + slug + "/index.html"}, {"items", latest}});
  }
  GD_ASSIGN_OR_RETURN(std::string home,
                      templates_.Render("portal/home.html", {{"site_name", options_.site_name},
                                                             {"home_href", "index.html"},
                                                             {"columns", home_columns}}));
  GD_RETURN_IF_ERROR(WriteFile("index.html", home));

  Json rss_items = Json::array();
  for (size_t i = 0; i < published.size() && i < static_cast<size_t>(options_.rss_items); ++i) {
    const SiteArticle& a = published[i];
    Json it = {{"title", a.title},
               {"link", ArticleUrl(a.path)},
               {"pub_date", Rfc822Date(a.publish_time)},
               {"column", a.column},
               {"summary", a.summary}};
    rss_items.push_back(it);
  }
  Json rss = {{"site_name", options_.site_name},
              {"site_url", options_.public_base_url},
              {"last_build_date",
               published.empty() ? Json(false) : Json(Rfc822Date(published.front().publish_time))},
              {"items", rss_items}};
  GD_ASSIGN_OR_RETURN(std::string rss_xml, templates_.Render("portal/rss.xml", rss));
  GD_RETURN_IF_ERROR(WriteFile("rss.xml", rss_xml));

  Json urls = Json::array();
  urls.push_back({{"loc", ArticleUrl("index.html")},
                  {"lastmod", published.empty() ? Json(false)
                                                : Json(DateOf(published.front().publish_time))}});
  for (const std::string& column : columns) {
    urls.push_back(
        {{"loc", ArticleUrl("col/" + PortalColumnSlug(options_.settings, column) + "/index.html")},
         {"lastmod", DateOf(by_column[column].front()->publish_time)}});
  }
  for (const SiteArticle& a : published) {
    urls.push_back({{"loc", ArticleUrl(a.path)}, {"lastmod", DateOf(a.publish_time)}});
  }
  GD_ASSIGN_OR_RETURN(std::string sitemap,
                      templates_.Render("portal/sitemap.xml", {{"urls", urls}}));
  return WriteFile("sitemap.xml", sitemap);
}

}  // namespace gd::channels
