// Outbound HTTP for the channel clients.
//
// Clients speak to platforms only through a Transport, so the same client can be driven by the
// real network, by its sandbox, or by a fault-injecting fake in tests. `httplib.h` stays out of
// this header (it is slow to compile); NewHttpTransport() hides it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dispatcher/core/status.h"

namespace gd::channels {

// A byte range of a file on disk, sent without reading it whole into memory (videos run to
// gigabytes): the transport streams it in small chunks.
struct FileRange {
  std::string path;     // empty: none
  int64_t offset = 0;   // first byte
  int64_t length = -1;  // bytes; -1 = to the end of the file
};

// One part of a multipart/form-data body. A part with an empty `filename` is a plain field.
// The part's bytes are `data`, or the file range `file` when `file.path` is set.
struct HttpPart {
  std::string name;
  std::string data;
  std::string filename;
  std::string content_type;
  FileRange file = {};
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
  // A raw body streamed from disk instead of `body` (then `body` must be empty).
  FileRange body_file = {};
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
  // Outbound HTTP proxy, "http://[user:password@]host:port"; empty = connect directly.
  // Government extranets reach the internet through one (docs/operations.md); https goes
  // through it with CONNECT, so the platform still sees end-to-end TLS.
  std::string proxy_url;
};

// The real transport over cpp-httplib (https supported through OpenSSL).
std::unique_ptr<Transport> NewHttpTransport(HttpTransportOptions options = {});

// Ok when `url` is a usable HttpTransportOptions::proxy_url (or empty); otherwise
// kInvalidArgument saying in Chinese what is wrong.
Status ValidateProxyUrl(std::string_view url);

// application/x-www-form-urlencoded escaping (RFC 3986 unreserved kept, space as %20).
std::string UrlEncode(std::string_view s);
std::string UrlDecode(std::string_view s);
// "a=1&b=x%20y" from ordered pairs.
std::string BuildQuery(const std::vector<std::pair<std::string, std::string>>& params);
// Parses "a=1&b=x%20y" (also '+' as space) into ordered pairs.
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query);

// Writes a multipart/form-data body for `parts` with `boundary` (file-backed parts read whole:
// for tests and small bodies; the transport streams them instead).
std::string EncodeMultipart(const std::vector<HttpPart>& parts, std::string_view boundary);

}  // namespace gd::channels
