// Issue 12, "Connections": a request's header and body must arrive within a total deadline
// (a trickling client is cut off; a slow but steady upload is not), and one client address may
// hold only so many connections at once. ConnectionServer on a loopback port, with a 2 s deadline
// so the cuts come quickly.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include "dispatcher/http/connection.h"
#include "tests/security/tcp_client.h"

namespace gd {
namespace {

using std::chrono::milliseconds;
using testing::TcpClient;
using Clock = std::chrono::steady_clock;

constexpr int kCap = 3;
constexpr auto kDeadline = std::chrono::seconds(2);
constexpr size_t kMinRate = 8 * 1024;  // bytes per second

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

class ConnectionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ConnectionLimits limits;
    limits.max_per_address = kCap;
    limits.deadline = kDeadline;
    limits.min_bytes_per_second = kMinRate;
    server_ = std::make_unique<ConnectionServer>(limits);
    server_->new_task_queue = [] { return new httplib::ThreadPool(16); };
    server_->set_keep_alive_max_count(100);
    server_->set_keep_alive_timeout(5);
    server_->set_read_timeout(30, 0);
    server_->set_write_timeout(30, 0);
    server_->Get("/hello", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("hello", "text/plain");
    });
    server_->Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(std::to_string(req.body.size()), "text/plain");
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::yield();
  }

  void TearDown() override {
    server_->Shutdown();
    if (thread_.joinable()) thread_.join();
  }

  static std::string Get(bool close = false) {
    return std::string("GET /hello HTTP/1.1\r\nHost: t\r\n") +
           (close ? "Connection: close\r\n" : "") + "\r\n";
  }

  std::unique_ptr<ConnectionServer> server_;
  std::thread thread_;
  int port_ = 0;
};

// The library's accept loop reaches our override (it is a private virtual of httplib::Server):
// without that, none of the limits below would apply.
TEST_F(ConnectionsTest, LibraryDispatchesToTheOverride) {
  httplib::Client cli("127.0.0.1", port_);
  auto res = cli.Get("/hello");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "hello");
  EXPECT_EQ(server_->connections_handled(), 1u);
}

TEST_F(ConnectionsTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  TcpClient c(port_);
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c.Send(Get()));
    std::string body;
    ASSERT_EQ(c.ReadResponse(milliseconds(5000), &body), 200) << "request " << i;
    EXPECT_EQ(body, "hello");
  }
  // Pipelined: the second request arrives in the same segment and waits in the read buffer.
  ASSERT_TRUE(c.Send(Get() + "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"));
  std::string body;
  ASSERT_EQ(c.ReadResponse(milliseconds(5000), &body), 200);
  EXPECT_EQ(body, "hello");
  ASSERT_EQ(c.ReadResponse(milliseconds(5000), &body), 200);
  EXPECT_EQ(body, "3");
  EXPECT_EQ(server_->connections_handled(), 1u);
}

// One header byte every 500 ms: each read succeeds within the per-read timeout, so only a total
// deadline ends it. The client is answered 408 and disconnected near the 2 s deadline.
TEST_F(ConnectionsTest, TricklingHeaderIsCutOffAtTheDeadline) {
  TcpClient c(port_);
  ASSERT_TRUE(c.connected());
  const std::string request =
      "GET /hello HTTP/1.1\r\nHost: t\r\nX-Slow: " + std::string(100, 'a') + "\r\n\r\n";
  auto start = Clock::now();
  std::string received;
  const bool closed =
      c.TrickleUntilClosed(request, milliseconds(500), milliseconds(2000), &received);
  double elapsed = Seconds(Clock::now() - start);
  ASSERT_TRUE(closed) << "the trickling client was never cut off";
  EXPECT_GE(elapsed, 1.9);
  EXPECT_LE(elapsed, 3.5);
  EXPECT_EQ(received.rfind("HTTP/1.1 408 ", 0), 0u) << received;
  EXPECT_NE(received.find(R"("code":"timeout")"), std::string::npos) << received;
}

// A slow client that finishes within the deadline is served: the deadline does not cut early.
TEST_F(ConnectionsTest, SlowClientWithinTheDeadlineIsServed) {
  TcpClient c(port_);
  ASSERT_TRUE(c.connected());
  auto start = Clock::now();
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\n"));
  std::this_thread::sleep_for(milliseconds(600));  // pacing the client, not synchronising
  ASSERT_TRUE(c.Send("Host: t\r\n"));
  std::this_thread::sleep_for(milliseconds(600));
  ASSERT_TRUE(c.Send("\r\n"));
  std::string body;
  EXPECT_EQ(c.ReadResponse(milliseconds(5000), &body), 200);
  EXPECT_EQ(body, "hello");
  EXPECT_LT(Seconds(Clock::now() - start), 2.0);
  // The next request on the connection gets a fresh deadline.
  ASSERT_TRUE(c.Send(Get()));
  EXPECT_EQ(c.ReadResponse(milliseconds(5000)), 200);
}

