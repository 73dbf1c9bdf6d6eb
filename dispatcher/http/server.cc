#include "dispatcher/http/server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "dispatcher/core/crypto.h"
#include "dispatcher/core/json_depth.h"
#include "dispatcher/core/log.h"
#include "dispatcher/core/time_util.h"
#include "dispatcher/core/utf8.h"
#include "dispatcher/http/connection.h"
#include "dispatcher/http/static_files.h"

namespace gd {
namespace {

// Content-Security-Policy per kind of answer. The console is a single-page app built into
// same-origin files; its previews frame blob:/data: documents. The built-in portal is static
// pages whose only script is the site's own gd-site.js (the article page's print button) and
// whose styles are inline. API answers and errors run nothing and may not be framed.
constexpr const char* kConsoleCsp =
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; font-src 'self' data:; frame-src 'self' blob: data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";
// The hash admits the one inline script that article pages published before this change carry
// (print and close buttons); newer pages load gd-site.js instead.
constexpr const char* kSiteCsp =
    "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self' "
    "'unsafe-inline'; script-src 'self' 'sha256-bWxodWNhfIroEpigkDDRJNb1oyTvZjgFAb0hsDJkp/Q='; "
    "object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'";
constexpr const char* kApiCsp = "default-src 'none'; frame-ancestors 'none'; sandbox";

std::string CookieValue(const httplib::Request& req, const std::string& name) {
  std::string header = req.get_header_value("Cookie");
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string part = header.substr(pos, end - pos);
    size_t start = part.find_first_not_of(' ');
    if (start != std::string::npos) part = part.substr(start);
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    pos = end + 1;
  }
  return "";
}

bool ReadFile(const std::filesystem::path& p, std::string* out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

// Answers with the file `rel` under `root` (ResolveUnder decides what may be served).
bool ServeStatic(const std::filesystem::path& root, std::string_view rel, httplib::Response& res,
                 bool immutable) {
  std::optional<std::filesystem::path> file = ResolveUnder(root, rel);
  if (!file) return false;
  const std::string type = MimeTypeFor(*file);
  if (type.empty()) return false;
  std::string body;
  if (!ReadFile(*file, &body)) return false;
  res.status = 200;
  res.set_header("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
  res.set_content(std::move(body), type.c_str());
  return true;
}

// True for "application/json", with or without parameters (charset), in any letter case.
bool IsJsonContentType(std::string_view value) {
  std::string type(value.substr(0, value.find(';')));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.pop_back();
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type == "application/json";
}

// Every X-Forwarded-For header of the request, joined with commas in order.
std::string ForwardedFor(const httplib::Request& req) {
  std::string out;
  const size_t n = req.get_header_value_count("X-Forwarded-For");
  for (size_t i = 0; i < n; ++i) {
    if (!out.empty()) out += ",";
    out += req.get_header_value("X-Forwarded-For", i);
  }
  return out;
}

ConnectionLimits LimitsFor(const ServerOptions& opt) {
  ConnectionLimits limits;
  limits.max_per_address = opt.max_connections_per_address;
  limits.deadline = std::chrono::seconds(opt.request_deadline_seconds);
  limits.min_bytes_per_second = opt.min_transfer_bytes_per_second;
  // The machine itself (a reverse proxy or monitoring on loopback) is not capped either.
  limits.uncapped_addresses = opt.trusted_proxies;
  limits.uncapped_addresses.push_back("127.0.0.1");
  limits.uncapped_addresses.push_back("::1");
  return limits;
}

}  // namespace

std::string ApiRequest::Query(const std::string& key) const {
  return raw && raw->has_param(key.c_str()) ? raw->get_param_value(key.c_str()) : "";
}

bool ApiRequest::HasQuery(const std::string& key) const {
  return raw && raw->has_param(key.c_str());
}

struct HttpServer::Matchers {
  std::vector<std::regex> paths;  // one per route, as cpp-httplib matches them
};

std::pair<int, std::string> HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case Code::kOk:
      return {200, "ok"};
    case Code::kInvalidArgument:
      if (s.reason() == "invalid" || s.reason() == "check_failed") return {422, s.reason()};
      if (s.reason() == "unsupported_media_type") return {415, s.reason()};
      return {400, "bad_request"};
    case Code::kNotFound:
      return {404, "not_found"};
    case Code::kFailedPrecondition:
    case Code::kAborted:
    case Code::kAlreadyExists:
      return {409, "conflict"};
    case Code::kPermissionDenied:
      return {403, s.reason().empty() ? "forbidden" : s.reason()};
    case Code::kUnauthenticated:
      return {401, "unauthenticated"};
    case Code::kResourceExhausted:
      return {429, "rate_limited"};
    case Code::kUnavailable:
      return {503, "unavailable"};
    case Code::kDeadlineExceeded:
      return {504, "timeout"};
    case Code::kTooLarge:
      return {413, "too_large"};
    case Code::kLocked:
      return {423, "locked"};
    case Code::kInternal:
      return {500, "internal"};
  }
  return {500, "internal"};
}

