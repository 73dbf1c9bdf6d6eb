// The WeChat sandbox's pushes to an account's server URL (服务器配置): when a publish job ends
// it POSTs the PUBLISHJOBFINISH event [W9][W10], signed with the account's Token and, in 安全
// mode, encrypted with its EncodingAESKey [W11][W14]-[W16] (channels/wechat_mp/msg_crypt.h).
//
// The server URL is configured per appid through the sandbox's stand-in for the console page,
// POST /wechat/cgi-bin/sandbox/server_config {"appid", "secret", "url", "token",
// "encoding_aes_key"?, "mode": "plain"|"aes"} ("url": "" turns pushing off). Events are queued
// under the sandbox's lock and delivered by Flush(), called without it. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "channels/transport.h"
#include "dispatcher/core/clock.h"
#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"

namespace gd::channels::wechat_mp {

// The PUBLISHJOBFINISH event as [W9] shows it: article id and URL for status 0, fail_idx else.
std::string PublishJobFinishXml(const std::string& appid, int64_t publish_id, int status,
                                const std::string& article_id, TimeMs now);

class SandboxPusher {
 public:
  SandboxPusher();
  // Sets (or with an empty url clears) the server configuration of `appid`. kInvalidArgument
  // for a bad mode or EncodingAESKey.
  Status Configure(const std::string& appid, const Json& config);
  // Queues `xml` for `appid` at `now` (seconds in the signature's timestamp); nothing when the
  // appid has no server URL.
  void Queue(const std::string& appid, const std::string& xml, TimeMs now);
  // Delivers the queued pushes, one try each; returns how many the receiver answered "success".
  int Flush();
  // Every delivery so far: [{"appid", "url", "status", "reply"}].
  Json Log() const;

 private:
  struct Config {
    std::string url, token, aes_key, mode;
  };
  struct Push {
    std::string url, body, appid;
  };
  mutable std::mutex mu_;
  std::map<std::string, Config> configs_;
  std::vector<Push> queue_;
  Json log_ = Json::array();
  uint64_t nonce_ = 1;
  std::unique_ptr<Transport> http_;
};

}  // namespace gd::channels::wechat_mp
