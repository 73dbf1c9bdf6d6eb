#include "dispatcher/http/connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <iterator>

namespace gd {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Endpoint {
  std::string ip;
  int port = -1;
};

// IPv4-mapped IPv6 peers (a server listening on "::") are printed as IPv4, so one client has
// one address whichever way the server listens.
Endpoint EndpointOf(const sockaddr_storage& ss) {
  Endpoint e;
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    if (inet_ntop(AF_INET, &a->sin_addr, buf, sizeof(buf))) e.ip = buf;
    e.port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
      if (inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], buf, sizeof(buf))) e.ip = buf;
    } else if (inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof(buf))) {
      e.ip = buf;
    }
    e.port = ntohs(a->sin6_port);
  }
  return e;
}

Endpoint PeerOf(int sock) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (::getpeername(sock, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  return EndpointOf(ss);
}

Endpoint LocalOf(int sock) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (::getsockname(sock, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  return EndpointOf(ss);
}

int PollMs(Clock::duration d) {
  auto ms = std::chrono::ceil<milliseconds>(d).count();
  return static_cast<int>(std::clamp<int64_t>(ms, 0, 24 * 3600 * 1000));
}

// The answer to a request cut off while it was still arriving; sent instead of whatever the
// library would have answered to the truncated request.
std::string CannedResponse(int status, const char* reason, const char* code, const char* message) {
  std::string body = std::string(R"({"error":{"code":")") + code + R"(","message":")" + message +
                     R"(","details":{}}})";
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " +
         std::to_string(body.size()) +
         "\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\n\r\n" + body;
}

// A buffered socket stream (like cpp-httplib's SocketStream) whose reads and writes keep to the
// request deadline. A request starts at the first read after a write (or at the first read);
// its response at the first write after a read. Each phase may last
// `deadline + bytes moved / min_bytes_per_second`. Reads and writes try the socket first and
// poll only when it is not ready, so a request that arrives whole costs one recv.
class DeadlineStream final : public httplib::Stream {
 public:
  DeadlineStream(int sock, int stop_fd, const ConnectionLimits& limits, Endpoint peer,
                 Clock::duration read_timeout, Clock::duration write_timeout)
      : sock_(sock),
        stop_fd_(stop_fd),
        limits_(limits),
        peer_(std::move(peer)),
        read_timeout_(read_timeout),
        write_timeout_(write_timeout) {}

  // The library's Stream interface makes these const; the stream object itself never is.
  bool is_readable() const override {
    auto* self = const_cast<DeadlineStream*>(this);
    if (self->phase_ != Phase::kReading) self->Begin(Phase::kReading);
    return off_ < len_ || self->Wait(POLLIN, read_timeout_);
  }

  bool is_writable() const override {
    auto* self = const_cast<DeadlineStream*>(this);
    if (self->phase_ != Phase::kWriting) self->Begin(Phase::kWriting);
    return cut_ == Cut::kNone && self->Wait(POLLOUT, write_timeout_);
  }

  ssize_t read(char* ptr, size_t size) override {
    if (cut_ != Cut::kNone) return -1;
    if (phase_ != Phase::kReading) Begin(Phase::kReading);
    if (off_ < len_) return TakeBuffered(ptr, size);
    if (size >= buf_.size()) return Recv(ptr, size);
    ssize_t n = Recv(buf_.data(), buf_.size());
    if (n <= 0) return n;
    off_ = 0;
    len_ = static_cast<size_t>(n);
    return TakeBuffered(ptr, size);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (cut_ != Cut::kNone) return AfterCut(size);
    if (phase_ != Phase::kWriting) Begin(Phase::kWriting);
    return Io(POLLOUT, write_timeout_,
              [&] { return ::send(sock_, ptr, size, MSG_DONTWAIT | MSG_NOSIGNAL); });
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = peer_.ip;
    port = peer_.port;
  }

  void get_local_ip_and_port(std::string& ip, int& port) const override {
    if (local_.port < 0) local_ = LocalOf(sock_);
    ip = local_.ip;
    port = local_.port;
  }

  socket_t socket() const override { return sock_; }

  bool has_buffered_input() const { return off_ < len_; }
  bool cut() const { return cut_ != Cut::kNone; }