Json ErrorBody(const Status& s) {
  auto [status, code] = HttpStatusFor(s);
  (void)status;
  return {{"error", {{"code", code}, {"message", s.message()}, {"details", s.details()}}}};
}

HttpServer::HttpServer(std::vector<Route> routes, AccountService* accounts, ServerOptions options)
    : accounts_(accounts),
      opt_(std::move(options)),
      routes_(std::move(routes)),
      matchers_(std::make_unique<Matchers>()),
      http_(std::make_unique<ConnectionServer>(LimitsFor(opt_))) {
  for (const auto& r : routes_) matchers_->paths.emplace_back(r.path);
  Install();
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Dispatch(const Route& route, const httplib::Request& req,
                          httplib::Response& res) const {
  ApiRequest ar;
  ar.raw = &req;
  ar.client_address = ClientAddress(req.remote_addr, ForwardedFor(req), opt_.trusted_proxies);
  for (size_t i = 1; i < req.matches.size(); ++i) ar.params.push_back(req.matches[i].str());
  auto fail = [&](const Status& st) {
    auto [status, code] = HttpStatusFor(st);
    res.status = status;
    res.set_content(DumpJson(ErrorBody(st)), "application/json; charset=utf-8");
    if (status >= 500) log::Warn("{} {} -> {} {}", req.method, req.path, status, st.ToString());
  };
  // Authentication: bearer token, or the session cookie plus the CSRF header on writes.
  if (!route.public_route) {
    std::string auth = req.get_header_value("Authorization");
    std::string token;
    bool cookie = false;
    if (auth.rfind("Bearer ", 0) == 0) {
      token = auth.substr(7);
    } else {
      token = CookieValue(req, kSessionCookie);
      cookie = true;
    }
    if (token.empty()) return fail(Unauthenticated("请先登录"));
    auto ctx = accounts_->Authenticate(token);
    if (!ctx.ok()) return fail(ctx.status());
    if (cookie && req.method != "GET" && req.method != "HEAD") {
      std::string csrf = req.get_header_value("X-CSRF-Token");
      if (!ConstantTimeEqual(csrf, ctx->csrf_token))
        return fail(PermissionDenied("缺少或错误的 CSRF 令牌，请刷新页面后重试", "csrf"));
    }
    if (ctx->password_expired && !route.allow_password_expired)
      return fail(PermissionDenied("密码已过期或为初始密码，请先修改密码", "password_expired"));
    if (!route.roles.empty()) {
      bool allowed = false;
      for (Role r : route.roles) allowed = allowed || ctx->user.Has(r);
      if (!allowed) {
        Json need = Json::array();
        for (Role r : route.roles) need.push_back(std::string(RoleKey(r)));
        return fail(Status(Code::kPermissionDenied, "您的角色无权执行此操作", "forbidden",
                           {{"required_roles", need}}));
      }
    }
    ar.auth = std::move(ctx).value();
  }
  if (!route.raw_body && !req.body.empty()) {
    if (req.body.size() > opt_.max_json_bytes)
      return fail(Status(Code::kTooLarge, "请求内容过大", "too_large"));
    // A JSON body must say so: a form or text/plain body is what a cross-site page can send
    // without a preflight (login CSRF), and it is never what this API's clients send.
    if (!IsJsonContentType(req.get_header_value("Content-Type")))
      return fail(InvalidArgument("请求内容类型应为 application/json", "unsupported_media_type"));
    auto parsed = ParseJsonWithin(req.body, opt_.max_json_depth);
    if (!parsed.ok()) return fail(parsed.status());
    ar.body = std::move(parsed).value();
  }
  StatusOr<ApiResponse> out = [&]() -> StatusOr<ApiResponse> {
    try {
      return route.handler(ar);
    } catch (const std::exception& e) {
      log::Error("handler {} {} threw: {}", req.method, req.path, e.what());
      return Internal("服务器内部错误");
    }
  }();
  if (!out.ok()) return fail(out.status());
  res.status = out->status;
  for (auto& [k, v] : out->headers) res.set_header(k.c_str(), v);
  if (!out->content_type.empty()) {
    res.set_content(std::move(out->body), out->content_type.c_str());
  } else {
    res.set_content(DumpJson(out->json), "application/json; charset=utf-8");
  }
}

namespace {

// Security headers on every response, errors included (cpp-httplib runs the post-routing
// handler just before it writes any response). A handler that serves HTML sets the policy that
// fits its page; everything else (JSON, files, errors) may not be framed or run anything.
void InstallSecurityHeaders(httplib::Server& h) {
  h.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.has_header("Content-Security-Policy"))
      res.set_header("Content-Security-Policy", kApiCsp);
    if (!res.has_header("X-Frame-Options")) res.set_header("X-Frame-Options", "DENY");
    if (!res.has_header("X-Content-Type-Options"))
      res.set_header("X-Content-Type-Options", "nosniff");
    if (!res.has_header("Referrer-Policy")) res.set_header("Referrer-Policy", "same-origin");
  });
}

