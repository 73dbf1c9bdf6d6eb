// Crash test (issue 5): 200 tickets published to 4 sandbox channels through the HTTP API of a
// separate `dispatcher serve`, which is killed with SIGKILL at random moments (seeded) at least
// 10 times and restarted on the same data directory. At the end every ticket is on every
// platform exactly once according to the sandbox's own records (`/_sandbox/posts`), and the
// dispatcher's records (`/api/tickets/{id}/dispatches`) agree with them.
//
// Both processes are children of this test: `dispatcher sandbox` (kept running throughout, it is
// "the platforms") and `dispatcher serve` with a copied policies directory whose dispatch.json has
// fast backoff and no client-side rate limits (the sandbox enforces none here either).
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/dispatcher/dispatch/sandbox_channels.h"

extern char** environ;

namespace {

using gd::testing::SandboxChannel;
using gd::testing::SmallMp4;
using gd::testing::SmallPng;
namespace fs = std::filesystem;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kAdminPassword = "Root@Crash2026!";
constexpr const char* kInitialPassword = "Init@Crash2026!";
constexpr const char* kPassword = "Pass@Crash2026!";
constexpr int kTickets = 200;
constexpr int kMinKills = 10;
constexpr int kMaxKills = 30;
constexpr unsigned kSeed = 20260505;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// A port the kernel has just handed out and that nothing listens on. (httplib::Server::stop()
// closes its socket only when the server is running, so a probe server would keep listening on
// the port and, with SO_REUSEPORT, take a share of the connections meant for `dispatcher serve`.)
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

pid_t Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
            const std::string& log_path) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  for (const auto& e : extra_env) env.push_back(e);
  pid_t pid = fork();
  if (pid == 0) {
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      ::close(fd);
    }
    std::vector<char*> a, en;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    for (const auto& s : env) en.push_back(const_cast<char*>(s.c_str()));
    en.push_back(nullptr);
    execve(a[0], a.data(), en.data());
    _exit(127);
  }
  return pid;
}

