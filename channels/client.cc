#include "channels/client.h"

#include "channels/builtin_channels.h"

namespace gd::channels {

StatusOr<std::unique_ptr<Client>> NewClient(const std::string& kind, const ClientDeps& deps) {
  const BuiltinChannel* c = FindBuiltinChannel(kind);
  if (c == nullptr || c->make_client == nullptr) return NotFound("没有这种渠道客户端：" + kind);
  return c->make_client(deps);
}

}  // namespace gd::channels
