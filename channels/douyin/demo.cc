#include "channels/douyin/demo.h"

#include "channels/douyin/sandbox.h"

namespace gd::channels::douyin {
namespace {

Json Account(const std::string& base) {
  return {{"kind", "douyin"},
          {"name", "XX应急管理 抖音号"},
          {"base_url", base + "/douyin"},
          {"settings", {{"client_key", "sandbox"}, {"open_id", "sandbox"}}},
          {"secrets",
           {{"client_secret", "sandbox-secret"},
            {"access_token", "sandbox-token"},
            {"refresh_token", "sandbox-refresh"}}}};
}

}  // namespace

sandbox::SandboxEntry Sandbox() { return {"douyin", NewSandbox, Account, false}; }

}  // namespace gd::channels::douyin
