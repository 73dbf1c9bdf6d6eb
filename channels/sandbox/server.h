// Every platform's sandbox on one HTTP server (docs/api.md §6): each entry of the sandbox
// registry (channels/sandbox/registry.h) speaks its platform's protocol under its prefix;
// /_sandbox/ has the inspection page, posts, stats and fault injection. Embeddable (tests,
// `dispatcher demo`) and runnable as `dispatcher sandbox --listen HOST:PORT`.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "channels/sandbox/platform.h"
#include "dispatcher/core/status.h"

namespace gd::channels::sandbox {

// Faults for one platform (POST /_sandbox/faults takes the same fields as JSON).
struct FaultSpec {
  double error_rate = 0;            // the platform's own transient error (or `error_code`)
  double timeout_rate = 0;          // hold the connection timeout_hang_ms, then drop it unanswered
  double after_accept_ratio = 0.5;  // share of timeouts where the request was processed first
  int latency_ms = 0;
  std::optional<int> token_ttl_s;          // tokens issued from now on live this long
  std::optional<double> rate_limit_per_s;  // the platform's rate-limit code beyond this
  std::optional<int> error_code;           // inject this platform code instead of "busy"
  std::vector<std::string> paths;          // only these paths (after the prefix); empty = all
  int count = -1;  // at most this many injected errors/timeouts; -1 = no cap

  static StatusOr<FaultSpec> FromJson(const Json& j);
  Json ToJson() const;
};

class SandboxServer {
 public:
  // Binds `host`:`port` (0 = any free port) and serves on a background thread.
  static StatusOr<std::unique_ptr<SandboxServer>> Start(const std::string& host, int port,
                                                        SandboxOptions options = {});
  ~SandboxServer();
  SandboxServer(const SandboxServer&) = delete;
  SandboxServer& operator=(const SandboxServer&) = delete;

  int port() const;
  // "http://HOST:PORT" (the base of each platform's URL: base_url() + "/wechat").
  std::string base_url() const;
  void Stop();

  // Same as the HTTP API, for tests.
  void SetFaults(const std::string& platform, const FaultSpec& spec);
  void ClearFaults();
  void ExpireTokens(const std::string& platform);
  std::vector<PostRecord> Posts(const std::string& platform = "");
  Json Stats() const;
  // Same body as POST /_sandbox/quotas: {"platform"?, "enabled"?, "rules"?, "defaults"?,
  // "reset"?}; and the state GET /_sandbox/quotas shows.
  Status ConfigureQuotas(const Json& body);
  Json Quotas() const;
  int64_t Calls(const std::string& platform, const std::string& path) const;
  // The platforms served, by their path prefix ("wechat", ...), in registry order.
  std::vector<std::string> PlatformNames() const;

  struct Impl;

 private:
  explicit SandboxServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// `dispatcher sandbox [--listen HOST:PORT] [--async-delay-ms N] [--seed N] [--quotas]`: serves
// until SIGINT/SIGTERM. Returns the process exit code.
int RunSandboxCli(const std::vector<std::string>& args);

}  // namespace gd::channels::sandbox
