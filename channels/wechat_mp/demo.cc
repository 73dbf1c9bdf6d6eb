#include "channels/wechat_mp/demo.h"

#include "channels/wechat_mp/sandbox.h"

namespace gd::channels::wechat_mp {
namespace {

Json Account(const std::string& base) {
  return {{"kind", "wechat_mp"},
          {"name", "XX应急管理 公众号"},
          {"base_url", base + "/wechat"},
          {"settings", {{"app_id", "sandbox"}, {"publish_mode", "publish"}}},
          {"secrets", {{"app_secret", "sandbox-secret"}}}};
}

}  // namespace

sandbox::SandboxEntry Sandbox() { return {"wechat_mp", NewSandbox, Account, true}; }

}  // namespace gd::channels::wechat_mp
