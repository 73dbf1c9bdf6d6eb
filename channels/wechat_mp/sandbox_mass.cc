#include "channels/wechat_mp/sandbox_mass.h"

#include "dispatcher/core/time_util.h"

namespace gd::channels::wechat_mp {
namespace {

constexpr TimeMs kClientMsgIdMemoryMs = 24 * 3600 * 1000;

int64_t CstDay(TimeMs now) { return DaysFromCivil(CstDate(now)); }

}  // namespace

std::optional<Json> SandboxMassSends::Check(const std::string& appid,
                                            const std::string& clientmsgid, TimeMs now) const {
  if (clientmsgid.size() > 64) {
    return Json{{"errcode", 45067}, {"errmsg", "clientmsgid size out of limit"}};
  }
  if (!clientmsgid.empty()) {
    auto it = by_clientmsgid_.find({appid, clientmsgid});
    if (it != by_clientmsgid_.end() && now - it->second.at < kClientMsgIdMemoryMs) {
      if (now < it->second.done_at) {
        return Json{{"errcode", 45066}, {"errmsg", "same clientmsgid retry too fast"}};
      }
      return Json{
          {"errcode", 45065}, {"errmsg", "clientmsgid exist"}, {"msg_id", it->second.msg_id}};
    }
  }
  auto used = successes_.find({appid, CstDay(now)});
  if (used != successes_.end() && used->second >= 1) {
    return Json{{"errcode", 45028}, {"errmsg", "has no masssend quota"}};
  }
  return std::nullopt;
}

void SandboxMassSends::Record(const std::string& appid, const std::string& clientmsgid,
                              int64_t msg_id, bool ok, TimeMs now, TimeMs done_at) {
  Sent s{msg_id, ok, now, done_at};
  if (!clientmsgid.empty()) by_clientmsgid_[{appid, clientmsgid}] = s;
  by_msg_id_[msg_id] = s;
  if (ok) ++successes_[{appid, CstDay(now)}];
}

std::optional<std::string> SandboxMassSends::Status(int64_t msg_id, TimeMs now) const {
  auto it = by_msg_id_.find(msg_id);
  if (it == by_msg_id_.end()) return std::nullopt;
  if (now < it->second.done_at) return "SENDING";
  return it->second.ok ? "SEND_SUCCESS" : "SEND_FAIL";
}

}  // namespace gd::channels::wechat_mp
