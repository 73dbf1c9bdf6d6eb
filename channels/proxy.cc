#include "channels/proxy.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "channels/transport.h"
#include "dispatcher/core/crypto.h"

namespace gd::channels {
namespace {

using Clock = std::chrono::steady_clock;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A connected socket, closed when it goes.
class Socket {
 public:
  explicit Socket(int fd = -1) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

int MsLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

// Waits for `events` on `fd` until `deadline`.
bool Ready(int fd, short events, Clock::time_point deadline) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, MsLeft(deadline)) == 1;
}

// A non-blocking connect to one of host:port's addresses, bounded by `deadline`.
StatusOr<int> Connect(const ProxySpec& proxy, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string where = proxy.host + ":" + std::to_string(proxy.port);
  if (::getaddrinfo(proxy.host.c_str(), std::to_string(proxy.port).c_str(), &hints, &found) != 0)
    return Unavailable("出站代理地址无法解析：" + where);
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    int s = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (s < 0) continue;
    int rc = ::connect(s, a->ai_addr, a->ai_addrlen);
    int err = 0;
    socklen_t len = sizeof err;
    if (rc != 0 && errno == EINPROGRESS && Ready(s, POLLOUT, deadline))
      rc = ::getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0 ? 0 : -1;
    if (rc == 0) {
      fd = s;
    } else {
      ::close(s);
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0) return Unavailable("无法连接出站代理 " + where);
  return fd;
}

}  // namespace

StatusOr<ProxySpec> ParseProxy(std::string_view url) {
  const std::string_view kScheme = "http://";
  auto bad = [](std::string_view why) {
    return InvalidArgument("出站代理地址无效：" + std::string(why) +
                           "（应形如 http://代理主机:端口 或 http://用户名:密码@代理主机:端口）");
  };
  if (Lower(url.substr(0, kScheme.size())) != kScheme) return bad("须以 http:// 开头");
  std::string_view rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) return bad("不能带路径");
  ProxySpec p;
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    size_t colon = userinfo.find(':');
    p.user = UrlDecode(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) p.password = UrlDecode(userinfo.substr(colon + 1));
    if (p.user.empty()) return bad("用户名为空");
    rest = rest.substr(at + 1);
  }
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return bad("缺少主机或端口");
  p.host = std::string(rest.substr(0, colon));
  std::string_view port = rest.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return bad("端口应为 1–65535 的数字");
  p.port = std::stoi(std::string(port));
  if (p.port < 1 || p.port > 65535) return bad("端口应为 1–65535 的数字");
  for (char c : p.host)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-'))
      return bad("主机名含有不允许的字符");
  return p;
}

Status ProbeTunnel(const ProxySpec& proxy, const std::string& host, int port, int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(std::max(1, timeout_ms));
  const std::string target = host + ":" + std::to_string(port);
  GD_ASSIGN_OR_RETURN(int fd, Connect(proxy, deadline));
  Socket sock(fd);
  std::string ask = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n";
  if (!proxy.user.empty())
    ask += "Proxy-Authorization: Basic " + Base64Encode(proxy.user + ":" + proxy.password) + "\r\n";
  ask += "\r\n";
  for (size_t sent = 0; sent < ask.size();) {
    if (!Ready(fd, POLLOUT, deadline))
      return Status(Code::kDeadlineExceeded, "出站代理无响应：" + target);
    ssize_t n = ::send(fd, ask.data() + sent, ask.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return Unavailable("出站代理断开了连接：" + target);
    sent += static_cast<size_t>(n);
  }
  // The answer's head: at most 16 KiB (a proxy's error page may follow it; it is not read).
  std::string head;
  char buf[2048];
  while (head.find("\r\n\r\n") == std::string::npos) {
    if (head.size() > 16 * 1024) return Unavailable("出站代理的应答无法识别：" + target);
    if (!Ready(fd, POLLIN, deadline))
      return Status(Code::kDeadlineExceeded, "出站代理在时限内未答复隧道请求：" + target);
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return Unavailable("出站代理未答复就断开了连接：" + target);
    head.append(buf, static_cast<size_t>(n));
  }
  head.resize(head.find("\r\n\r\n"));
  const std::string status_line = head.substr(0, head.find("\r\n"));
  int status = 0;
  if (status_line.rfind("HTTP/1.", 0) == 0 && status_line.size() >= 12)
    status = std::atoi(status_line.c_str() + 9);
  if (status == 407) {
    return Status(Code::kUnauthenticated,
                  "出站代理要求认证或拒绝了所配置的用户名和口令（HTTP 407），请检查配置项 "
                  "outbound_proxy");
  }
  if (status < 200 || status > 299) {
    return Unavailable("出站代理拒绝建立到 " + target + " 的隧道（HTTP " + std::to_string(status) +
                       "），请联系网络管理员放行该地址");
  }
  const std::string lower = Lower(head);
  if (lower.find("\r\nconnection: close") != std::string::npos ||
      lower.find("\r\nproxy-connection: close") != std::string::npos) {
    return Unavailable(
        "出站代理建立隧道时要求关闭连接（Connection: close），当前 HTTP 库无法经这样的代理访问 "
        "https 地址，请改用透明代理或网关直连：" +
        target);
  }
  return Status::Ok();
}

}  // namespace gd::channels
