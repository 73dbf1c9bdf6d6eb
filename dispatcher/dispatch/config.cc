#include "dispatcher/dispatch/config.h"

#include <fstream>
#include <sstream>

#include "dispatcher/core/json_util.h"

namespace gd {

StatusOr<DispatchConfig> DispatchConfig::Load(const std::filesystem::path& file) {
  DispatchConfig c;
  std::ifstream in(file);
  if (!in) return c;  // defaults
  std::stringstream ss;
  ss << in.rdbuf();
  auto parsed = ParseJson(ss.str());
  if (!parsed.ok() || !parsed->is_object())
    return InvalidArgument(file.string() + ": 发布配置应为 JSON 对象");
  const Json& j = *parsed;
  auto num = [&](const char* key, auto fallback) {
    using T = decltype(fallback);
    if (!j.contains(key)) return fallback;
    if (!j[key].is_number()) return fallback;
    return j[key].get<T>();
  };
  c.workers = num("workers", c.workers);
  c.lease_ms = num("lease_ms", c.lease_ms);
  c.max_attempts = num("max_attempts", c.max_attempts);
  c.backoff_base_ms = num("backoff_base_ms", c.backoff_base_ms);
  c.backoff_max_ms = num("backoff_max_ms", c.backoff_max_ms);
  c.poll_min_ms = num("poll_min_ms", c.poll_min_ms);
  c.http_timeout_ms = num("http_timeout_ms", c.http_timeout_ms);
  if (c.workers < 1 || c.workers > 64)
    return InvalidArgument(file.string() + ": workers 应在 1–64 之间");
  if (j.contains("rates")) {
    if (!j["rates"].is_object()) return InvalidArgument(file.string() + ": rates 应为对象");
    for (auto& [kind, spec] : j["rates"].items()) {
      if (!spec.is_object() || !spec.contains("per_second") || !spec["per_second"].is_number())
        return InvalidArgument(file.string() + ": rates." + kind + ".per_second 缺失");
      c.rates[kind] = RateSpec{spec["per_second"].get<double>(), spec.value("burst", 1.0)};
    }
  }
  return c;
}

}  // namespace gd
