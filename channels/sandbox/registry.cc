#include "channels/sandbox/registry.h"

#include <vector>

#include "channels/bilibili/demo.h"
#include "channels/douyin/demo.h"
#include "channels/kuaishou/demo.h"
#include "channels/manual/demo.h"
#include "channels/portal/demo.h"
#include "channels/wechat_mp/demo.h"
#include "channels/weibo/demo.h"

namespace gd::channels::sandbox {
namespace {

// One line per platform, in the channel registry's order. Never destroyed (see
// channels/builtin_channels.cc).
const std::vector<SandboxEntry>& Entries() {
  // One line per platform (clang-format would bin-pack them, and every addition would then
  // rewrite its neighbours).
  // clang-format off
  static const auto& entries = *new std::vector<SandboxEntry>{
      portal::Sandbox(),
      wechat_mp::Sandbox(),
      weibo::Sandbox(),
      douyin::Sandbox(),
      kuaishou::Sandbox(),
      bilibili::Sandbox(),
      manual::Sandbox(),
  };
  // clang-format on
  return entries;
}

}  // namespace

std::span<const SandboxEntry> SandboxEntries() { return Entries(); }

const SandboxEntry* FindSandboxEntry(std::string_view kind) {
  for (const auto& e : Entries())
    if (e.kind == kind) return &e;
  return nullptr;
}

}  // namespace gd::channels::sandbox
