#include "channels/client.h"

#include "channels/douyin/client.h"
#include "channels/kuaishou/client.h"
#include "channels/manual/client.h"
#include "channels/portal/client.h"
#include "channels/wechat_mp/client.h"
#include "channels/weibo/client.h"

namespace gd::channels {

StatusOr<std::unique_ptr<Client>> NewClient(const std::string& kind, const ClientDeps& deps) {
  if (kind == "portal") return portal::NewClient(deps);
  if (kind == "wechat_mp") return wechat_mp::NewClient(deps);
  if (kind == "weibo") return weibo::NewClient(deps);
  if (kind == "douyin") return douyin::NewClient(deps);
  if (kind == "kuaishou") return kuaishou::NewClient(deps);
  if (kind == "manual") return manual::NewClient(deps);
  return NotFound("没有这种渠道客户端：" + kind);
}

}  // namespace gd::channels
