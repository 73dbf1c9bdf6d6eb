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
#include "dispatcher/core/log.h"
#include "dispatcher/core/time_util.h"
#include "dispatcher/core/utf8.h"
#include "dispatcher/http/connection.h"
#include "dispatcher/http/static_files.h"

namespace gd {
namespace {

constexpr const char* kCookie = "gd_session";

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

using R = Role;

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

ApiResponse JsonResponse(Json j, int status = 200) {
  ApiResponse r;
  r.status = status;
  r.json = std::move(j);
  return r;
}

std::optional<int> IntQuery(const ApiRequest& r, const std::string& key) {
  std::string v = r.Query(key);
  if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoi(v);
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

}  // namespace

std::string ApiRequest::Query(const std::string& key) const {
  return raw && raw->has_param(key.c_str()) ? raw->get_param_value(key.c_str()) : "";
}

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

namespace {
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

HttpServer::HttpServer(Services services, ServerOptions options)
    : s_(std::move(services)),
      opt_(std::move(options)),
      http_(std::make_unique<ConnectionServer>(LimitsFor(opt_))) {
  BuildRoutes();
  Install();
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::BuildRoutes() {
  // Handlers outlive this function: they capture service pointers by value.
  AccountService* acc = s_.accounts;
  ReviewService* rev = s_.review;
  ChannelService* ch = s_.channels;
  MediaService* media = s_.media;
  Store* store = s_.store;
  const std::vector<Role> kCity = {R::kAdmin, R::kOffice, R::kAuditor};
  auto user_json = [acc](const AuthContext& a) { return acc->UserJson(a.user, a.unit.name); };

  // Sessions and accounts
  routes_.push_back(
      {"POST",
       "/api/session",
       {},
       true,
       true,
       false,
       [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
         GD_ASSIGN_OR_RETURN(std::string username, GetString(r.body, "username"));
         GD_ASSIGN_OR_RETURN(std::string password, GetString(r.body, "password"));
         GD_ASSIGN_OR_RETURN(LoginResult lr, acc->Login(username, password, r.client_address));
         ApiResponse res = JsonResponse(
             {{"token", lr.token}, {"csrf_token", lr.csrf_token}, {"user", user_json(lr.auth)}});
         std::string cookie =
             std::string(kCookie) + "=" + lr.token + "; Path=/; HttpOnly; SameSite=Strict";
         if (opt_.secure_cookies) cookie += "; Secure";
         res.headers.push_back({"Set-Cookie", cookie});
         return res;
       }});
  routes_.push_back({"DELETE",
                     "/api/session",
                     {},
                     false,
                     true,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       GD_RETURN_IF_ERROR(acc->Logout(r.auth->token_hash));
                       ApiResponse res = JsonResponse({{"ok", true}});
                       std::string cookie =
                           std::string(kCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
                       if (opt_.secure_cookies) cookie += "; Secure";
                       res.headers.push_back({"Set-Cookie", cookie});
                       return res;
                     }});
  routes_.push_back(
      {"GET", "/api/me", {}, false, true, false, [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
         Json u = user_json(*r.auth);
         u["unit"] = UnitJson(r.auth->unit);
         u["csrf_token"] = r.auth->csrf_token;
         return JsonResponse(std::move(u));
       }});
  routes_.push_back({"POST",
                     "/api/me/password",
                     {},
                     false,
                     true,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       GD_ASSIGN_OR_RETURN(std::string old_pw, GetString(r.body, "old_password"));
                       GD_ASSIGN_OR_RETURN(std::string new_pw, GetString(r.body, "new_password"));
                       GD_RETURN_IF_ERROR(acc->ChangePassword(*r.auth, old_pw, new_pw));
                       return JsonResponse({{"ok", true}, {"message", "密码已修改"}});
                     }});
  routes_.push_back({"GET",
                     "/api/units",
                     {R::kAdmin, R::kOffice},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest&) -> StatusOr<ApiResponse> {
                       GD_ASSIGN_OR_RETURN(auto units, acc->ListUnits());
                       Json items = Json::array();
                       for (const auto& u : units) items.push_back(UnitJson(u));
                       return JsonResponse({{"items", items}, {"total", items.size()}});
                     }});
  routes_.push_back({"POST",
                     "/api/units",
                     {R::kAdmin},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       GD_ASSIGN_OR_RETURN(Unit u, acc->CreateUnit(*r.auth, r.body));
                       return JsonResponse(UnitJson(u), 201);
                     }});
  routes_.push_back({"GET",
                     "/api/users",
                     {R::kAdmin, R::kOffice},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       std::optional<int64_t> unit;
                       if (auto u = IntQuery(r, "unit_id")) unit = *u;
                       GD_ASSIGN_OR_RETURN(auto users, acc->ListUsers(unit));
                       GD_ASSIGN_OR_RETURN(auto units, acc->ListUnits());
                       Json items = Json::array();
                       for (const auto& u : users) {
                         std::string unit_name;
                         for (const auto& un : units)
                           if (un.id == u.unit_id) unit_name = un.name;
                         items.push_back(acc->UserJson(u, unit_name));
                       }
                       return JsonResponse({{"items", items}, {"total", items.size()}});
                     }});
  routes_.push_back({"POST",
                     "/api/users",
                     {R::kAdmin},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       GD_ASSIGN_OR_RETURN(User u, acc->CreateUser(*r.auth, r.body));
                       return JsonResponse(acc->UserJson(u, ""), 201);
                     }});
  routes_.push_back({"PATCH",
                     R"(/api/users/(\d+))",
                     {R::kAdmin},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       GD_ASSIGN_OR_RETURN(User u, acc->UpdateUser(*r.auth, r.Id(), r.body));
                       return JsonResponse(acc->UserJson(u, ""));
                     }});
  // Sign-in locks of (username, address) pairs, and lifting them.
  auto lock_json = [](const LoginLock& l, const std::map<std::string, User>& users) {
    Json j = {{"id", l.id},
              {"username", l.username},
              {"address", l.address},
              {"failures", l.failures},
              {"first_failed_at", FormatRfc3339(l.first_failed_at)},
              {"locked_at", FormatRfc3339(l.locked_at)},
              {"locked_until", FormatRfc3339(l.locked_until)},
              {"user_id", nullptr},
              {"name", nullptr}};
    if (auto it = users.find(l.username); it != users.end()) {
      j["user_id"] = it->second.id;
      j["name"] = it->second.name;
    }
    return j;
  };
  routes_.push_back({"GET",
                     "/api/login-locks",
                     {R::kAdmin, R::kOffice},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest&) -> StatusOr<ApiResponse> {
                       std::vector<LoginLock> locks = acc->ListLoginLocks();
                       std::map<std::string, User> users;
                       if (!locks.empty()) {
                         GD_ASSIGN_OR_RETURN(auto all, acc->ListUsers(std::nullopt));
                         for (auto& u : all) users.emplace(u.username, std::move(u));
                       }
                       Json items = Json::array();
                       for (const auto& l : locks) items.push_back(lock_json(l, users));
                       return JsonResponse({{"items", items}, {"total", items.size()}});
                     }});
  routes_.push_back({"DELETE",
                     R"(/api/login-locks/(\d+))",
                     {R::kAdmin, R::kOffice},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       GD_ASSIGN_OR_RETURN(LoginLock l, acc->UnlockLogin(*r.auth, r.Id()));
                       return JsonResponse({{"ok", true}, {"lock", lock_json(l, {})}});
                     }});
  routes_.push_back({"POST",
                     R"(/api/users/(\d+)/unlock)",
                     {R::kAdmin, R::kOffice},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       GD_ASSIGN_OR_RETURN(auto lifted, acc->UnlockUser(*r.auth, r.Id()));
                       Json items = Json::array();
                       for (const auto& l : lifted) items.push_back(lock_json(l, {}));
                       return JsonResponse({{"ok", true}, {"unlocked", items}});
                     }});

  // Tickets
  routes_.push_back({"POST",
                     "/api/tickets",
                     {R::kEditor},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       GD_ASSIGN_OR_RETURN(Json t, rev->Create(*r.auth, r.body));
                       return JsonResponse(std::move(t), 201);
                     }});
  routes_.push_back({"GET",
                     "/api/tickets",
                     {},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       TicketQuery q;
                       if (!r.Query("state").empty()) q.state = r.Query("state");
                       if (!r.Query("category").empty()) q.category = r.Query("category");
                       if (auto u = IntQuery(r, "unit_id")) q.unit_id = *u;
                       q.mine = r.Query("mine") == "1" || r.Query("mine") == "true";
                       q.awaiting_me =
                           r.Query("awaiting_me") == "1" || r.Query("awaiting_me") == "true";
                       q.page = IntQuery(r, "page").value_or(1);
                       q.per_page = IntQuery(r, "per_page").value_or(20);
                       GD_ASSIGN_OR_RETURN(Json j, rev->List(*r.auth, q));
                       return JsonResponse(std::move(j));
                     }});
  routes_.push_back({"GET",
                     R"(/api/tickets/(\d+))",
                     {},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       GD_ASSIGN_OR_RETURN(Json j, rev->Get(*r.auth, r.Id()));
                       return JsonResponse(std::move(j));
                     }});
  routes_.push_back({"PUT",
                     R"(/api/tickets/(\d+))",
                     {R::kEditor},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       GD_ASSIGN_OR_RETURN(Json j, rev->Update(*r.auth, r.Id(), r.body));
                       return JsonResponse(std::move(j));
                     }});
  routes_.push_back({"GET",
                     R"(/api/tickets/(\d+)/previews)",
                     {},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       GD_ASSIGN_OR_RETURN(Json j, rev->Previews(*r.auth, r.Id()));
                       return JsonResponse(std::move(j));
                     }});
  routes_.push_back({"GET",
                     R"(/api/tickets/(\d+)/checks)",
                     {},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       GD_ASSIGN_OR_RETURN(Json j, rev->Checks(*r.auth, r.Id()));
                       return JsonResponse(std::move(j));
                     }});
  routes_.push_back({"GET",
                     R"(/api/tickets/(\d+)/history)",
                     {},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       GD_ASSIGN_OR_RETURN(Json j, rev->History(*r.auth, r.Id()));
                       return JsonResponse(std::move(j));
                     }});
  routes_.push_back(
      {"POST",
       R"(/api/tickets/(\d+)/submit)",
       {R::kEditor},
       false,
       false,
       false,
       [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
         GD_ASSIGN_OR_RETURN(
             Json j, rev->Submit(*r.auth, r.Id(), r.body.is_null() ? Json::object() : r.body));
         return JsonResponse(std::move(j));
       }});
  routes_.push_back({"POST",
                     R"(/api/tickets/(\d+)/recall)",
                     {R::kEditor},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       GD_ASSIGN_OR_RETURN(Json j, rev->Recall(*r.auth, r.Id()));
                       return JsonResponse(std::move(j));
                     }});
  routes_.push_back(
      {"POST",
       R"(/api/tickets/(\d+)/decisions)",
       {R::kUnitReviewer, R::kDeputyLeader, R::kPrincipalLeader, R::kSiteManager, R::kOffice},
       false,
       false,
       false,
       [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
         GD_ASSIGN_OR_RETURN(Json j, rev->Decide(*r.auth, r.Id(), r.body));
         return JsonResponse(std::move(j));
       }});
  routes_.push_back({"POST",
                     "/api/check",
                     {},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       GD_ASSIGN_OR_RETURN(Json j, rev->CheckDraft(r.body));
                       return JsonResponse(std::move(j));
                     }});

  // Media
  routes_.push_back({"POST",
                     "/api/media",
                     {R::kEditor},
                     false,
                     false,
                     true,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       if (!r.raw->is_multipart_form_data() || !r.raw->has_file("file"))
                         return InvalidArgument("请以 multipart/form-data 上传，文件字段名为 file",
                                                "invalid", {{"fields", {{"file", "缺少文件"}}}});
                       const auto& file = r.raw->get_file_value("file");
                       GD_ASSIGN_OR_RETURN(Json j,
                                           media->Upload(*r.auth, file.filename, file.content));
                       return JsonResponse(std::move(j), 201);
                     }});
  auto serve_media = [](const MediaRow& row,
                        const std::filesystem::path& path) -> StatusOr<ApiResponse> {
    ApiResponse res;
    if (!ReadFile(path, &res.body)) return NotFound("素材文件缺失");
    res.content_type = row.mime;
    res.headers.push_back({"Cache-Control", "private, max-age=86400"});
    return res;
  };
  routes_.push_back({"GET",
                     R"(/api/media/(\d+))",
                     {},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       GD_ASSIGN_OR_RETURN(auto found, media->Open(*r.auth, r.Id()));
                       return serve_media(found.first, found.second);
                     }});
  routes_.push_back({"GET",
                     R"(/api/media/by-sha256/([0-9a-f]{64}))",
                     {},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       GD_ASSIGN_OR_RETURN(auto found, media->OpenBySha(*r.auth, r.params.at(0)));
                       return serve_media(found.first, found.second);
                     }});

  // Channel accounts
  routes_.push_back({"GET",
                     "/api/channels",
                     {},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       GD_ASSIGN_OR_RETURN(Json j, ch->List(*r.auth));
                       return JsonResponse(std::move(j));
                     }});
  routes_.push_back({"POST",
                     "/api/channels",
                     {R::kOperator},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       GD_ASSIGN_OR_RETURN(Json j, ch->Create(*r.auth, r.body));
                       return JsonResponse(std::move(j), 201);
                     }});
  routes_.push_back({"GET",
                     R"(/api/channels/(\d+))",
                     {},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       GD_ASSIGN_OR_RETURN(Json j, ch->Get(*r.auth, r.Id()));
                       return JsonResponse(std::move(j));
                     }});
  routes_.push_back({"PATCH",
                     R"(/api/channels/(\d+))",
                     {R::kOperator},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       GD_ASSIGN_OR_RETURN(Json j, ch->Patch(*r.auth, r.Id(), r.body));
                       return JsonResponse(std::move(j));
                     }});
  routes_.push_back({"POST",
                     R"(/api/channels/(\d+)/test)",
                     {R::kOperator},
                     false,
                     false,
                     false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       if (!s_.tester) return Unavailable("渠道连接测试暂不可用");
                       GD_ASSIGN_OR_RETURN(Json j, ch->Test(*r.auth, r.Id(), s_.tester));
                       return JsonResponse(std::move(j));
                     }});

  // Audit
  routes_.push_back({"GET", "/api/audit", kCity, false, false, false,
                     [=, this](ApiRequest& r) -> StatusOr<ApiResponse> {
                       std::optional<int64_t> ticket, user;
                       std::optional<TimeMs> from, to;
                       if (auto v = IntQuery(r, "ticket_id")) ticket = *v;
                       if (auto v = IntQuery(r, "user_id")) user = *v;
                       if (!r.Query("from").empty()) {
                         from = ParseRfc3339(r.Query("from"));
                         if (!from) return InvalidArgument("from 时间格式不正确", "bad_request");
                       }
                       if (!r.Query("to").empty()) {
                         to = ParseRfc3339(r.Query("to"));
                         if (!to) return InvalidArgument("to 时间格式不正确", "bad_request");
                       }
                       int page = std::max(1, IntQuery(r, "page").value_or(1));
                       int per_page = std::clamp(IntQuery(r, "per_page").value_or(50), 1, 500);
                       Json items = Json::array();
                       int64_t total = 0;
                       GD_RETURN_IF_ERROR(store->Read([&](Tx& tx) -> Status {
                         GD_ASSIGN_OR_RETURN(auto rows, tx.ListAudit(ticket, user, from, to, page,
                                                                     per_page, &total));
                         std::map<int64_t, std::string> names;  // actor id -> name
                         for (const auto& e : rows) {
                           Json row = {{"id", e.id},
                                       {"at", FormatRfc3339(e.at)},
                                       {"actor_id", e.actor_id},
                                       {"action", e.action},
                                       {"entity", e.entity},
                                       {"entity_id", e.entity_id},
                                       {"detail", e.detail},
                                       {"hash", e.hash}};
                           if (e.actor_id != 0) {
                             auto it = names.find(e.actor_id);
                             if (it == names.end()) {
                               GD_ASSIGN_OR_RETURN(auto u, tx.GetUser(e.actor_id));
                               it = names.emplace(e.actor_id, u ? u->name : "").first;
                             }
                             if (!it->second.empty()) row["actor_name"] = it->second;
                           }
                           items.push_back(std::move(row));
                         }
                         return Status::Ok();
                       }));
                       return JsonResponse({{"items", items}, {"total", total}});
                     }});
  routes_.push_back(
      {"GET", "/api/audit/verify", kCity, false, false, false,
       [=, this](ApiRequest&) -> StatusOr<ApiResponse> {
         AuditVerdict v = store->VerifyAudit();
         if (v.ok) return JsonResponse({{"ok", true}, {"rows", v.rows}});
         return JsonResponse(
             {{"ok", false}, {"rows", v.rows}, {"broken_id", v.broken_id}, {"problem", v.problem}});
       }});

  for (auto& r : s_.extra_routes) routes_.push_back(std::move(r));
  s_.extra_routes.clear();

  routes_.push_back(
      {"GET", "/healthz", {}, true, true, false, [](ApiRequest&) -> StatusOr<ApiResponse> {
         return JsonResponse({{"ok", true}});
       }});
}

