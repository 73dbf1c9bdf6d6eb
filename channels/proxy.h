// The outbound HTTP proxy (docs/configuration.md, `outbound_proxy`): its address, and the check
// that runs before each https request through it.
//
// https goes through the proxy in a CONNECT tunnel (RFC 9110 §9.3.6), so the platform still sees
// end-to-end TLS. cpp-httplib 0.11.4 (Debian 12) builds that tunnel itself, but deadlocks when
// the proxy's answer to CONNECT carries `Connection: close` — as proxies' refusals (403, 407) do —
// because it then closes the socket under a mutex it already holds (cpp-httplib issues #1492,
// #1590, fixed upstream in 0.13.2 by PR #1630; docs/decisions.md). So the transport first asks the
// proxy for the tunnel itself (ProbeTunnel), and lets the library build its own only after the
// proxy said a plain 200: a refusal becomes a Chinese error at once instead of a worker hung
// forever.
#pragma once

#include <string>
#include <string_view>

#include "dispatcher/core/status.h"

namespace gd::channels {

struct ProxySpec {
  std::string host;
  int port = 0;
  std::string user, password;  // Basic credentials; empty user = none
};

// Parses "http://[user[:password]@]host:port[/]" (user and password percent-encoded).
// kInvalidArgument in Chinese saying what is wrong.
StatusOr<ProxySpec> ParseProxy(std::string_view url);

// Opens a connection to `proxy`, asks for a tunnel to host:port (CONNECT, with the proxy's
// credentials), reads the answer's head and closes the connection. Ok only for a 2xx answer
// without `Connection: close`. Errors, in Chinese: kUnavailable (proxy unreachable, refused
// the tunnel, answered nonsense), kUnauthenticated (407: the credentials), kDeadlineExceeded
// (no answer within `timeout_ms`).
Status ProbeTunnel(const ProxySpec& proxy, const std::string& host, int port, int timeout_ms);

}  // namespace gd::channels