// Demo: the sandboxes' inspection page and API on this same port, forwarded to `base`.
void InstallSandboxProxy(httplib::Server& h, const std::string& base) {
  auto forward = [base](const httplib::Request& req, httplib::Response& res) {
    httplib::Client cli(base);
    cli.set_read_timeout(30, 0);
    std::string target = req.target.empty() ? req.path : req.target;
    httplib::Result r(nullptr, httplib::Error::Unknown);
    std::string type = req.get_header_value("Content-Type");
    if (type.empty()) type = "application/json";
    if (req.method == "GET")
      r = cli.Get(target.c_str());
    else if (req.method == "POST")
      r = cli.Post(target.c_str(), req.body, type.c_str());
    else if (req.method == "DELETE")
      r = cli.Delete(target.c_str());
    if (!r) {
      res.status = 502;
      res.set_content(DumpJson(ErrorBody(Unavailable("沙箱不可用"))),
                      "application/json; charset=utf-8");
      return;
    }
    res.status = r->status;
    res.set_content(r->body, r->get_header_value("Content-Type").c_str());
  };
  h.Get(R"(/_sandbox(/.*)?)", forward);
  h.Post(R"(/_sandbox(/.*)?)", forward);
  h.Delete(R"(/_sandbox(/.*)?)", forward);
}

// The built-in portal site, under /site/. `opt` must outlive the server.
void InstallSite(httplib::Server& h, const ServerOptions& opt) {
  h.Get(R"(/site(/.*)?)", [&opt](const httplib::Request& req, httplib::Response& res) {
    std::string rel = req.path.size() > 6 ? req.path.substr(6) : "";
    res.set_header("Content-Security-Policy", kSiteCsp);
    res.set_header("X-Frame-Options", "SAMEORIGIN");
    if (!ServeStatic(opt.site_dir, rel, res, false)) {
      res.status = 404;
      res.set_content(
          "<!doctype html><meta charset=utf-8><title>页面不存在</title><p>页面不存在</p>",
          "text/html; charset=utf-8");
    }
  });
}

// The console: static files, and index.html for any other path (a single-page app). Installed
// last: it matches every path. `opt` must outlive the server.
void InstallConsole(httplib::Server& h, const ServerOptions& opt) {
  h.Get(R"(/(.*))", [&opt](const httplib::Request& req, httplib::Response& res) {
    if (req.path.rfind("/api/", 0) == 0) {
      res.status = 404;
      res.set_content(DumpJson(ErrorBody(NotFound("接口不存在"))),
                      "application/json; charset=utf-8");
      return;
    }
    std::string rel = req.path.substr(1);
    bool asset = rel.rfind("assets/", 0) == 0;
    res.set_header("Content-Security-Policy", kConsoleCsp);
    res.set_header("X-Frame-Options", "SAMEORIGIN");
    if (!rel.empty() && ServeStatic(opt.web_dir, rel, res, asset)) return;
    if (ServeStatic(opt.web_dir, "index.html", res, false)) return;
    res.status = 404;
    res.set_content(
        "<!doctype html><meta charset=utf-8><title>政务新媒体统一审核分发系统</title>"
        "<p>控制台尚未构建：请运行 scripts/web-build.sh。接口位于 /api/。</p>",
        "text/html; charset=utf-8");
  });
}

