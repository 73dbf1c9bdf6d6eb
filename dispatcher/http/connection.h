// Connection handling for the HTTP server: a total deadline per request and a cap on the
// connections one client address may hold (issue 12, "Connections").
//
// cpp-httplib 0.11's own loop (Server::process_and_close_socket) times out each read on its own,
// so a client that sends its header a byte at a time keeps a pool thread forever. That function
// is a private virtual of httplib::Server, called by the library's accept loop; ConnectionServer
// overrides it with its own keep-alive loop and stream (the library's Server::process_request
// then parses and routes as before).
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gd {

struct ConnectionLimits {
  // Simultaneous connections one client address may hold; 0 = no cap. The connection over the
  // cap is closed at once, before anything is read from it.
  int max_per_address = 32;
  // A request (its header, then its body) must arrive within `deadline` plus the time its bytes
  // take at `min_bytes_per_second`; a response must leave the same way. A client too slow for
  // that is answered 408 (when nothing of the response has left yet) and disconnected.
  std::chrono::milliseconds deadline{30000};
  size_t min_bytes_per_second = 32 * 1024;
  // Peers not capped: reverse proxies, from which every client arrives (AddressMatches
  // patterns: addresses or CIDR prefixes).
  std::vector<std::string> uncapped_addresses;
};

// True when `address` (as the server prints it: "203.0.113.7", "2001:db8::1") is `pattern`, an
// address or a CIDR prefix ("10.0.0.0/8", "fd00::/8").
bool AddressMatches(const std::string& address, const std::string& pattern);
// True when `pattern` is an address or CIDR prefix AddressMatches understands.
bool IsAddressPattern(const std::string& pattern);

// The canonical text of an IP address given bare, as "[v6]:port" or as "v4:port" (lower-case
// IPv6, IPv4-mapped IPv6 as IPv4); nullopt when `s` is not an address.
std::optional<std::string> CanonicalIp(std::string_view s);

// The client's address for a request whose TCP peer is `peer`. When the peer matches one of
// `trusted_proxies`, the X-Forwarded-For value `forwarded_for` ("client, proxy1, proxy2") is
// read from the right: each entry that is itself a trusted proxy is skipped, and the first
// other one is the client (entries to its left were written by the client and may be forged).
// Otherwise, or when an entry is not an IP address (a port is allowed: "198.51.100.1:4711",
// "[2001:db8::1]:443"), or the value has over 64 entries, the peer itself. Addresses come back
// in canonical text (CanonicalIp).
std::string ClientAddress(const std::string& peer, const std::string& forwarded_for,
                          const std::vector<std::string>& trusted_proxies);

// httplib::Server with the limits above. Configure it like httplib::Server (keep-alive count
// and timeout, read/write timeouts: each read and write still waits at most that long); call
// Shutdown() rather than stop(), so idle keep-alive connections end at once.
class ConnectionServer : public httplib::Server {
 public:
  explicit ConnectionServer(ConnectionLimits limits);
  ~ConnectionServer() override;

  // Ends idle connections, cuts requests still arriving, and stops the accept loop, also when
  // called before the loop has started (it then returns at once). Any thread.
  void Shutdown();

  // Connections the library handed to this class since construction (refused ones included).
  size_t connections_handled() const { return handled_.load(); }
  // Connections closed at once because their address was over the cap.
  size_t connections_refused() const { return refused_.load(); }

 private:
  bool process_and_close_socket(socket_t sock) override;
  bool AcquireSlot(const std::string& address);
  void ReleaseSlot(const std::string& address);

  const ConnectionLimits limits_;
  int stop_fd_ = -1;  // eventfd, readable once Shutdown() was called
  std::mutex mu_;
  std::unordered_map<std::string, int> per_address_;
  std::atomic<size_t> handled_{0};
  std::atomic<size_t> refused_{0};
};

}  // namespace gd
