#include "channels/weibo/demo.h"

#include "channels/weibo/sandbox.h"

namespace gd::channels::weibo {
namespace {

Json Account(const std::string& base) {
  return {{"kind", "weibo"},
          {"name", "XX应急管理 微博"},
          {"base_url", base + "/weibo"},
          {"settings", {{"app_key", "sandbox"}, {"uid", "sandbox"}, {"safe_domain", "127.0.0.1"}}},
          {"secrets", {{"app_secret", "sandbox-secret"}, {"access_token", "sandbox-token"}}}};
}

}  // namespace

sandbox::SandboxEntry Sandbox() { return {"weibo", NewSandbox, Account, true}; }

}  // namespace gd::channels::weibo
