// A blocking TCP client for connection-level tests: chosen source address, bytes sent exactly
// when the test says, and answers read with a deadline.
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

 private:
  int fd_ = -1;
  std::string pending_;  // bytes read past the last response
};

}  // namespace gd::testing