void HttpServer::Dispatch(const Route& route, const httplib::Request& req, httplib::Response& res) {
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
      token = CookieValue(req, kCookie);
      cookie = true;
    }
    if (token.empty()) return fail(Unauthenticated("请先登录"));
    auto ctx = s_.accounts->Authenticate(token);
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
    auto parsed = ParseJson(req.body);
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
  // Security headers on every response, errors included (cpp-httplib runs the post-routing
  // handler just before it writes any response). A handler that serves HTML sets the policy that
  // fits its page; everything else (JSON, files, errors) may not be framed or run anything.
  h.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.has_header("Content-Security-Policy"))
      res.set_header("Content-Security-Policy", kApiCsp);
    if (!res.has_header("X-Frame-Options")) res.set_header("X-Frame-Options", "DENY");
    if (!res.has_header("X-Content-Type-Options"))
      res.set_header("X-Content-Type-Options", "nosniff");
    if (!res.has_header("Referrer-Policy")) res.set_header("Referrer-Policy", "same-origin");
  });

  for (const auto& route : routes_) {
    auto fn = [this, &route](const httplib::Request& req, httplib::Response& res) {
      Dispatch(route, req, res);
    };
    if (route.method == "GET")
      h.Get(route.pattern, fn);
    else if (route.method == "POST")
      h.Post(route.pattern, fn);
    else if (route.method == "PUT")
      h.Put(route.pattern, fn);
    else if (route.method == "PATCH")
      h.Patch(route.pattern, fn);
    else if (route.method == "DELETE")
      h.Delete(route.pattern, fn);
  }
  // Demo: the sandboxes' inspection page and API on this same port.
  if (!opt_.sandbox_proxy.empty()) {
    auto forward = [base = opt_.sandbox_proxy](const httplib::Request& req,
                                               httplib::Response& res) {
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
  // The built-in portal site.
  h.Get(R"(/site(/.*)?)", [this](const httplib::Request& req, httplib::Response& res) {
    std::string rel = req.path.size() > 6 ? req.path.substr(6) : "";
    res.set_header("Content-Security-Policy", kSiteCsp);
    res.set_header("X-Frame-Options", "SAMEORIGIN");
    if (!ServeStatic(opt_.site_dir, rel, res, false)) {
      res.status = 404;
      res.set_content(
          "<!doctype html><meta charset=utf-8><title>页面不存在</title><p>页面不存在</p>",
          "text/html; charset=utf-8");
    }
  });
  // The console: static files, and index.html for any other path (a single-page app).
  h.Get(R"(/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
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
    if (!rel.empty() && ServeStatic(opt_.web_dir, rel, res, asset)) return;
    if (ServeStatic(opt_.web_dir, "index.html", res, false)) return;
    res.status = 404;
    res.set_content(
        "<!doctype html><meta charset=utf-8><title>政务新媒体统一审核分发系统</title>"
        "<p>控制台尚未构建：请运行 scripts/web-build.sh。接口位于 /api/。</p>",
        "text/html; charset=utf-8");
  });
  // Every error leaves in the API's JSON shape (413 from the payload limit included).
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