void Kill(pid_t& pid, int sig) {
  if (pid <= 0) return;
  ::kill(pid, sig);
  if (sig != SIGKILL) {
    for (int i = 0; i < 100 && waitpid(pid, nullptr, WNOHANG) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ::kill(pid, SIGKILL);
  }
  waitpid(pid, nullptr, 0);
  pid = -1;
}

bool WaitHealthy(int port, double timeout_s, pid_t pid) {
  auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<int>(timeout_s * 1000));
  while (Clock::now() < deadline) {
    if (pid > 0 && waitpid(pid, nullptr, WNOHANG) == pid) return false;
    httplib::Client cli("127.0.0.1", port);
    cli.set_connection_timeout(0, 200000);
    auto res = cli.Get("/healthz");
    if (res && res->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  return false;
}

struct Reply {
  int status = 0;  // 0 = no response (connection refused or dropped: the server was killed)
  Json body;
};

// One request on a fresh connection (a killed server leaves keep-alive connections dead).
Reply Call(int port, const std::string& method, const std::string& path, const std::string& token,
           const Json& body = nullptr) {
  httplib::Client cli("127.0.0.1", port);
  cli.set_connection_timeout(2, 0);
  cli.set_read_timeout(20, 0);
  httplib::Headers h;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  std::string b = body.is_null() ? "" : body.dump();
  httplib::Result res(nullptr, httplib::Error::Unknown);
  if (method == "GET")
    res = cli.Get(path.c_str(), h);
  else if (method == "POST")
    res = cli.Post(path.c_str(), h, b, "application/json");
  else if (method == "DELETE")
    res = cli.Delete(path.c_str(), h);
  Reply r;
  if (!res) return r;
  r.status = res->status;
  r.body = Json::parse(res->body, nullptr, false);
  return r;
}

class CrashWorld {
 public:
  fs::path dir;
  int sandbox_port = 0, port = 0;
  pid_t sandbox = -1, server = -1;
  std::mutex server_mu;  // guards `server` between the killer and the checks
  std::atomic<int> kills{0};
  std::atomic<int> restarts_failed{0};

  CrashWorld() {
    char tmpl[] = "/tmp/gd_crash_test_XXXXXX";
    dir = mkdtemp(tmpl);
    // Policies: the shipped ones, with dispatch settings for a fast test.
    fs::copy(fs::path(GD_SOURCE_DIR) / "policies", dir / "policies", fs::copy_options::recursive);
    Json d;
    {
      std::ifstream in(dir / "policies" / "dispatch.json");
      d = Json::parse(in);
    }
    d["workers"] = 4;
    d["lease_ms"] = 60000;
    d["max_attempts"] = 30;
    d["backoff_base_ms"] = 50;
    d["backoff_max_ms"] = 500;
    d["poll_min_ms"] = 50;
    d["http_timeout_ms"] = 5000;
    for (auto& [kind, rate] : d["rates"].items()) rate["per_second"] = 0;
    std::ofstream(dir / "policies" / "dispatch.json") << d.dump(2);
    fs::create_directories(dir / "no-web");
  }

  void StartSandbox() {
    sandbox_port = FreePort();
    sandbox = Spawn(
        {GD_DISPATCHER_BIN, "sandbox", "--listen", "127.0.0.1:" + std::to_string(sandbox_port),
         "--async-delay-ms", "100", "--seed", "7",
         // Weibo's timeline reaches past all 200 posts, so every share lost to a kill is
         // settled by it (with the default window of 5 it may go to a person instead).
         "--weibo-timeline-window", "1000"},
        {}, (dir / "sandbox.log").string());
    ASSERT_TRUE(WaitSandbox()) << "sandbox did not start; see " << dir / "sandbox.log";
  }

  bool WaitSandbox() {
    for (int i = 0; i < 300; ++i) {
      httplib::Client cli("127.0.0.1", sandbox_port);
      auto res = cli.Get("/_sandbox/stats");
      if (res && res->status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
    return false;
  }

  // Starts `dispatcher serve` on the same port and data directory; true once it answers.
  bool StartServer() {
    std::lock_guard lock(server_mu);
    if (port == 0) port = FreePort();
    server = Spawn({GD_DISPATCHER_BIN, "serve", "--listen", "127.0.0.1:" + std::to_string(port),
                    "--data", (dir / "data").string(), "--policies", (dir / "policies").string(),
                    "--web", (dir / "no-web").string()},
                   {std::string("DISPATCHER_ADMIN_PASSWORD=") + kAdminPassword},
                   (dir / "server.log").string());
    return WaitHealthy(port, 60, server);
  }

  void KillServer() {
    std::lock_guard lock(server_mu);
    Kill(server, SIGKILL);
    ++kills;
  }

  ~CrashWorld() {
    Kill(server, SIGTERM);
    Kill(sandbox, SIGTERM);
    if (!::testing::Test::HasFailure()) fs::remove_all(dir);
  }
};

// Retries `f` (an idempotent step) until it returns a reply with a status, waiting for the
// server to come back between tries.
Reply Retry(CrashWorld& w, const std::function<Reply()>& f) {
  for (int i = 0; i < 400; ++i) {
    Reply r = f();
    if (r.status != 0) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "the server did not answer for 20 s; see " << w.dir / "server.log";
  return {};
}

std::string Token(int k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "崩溃测试第%03d号", k);
  return buf;
}

TEST(Crash, TwoHundredTicketsFourChannelsExactlyOnceThroughTenSigkills) {
  const auto t0 = Clock::now();
  CrashWorld w;
  w.StartSandbox();
  ASSERT_TRUE(w.StartServer()) << "see " << w.dir / "server.log";
  const int port = w.port;

  // ---- seed through the HTTP API (no kills yet) ----
  Reply s =
      Call(port, "POST", "/api/session", "", {{"username", "admin"}, {"password", kAdminPassword}});
  ASSERT_EQ(s.status, 200) << s.body.dump();
  const std::string admin = s.body["token"];
  // The environment's admin password must be replaced at the first sign-in.
  Reply own = Call(port, "POST", "/api/me/password", admin,
                   {{"old_password", kAdminPassword}, {"new_password", kPassword}});
  ASSERT_EQ(own.status, 200) << own.body.dump();
  Reply unit =
      Call(port, "POST", "/api/units", admin, {{"name", "市应急管理局"}, {"kind", "department"}});
  ASSERT_EQ(unit.status, 201) << unit.body.dump();
  const int64_t unit_id = unit.body["id"];
  // The admin belongs to the office (the unit of the operator).
  const int64_t office = Call(port, "GET", "/api/me", admin).body.value("unit_id", int64_t{0});
  ASSERT_NE(office, 0);
  auto user = [&](const std::string& name, int64_t u, const std::string& role) {
    Reply c = Call(port, "POST", "/api/users", admin,
                   {{"username", name},
                    {"name", name},
                    {"unit_id", u},
                    {"roles", {role}},
                    {"password", kInitialPassword}});
    EXPECT_EQ(c.status, 201) << c.body.dump();
    Reply l = Call(port, "POST", "/api/session", "",
                   {{"username", name}, {"password", kInitialPassword}});
    EXPECT_EQ(l.status, 200) << l.body.dump();
    std::string token = l.body.value("token", "");
    Reply p = Call(port, "POST", "/api/me/password", token,
                   {{"old_password", kInitialPassword}, {"new_password", kPassword}});
    EXPECT_EQ(p.status, 200) << p.body.dump();
    return token;
  };
  const std::string editor = user("editor", unit_id, "editor");
  const std::string reviewer = user("reviewer", unit_id, "unit_reviewer");
  const std::string deputy = user("deputy", unit_id, "deputy_leader");
  const std::string sitemgr = user("sitemgr", unit_id, "site_manager");
  const std::string op = user("operator", office, "operator");
  ASSERT_FALSE(HasFailure());

  const std::string base = "http://127.0.0.1:" + std::to_string(w.sandbox_port);
  auto channel = [&](Json body) -> int64_t {
    body["unit_id"] = unit_id;
    body["settings"]["poll_interval_ms"] = 100;
    Reply r = Call(port, "POST", "/api/channels", op, body);
    EXPECT_EQ(r.status, 201) << r.body.dump();
    return r.body.value("id", int64_t{0});
  };
  // Weibo needs the portal's link in its text: the built-in portal goes first.
  const int64_t portal = channel(SandboxChannel("portal", base));
  std::vector<int64_t> channels = {
      channel(SandboxChannel("wechat_mp", base)), channel(SandboxChannel("weibo", base)),
      channel(SandboxChannel("douyin", base)), channel(SandboxChannel("kuaishou", base))};
  ASSERT_FALSE(HasFailure());

  auto upload = [&](const std::string& filename, const std::string& data,
                    const std::string& type) -> int64_t {
    httplib::Client cli("127.0.0.1", port);
    httplib::Headers h{{"Authorization", "Bearer " + editor}};
    httplib::MultipartFormDataItems items{{"file", data, filename, type}};
    auto res = cli.Post("/api/media", h, items);
    EXPECT_TRUE(res && res->status == 201) << (res ? res->body : httplib::to_string(res.error()));
    return res ? Json::parse(res->body, nullptr, false).value("id", int64_t{0}) : 0;
  };
  const int64_t cover = upload("cover.png", SmallPng(), "image/png");
  const int64_t video = upload("v.mp4", SmallMp4(), "video/mp4");
  ASSERT_FALSE(HasFailure());

  // ---- 200 approved tickets (create, submit, two approvals) ----
  Json targets = Json::array();
  targets.push_back({{"account_id", portal}});
  for (int64_t c : channels) targets.push_back({{"account_id", c}});
  const Json checklist = gd::testing::FullChecklist();
  std::vector<int64_t> ids(kTickets);
  for (int k = 0; k < kTickets; ++k) {
    const std::string title = Token(k) + "稿件：全市安全生产检查通报";
    Reply t = Call(
        port, "POST", "/api/tickets", editor,
        {{"category", "work_news"},
         {"title", title},
         {"summary", title + "。"},
         {"body", title + "。会议要求各单位认真落实。"},
         {"column", "工作动态"},
         {"media",
          {{{"media_id", cover}, {"role", "cover"}}, {{"media_id", video}, {"role", "video"}}}},
         {"channels", targets}});
    ASSERT_EQ(t.status, 201) << t.body.dump();
    ids[k] = t.body["id"];
    const std::string path = "/api/tickets/" + std::to_string(ids[k]);
    Reply sub = Call(port, "POST", path + "/submit", editor, {{"proofread", true}});
    ASSERT_EQ(sub.status, 200) << sub.body.dump();
    Json decision = {{"decision", "approve"},
                     {"version_hash", sub.body["content_hash"]},
                     {"comment", "同意"},
                     {"checklist", checklist}};
    ASSERT_EQ(Call(port, "POST", path + "/decisions", reviewer, decision).status, 200);
    Reply d2 = Call(port, "POST", path + "/decisions", deputy, decision);
    ASSERT_EQ(d2.status, 200) << d2.body.dump();
    ASSERT_EQ(d2.body["state"], "approved");
  }
  const double seeded_s = Seconds(t0);

  // ---- publishing, with SIGKILLs at random moments ----
  std::atomic<bool> stop_killing{false};
  std::mt19937 rng(kSeed);
  std::thread killer([&] {
    std::uniform_int_distribution<int> gap(300, 900);
    while (!stop_killing.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(gap(rng)));
      if (stop_killing.load()) break;
      w.KillServer();
      if (!w.StartServer()) {
        ++w.restarts_failed;
        return;
      }
    }
  });

  auto get_ticket = [&](int64_t id) {
    return Retry(w,
                 [&] { return Call(port, "GET", "/api/tickets/" + std::to_string(id), sitemgr); });
  };
  for (int k = 0; k < kTickets && !HasFailure(); ++k) {
    const std::string path = "/api/tickets/" + std::to_string(ids[k]);
    for (int attempt = 0;; ++attempt) {
      ASSERT_LT(attempt, 200) << "ticket " << ids[k] << " could not be published";
      Reply p = Call(port, "POST", path + "/publish", sitemgr, {{"proofread", true}});
      if (p.status == 200 || p.status == 201) break;
      if (p.status != 0 && p.status < 500 && p.status != 409)
        FAIL() << "publish " << ids[k] << " -> " << p.status << " " << p.body.dump();
      // The answer was lost (or the state moved on): what does the server say now?
      Reply t = get_ticket(ids[k]);
      ASSERT_EQ(t.status, 200) << t.body.dump();
      if (t.body["state"] != "approved") break;  // our publish went through
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  const double published_requests_s = Seconds(t0);

  // Kill until at least kMinKills happened, then let the dispatches finish (bounded).
  auto all_final = [&](std::map<int64_t, Json>* out) {
    bool done = true;
    for (int64_t id : ids) {
      Reply r = Call(port, "GET", "/api/tickets/" + std::to_string(id) + "/dispatches", sitemgr);
      if (r.status != 200) return false;
      Json items = r.body["items"];
      if (out) (*out)[id] = items;
      if (items.size() != channels.size() + 1) done = false;
      for (const auto& d : items)
        if (d["state"] != "published" && d["state"] != "failed") done = false;
      if (!done && !out) return false;
    }
    return done;
  };
  // Keep killing while dispatches are still in progress (up to kMaxKills), so that kills land
  // in every phase: claims, uploads, publish calls, async polls.
  while (w.restarts_failed.load() == 0 &&
         (w.kills.load() < kMinKills || (w.kills.load() < kMaxKills && !all_final(nullptr))))
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  stop_killing.store(true);
  killer.join();
  ASSERT_EQ(w.restarts_failed.load(), 0) << "a restart failed; see " << w.dir / "server.log";
  ASSERT_TRUE(WaitHealthy(port, 30, w.server));
  const double kills_done_s = Seconds(t0);
  const auto final_deadline = Clock::now() + std::chrono::seconds(90);
  while (!all_final(nullptr) && Clock::now() < final_deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  std::map<int64_t, Json> dispatches;
  bool finished = all_final(&dispatches);
  const double final_s = Seconds(t0);

  // ---- the sandbox's records vs the dispatcher's ----
  httplib::Client sb("127.0.0.1", w.sandbox_port);
  auto res = sb.Get("/_sandbox/posts");
  ASSERT_TRUE(res && res->status == 200);
  const Json posts = Json::parse(res->body)["items"];
  // platform -> ticket index -> live posts; platform -> remote ids.
  std::map<std::string, std::map<int, int>> live;
  std::map<std::string, std::set<std::string>> remote_ids;
  for (const auto& p : posts) {
    if (p["deleted"].get<bool>()) continue;
    const std::string text = p["title"].get<std::string>() + "\n" + p["text"].get<std::string>();
    auto at = text.find("崩溃测试第");
    if (at == std::string::npos) continue;
    int k = std::atoi(text.c_str() + at + std::string("崩溃测试第").size());
    live[p["platform"]][k]++;
    remote_ids[p["platform"]].insert(p["remote_id"]);
  }
  const std::map<std::string, std::string> platform_of = {
      {"wechat_mp", "wechat"}, {"weibo", "weibo"}, {"douyin", "douyin"}, {"kuaishou", "kuaishou"}};
  int exact = 0, problems = 0;
  for (int k = 0; k < kTickets; ++k) {
    for (const auto& [kind, platform] : platform_of) {
      int n = live[platform][k];
      if (n == 1) {
        ++exact;
      } else if (++problems <= 20) {
        ADD_FAILURE() << "ticket " << ids[k] << " (" << Token(k) << ") has " << n << " posts on "
                      << platform;
      }
    }
    const Json& items = dispatches[ids[k]];
    EXPECT_EQ(items.size(), channels.size() + 1) << "ticket " << ids[k];
    for (const auto& d : items) {
      if (d["state"] != "published") {
        if (++problems <= 20) ADD_FAILURE() << "ticket " << ids[k] << ": " << d.dump();
        continue;
      }
      if (d["kind"] == "portal") continue;
      const std::string platform = platform_of.at(d["kind"]);
      const std::string rid = d["remote_id"].is_string() ? d["remote_id"].get<std::string>() : "";
      if (!remote_ids[platform].count(rid) && ++problems <= 20)
        ADD_FAILURE() << "ticket " << ids[k] << ": recorded remote_id " << rid
                      << " is not a live post on " << platform << ": " << d.dump();
    }
  }
  EXPECT_TRUE(finished) << "not every dispatch reached a final state within 90 s";
  EXPECT_EQ(exact, kTickets * 4);
  EXPECT_GE(w.kills.load(), kMinKills);
  std::cout << "crash_test: " << kTickets << " tickets x 4 channels, " << w.kills.load()
            << " SIGKILLs; seeded+approved at " << seeded_s << " s, all publish requests at "
            << published_requests_s << " s, kills done at " << kills_done_s << " s, all final at "
            << final_s << " s; " << exact << "/" << kTickets * 4
            << " ticket-channel pairs exactly once; data " << w.dir << "\n";
}

}  // namespace