  // Once, after a cut while a request was arriving: 408 (too slow) or 503 (server stopping).
  // Best effort: the client may be gone, and nothing waits for the socket.
  void AnswerCut() {
    if (!cut_while_reading_ || cut_ == Cut::kBroken || answered_) return;
    answered_ = true;
    static const std::string timeout = CannedResponse(408, "Request Timeout", "timeout",
                                                      "请求发送过慢，连接已断开，请检查网络后重试");
    static const std::string stopping =
        CannedResponse(503, "Service Unavailable", "unavailable", "服务正在停止，请稍后重试");
    const std::string& r = cut_ == Cut::kDeadline ? timeout : stopping;
    (void)::send(sock_, r.data(), r.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  }

 private:
  enum class Phase { kIdle, kReading, kWriting };
  enum class Cut { kNone, kDeadline, kStopping, kBroken };

  void Begin(Phase p) {
    phase_ = p;
    phase_start_ = Clock::now();
    moved_ = 0;
  }

  ssize_t TakeBuffered(char* ptr, size_t size) {
    size_t n = std::min(size, len_ - off_);
    std::memcpy(ptr, buf_.data() + off_, n);
    off_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t Recv(char* dst, size_t cap) {
    return Io(POLLIN, read_timeout_, [&] { return ::recv(sock_, dst, cap, MSG_DONTWAIT); });
  }

  // Runs the non-blocking `call` until it moves bytes, waiting for `events` in between (at most
  // `per_call` each time, never past the phase's deadline). -1 when the peer broke the connection
  // or the wait ran out.
  template <typename Call>
  ssize_t Io(short events, Clock::duration per_call, Call call) {
    while (true) {
      ssize_t n = call();
      if (n >= 0) {
        moved_ += static_cast<size_t>(n);
        return n;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        CutOff(Cut::kBroken);
        return -1;
      }
      if (!Wait(events, per_call)) return -1;
    }
  }

  // Waits until the socket is ready for `events`, for at most `per_call` and never past the
  // phase's deadline. False when not ready: the request or response is then cut off (too
  // slow, server stopping, socket broken) and the connection ends after it.
  bool Wait(short events, Clock::duration per_call) {
    Clock::duration allowed = limits_.deadline;
    if (limits_.min_bytes_per_second > 0)
      allowed += milliseconds(static_cast<int64_t>(moved_ * 1000 / limits_.min_bytes_per_second));
    Clock::duration left = phase_start_ + allowed - Clock::now();
    if (left <= Clock::duration::zero()) return CutOff(Cut::kDeadline);
    std::array<pollfd, 2> fds = {pollfd{sock_, events, 0}, pollfd{stop_fd_, POLLIN, 0}};
    int n;
    do {
      n = ::poll(fds.data(), fds.size(), PollMs(std::min(left, per_call)));
    } while (n < 0 && errno == EINTR);
    if (n < 0) return CutOff(Cut::kBroken);
    if (fds[1].revents != 0) return CutOff(Cut::kStopping);
    if (n == 0) return CutOff(Cut::kDeadline);  // the deadline, or no byte for a whole timeout
    return true;
  }

  bool CutOff(Cut why) {
    cut_ = why;
    cut_while_reading_ = phase_ == Phase::kReading;
    return false;
  }

  // After a cut while the request was arriving, the library still answers the truncated
  // request: send our own answer once instead, and report every write as done.
  ssize_t AfterCut(size_t size) {
    if (!cut_while_reading_ || cut_ == Cut::kBroken) return -1;
    AnswerCut();
    return static_cast<ssize_t>(size);
  }

  const int sock_;
  const int stop_fd_;
  const ConnectionLimits& limits_;
  const Endpoint peer_;
  mutable Endpoint local_;
  const Clock::duration read_timeout_;
  const Clock::duration write_timeout_;

  std::array<char, 4096> buf_;
  size_t off_ = 0;
  size_t len_ = 0;

  Phase phase_ = Phase::kIdle;
  Clock::time_point phase_start_;
  size_t moved_ = 0;  // bytes read (or written) in the current phase
  Cut cut_ = Cut::kNone;
  bool cut_while_reading_ = false;
  bool answered_ = false;
};

// True when the next request (or the client's close) arrives within the keep-alive timeout and
// the server is not stopping.
bool AwaitRequest(int sock, int stop_fd, Clock::duration timeout) {
  std::array<pollfd, 2> fds = {pollfd{sock, POLLIN, 0}, pollfd{stop_fd, POLLIN, 0}};
  int n;
  do {
    n = ::poll(fds.data(), fds.size(), PollMs(timeout));
  } while (n < 0 && errno == EINTR);
  return n > 0 && fds[1].revents == 0;
}

Clock::duration Duration(time_t sec, time_t usec) {
  return std::chrono::seconds(sec) + std::chrono::microseconds(usec);
}

}  // namespace

std::optional<std::string> CanonicalIp(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (s.empty() || s.size() > 64) return std::nullopt;
  auto is_port = [](std::string_view p) {
    return !p.empty() && p.size() <= 5 &&
           std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  std::string text;
  if (s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view after = s.substr(close + 1);
    if (!after.empty() && (after.front() != ':' || !is_port(after.substr(1)))) return std::nullopt;
    text = std::string(s.substr(1, close - 1));
  } else if (std::count(s.begin(), s.end(), ':') == 1) {
    if (!is_port(s.substr(s.find(':') + 1))) return std::nullopt;
    text = std::string(s.substr(0, s.find(':')));
  } else {
    text = std::string(s);
  }
  char buf[INET6_ADDRSTRLEN] = {0};
  in_addr a4{};
  if (inet_pton(AF_INET, text.c_str(), &a4) == 1) {
    if (!inet_ntop(AF_INET, &a4, buf, sizeof buf)) return std::nullopt;
    return std::string(buf);
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, text.c_str(), &a6) != 1) return std::nullopt;
  if (IN6_IS_ADDR_V4MAPPED(&a6)) {
    std::memcpy(&a4, &a6.s6_addr[12], 4);
    if (!inet_ntop(AF_INET, &a4, buf, sizeof buf)) return std::nullopt;
  } else if (!inet_ntop(AF_INET6, &a6, buf, sizeof buf)) {
    return std::nullopt;
  }
  return std::string(buf);
}

bool AddressMatches(const std::string& address, const std::string& pattern) {
  size_t slash = pattern.find('/');
  std::string base = pattern.substr(0, slash);
  unsigned char want[16] = {}, have[16] = {};
  int family = base.find(':') == std::string::npos ? AF_INET : AF_INET6;
  if (inet_pton(family, base.c_str(), want) != 1) return false;
  if (inet_pton(family, address.c_str(), have) != 1) return false;
  int bits = family == AF_INET ? 32 : 128;
  if (slash != std::string::npos) {
    const std::string len = pattern.substr(slash + 1);
    if (len.empty() || len.size() > 3 || len.find_first_not_of("0123456789") != std::string::npos)
      return false;
    int n = std::stoi(len);
    if (n > bits) return false;
    bits = n;
  }
  for (int i = 0; i < bits; i += 8) {
    int take = std::min(8, bits - i);
    unsigned char mask = static_cast<unsigned char>(0xff << (8 - take));
    if ((want[i / 8] & mask) != (have[i / 8] & mask)) return false;
  }
  return true;
}

bool IsAddressPattern(const std::string& pattern) {
  return AddressMatches(pattern.substr(0, pattern.find('/')), pattern);
}

std::string ClientAddress(const std::string& peer, const std::string& forwarded_for,
                          const std::vector<std::string>& trusted_proxies) {
  const std::string from = CanonicalIp(peer).value_or(peer);
  auto trusted = [&](const std::string& a) {
    return std::any_of(trusted_proxies.begin(), trusted_proxies.end(),
                       [&](const std::string& p) { return AddressMatches(a, p); });
  };
  if (forwarded_for.empty() || !trusted(from)) return from;
  constexpr size_t kMaxHops = 64;
  std::vector<std::string_view> hops;
  std::string_view rest = forwarded_for;
  while (true) {
    size_t comma = rest.find(',');
    hops.push_back(rest.substr(0, comma));
    if (hops.size() > kMaxHops) return from;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    std::optional<std::string> ip = CanonicalIp(*it);
    if (!ip) return from;
    if (!trusted(*ip) || std::next(it) == hops.rend()) return *ip;
  }
  return from;
}

ConnectionServer::ConnectionServer(ConnectionLimits limits)
    : limits_(std::move(limits)), stop_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

ConnectionServer::~ConnectionServer() {
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void ConnectionServer::Shutdown() {
  uint64_t one = 1;
  if (stop_fd_ >= 0) (void)!::write(stop_fd_, &one, sizeof(one));
  // What httplib::Server::stop() does, without its is_running() check: called before the accept
  // loop has started (right after Bind), stop() does nothing and the loop would then run
  // forever. With the listening socket gone, the loop ends at once whenever it runs.
  socket_t sock = svr_sock_.exchange(INVALID_SOCKET);
  if (sock != INVALID_SOCKET) {
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
  }
}

bool ConnectionServer::AcquireSlot(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  int& n = per_address_[address];
  if (n >= limits_.max_per_address) return false;
  ++n;
  return true;
}

void ConnectionServer::ReleaseSlot(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = per_address_.find(address);
  if (it != per_address_.end() && --it->second <= 0) per_address_.erase(it);
}

bool ConnectionServer::process_and_close_socket(socket_t sock) {
  handled_.fetch_add(1, std::memory_order_relaxed);
  Endpoint peer = PeerOf(sock);
  bool capped = limits_.max_per_address > 0 &&
                std::none_of(limits_.uncapped_addresses.begin(), limits_.uncapped_addresses.end(),
                             [&](const std::string& p) { return AddressMatches(peer.ip, p); });
  bool ret = false;
  if (capped && !AcquireSlot(peer.ip)) {
    refused_.fetch_add(1, std::memory_order_relaxed);
  } else {
    {
      DeadlineStream strm(sock, stop_fd_, limits_, peer,
                          Duration(read_timeout_sec_, read_timeout_usec_),
                          Duration(write_timeout_sec_, write_timeout_usec_));
      const Clock::duration keep_alive = std::chrono::seconds(keep_alive_timeout_sec_);
      for (size_t left = keep_alive_max_count_; left > 0 && svr_sock_ != INVALID_SOCKET; --left) {
        if (!strm.has_buffered_input() && !AwaitRequest(sock, stop_fd_, keep_alive)) break;
        bool connection_closed = false;
        ret = process_request(strm, left == 1, connection_closed, nullptr);
        if (!ret || connection_closed || strm.cut()) break;
      }
      strm.AnswerCut();
    }
    // Released before the close, so a client that sees the close can connect again at once.
    if (capped) ReleaseSlot(peer.ip);
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ret;
}

}  // namespace gd
