// A client that sends bytes exactly as written (no normalisation of the request line), for tests
// that attack the server with paths and encodings a normal client would clean up.
#pragma once

#include <chrono>
#include <string>

namespace gd::testing {

struct RawResponse {
  int status = 0;    // 0: no parsable answer (connection closed or timed out)
  std::string head;  // status line and headers
  std::string body;
  std::string Header(const std::string& name) const;  // case-insensitive; "" when absent
};

// Connects to 127.0.0.1:port, writes `request` and reads until the server closes the
// connection or `timeout` passes.
RawResponse SendRaw(int port, const std::string& request,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A GET for `target` (sent verbatim) with Connection: close.
RawResponse GetRaw(int port, const std::string& target);

}  // namespace gd::testing
