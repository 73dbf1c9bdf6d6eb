#include "channels/manual/demo.h"

namespace gd::channels::manual {
namespace {

Json Account(const std::string& /*base*/) {
  return {
      {"kind", "manual"}, {"name", "XX应急管理 视频号"}, {"settings", {{"platform", "视频号"}}}};
}

}  // namespace

sandbox::SandboxEntry Sandbox() { return {"manual", nullptr, Account, false}; }

}  // namespace gd::channels::manual
