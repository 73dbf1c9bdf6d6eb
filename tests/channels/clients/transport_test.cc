// The real HTTP transport against local servers: file-backed bodies are streamed from disk
// (byte for byte, with a Content-Length, and without holding the file in memory), and an outbound
// proxy carries every request (absolute-form for http, CONNECT for https), with its credentials.
#include "channels/transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "dispatcher/core/crypto.h"

namespace gd::channels {
namespace {

namespace fs = std::filesystem;

// FNV-1a over a stream of pieces: equal for equal bytes however they were split.
struct Fnv {
  uint64_t h = 1469598103934665603ull;
  void Update(std::string_view d) {
    for (unsigned char c : d) h = (h ^ c) * 1099511628211ull;
  }
  static uint64_t Of(std::string_view d) {
    Fnv f;
    f.Update(d);
    return f.h;
  }
};

// A server that reads every upload in pieces (never whole), recording its length, its
// Content-Length header and a digest of its bytes.
class CountingServer {
 public:
  CountingServer() {
    auto handler = [this](const httplib::Request& req, httplib::Response& res,
                          const httplib::ContentReader& reader) {
      size_t n = 0;
      std::string head;
      Fnv digest;
      reader([&](const char* data, size_t len) {
        if (head.size() < 256) head.append(data, std::min(len, 256 - head.size()));
        digest.Update(std::string_view(data, len));
        n += len;
        return true;
      });
      std::lock_guard lock(mu_);
      received_ = n;
      content_length_ = req.get_header_value("Content-Length");
      content_type_ = req.get_header_value("Content-Type");
      digest_ = digest.h;
      head_ = head;
      res.set_content("{\"ok\":true}", "application/json");
    };
    svr_.Post("/upload", handler);
    svr_.Put("/upload", handler);
    port_ = svr_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { svr_.listen_after_bind(); });
    while (!svr_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~CountingServer() {
    svr_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/upload"; }
  size_t received() {
    std::lock_guard lock(mu_);
    return received_;
  }
  std::string content_length() {
    std::lock_guard lock(mu_);
    return content_length_;
  }
  std::string content_type() {
    std::lock_guard lock(mu_);
    return content_type_;
  }
  uint64_t digest() {
    std::lock_guard lock(mu_);
    return digest_;
  }
  std::string head() {
    std::lock_guard lock(mu_);
    return head_;
  }

 private:
  httplib::Server svr_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  size_t received_ = 0;
  std::string content_length_, content_type_, head_;
  uint64_t digest_ = 0;
};

fs::path TempFile(const std::string& name, size_t size, char fill_seed) {
  fs::path p = fs::temp_directory_path() / ("gd-transport-" + std::to_string(::getpid()) + name);
  std::ofstream out(p, std::ios::binary);
  std::string block(1 << 16, '\0');
  for (size_t i = 0; i < block.size(); ++i) block[i] = static_cast<char>(fill_seed + i * 31);
  for (size_t left = size; left > 0;) {
    size_t n = std::min(left, block.size());
    out.write(block.data(), static_cast<std::streamsize>(n));
    left -= n;
  }
  return p;
}

std::string Slurp(const fs::path& p, int64_t offset, int64_t length) {
  std::ifstream in(p, std::ios::binary);
  in.seekg(offset);
  std::string out(static_cast<size_t>(length), '\0');
  in.read(out.data(), length);
  return out;
}

long PeakRssKb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

TEST(TransportStreamingTest, RawFileRangeIsSentByteForByteWithItsLength) {
  CountingServer server;
  fs::path file = TempFile("raw", 3 * 1024 * 1024 + 17, 'a');
  auto t = NewHttpTransport();
  HttpRequest req;
  req.method = "PUT";
  req.url = server.url();
  req.content_type = "video/mp4";
  req.body_file = {file.string(), 1000, 2 * 1024 * 1024 + 5};
  auto resp = t->Send(req);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(server.received(), 2u * 1024 * 1024 + 5);
  EXPECT_EQ(server.content_length(), std::to_string(2 * 1024 * 1024 + 5));
  EXPECT_EQ(server.content_type(), "video/mp4");
  EXPECT_EQ(server.digest(), Fnv::Of(Slurp(file, 1000, 2 * 1024 * 1024 + 5)));
  fs::remove(file);
}

// A server that takes one upload off a raw socket: its head and exactly Content-Length bytes of
// body, digested as they come (no library parsing of the multipart body in between).
class RawUploadServer {
 public:
  RawUploadServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 1);
    thread_ = std::thread([this] { ServeOne(); });
  }
  ~RawUploadServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/upload"; }
  std::string head;
  size_t received = 0;
  uint64_t digest = 0;

