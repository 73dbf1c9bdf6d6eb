// Dispatch engine settings, loaded from policies/dispatch.json.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "dispatcher/core/clock.h"
#include "dispatcher/core/status.h"

namespace gd {

struct RateSpec {
  double per_second = 0;  // 0 = unlimited
  double burst = 1;
};

struct DispatchConfig {
  int workers = 4;
  TimeMs lease_ms = 120000;        // a claimed dispatch is ours this long
  int max_attempts = 12;           // transient failures before a dispatch fails
  TimeMs backoff_base_ms = 1000;   // first retry after about this long (doubling, with jitter)
  TimeMs backoff_max_ms = 300000;  // never wait longer than this between tries
  TimeMs poll_min_ms = 500;        // fastest re-poll of an async job
  int http_timeout_ms = 15000;
  std::map<std::string, RateSpec> rates;  // by account kind (documented platform quotas)

  static StatusOr<DispatchConfig> Load(const std::filesystem::path& file);
};

}  // namespace gd
