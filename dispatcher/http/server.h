// The HTTP API (docs/api.md): serves a list of routes (dispatcher/http/routes/), the console and
// the built-in portal site. Routes are data, so the authorization matrix can be read (and tested)
// as a table.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/accounts/account_service.h"
#include "dispatcher/core/json_depth.h"
#include "dispatcher/http/route.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace gd {

class ConnectionServer;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                 // 0 = pick a free port
  std::filesystem::path web_dir;   // the built console (index.html); empty = none
  std::filesystem::path site_dir;  // the built-in portal site, served under /site/
  size_t max_json_bytes = 4 * 1024 * 1024;
  int max_json_depth = kMaxJsonDepth;  // deeper request bodies answer 400 before parsing
  size_t max_upload_bytes = 110 * 1024 * 1024;
  // cpp-httplib 0.11 holds a pool thread for as long as a keep-alive connection stays open;
  // connections beyond the pool wait in its queue until one closes.
  int threads = 64;
  int keep_alive_seconds = 5;   // an idle connection gives its thread back after this long
  int listen_backlog = 1024;    // pending connections the kernel queues (cpp-httplib uses 5)
  bool secure_cookies = false;  // set when TLS terminates in front of us
  std::string sandbox_proxy;    // demo: forward /_sandbox/ to this base URL
  // Reverse proxies (addresses or CIDR prefixes) whose X-Forwarded-For is believed; they are
  // also exempt from the per-address connection cap (every client arrives through them).
  std::vector<std::string> trusted_proxies;
  // Connection limits (connection.h): simultaneous connections per client address (0 = no
  // cap; 127.0.0.1 and ::1 are never capped), and a request's header and body must arrive within
  // the deadline plus the time their bytes take at the minimum rate (a response must leave the same
  // way).
  int max_connections_per_address = 32;
  int request_deadline_seconds = 30;
  size_t min_transfer_bytes_per_second = 32 * 1024;
};

// One request handled without a socket (HttpServer::Handle).
struct InProcessRequest {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string target;  // the decoded path, optionally followed by ?query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_addr = "127.0.0.1";
};

struct InProcessResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class HttpServer {
 public:
  // `accounts` resolves sessions for the routes that need one; it must outlive the server.
  HttpServer(std::vector<Route> routes, AccountService* accounts, ServerOptions options);
  ~HttpServer();

  // Binds the listening socket; port() is valid afterwards.
  Status Bind();
  // Serves until Stop(); call from its own thread.
  void Run();
  void Stop();
  int port() const { return port_; }
  const std::vector<Route>& routes() const { return routes_; }

  // Runs one request through the same routing, authentication and handlers as a request on
  // the socket, without one (tests, fuzzing); thread-safe like the server. Only the routes are
  // served: any other path answers 404 in the API's error shape, and multipart bodies are not
  // parsed. A body without a Content-Type header is sent as application/json.
  InProcessResponse Handle(const InProcessRequest& request) const;

 private:
  void Install();
  void Dispatch(const Route& route, const httplib::Request& req, httplib::Response& res) const;

  struct Matchers;

  AccountService* accounts_;
  ServerOptions opt_;
  std::vector<Route> routes_;
  std::unique_ptr<Matchers> matchers_;  // the routes' compiled paths, for Handle()
  std::unique_ptr<ConnectionServer> http_;
  int port_ = 0;
  int listen_fd_ = -1;  // the listening socket, seen through cpp-httplib's socket options hook
};

// Maps a Status to (HTTP status, machine code).
std::pair<int, std::string> HttpStatusFor(const Status& s);
Json ErrorBody(const Status& s);

}  // namespace gd
