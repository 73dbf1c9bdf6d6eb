#include "channels/builtin_channels.h"

#include <array>

#include "channels/douyin/formatter.h"
#include "channels/kuaishou/formatter.h"
#include "channels/manual/formatter.h"
#include "channels/portal/formatter.h"
#include "channels/wechat_mp/formatter.h"
#include "channels/weibo/formatter.h"

namespace gd::channels {
namespace {

const std::array<BuiltinChannel, 6> kBuiltinChannels = {{
    {"portal", "政府门户网站", &MakePortalFormatter},
    {"wechat_mp", "微信公众号", &MakeWechatFormatter},
    {"weibo", "新浪微博", &MakeWeiboFormatter},
    {"douyin", "抖音", &MakeDouyinFormatter},
    {"kuaishou", "快手", &MakeKuaishouFormatter},
    {"manual", "人工发布（视频号、小红书、头条号等）", &MakeManualFormatter},
}};

}  // namespace

std::span<const BuiltinChannel> BuiltinChannels() { return kBuiltinChannels; }

const BuiltinChannel* FindBuiltinChannel(std::string_view kind) {
  for (const BuiltinChannel& c : kBuiltinChannels) {
    if (c.kind == kind) return &c;
  }
  return nullptr;
}

StatusOr<std::map<std::string, std::unique_ptr<Formatter>, std::less<>>> MakeBuiltinFormatters(
    const FormatterEnv& env) {
  std::map<std::string, std::unique_ptr<Formatter>, std::less<>> out;
  for (const BuiltinChannel& c : kBuiltinChannels) {
    auto f = c.make_formatter(env);
    if (!f.ok()) return f.status();
    out.emplace(std::string(c.kind), std::move(*f));
  }
  return out;
}

}  // namespace gd::channels