// Every error leaves in the API's JSON shape (413 from the payload limit included).
void InstallErrorHandlers(httplib::Server& h) {
  h.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    Status st;
    switch (res.status) {
      case 413:
        st = Status(Code::kTooLarge, "请求内容过大", "too_large");
        break;
      case 404:
        st = NotFound(req.path.rfind("/api/", 0) == 0 ? "接口不存在" : "页面不存在");
        break;
      case 400:
        st = InvalidArgument("请求格式错误", "bad_request");
        break;
      case 405:
        st = InvalidArgument("不支持的请求方法", "bad_request");
        break;
      default:
        st = Status(Code::kInternal, "请求处理失败");
        break;
    }
    res.set_content(DumpJson(ErrorBody(st)), "application/json; charset=utf-8");
  });
  h.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content(DumpJson(ErrorBody(Internal("服务器内部错误"))),
                    "application/json; charset=utf-8");
  });
}

}  // namespace

void HttpServer::Install() {
  auto& h = *http_;
  h.new_task_queue = [threads = opt_.threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  h.set_tcp_nodelay(true);
  h.set_keep_alive_max_count(10000);
  h.set_keep_alive_timeout(opt_.keep_alive_seconds);
  // Replaces cpp-httplib's default socket options (SO_REUSEPORT, which would let a second
  // server bind the same port and take part of its connections) with SO_REUSEADDR, and notes
  // the socket so Bind() can give it a longer listen queue.
  h.set_socket_options([this](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listen_fd_ = sock;
  });
  h.set_read_timeout(30, 0);
  h.set_write_timeout(30, 0);
  h.set_payload_max_length(opt_.max_upload_bytes);
  InstallSecurityHeaders(h);
  for (const auto& route : routes_) {
    auto fn = [this, &route](const httplib::Request& req, httplib::Response& res) {
      Dispatch(route, req, res);
    };
    if (route.method == "GET")
      h.Get(route.path, fn);
    else if (route.method == "POST")
      h.Post(route.path, fn);
    else if (route.method == "PUT")
      h.Put(route.path, fn);
    else if (route.method == "PATCH")
      h.Patch(route.path, fn);
    else if (route.method == "DELETE")
      h.Delete(route.path, fn);
  }
  if (!opt_.sandbox_proxy.empty()) InstallSandboxProxy(h, opt_.sandbox_proxy);
  InstallSite(h, opt_);
  InstallConsole(h, opt_);
  InstallErrorHandlers(h);
}

InProcessResponse HttpServer::Handle(const InProcessRequest& in) const {
  httplib::Request req;
  req.method = in.method;
  req.target = in.target;
  size_t q = in.target.find('?');
  req.path = in.target.substr(0, q);
  if (q != std::string::npos)
    httplib::detail::parse_query_text(in.target.substr(q + 1), req.params);
  for (const auto& [k, v] : in.headers) req.headers.emplace(k, v);
  if (!in.body.empty() && !req.has_header("Content-Type"))
    req.headers.emplace("Content-Type", "application/json");
  req.body = in.body;
  req.remote_addr = in.remote_addr;
  httplib::Response res;
  bool found = false;
  for (size_t i = 0; i < routes_.size() && !found; ++i) {
    if (routes_[i].method != req.method ||
        !std::regex_match(req.path, req.matches, matchers_->paths[i]))
      continue;
    found = true;
    Dispatch(routes_[i], req, res);
  }
  if (!found) {
    res.status = 404;
    res.set_content(DumpJson(ErrorBody(NotFound("接口不存在"))), "application/json; charset=utf-8");
  }
  InProcessResponse out;
  out.status = res.status;
  for (const auto& [k, v] : res.headers) out.headers.push_back({k, v});
  out.body = std::move(res.body);
  return out;
}

Status HttpServer::Bind() {
  if (opt_.port == 0) {
    port_ = http_->bind_to_any_port(opt_.host.c_str());
    if (port_ <= 0) return Unavailable("无法监听 " + opt_.host);
  } else {
    if (!http_->bind_to_port(opt_.host.c_str(), opt_.port))
      return Unavailable("无法监听 " + opt_.host + ":" + std::to_string(opt_.port) +
                         "（端口被占用？）");
    port_ = opt_.port;
  }
  // cpp-httplib 0.11 listens with a backlog of 5. A burst of new connections then overflows the
  // accept queue; with SYN cookies the kernel drops the handshake's last ACK, and a client whose
  // request spans two segments (headers, then body) is reset: its request fails. Listening
  // again on the bound socket only changes the backlog (Linux caps it at net.core.somaxconn).
  if (listen_fd_ >= 0 && ::listen(listen_fd_, opt_.listen_backlog) != 0)
    log::Warn("listen backlog {}: {}", opt_.listen_backlog, std::strerror(errno));
  return Status::Ok();
}

void HttpServer::Run() { http_->listen_after_bind(); }

void HttpServer::Stop() {
  if (http_) http_->Shutdown();
}

}  // namespace gd
