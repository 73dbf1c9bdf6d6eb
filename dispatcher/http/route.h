// A route as data: method, path pattern, who may call it, and a thin handler (decode the request,
// call a service, encode the answer). The route files under dispatcher/http/routes/ build them
// with designated initializers; HttpServer serves the list and enforces authentication, CSRF,
// the forced password change and the role gate before a handler runs.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dispatcher/accounts/account_service.h"
#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"
#include "dispatcher/model/roles.h"

namespace httplib {
struct Request;
}  // namespace httplib

namespace gd {

// The session cookie's name.
inline constexpr const char* kSessionCookie = "gd_session";

// A request as handlers see it. Handlers read it only through the decoding helpers of
// dispatcher/http/decode.h (the body, path ids, query parameters), never with .get<>().
struct ApiRequest {
  const httplib::Request* raw = nullptr;
  std::optional<AuthContext> auth;  // set on every non-public route
  std::vector<std::string> params;  // the path's regex captures, in order
  Json body;                        // the parsed JSON body; null when there is none
  // The client's address: the TCP peer, or what a trusted proxy says (ClientAddress in
  // connection.h, ServerOptions::trusted_proxies).
  std::string client_address;
  // A query parameter ("" when absent) and whether it was given.
  std::string Query(const std::string& key) const;
  bool HasQuery(const std::string& key) const;
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
  std::string path;                     // regex over the whole path; captures are parameters
  std::vector<Role> roles = {};         // any of these; empty = any signed-in user
  bool public_route = false;            // no sign-in needed
  bool allow_password_expired = false;  // reachable while a password change is due
  bool raw_body = false;                // body is not JSON (multipart upload)
  Handler handler = {};
};

// A JSON answer.
inline ApiResponse JsonResponse(Json j, int status = 200) {
  ApiResponse r;
  r.status = status;
  r.json = std::move(j);
  return r;
}

}  // namespace gd
