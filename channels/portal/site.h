// The built-in static portal site (门户网站): article pages, column index pages, the home page,
// RSS and sitemap, written under a directory the dispatcher serves. Pure apart from file writes;
// every file is written to a temporary name and renamed into place, so a reader never sees a
// half-written page. The list of published articles comes from the caller (the store).
//
// Layout under site_dir:
//   index.html                          home: every column with its latest articles
//   art/YYYY/MM/DD/art_<ticket>.html    article pages (the portal rendering's page_html)
//   col/<slug>/index.html, index_N.html column index pages, newest first, page_size per page
//   media/<sha256>.<ext>                media files, copied from the attachments
//   rss.xml, sitemap.xml
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"
#include "dispatcher/model/content.h"
#include "dispatcher/render/templates.h"

namespace gd::channels {

struct SiteOptions {
  std::filesystem::path site_dir;
  std::string site_name = "政府门户网站";
  // Absolute base of the public site for RSS, sitemap and ArticleUrl, e.g.
  // "https://www.example.gov.cn/" (the account setting public_base_url); "/site/" by default.
  std::string public_base_url = "/site/";
  Json settings = Json::object();  // the portal account's settings (column slugs)
  int page_size = 20;
  int rss_items = 50;
  int home_items = 8;  // per column on the home page
};

// One published article as the index pages list it.
struct SiteArticle {
  int64_t ticket_id = 0;
  std::string title;
  std::string column;
  std::string path;  // "art/YYYY/MM/DD/art_<ticket>.html"
  std::string summary;
  TimeMs publish_time = 0;

  // From a portal rendering body (formatter.h schema).
  static SiteArticle FromRendering(const Json& portal_body, int64_t ticket_id, TimeMs publish_time);
};

// Thread-compatible: concurrent calls must be serialised by the caller (one site writer).
class StaticSite {
 public:
  // `templates` must outlive this object and hold portal/{column,home}.html, rss.xml, sitemap.xml.
  StaticSite(const render::TemplateSet& templates, SiteOptions options);

  // Writes the article page of a portal rendering at its "path", rewriting `media:<sha256>`
  // references to the files under media/ and copying those files from `media` (their `path`).
  // kInvalidArgument for a malformed path; kInternal when a file cannot be written.
  Status WriteArticle(const Json& portal_body, const std::vector<MediaRef>& media) const;

  // Removes an article page (withdrawal, art. 14). Missing is not an error.
  Status RemoveArticle(std::string_view path) const;

  // Regenerates the home page, every column's index pages, rss.xml and sitemap.xml from the
  // full list of published articles (any order).
  Status WriteIndexes(std::vector<SiteArticle> published) const;

  // The public URL of an article page: public_base_url + path. This is what the dispatcher puts
  // in place of kPortalUrlPlaceholder in the other channels' renderings.
  std::string ArticleUrl(std::string_view path) const;

 private:
  Status WriteFile(const std::filesystem::path& rel, std::string_view data) const;

  const render::TemplateSet& templates_;
  SiteOptions options_;
};

// True for "art/YYYY/MM/DD/art_<digits>.html".
bool IsValidArticlePath(std::string_view path);
// "Sun, 29 Nov 2026 09:30:00 +0800" (RFC 822, China Standard Time).
std::string Rfc822Date(TimeMs t);

}  // namespace gd::channels
