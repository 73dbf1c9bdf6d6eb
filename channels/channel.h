// The channel interface: what every platform adapter provides.
//
// An adapter has two halves (docs/architecture.md §6):
//  - a Formatter (pure): content + templates -> the channel's rendering and its limit problems;
//  - a Client (network, channels/client.h): publish, poll, withdraw, reconcile, check credentials
//    against the platform's real HTTP API at a configurable base URL.
// `channels/` knows the content model and nothing of the store or HTTP server.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dispatcher/core/json_util.h"
#include "dispatcher/model/content.h"

namespace gd::channels {

// A channel account as adapters see it. Secrets are never here: clients ask for them through
// a SecretSource (client.h) at the moment they need them.
struct Account {
  int64_t id = 0;
  std::string kind;  // "portal", "wechat_mp", "weibo", "douyin", "kuaishou", "manual"
  std::string name;
  int64_t unit_id = 0;
  std::string unit_name;
  std::string base_url;  // the platform's API base, e.g. "https://api.weixin.qq.com"
  Json settings = Json::object();
};

// Where the portal article's URL goes in other channels' renderings before the portal has
// published. The dispatcher replaces it at dispatch time; it is the only filled-in placeholder.
inline constexpr std::string_view kPortalUrlPlaceholder = "{{portal_url}}";

// A rendering over one of the channel's limits (title too long, no video, ...).
struct Problem {
  std::string code;                // machine code, e.g. "title_too_long"
  std::string field;               // which part of the rendering, e.g. "title"
  std::string message;             // Chinese, for people
  std::string severity = "block";  // "block" or "warn"
};

struct RenderInput {
  const Content* content = nullptr;
  const Account* account = nullptr;
  const ChannelTarget* target = nullptr;  // per-channel options
  int64_t ticket_id = 0;                  // names the portal page (stable across versions)
  TimeMs publish_time = 0;                // shown as 发布日期 where the channel shows a date
  std::string unit_name;  // the ticket's unit (发布机构); empty = the account's unit_name
};

// A channel's rendering: `body` is a JSON object whose canonical dump is what gets hashed and,
// after approval, sent byte for byte (with kPortalUrlPlaceholder filled in).
struct Rendering {
  Json body = Json::object();
  std::vector<Problem> problems;
};

// Thread-safe, stateless after construction.
class Formatter {
 public:
  virtual ~Formatter() = default;
  virtual Rendering Render(const RenderInput& in) const = 0;
};

}  // namespace gd::channels
