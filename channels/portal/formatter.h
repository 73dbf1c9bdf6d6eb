// Portal (政府网站) formatter: the article page of the built-in static site (and the JSON pushed
// to an external site platform). Body schema in docs/channels-formatting.md.
#pragma once

#include <string>
#include <string_view>

#include "channels/formatter_env.h"

namespace gd::channels {

StatusOr<std::unique_ptr<Formatter>> MakePortalFormatter(const FormatterEnv& env);

// "art/YYYY/MM/DD/art_<ticket_id>.html", the date in China Standard Time.
std::string PortalArticlePath(int64_t ticket_id, TimeMs publish_time);

// The folder name of a column's index pages under "col/": the account setting
// `columns: {"<栏目名>": "<slug>"}` when given (slugs are [a-z0-9_-]), else "c" followed by the
// first 12 hex digits of the SHA-256 of the column name.
std::string PortalColumnSlug(const Json& settings, std::string_view column);

// The relative path from a page at `from_path` (e.g. "art/2026/11/29/art_1.html") to the site
// root, e.g. "../../../../".
std::string PortalRootPrefix(std::string_view from_path);

}  // namespace gd::channels
