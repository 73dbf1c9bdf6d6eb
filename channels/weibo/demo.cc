#include "channels/weibo/demo.h"

#include "channels/weibo/sandbox.h"

namespace gd::channels::weibo {
namespace {

Json Account(const std::string& base) {
  return {{"kind", "weibo"},
          {"name", "XX应急管理 微博"},
          {"base_url", base + "/weibo"},
          // rip: an address of the documentation range (RFC 5737) stands in for the public one.
          {"settings",
           {{"app_key", "sandbox"},
            {"uid", "sandbox"},
            {"safe_domain", "127.0.0.1"},
            {"rip", "203.0.113.5"}}},
          {"secrets", {{"app_secret", "sandbox-secret"}, {"access_token", "sandbox-token"}}}};
}

}  // namespace

sandbox::SandboxEntry Sandbox() { return {"weibo", NewSandbox, Account, true}; }

}  // namespace gd::channels::weibo
