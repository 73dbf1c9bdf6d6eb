// Raw TCP clients for the tests that attack the server below the HTTP library: bytes sent exactly
// as written (no normalisation of the request line) and exactly when the test says, from a chosen
// source address, and answers read with a deadline.
#pragma once

#include <chrono>
#include <string>

namespace gd::testing {

class TcpClient {
 public:
  // Connects to 127.0.0.1:port from `source` (any 127.x.y.z works on Linux's loopback).
  TcpClient(int port, const std::string& source = "127.0.0.1");
  ~TcpClient();
  TcpClient(const TcpClient&) = delete;
  TcpClient& operator=(const TcpClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  // False when the server has closed or reset the connection.
  bool Send(const std::string& bytes);
  // Reads one response (headers, then Content-Length bytes of body) within `timeout`.
  // Returns its status, or 0 when the connection closed or the time passed first.
  int ReadResponse(std::chrono::milliseconds timeout, std::string* body = nullptr,
                   std::string* head = nullptr);
  // True when the server closes (or resets) the connection within `timeout`; anything it sends
  // before that is appended to *received.
  bool WaitClosed(std::chrono::milliseconds timeout, std::string* received = nullptr);
  // True when bytes (or a close) are ready to read within `timeout`.
  bool Readable(std::chrono::milliseconds timeout);
  // Sends `bytes` one byte at a time, waiting up to `pace` for the server after each (so at most
  // one byte per `pace`); once the server answers or closes, waits up to `close_wait` for the
  // close. True when the server closed (or reset) the connection; what it sent goes to *received.
  bool TrickleUntilClosed(const std::string& bytes, std::chrono::milliseconds pace,
                          std::chrono::milliseconds close_wait, std::string* received);

 private:
  int fd_ = -1;
  std::string pending_;  // bytes read past the last response
};

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