 private:
  void ServeOne() {
    int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    std::string buf(65536, '\0');
    std::string data;
    size_t end = std::string::npos;
    while ((end = data.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = ::recv(c, buf.data(), buf.size(), 0);
      if (n <= 0) break;
      data.append(buf.data(), static_cast<size_t>(n));
    }
    head = data.substr(0, end);
    size_t length = 0;
    std::string lower = head;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (size_t at = lower.find("content-length:"); at != std::string::npos)
      length = std::stoull(head.substr(at + 15));
    Fnv f;
    std::string body = end == std::string::npos ? "" : data.substr(end + 4);
    f.Update(body);
    received = body.size();
    while (received < length) {
      ssize_t n = ::recv(c, buf.data(), buf.size(), 0);
      if (n <= 0) break;
      f.Update(std::string_view(buf.data(), static_cast<size_t>(n)));
      received += static_cast<size_t>(n);
    }
    digest = f.h;
    const std::string answer =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
        "Connection: close\r\n\r\n{\"ok\":true}";
    ::send(c, answer.data(), answer.size(), MSG_NOSIGNAL);
    ::close(c);
  }
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

std::string HeaderValue(const std::string& head, const std::string& name) {
  std::string lower = head;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  size_t at = lower.find("\r\n" + name + ":");
  if (at == std::string::npos) return "";
  size_t from = head.find_first_not_of(' ', at + 3 + name.size());
  return head.substr(from, head.find("\r\n", from) - from);
}

TEST(TransportStreamingTest, MultipartWithAFilePartMatchesTheInMemoryEncoding) {
  fs::path file = TempFile("part", 700 * 1024 + 3, 'q');
  std::string ct, content_length;
  size_t received = 0;
  uint64_t digest = 0;
  {
    RawUploadServer server;
    auto t = NewHttpTransport();
    HttpRequest req;
    req.method = "POST";
    req.url = server.url();
    req.parts = {{"access_token", "tok", "", ""},
                 {"video", "", "v.mp4", "video/mp4", {file.string(), 0, -1}}};
    auto resp = t->Send(req);
    ASSERT_TRUE(resp.ok()) << resp.status().ToString();
    ct = HeaderValue(server.head, "content-type");
    content_length = HeaderValue(server.head, "content-length");
    received = server.received;
    digest = server.digest;
  }
  ASSERT_EQ(ct.rfind("multipart/form-data; boundary=", 0), 0u) << ct;
  const std::string boundary = ct.substr(std::string("multipart/form-data; boundary=").size());
  std::vector<HttpPart> in_memory = {
      {"access_token", "tok", "", ""},
      {"video", Slurp(file, 0, 700 * 1024 + 3), "v.mp4", "video/mp4"}};
  const std::string expected = EncodeMultipart(in_memory, boundary);
  EXPECT_EQ(received, expected.size());
  EXPECT_EQ(content_length, std::to_string(expected.size()));
  EXPECT_EQ(digest, Fnv::Of(expected));
  fs::remove(file);
}

TEST(TransportStreamingTest, ALargeUploadDoesNotGrowTheProcessByItsSize) {
  CountingServer server;  // reads in pieces too: what grows is the sender's memory only
  constexpr size_t kSize = 256u * 1024 * 1024;
  fs::path file = TempFile("big", kSize, 'z');
  auto t = NewHttpTransport();
  HttpRequest req;
  req.method = "POST";
  req.url = server.url();
  req.timeout_ms = 120000;
  req.body_file = {file.string(), 0, -1};
  const long before = PeakRssKb();
  auto resp = t->Send(req);
  const long after = PeakRssKb();
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(server.received(), kSize);
  // Reading the file into memory would raise the peak by 256 MB at least.
  EXPECT_LT(after - before, 64L * 1024) << "peak RSS grew by " << (after - before) << " kB";
  fs::remove(file);
}

TEST(TransportStreamingTest, ARangeOutsideTheFileIsRefusedBeforeConnecting) {
  fs::path file = TempFile("short", 1000, 'b');
  auto t = NewHttpTransport();
  HttpRequest req;
  req.method = "POST";
  req.url = "http://127.0.0.1:9/upload";  // nothing listens: the range check comes first
  req.body_file = {file.string(), 900, 200};
  auto resp = t->Send(req);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), Code::kInvalidArgument);
  req.body_file = {(fs::temp_directory_path() / "gd-no-such-file").string(), 0, -1};
  resp = t->Send(req);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), Code::kInvalidArgument);
  fs::remove(file);
}

