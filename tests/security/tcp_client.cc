#include "tests/security/tcp_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace gd::testing {
namespace {

using Clock = std::chrono::steady_clock;

int LeftMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

TcpClient::TcpClient(int port, const std::string& source) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in src{};
  src.sin_family = AF_INET;
  ::inet_pton(AF_INET, source.c_str(), &src.sin_addr);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(static_cast<uint16_t>(port));
  dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof(src)) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof(dst)) != 0) {
    ::close(fd);
    return;
  }
  fd_ = fd;
}

TcpClient::~TcpClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool TcpClient::Send(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

bool TcpClient::Readable(std::chrono::milliseconds timeout) {
  if (!pending_.empty()) return true;
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) > 0;
}

bool TcpClient::TrickleUntilClosed(const std::string& bytes, std::chrono::milliseconds pace,
                                   std::chrono::milliseconds close_wait, std::string* received) {
  for (char ch : bytes) {
    if (!Send(std::string(1, ch))) return true;
    if (Readable(pace)) return WaitClosed(close_wait, received);
  }
  return false;
}

int TcpClient::ReadResponse(std::chrono::milliseconds timeout, std::string* body,
                            std::string* head) {
  auto deadline = Clock::now() + timeout;
  std::string data = std::move(pending_);
  pending_.clear();
  char buf[8192];
  size_t want = std::string::npos;
  while (true) {
    size_t split = data.find("\r\n\r\n");
    if (split != std::string::npos && want == std::string::npos) {
      std::string h = data.substr(0, split);
      size_t cl = h.find("Content-Length: ");
      want = split + 4 +
             (cl == std::string::npos ? 0 : std::strtoul(h.c_str() + cl + 16, nullptr, 10));
    }
    if (want != std::string::npos && data.size() >= want) break;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, LeftMs(deadline)) <= 0) return 0;
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) return 0;
    data.append(buf, static_cast<size_t>(n));
  }
  pending_ = data.substr(want);
  size_t split = data.find("\r\n\r\n");
  if (head) *head = data.substr(0, split);
  if (body) *body = data.substr(split + 4, want - split - 4);
  if (data.rfind("HTTP/1.", 0) != 0) return 0;
  return std::atoi(data.c_str() + 9);
}

bool TcpClient::WaitClosed(std::chrono::milliseconds timeout, std::string* received) {
  auto deadline = Clock::now() + timeout;
  if (received) *received += pending_;
  pending_.clear();
  char buf[8192];
  while (true) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, LeftMs(deadline)) <= 0) return false;
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) return true;
    if (received) received->append(buf, static_cast<size_t>(n));
  }
}

std::string RawResponse::Header(const std::string& name) const {
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  };
  const std::string key = "\r\n" + lower(name) + ":";
  size_t p = lower(head).find(key);
  if (p == std::string::npos) return "";
  size_t start = p + key.size();
  size_t end = head.find("\r\n", start);
  std::string value = head.substr(start, end - start);
  value.erase(0, value.find_first_not_of(' '));
  return value;
}

RawResponse SendRaw(int port, const std::string& request, std::chrono::milliseconds timeout) {
  RawResponse out;
  TcpClient client(port);
  if (!client.connected()) return out;
  client.Send(request);
  std::string data;
  client.WaitClosed(timeout, &data);
  size_t split = data.find("\r\n\r\n");
  if (data.rfind("HTTP/1.", 0) != 0 || split == std::string::npos) return out;
  out.head = data.substr(0, split);
  out.body = data.substr(split + 4);
  out.status = std::atoi(data.c_str() + 9);
  return out;
}

RawResponse GetRaw(int port, const std::string& target) {
  return SendRaw(port,
                 "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
}

}  // namespace gd::testing
