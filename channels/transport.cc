#include "channels/transport.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

#include "channels/proxy.h"
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

// A body sent in pieces: literal bytes and file ranges, with its total length known up front
// (the platforms want Content-Length, not chunked uploads).
class StreamedBody {
 public:
  void Add(std::string bytes) {
    if (bytes.empty()) return;
    size_ += bytes.size();
    pieces_.push_back({std::move(bytes), {}, 0});
  }
  Status Add(const FileRange& f) {
    std::error_code ec;
    const auto file_size = std::filesystem::file_size(f.path, ec);
    if (ec) return InvalidArgument("无法读取要上传的文件");
    const int64_t total = static_cast<int64_t>(file_size);
    const int64_t length = f.length < 0 ? total - f.offset : f.length;
    if (f.offset < 0 || length < 0 || f.offset + length > total)
      return InvalidArgument("要上传的文件片段超出文件范围");
    if (length > 0) pieces_.push_back({{}, f, length});
    size_ += static_cast<size_t>(length);
    return Status::Ok();
  }
  size_t size() const { return size_; }

  // Writes up to 64 KiB starting at `offset` of the body.
  bool Write(size_t offset, httplib::DataSink& sink) {
    size_t start = 0;
    for (const Piece& p : pieces_) {
      const size_t len = p.file.path.empty() ? p.bytes.size() : static_cast<size_t>(p.length);
      if (offset < start + len) {
        const size_t at = offset - start;
        const size_t n = std::min<size_t>(len - at, kChunk);
        if (p.file.path.empty()) return sink.write(p.bytes.data() + at, n);
        if (file_path_ != p.file.path) {
          in_ = std::ifstream(p.file.path, std::ios::binary);
          file_path_ = p.file.path;
        }
        buffer_.resize(n);
        in_.seekg(p.file.offset + static_cast<int64_t>(at));
        if (!in_.read(buffer_.data(), static_cast<std::streamsize>(n))) return false;
        return sink.write(buffer_.data(), n);
      }
      start += len;
    }
    return false;
  }

 private:
  static constexpr size_t kChunk = 64 * 1024;
  struct Piece {
    std::string bytes;
    FileRange file;
    int64_t length = 0;
  };
  std::vector<Piece> pieces_;
  size_t size_ = 0;
  std::ifstream in_;
  std::string file_path_;
  std::string buffer_;
};

bool Streams(const HttpRequest& r) {
  if (!r.body_file.path.empty()) return true;
  return std::any_of(r.parts.begin(), r.parts.end(),
                     [](const HttpPart& p) { return !p.file.path.empty(); });
}

std::string PartHead(const HttpPart& p, std::string_view boundary) {
  std::string out = "--" + std::string(boundary);
  out += "\r\nContent-Disposition: form-data; name=\"" + p.name + "\"";
  if (!p.filename.empty()) out += "; filename=\"" + p.filename + "\"";
  out += "\r\n";
  if (!p.content_type.empty()) out += "Content-Type: " + p.content_type + "\r\n";
  out += "\r\n";
  return out;
}

StatusOr<std::string> ReadRange(const FileRange& f) {
  std::ifstream in(f.path, std::ios::binary);
  if (!in) return InvalidArgument("无法读取要上传的文件");
  in.seekg(f.offset);
  std::string out;
  if (f.length < 0) {
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } else {
    out.resize(static_cast<size_t>(f.length));
    if (!in.read(out.data(), f.length)) return InvalidArgument("要上传的文件片段超出文件范围");
  }
  return out;
}