// A forward proxy that records the request head it is sent. Plain http requests it answers
// itself; a CONNECT it refuses (403 with Connection: close, as proxies' refusals come), or
// answers 407 without the right credentials, or — in tunnel mode — connects to the target on
// loopback, answers a plain 200 and relays bytes both ways (RFC 9110 §9.3.6).
class RecordingProxy {
 public:
  enum class Connect { kRefuse, kTunnel };
  explicit RecordingProxy(Connect mode = Connect::kRefuse, std::string credentials = "")
      : mode_(mode), credentials_(std::move(credentials)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 4);
    thread_ = std::thread([this] { Serve(); });
  }
  // A client that connects and sends nothing (or a second connection nobody uses) must not
  // hold the test: every socket gives up after 2 s.
  static void Bound(int fd) {
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  ~RecordingProxy() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    for (auto& t : relays_) t.join();
  }
  int port() const { return port_; }
  std::vector<std::string> heads() {
    std::lock_guard lock(mu_);
    return heads_;
  }

 private:
  static void Send(int fd, const std::string& s) { ::send(fd, s.data(), s.size(), MSG_NOSIGNAL); }
  // Copies bytes from `from` to `to` until either side ends.
  static void Relay(int from, int to) {
    char buf[8192];
    for (;;) {
      ssize_t n = ::recv(from, buf, sizeof buf, 0);
      if (n <= 0 || ::send(to, buf, static_cast<size_t>(n), MSG_NOSIGNAL) != n) break;
    }
    ::shutdown(to, SHUT_WR);
  }
  void Tunnel(int c, const std::string& head) {
    const size_t colon = head.find(':', 8);
    const int target_port = std::atoi(head.c_str() + colon + 1);
    int t = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(target_port));
    if (::connect(t, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      Send(c, "HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n");
      ::close(t);
      ::close(c);
      return;
    }
    Bound(t);
    Send(c, "HTTP/1.1 200 Connection established\r\n\r\n");
    relays_.emplace_back([c, t] {
      std::thread back([c, t] { Relay(t, c); });
      Relay(c, t);
      back.join();
      ::close(t);
      ::close(c);
    });
  }
  void Serve() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      Bound(c);
      std::string head;
      char buf[4096];
      while (head.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        head.append(buf, static_cast<size_t>(n));
      }
      head = head.substr(0, head.find("\r\n\r\n"));
      {
        std::lock_guard lock(mu_);
        heads_.push_back(head);
      }
      if (head.rfind("CONNECT ", 0) != 0) {
        Send(c,
             "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
             "15\r\nConnection: close\r\n\r\n{\"via\":\"proxy\"}");
      } else if (!credentials_.empty() &&
                 head.find("Proxy-Authorization: Basic " + Base64Encode(credentials_)) ==
                     std::string::npos) {
        Send(c,
             "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic "
             "realm=\"gw\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      } else if (mode_ == Connect::kTunnel) {
        Tunnel(c, head);
        continue;
      } else {
        Send(c, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      }
      ::close(c);
    }
  }

  Connect mode_;
  std::string credentials_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::thread> relays_;
  std::mutex mu_;
  std::vector<std::string> heads_;
};

