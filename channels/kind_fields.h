// Fields several platforms' registry entries share (channels/<kind>/kind.cc), written once.
#pragma once

#include <cstdint>
#include <string>

#include "channels/builtin_channels.h"

namespace gd::channels {

// The platform's API address, prefilled with its public default.
inline Field ApiAddressField(std::string default_url, std::string help) {
  return {.name = "base_url",
          .label = "接口地址",
          .type = FieldType::kUrl,
          .required = true,
          .default_value = std::move(default_url),
          .help = std::move(help)};
}

// How often the dispatcher asks the platform how a post stands.
inline Field PollIntervalField(int64_t default_ms, std::string help) {
  return {.name = "poll_interval_ms",
          .label = "查询间隔（毫秒）",
          .type = FieldType::kInteger,
          .default_value = default_ms,
          .help = std::move(help)};
}

// The user access token an authorised account publishes with.
inline Field AccessTokenSecret() {
  return {.name = "access_token",
          .label = "Access Token",
          .required = true,
          .help = "账号授权后得到的 access_token",
          .max_chars = 4000};
}

// The refresh token that renews it.
inline Field RefreshTokenSecret() {
  return {.name = "refresh_token",
          .label = "Refresh Token",
          .help = "用于续期 access_token",
          .max_chars = 4000};
}

}  // namespace gd::channels
