// Outbound HTTP for the channel clients.
//
// Clients speak to platforms only through a Transport, so the same client can be driven by the
// real network, by its sandbox, or by a fault-injecting fake in tests. `httplib.h` stays out of
// this header (it is slow to compile); NewHttpTransport() hides it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dispatcher/core/status.h"

namespace gd::channels {

// One part of a multipart/form-data body. A part with an empty `filename` is a plain field.
struct HttpPart {
  std::string name;
  std::string data;
  std::string filename;
  std::string content_type;
};

struct HttpRequest {
  std::string method = "GET";  // GET, POST, DELETE, PUT
  // Absolute URL, http:// or https://, with the query already encoded (see BuildQuery).
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  // Either a raw body with its content type, or multipart parts (then `body` must be empty and
  // the transport writes the multipart body and its boundary).
  std::string body;
  std::string content_type;
  std::vector<HttpPart> parts;
  int timeout_ms = 30000;  // connect, read and write timeout each
};

struct HttpResponse {
  int status = 0;
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string body;

  // First value of header `name` (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

// Sends one request. Thread-safe: many dispatch workers share one transport.
// Returns the response for any HTTP status (4xx/5xx included: the platforms put their error
// codes in bodies). Failures to get a response are:
//   kUnavailable       the request could not be delivered (DNS, connect refused, TLS setup);
//   kDeadlineExceeded  it may have been delivered but no complete response came back (read
//                      timeout, connection dropped mid-response): the outcome is unknown.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual StatusOr<HttpResponse> Send(const HttpRequest& request) = 0;
};

struct HttpTransportOptions {
  std::string user_agent = "gov-dispatcher/1";
  // CA bundle for https; empty = OpenSSL's default verify paths.
  std::string ca_cert_path;
};

// The real transport over cpp-httplib (https supported through OpenSSL).
std::unique_ptr<Transport> NewHttpTransport(HttpTransportOptions options = {});

// application/x-www-form-urlencoded escaping (RFC 3986 unreserved kept, space as %20).
std::string UrlEncode(std::string_view s);
std::string UrlDecode(std::string_view s);
// "a=1&b=x%20y" from ordered pairs.
std::string BuildQuery(const std::vector<std::pair<std::string, std::string>>& params);
// Parses "a=1&b=x%20y" (also '+' as space) into ordered pairs.
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query);

// Writes a multipart/form-data body for `parts` with `boundary`.
std::string EncodeMultipart(const std::vector<HttpPart>& parts, std::string_view boundary);

}  // namespace gd::channels