// 48 KiB at 16 KiB/s takes 3 s, past the 2 s deadline, but above the minimum rate (8 KiB/s):
// every byte buys time, so the upload completes.
TEST_F(ConnectionsTest, SteadyBodyAboveTheMinimumRateCompletes) {
  TcpClient c(port_);
  ASSERT_TRUE(c.connected());
  const size_t total = 48 * 1024, chunk = 4 * 1024;
  auto start = Clock::now();
  ASSERT_TRUE(
      c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream"
             "\r\nContent-Length: " +
             std::to_string(total) + "\r\n\r\n"));
  for (size_t sent = 0; sent < total; sent += chunk) {
    std::this_thread::sleep_for(milliseconds(250));
    ASSERT_TRUE(c.Send(std::string(chunk, 'x'))) << "cut after " << sent << " bytes";
  }
  std::string body;
  ASSERT_EQ(c.ReadResponse(milliseconds(5000), &body), 200);
  EXPECT_EQ(body, std::to_string(total));
  EXPECT_GT(Seconds(Clock::now() - start), Seconds(kDeadline));
}

// 1 KiB every 500 ms (2 KiB/s) is below the minimum rate: allowed 2 s + bytes / 8 KiB/s, the
// body is cut off after about 2.7 s although bytes keep coming.
TEST_F(ConnectionsTest, BodyBelowTheMinimumRateIsCutOff) {
  TcpClient c(port_);
  ASSERT_TRUE(c.connected());
  const size_t total = 64 * 1024, chunk = 1024;
  auto start = Clock::now();
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(total) +
                     "\r\n\r\n"));
  std::string received;
  bool closed = false;
  for (size_t sent = 0; sent < total && !closed; sent += chunk) {
    if (!c.Send(std::string(chunk, 'x'))) closed = true;
    if (!closed && c.Readable(milliseconds(500)))
      closed = c.WaitClosed(milliseconds(2000), &received);
  }
  double elapsed = Seconds(Clock::now() - start);
  ASSERT_TRUE(closed);
  EXPECT_GE(elapsed, 2.3);
  EXPECT_LE(elapsed, 4.5);
  EXPECT_EQ(received.rfind("HTTP/1.1 408 ", 0), 0u) << received;
}

// kCap connections from 127.0.0.1 are served; the next one from that address is closed at
// once, while 127.0.0.2 still gets through; when one closes, 127.0.0.1 may connect again.
TEST_F(ConnectionsTest, CapRefusesTheConnectionOverItWhileAnotherAddressGetsThrough) {
  std::vector<std::unique_ptr<TcpClient>> held;
  for (int i = 0; i < kCap; ++i) {
    held.push_back(std::make_unique<TcpClient>(port_));
    ASSERT_TRUE(held.back()->Send(Get()));
    ASSERT_EQ(held.back()->ReadResponse(milliseconds(5000)), 200) << "connection " << i;
  }
  TcpClient over(port_);
  ASSERT_TRUE(over.connected());  // the kernel accepts; the server closes it
  std::string received;
  (void)over.Send(Get());
  EXPECT_TRUE(over.WaitClosed(milliseconds(2000), &received));
  EXPECT_EQ(received, "");
  EXPECT_EQ(server_->connections_refused(), 1u);

  TcpClient other(port_, "127.0.0.2");
  ASSERT_TRUE(other.connected());
  ASSERT_TRUE(other.Send(Get()));
  EXPECT_EQ(other.ReadResponse(milliseconds(5000)), 200);

  ASSERT_TRUE(held[0]->Send(Get(/*close=*/true)));
  EXPECT_EQ(held[0]->ReadResponse(milliseconds(5000)), 200);
  EXPECT_TRUE(held[0]->WaitClosed(milliseconds(5000)));
  TcpClient again(port_);
  ASSERT_TRUE(again.Send(Get()));
  EXPECT_EQ(again.ReadResponse(milliseconds(5000)), 200);
  EXPECT_EQ(server_->connections_refused(), 1u);
}

