// Portal built-in mode (门户网站, settings.mode "builtin"): the approved article is written as a
// page of the static site this process serves (site.h), behind the same Client interface as
// every platform reached over HTTP. Publish writes the article page and returns kPublished
// with remote_id = the rendering's "path" and remote_url = its public URL; it sets
// progress.state["builtin"] = 1 (the store lists the site's articles by it). Poll is Publish.
// Withdraw removes the page named by the rendering's "path". Reconcile finds the post once
// progress holds a remote_id. CheckCredentials is always ok (there are no credentials).
// The index pages (home, columns, RSS, sitemap) are the caller's: StaticSite::WriteIndexes.
//
// Errors: those of StaticSite::WriteArticle / RemoveArticle (kInvalidArgument for a malformed
// path, kInternal when a file cannot be written). Thread-safe: one page writer at a time.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "channels/client.h"
#include "channels/portal/site.h"
#include "dispatcher/core/json_util.h"
#include "dispatcher/render/templates.h"

namespace gd::channels::portal {

// Whether an account of `kind` with `settings` is the built-in portal rather than a channel
// reached over HTTP (a portal account's mode defaults to "builtin"). The one place that decides.
bool IsBuiltinPortal(std::string_view kind, const Json& settings);

struct BuiltinSite {
  const render::TemplateSet* templates = nullptr;  // not owned; must outlive the client
  std::filesystem::path site_dir;
  std::string public_base_url = "/site/";  // unless the account's settings name another

  // The site's options for a built-in portal account's settings (site_name, public_base_url,
  // column slugs); the defaults for an empty object.
  SiteOptions Options(const Json& account_settings) const;
};

std::unique_ptr<Client> NewBuiltinClient(BuiltinSite site);

}  // namespace gd::channels::portal