// What went wrong, in words an operator reads (the library's names are English).
std::string ErrorInWords(httplib::Error err) {
  switch (err) {
    case httplib::Error::Connection:
      return "无法建立连接";
    case httplib::Error::ConnectionTimeout:
      return "连接超时";
    case httplib::Error::Read:
      return "读取应答超时或中断";
    case httplib::Error::Write:
      return "发送请求中断";
    case httplib::Error::SSLConnection:
      return "TLS 握手失败";
    case httplib::Error::SSLLoadingCerts:
      return "无法加载 CA 证书";
    case httplib::Error::SSLServerVerification:
      return "平台证书校验失败";
    case httplib::Error::Canceled:
      return "请求被取消";
    default:
      return "网络错误 " + httplib::to_string(err);
  }
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
    if (!options_.proxy_url.empty()) {
      StatusOr<ProxySpec> proxy = ParseProxy(options_.proxy_url);
      if (!proxy.ok()) return proxy.status();
      // https: the library's own CONNECT hangs on a proxy's refusal (channels/proxy.h), so the
      // tunnel is asked for first and the library builds it only after a plain 200.
      if (Lower(origin.substr(0, 8)) == "https://") {
        std::string host = origin.substr(8);
        int port = 443;
        if (size_t colon = host.rfind(':');
            colon != std::string::npos && host.find(']', colon) == std::string::npos) {
          port = std::atoi(host.c_str() + colon + 1);
          host.resize(colon);
        }
        GD_RETURN_IF_ERROR(ProbeTunnel(*proxy, host, port, request.timeout_ms));
      }
      cli.set_proxy(proxy->host, proxy->port);
      if (!proxy->user.empty()) cli.set_proxy_basic_auth(proxy->user, proxy->password);
    }
    if (Streams(request)) return SendStreamed(cli, request, path, origin);

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
    return Answer(cli.send(req), origin);
  }

 private:
  static StatusOr<HttpResponse> Answer(httplib::Result result, const std::string& origin) {
    if (!result) {
      httplib::Error err = result.error();
      const std::string what = ErrorInWords(err);
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

  // A body with file ranges: written from disk in 64 KiB chunks, never held whole.
  StatusOr<HttpResponse> SendStreamed(httplib::Client& cli, const HttpRequest& request,
                                      const std::string& path, const std::string& origin) {
    if (request.method != "POST" && request.method != "PUT")
      return InvalidArgument("只有 POST 或 PUT 请求可以上传文件");
    auto body = std::make_shared<StreamedBody>();
    std::string content_type;
    if (!request.parts.empty()) {
      std::string boundary = "----gd" + RandomToken(12);
      std::replace(boundary.begin(), boundary.end(), '_', 'x');
      for (const auto& p : request.parts) {
        body->Add(PartHead(p, boundary));
        if (p.file.path.empty()) {
          body->Add(p.data);
        } else {
          GD_RETURN_IF_ERROR(body->Add(p.file));
        }
        body->Add("\r\n");
      }
      body->Add("--" + boundary + "--\r\n");
      content_type = "multipart/form-data; boundary=" + boundary;
    } else {
      GD_RETURN_IF_ERROR(body->Add(request.body_file));
      content_type = request.content_type.empty() ? std::string("application/octet-stream")
                                                  : request.content_type;
    }
    httplib::Headers headers;
    for (const auto& [k, v] : request.headers) headers.emplace(k, v);
    headers.emplace("User-Agent", options_.user_agent);
    auto provider = [body](size_t offset, size_t, httplib::DataSink& sink) {
      return body->Write(offset, sink);
    };
    return Answer(request.method == "PUT"
                      ? cli.Put(path, headers, body->size(), provider, content_type)
                      : cli.Post(path, headers, body->size(), provider, content_type),
                  origin);
  }

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

Status ValidateProxyUrl(std::string_view url) {
  if (url.empty()) return Status::Ok();
  return ParseProxy(url).status();
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
    if (p.file.path.empty()) {
      out += p.data;
    } else {
      StatusOr<std::string> bytes = ReadRange(p.file);
      out += bytes.ok() ? *bytes : std::string();
    }
    out += "\r\n";
  }
  out += "--";
  out += boundary;
  out += "--\r\n";
  return out;
}

}  // namespace gd::channels
