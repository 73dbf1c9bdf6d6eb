// The HTTP API (API.md): a thin layer over the services. Routes are one table, so the
// authorization matrix can be read (and tested) as data.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/accounts/account_service.h"
#include "dispatcher/channel_accounts/channel_service.h"
#include "dispatcher/media/media_service.h"
#include "dispatcher/review/review_service.h"
#include "dispatcher/store/store.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace gd {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                 // 0 = pick a free port
  std::filesystem::path web_dir;   // the built console (index.html); empty = none
  std::filesystem::path site_dir;  // the built-in portal site, served under /site/
  size_t max_json_bytes = 4 * 1024 * 1024;
  size_t max_upload_bytes = 110 * 1024 * 1024;
  // cpp-httplib 0.11 holds a pool thread for as long as a keep-alive connection stays open;
  // connections beyond the pool wait in its queue until one closes.
  int threads = 64;
  int keep_alive_seconds = 5;   // an idle connection gives its thread back after this long
  int listen_backlog = 1024;    // pending connections the kernel queues (cpp-httplib uses 5)
  bool secure_cookies = false;  // set when TLS terminates in front of us
  // Reverse proxies (exact IPv4/IPv6 addresses) whose X-Forwarded-For is believed: a request
  // whose socket peer is one of them comes from the last X-Forwarded-For entry that is not.
  std::vector<std::string> trusted_proxies;
  std::string sandbox_proxy;  // demo: forward /_sandbox/ to this base URL
};

// A parsed API request as handlers see it.
struct ApiRequest {
  const httplib::Request* raw = nullptr;
  std::optional<AuthContext> auth;
  std::vector<std::string> params;  // regex captures of the path
  std::string client_address;       // the caller's IP address (ResolveClientAddress)
  Json body;                        // parsed JSON body (null when none)
  std::string Query(const std::string& key) const;
  int64_t Id(size_t i = 0) const { return std::stoll(params.at(i)); }
};

struct ApiResponse {
  int status = 200;
  Json json;
  // Raw bodies (files, CSV, ...): used when content_type is set.
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using Handler = std::function<StatusOr<ApiResponse>(ApiRequest&)>;

struct Route {
  std::string method;                   // GET, POST, PUT, PATCH, DELETE
  std::string pattern;                  // regex over the path
  std::vector<Role> roles;              // any of these; empty = any signed-in user
  bool public_route = false;            // no sign-in needed
  bool allow_password_expired = false;  // reachable while a password change is due
  bool raw_body = false;                // body is not JSON (multipart upload)
  Handler handler;
};

struct Services {
  Store* store = nullptr;
  AccountService* accounts = nullptr;
  ReviewService* review = nullptr;
  ChannelService* channels = nullptr;
  MediaService* media = nullptr;
  CredentialTester tester;  // tries channel credentials against the platform
  // Routes of other modules (records, dispatch), each built in its own file; same rules.
  std::vector<Route> extra_routes;
};

class HttpServer {
 public:
  HttpServer(Services services, ServerOptions options);
  ~HttpServer();

  // Binds the listening socket; port() is valid afterwards.
  Status Bind();
  // Serves until Stop(); call from its own thread.
  void Run();
  void Stop();
  int port() const { return port_; }
  const std::vector<Route>& routes() const { return routes_; }

 private:
  void BuildRoutes();
  void Install();
  void Dispatch(const Route& route, const httplib::Request& req, httplib::Response& res);

  Services s_;
  ServerOptions opt_;
  std::vector<Route> routes_;
  std::unique_ptr<httplib::Server> http_;
  int port_ = 0;
  int listen_fd_ = -1;  // the listening socket, seen through cpp-httplib's socket options hook
};

// The caller's address: `peer` (the socket's remote address) unless the peer is one of
// `trusted_proxies`; then the X-Forwarded-For entries (all headers' values, comma-separated, in
// order) are read from the right, skipping trusted proxies, and the first other one is the
// caller (the leftmost one when all are trusted). Addresses come back in their canonical text
// form (IPv4-mapped IPv6 as IPv4); an entry that is not an IP address, an empty header or one
// over 64 entries leaves the peer as the caller.
std::string ResolveClientAddress(const std::string& peer, const std::string& forwarded_for,
                                 const std::vector<std::string>& trusted_proxies);

// Maps a Status to (HTTP status, machine code).
std::pair<int, std::string> HttpStatusFor(const Status& s);
Json ErrorBody(const Status& s);

}  // namespace gd
