// A channel account (a site, an app, a public account the tickets go out to).
#pragma once

#include <cstdint>
#include <string>

#include "dispatcher/core/clock.h"
#include "dispatcher/core/json_util.h"

namespace gd {

struct ChannelAccountRow {
  int64_t id = 0;
  std::string kind;
  std::string name;
  int64_t unit_id = 0;  // 0 = city-wide
  std::string base_url;
  Json settings = Json::object();
  std::string secrets_sealed;  // AES-256-GCM, never plain
  bool disabled = false;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

}  // namespace gd