// A TLS server on loopback with a certificate for "localhost" made for the test (openssl, which
// ca-certificates brings), so the transport can verify it against that certificate alone.
class TlsServer {
 public:
  TlsServer() {
    dir_ = fs::temp_directory_path() / ("gd-tls-" + RandomToken(6));
    fs::create_directories(dir_);
    const std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost "
        "-addext subjectAltName=DNS:localhost -keyout " +
        (dir_ / "key.pem").string() + " -out " + cert() + " 2>/dev/null";
    ready_ = std::system(cmd.c_str()) == 0;
    if (!ready_) return;
    server_ = std::make_unique<httplib::SSLServer>(cert().c_str(), (dir_ / "key.pem").c_str());
    server_->Get("/hi", [](const httplib::Request&, httplib::Response& r) {
      r.set_content("hello over tls", "text/plain");
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
  }
  ~TlsServer() {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  bool ready() const { return ready_ && port_ > 0; }
  std::string cert() const { return (dir_ / "cert.pem").string(); }
  int port() const { return port_; }

 private:
  fs::path dir_;
  bool ready_ = false;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
};

// Sends `req` on its own thread, so that a transport stuck on a tunnel fails the test instead of
// holding it; nullopt when no answer came within 20 s.
std::optional<StatusOr<HttpResponse>> SendBounded(std::unique_ptr<Transport> t, HttpRequest req) {
  auto done = std::make_shared<std::promise<StatusOr<HttpResponse>>>();
  auto answered = done->get_future();
  std::thread([t = std::shared_ptr<Transport>(std::move(t)), req, done] {
    done->set_value(t->Send(req));
  }).detach();
  if (answered.wait_for(std::chrono::seconds(20)) != std::future_status::ready) return std::nullopt;
  return answered.get();
}

TEST(TransportProxyTest, HttpRequestsGoThroughTheProxyWithItsCredentials) {
  RecordingProxy proxy;
  HttpTransportOptions opts;
  opts.proxy_url = "http://gw%40ops:p%3Ass@127.0.0.1:" + std::to_string(proxy.port());
  auto t = NewHttpTransport(opts);
  HttpRequest req;
  req.url = "http://api.example.invalid/2/statuses/user_timeline.json?count=5";
  auto resp = t->Send(req);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->body, "{\"via\":\"proxy\"}");
  auto heads = proxy.heads();
  ASSERT_EQ(heads.size(), 1u);
  // Absolute form (RFC 9112 §3.2.2), the default port written out or not.
  const bool absolute =
      heads[0].rfind("GET http://api.example.invalid/2/statuses/user_timeline.json?count=5 ", 0) ==
          0 ||
      heads[0].rfind("GET http://api.example.invalid:80/2/statuses/user_timeline.json?count=5 ",
                     0) == 0;
  EXPECT_TRUE(absolute) << heads[0];
  // Basic credentials of "gw@ops" : "p:ss", percent-decoded from the URL.
  EXPECT_NE(heads[0].find("Proxy-Authorization: Basic " + Base64Encode("gw@ops:p:ss")),
            std::string::npos)
      << heads[0];
}

// https goes through the proxy's CONNECT tunnel with end-to-end TLS (the certificate checked
// against the server's own), the proxy's credentials on the CONNECT.
TEST(TransportProxyTest, HttpsGoesThroughTheProxysTunnel) {
  TlsServer tls;
  ASSERT_TRUE(tls.ready()) << "openssl could not make a test certificate";
  RecordingProxy proxy(RecordingProxy::Connect::kTunnel, "gw:secret");
  HttpTransportOptions opts;
  opts.ca_cert_path = tls.cert();
  opts.proxy_url = "http://gw:secret@127.0.0.1:" + std::to_string(proxy.port());
  HttpRequest req;
  req.url = "https://localhost:" + std::to_string(tls.port()) + "/hi";
  req.timeout_ms = 5000;
  auto resp = SendBounded(NewHttpTransport(opts), req);
  ASSERT_TRUE(resp.has_value()) << "the send hung";
  ASSERT_TRUE(resp->ok()) << resp->status().ToString();
  EXPECT_EQ((*resp)->status, 200);
  EXPECT_EQ((*resp)->body, "hello over tls");
  const auto heads = proxy.heads();
  ASSERT_FALSE(heads.empty());
  for (const std::string& h : heads) {
    EXPECT_EQ(h.rfind("CONNECT localhost:" + std::to_string(tls.port()) + " HTTP/1.1", 0), 0u) << h;
    EXPECT_NE(h.find("Proxy-Authorization: Basic " + Base64Encode("gw:secret")), std::string::npos);
  }
}

// A proxy's refusal of the tunnel (403 with Connection: close, on which the library's own CONNECT
// would hang forever) comes back at once with a Chinese reason; so does a 407 for wrong
// credentials. Nothing is sent to the platform.
TEST(TransportProxyTest, ARefusedTunnelIsReportedPromptlyNotHung) {
  RecordingProxy refusing;
  RecordingProxy guarded(RecordingProxy::Connect::kTunnel, "gw:secret");
  struct Case {
    int port;
    std::string credentials;
    Code code;
    std::string says;
  };
  for (const Case& c : {Case{refusing.port(), "", Code::kUnavailable, "HTTP 403"},
                        Case{guarded.port(), "gw:wrong@", Code::kUnauthenticated, "407"}}) {
    HttpTransportOptions opts;
    opts.proxy_url = "http://" + c.credentials + "127.0.0.1:" + std::to_string(c.port);
    HttpRequest req;
    req.url = "https://api.weixin.example.invalid/cgi-bin/stable_token";
    req.method = "POST";
    req.content_type = "application/json";
    req.body = "{}";
    req.timeout_ms = 3000;
    auto resp = SendBounded(NewHttpTransport(opts), req);
    ASSERT_TRUE(resp.has_value()) << "the send hung: " << c.says;
    ASSERT_FALSE(resp->ok());
    EXPECT_EQ(resp->status().code(), c.code) << resp->status().ToString();
    EXPECT_NE(resp->status().message().find(c.says), std::string::npos) << resp->status().message();
  }
  EXPECT_EQ(refusing.heads().size(), 1u) << "one CONNECT, from the probe";
}

// A platform that cannot be reached is said in Chinese, not with the library's English name of
// the error ("Connection").
TEST(TransportTest, AnUnreachablePlatformIsSaidInChinese) {
  auto t = NewHttpTransport();
  HttpRequest req;
  req.url = "http://127.0.0.1:1/cgi-bin/token";
  req.timeout_ms = 2000;
  auto resp = t->Send(req);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), Code::kUnavailable);
  EXPECT_NE(resp.status().message().find("无法建立连接"), std::string::npos)
      << resp.status().message();
  EXPECT_EQ(resp.status().message().find("Connection"), std::string::npos)
      << resp.status().message();
}

TEST(TransportProxyTest, BadProxyAddressesAreRefusedInChinese) {
  for (const char* bad : {"socks5://127.0.0.1:1080", "http://127.0.0.1", "http://:8080",
                          "http://host:0", "http://host:70000", "http://host:80/path",
                          "http://@host:80", "http://ho st:80", "127.0.0.1:8080"}) {
    Status s = ValidateProxyUrl(bad);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("出站代理地址无效"), std::string::npos) << bad;
  }
  for (const char* good :
       {"", "http://proxy.gov.example:3128", "http://u:p@10.1.2.3:8080", "HTTP://p:1/"}) {
    EXPECT_TRUE(ValidateProxyUrl(good).ok()) << good;
  }
}

}  // namespace
}  // namespace gd::channels
