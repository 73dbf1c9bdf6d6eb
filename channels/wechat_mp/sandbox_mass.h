// The mass-send (群发) half of the WeChat sandbox, written from the sources in
// docs/channels-protocols.md's conformance table (mass-send rows, [W1]-[W5]):
//  - `clientmsgid` is at most 64 bytes (45067 beyond);
//  - a clientmsgid sent within the last 24 h is refused with 45065 and the earlier send's msg_id
//    (45066 while that send is still going out);
//  - a verified 公众号 mass-sends successfully once a day (Beijing time): 45028 beyond.
// The order of those checks is not documented; the clientmsgid comes first here, the order
// that cannot send twice. Not thread-safe: the sandbox locks.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "dispatcher/core/clock.h"
#include "dispatcher/core/json_util.h"

namespace gd::channels::wechat_mp {

class SandboxMassSends {
 public:
  // The refusal of a sendall by `appid` with `clientmsgid` ("" = none given) at `now`, as
  // {"errcode", "errmsg"[, "msg_id"]}, or nullopt when it may go out.
  std::optional<Json> Check(const std::string& appid, const std::string& clientmsgid,
                            TimeMs now) const;
  // A send went out: `ok` false when the platform's audit stops it (SEND_FAIL, not counted
  // against the day's allowance); it reads SENDING until `done_at`.
  void Record(const std::string& appid, const std::string& clientmsgid, int64_t msg_id, bool ok,
              TimeMs now, TimeMs done_at);
  // msg_status of `msg_id` at `now`, or nullopt when no such send was made.
  std::optional<std::string> Status(int64_t msg_id, TimeMs now) const;

 private:
  struct Sent {
    int64_t msg_id = 0;
    bool ok = true;
    TimeMs at = 0, done_at = 0;
  };
  std::map<std::pair<std::string, std::string>, Sent> by_clientmsgid_;  // (appid, clientmsgid)
  std::map<int64_t, Sent> by_msg_id_;
  std::map<std::pair<std::string, int64_t>, int> successes_;  // (appid, CST day) -> count
};

}  // namespace gd::channels::wechat_mp
