#include "channels/transport.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>

#include "dispatcher/core/crypto.h"

namespace gd::channels {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits "https://host:port/path?q" into "https://host:port" and "/path?q".
bool SplitUrl(const std::string& url, std::string* origin, std::string* path) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return false;
  std::string scheme = Lower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") return false;
  size_t path_start = url.find('/', scheme_end + 3);
  if (path_start == std::string::npos) {
    *origin = url;
    *path = "/";
  } else {
    *origin = url.substr(0, path_start);
    *path = url.substr(path_start);
  }
  return origin->size() > scheme_end + 3;
}

class HttpTransport final : public Transport {
 public:
  explicit HttpTransport(HttpTransportOptions options) : options_(std::move(options)) {}

  StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    std::string origin, path;
    if (!SplitUrl(request.url, &origin, &path)) {
      return InvalidArgument("无效的平台地址：" + request.url);
    }
    httplib::Client cli(origin);
    if (!cli.is_valid()) return InvalidArgument("无效的平台地址：" + request.url);
    auto timeout = std::chrono::milliseconds(std::max(1, request.timeout_ms));
    cli.set_connection_timeout(timeout);
    cli.set_read_timeout(timeout);
    cli.set_write_timeout(timeout);
    cli.set_keep_alive(false);
    if (!options_.ca_cert_path.empty()) cli.set_ca_cert_path(options_.ca_cert_path);

    httplib::Request req;
    req.method = request.method;
    req.path = path;
    for (const auto& [k, v] : request.headers) req.headers.emplace(k, v);
    req.headers.emplace("User-Agent", options_.user_agent);
    if (!request.parts.empty()) {
      std::string boundary = "----gd" + RandomToken(12);
      std::replace(boundary.begin(), boundary.end(), '_', 'x');
      req.body = EncodeMultipart(request.parts, boundary);
      req.headers.emplace("Content-Type", "multipart/form-data; boundary=" + boundary);
    } else if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
      req.body = request.body;
      req.headers.emplace("Content-Type", request.content_type.empty()
                                              ? std::string("application/octet-stream")
                                              : request.content_type);
    }
    auto result = cli.send(req);
    if (!result) {
      httplib::Error err = result.error();
      std::string what = httplib::to_string(err);
      if (err == httplib::Error::Read || err == httplib::Error::Write) {
        return Status(Code::kDeadlineExceeded,
                      "平台未返回完整响应（" + what + "），结果未知：" + origin);
      }
      return Unavailable("无法连接平台（" + what + "）：" + origin);
    }
    HttpResponse out;
    out.status = result->status;
    out.body = std::move(result->body);
    for (const auto& [k, v] : result->headers) out.headers.emplace(Lower(k), v);
    return out;
  }

 private:
  HttpTransportOptions options_;
};

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  auto it = headers.find(Lower(name));
  return it == headers.end() ? std::string() : it->second;
}

std::unique_ptr<Transport> NewHttpTransport(HttpTransportOptions options) {
  return std::make_unique<HttpTransport>(std::move(options));
}

std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string UrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i] == '+' ? ' ' : s[i]);
  }
  return out;
}

std::string BuildQuery(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out.push_back('&');
    out += UrlEncode(k);
    out.push_back('=');
    out += UrlEncode(v);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    if (!item.empty()) {
      size_t eq = item.find('=');
      if (eq == std::string_view::npos) {
        out.emplace_back(UrlDecode(item), "");
      } else {
        out.emplace_back(UrlDecode(item.substr(0, eq)), UrlDecode(item.substr(eq + 1)));
      }
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

std::string EncodeMultipart(const std::vector<HttpPart>& parts, std::string_view boundary) {
  std::string out;
  for (const auto& p : parts) {
    out += "--";
    out += boundary;
    out += "\r\nContent-Disposition: form-data; name=\"" + p.name + "\"";
    if (!p.filename.empty()) out += "; filename=\"" + p.filename + "\"";
    out += "\r\n";
    if (!p.content_type.empty()) out += "Content-Type: " + p.content_type + "\r\n";
    out += "\r\n";
    out += p.data;
    out += "\r\n";
  }
  out += "--";
  out += boundary;
  out += "--\r\n";
  return out;
}

}  // namespace gd::channels