// Shutdown ends idle keep-alive connections at once instead of after the keep-alive timeout.
TEST_F(ConnectionsTest, ShutdownEndsIdleKeepAliveConnectionsAtOnce) {
  TcpClient c(port_);
  ASSERT_TRUE(c.Send(Get()));
  ASSERT_EQ(c.ReadResponse(milliseconds(5000)), 200);
  auto start = Clock::now();
  server_->Shutdown();
  thread_.join();
  EXPECT_LT(Seconds(Clock::now() - start), 1.0);
  EXPECT_TRUE(c.WaitClosed(milliseconds(1000)));
}

// Shutdown right after binding, before the accept loop has started: the loop still ends
// (httplib::Server::stop() alone does nothing until the loop runs, and the loop then never
// returned).
TEST(ConnectionServerShutdown, BeforeTheAcceptLoopStartsTheLoopStillEnds) {
  ConnectionServer server{ConnectionLimits{}};
  ASSERT_GT(server.bind_to_any_port("127.0.0.1"), 0);
  server.Shutdown();
  std::promise<void> returned;
  std::future<void> ended = returned.get_future();
  std::thread loop([&] {
    server.listen_after_bind();
    returned.set_value();
  });
  const bool in_time = ended.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  EXPECT_TRUE(in_time) << "the accept loop kept running after Shutdown()";
  if (!in_time) server.stop();  // the loop is running by now: the library's stop() ends it
  loop.join();
}

TEST(AddressMatches, AddressesAndPrefixes) {
  EXPECT_TRUE(AddressMatches("127.0.0.1", "127.0.0.1"));
  EXPECT_FALSE(AddressMatches("127.0.0.2", "127.0.0.1"));
  EXPECT_TRUE(AddressMatches("10.1.2.3", "10.0.0.0/8"));
  EXPECT_FALSE(AddressMatches("11.1.2.3", "10.0.0.0/8"));
  EXPECT_TRUE(AddressMatches("192.168.1.77", "192.168.1.64/27"));
  EXPECT_FALSE(AddressMatches("192.168.1.96", "192.168.1.64/27"));
  EXPECT_TRUE(AddressMatches("fd00::5", "fd00::/8"));
  EXPECT_TRUE(AddressMatches("::1", "::1"));
  EXPECT_FALSE(AddressMatches("::1", "127.0.0.1"));
  EXPECT_FALSE(AddressMatches("127.0.0.1", "::1"));
  EXPECT_TRUE(IsAddressPattern("0.0.0.0/0"));
  EXPECT_FALSE(IsAddressPattern("10.0.0.0/33"));
  EXPECT_FALSE(IsAddressPattern("10.0.0.0/"));
  EXPECT_FALSE(IsAddressPattern("proxy.example.gov.cn"));
  EXPECT_FALSE(IsAddressPattern(""));
}

// X-Forwarded-For is believed only from a trusted proxy, read from the right: entries a trusted
// proxy appended are skipped, the first other one is the client, anything to its left (written
// by the client) is ignored.
TEST(ClientAddress, OnlyTrustedProxiesSpeakForTheClient) {
  const std::vector<std::string> trusted = {"127.0.0.1", "10.0.0.0/8"};
  EXPECT_EQ(ClientAddress("203.0.113.7", "", trusted), "203.0.113.7");
  EXPECT_EQ(ClientAddress("203.0.113.7", "198.51.100.1", trusted), "203.0.113.7");
  EXPECT_EQ(ClientAddress("127.0.0.1", "198.51.100.1", trusted), "198.51.100.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", "1.2.3.4, 198.51.100.1", trusted), "198.51.100.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", "1.2.3.4,198.51.100.1, 10.1.1.1", trusted), "198.51.100.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", "10.2.2.2, 10.1.1.1", trusted), "10.2.2.2");
  EXPECT_EQ(ClientAddress("127.0.0.1", "2001:db8::5", trusted), "2001:db8::5");
  for (const char* junk : {"unknown", "1.2.3.4, ", ",", " ", "10.0.0.0/8", "1.2.3.4:x",
                           "1.2.3.4:", "[2001:db8::1]x", "[2001:db8::1]:"})
    EXPECT_EQ(ClientAddress("127.0.0.1", junk, trusted), "127.0.0.1") << junk;
  EXPECT_EQ(ClientAddress("127.0.0.1", "198.51.100.1", {}), "127.0.0.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", "1.2.3.4:5678", trusted), "1.2.3.4");  // port dropped
}

}  // namespace
}  // namespace gd
