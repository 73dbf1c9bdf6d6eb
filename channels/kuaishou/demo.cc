#include "channels/kuaishou/demo.h"

#include "channels/kuaishou/sandbox.h"

namespace gd::channels::kuaishou {
namespace {

Json Account(const std::string& base) {
  return {{"kind", "kuaishou"},
          {"name", "XX应急管理 快手号"},
          {"base_url", base + "/kuaishou"},
          {"settings", {{"app_id", "sandbox"}, {"open_id", "sandbox"}}},
          {"secrets",
           {{"app_secret", "sandbox-secret"},
            {"access_token", "sandbox-token"},
            {"refresh_token", "sandbox-refresh"}}}};
}

}  // namespace

sandbox::SandboxEntry Sandbox() { return {"kuaishou", NewSandbox, Account, false}; }

}  // namespace gd::channels::kuaishou
