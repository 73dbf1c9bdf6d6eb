#include "channels/bilibili/demo.h"

#include "channels/bilibili/sandbox.h"

namespace gd::channels::bilibili {
namespace {

// All three hosts (archive API, OAuth, part upload) are the one sandbox.
Json Account(const std::string& base) {
  const std::string url = base + "/bilibili";
  return {
      {"kind", "bilibili"},
      {"name", "XX应急管理 哔哩哔哩号"},
      {"base_url", url},
      {"settings",
       {{"client_id", "sandbox"}, {"oauth_base_url", url}, {"upload_base_url", url}, {"tid", 228}}},
      {"secrets",
       {{"client_secret", "sandbox-secret"},
        {"access_token", "sandbox-token"},
        {"refresh_token", "sandbox-refresh"}}}};
}

}  // namespace

sandbox::SandboxEntry Sandbox() { return {"bilibili", NewSandbox, Account, false}; }

}  // namespace gd::channels::bilibili
