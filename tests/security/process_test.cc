// Issue 12, finding 7 (the data directory was open to other local users; the process kept root
// without a word) and finding 9's configuration part (the Secure cookie flag could not be set:
// the config file's keys were read by an untyped lambda that ignored unknown ones), plus the
// connection limits as the configuration wires them into the real server.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "dispatcher/app/app.h"
#include "dispatcher/store/user_repo.h"
#include "tests/security/tcp_client.h"
#include "tests/support/status_matchers.h"

extern char** environ;

namespace gd {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr const char* kPassword = "Test@Pass2026!";

fs::path TempDir() {
  char tmpl[] = "/tmp/gd_process_test_XXXXXX";
  return mkdtemp(tmpl);
}

mode_t ModeOf(const fs::path& p) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

AppConfig ConfigFor(const fs::path& data) {
  AppConfig cfg;
  cfg.data_dir = data;
  cfg.port = 0;
  cfg.admin_password = kPassword;
  cfg.web_dir = data.parent_path() / "no-web";
  cfg.threads = 8;
  cfg.run_dispatch = false;
  return cfg;
}

std::unique_ptr<App> StartApp(const AppConfig& cfg) {
  auto app = App::Create(cfg);
  if (!app.ok()) {
    ADD_FAILURE() << app.status().ToString();
    return nullptr;
  }
  Status st = (*app)->Start();
  if (!st.ok()) {
    ADD_FAILURE() << st.ToString();
    return nullptr;
  }
  return std::move(app).value();
}

AuthContext Admin(App& app) {
  AuthContext admin;
  (void)app.store().Read([&](Tx& tx) -> Status {
    admin.user = **user_repo::GetUserByName(tx, "admin");
    return Status::Ok();
  });
  return admin;
}

// Every directory under `root` (itself included) is 0700 and no file has group or other bits
// (symbolic links are not followed).
void ExpectPrivate(const fs::path& root) {
  EXPECT_EQ(ModeOf(root), 0700u) << root.string();
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_symlink()) continue;  // a link's own mode is always 0777 and never used
    mode_t m = ModeOf(e.path());
    if (e.is_directory())
      EXPECT_EQ(m, 0700u) << e.path().string() << " is " << std::oct << m;
    else
      EXPECT_EQ(m & 077, 0u) << e.path().string() << " is " << std::oct << m;
  }
}

class DataDirTest : public ::testing::Test {
 protected:
  // A login shell's usual umask: files 0644, directories 0755 unless the server sees to it.
  void SetUp() override {
    ::umask(022);
    dir_ = TempDir();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

TEST_F(DataDirTest, EverythingTheServerCreatesIsPrivateToItsUser) {
  const fs::path data = dir_ / "data";
  auto app = StartApp(ConfigFor(data));
  ASSERT_TRUE(app);
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x08\x08\x02\0\0\0", 29);
  auto uploaded = app->media().Upload(Admin(*app), "a.png", png);
  ASSERT_TRUE(uploaded.ok()) << uploaded.status().ToString();
  const std::string sha = (*uploaded)["sha256"].get<std::string>();

  // While the server runs: the database with its WAL and shared-memory files, the key, media.
  for (const char* name : {"dispatcher.db", "dispatcher.db-wal", "dispatcher.db-shm"}) {
    ASSERT_TRUE(fs::exists(data / name)) << name;
    EXPECT_EQ(ModeOf(data / name), 0600u) << name << " is " << std::oct << ModeOf(data / name);
  }
  EXPECT_EQ(ModeOf(data), 0700u);
  EXPECT_EQ(ModeOf(data / "keys"), 0700u);
  EXPECT_EQ(ModeOf(data / "keys" / "master.key"), 0600u);
  EXPECT_EQ(ModeOf(data / "media"), 0700u);
  EXPECT_EQ(ModeOf(data / "media" / sha.substr(0, 2)), 0700u);
  EXPECT_EQ(ModeOf(data / "media" / sha.substr(0, 2) / sha), 0600u);
  ExpectPrivate(data);
  app->Stop();
}

TEST_F(DataDirTest, LooseExistingDataDirIsTightenedAtStartAndLogged) {
  const fs::path data = dir_ / "data";
  {
    auto app = StartApp(ConfigFor(data));
    ASSERT_TRUE(app);
    app->Stop();
  }
  // As an older version (or a careless copy) left it.
  ::umask(022);
  ::chmod(data.c_str(), 0755);
  for (const auto& e : fs::recursive_directory_iterator(data))
    ::chmod(e.path().c_str(), e.is_directory() ? 0755 : 0644);
  fs::create_directories(data / "media" / "ab");
  std::ofstream(data / "media" / "ab" / "old-upload") << "x";
  ::chmod((data / "media").c_str(), 0777);
  ::chmod((data / "media" / "ab" / "old-upload").c_str(), 0666);
  // A link out of the data dir is not followed (chmod would change its target).
  std::ofstream(dir_ / "outside") << "x";
  ::chmod((dir_ / "outside").c_str(), 0644);
  fs::create_symlink(dir_ / "outside", data / "link");
  ASSERT_EQ(ModeOf(data / "keys" / "master.key"), 0644u);

  ::testing::internal::CaptureStderr();
  auto app = StartApp(ConfigFor(data));
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(app);
  ExpectPrivate(data);
  EXPECT_EQ(ModeOf(dir_ / "outside"), 0644u);
  EXPECT_NE(log.find("open to other users"), std::string::npos) << log;
  app->Stop();
}

// --- configuration ---------------------------------------------------------------------------

TEST(Config, UnknownKeyIsRejectedNamingIt) {
  AppConfig cfg;
  Status st = ApplyConfigJson(Json{{"listen", "127.0.0.1:9000"}, {"secure_cookie", true}},
                              "/etc/dispatcher.json", &cfg);
  ASSERT_THAT(st, StatusIs(Code::kInvalidArgument, "invalid"));
  EXPECT_TRUE(st.details()["fields"].contains("secure_cookie"));
  // The text is the behaviour: the operator starting the server reads which key in which file.
  EXPECT_THAT(st.message(), ::testing::AllOf(::testing::HasSubstr("secure_cookie"),
                                             ::testing::HasSubstr("/etc/dispatcher.json")));
  EXPECT_EQ(cfg.port, 8080) << "nothing is applied from a rejected file";
}

TEST(Config, EveryKeyIsTypedAndChecked) {
  struct Case {
    Json json;
    std::string key;
  };
  const std::vector<Case> bad = {
      {{{"secure_cookies", "yes"}}, "secure_cookies"},
      {{{"listen", "127.0.0.1"}}, "listen"},
      {{{"listen", "127.0.0.1:70000"}}, "listen"},
      {{{"threads", 0}}, "threads"},
      {{{"threads", 2.5}}, "threads"},
      {{{"max_connections_per_address", -1}}, "max_connections_per_address"},
      {{{"request_deadline_seconds", 0}}, "request_deadline_seconds"},
      {{{"trusted_proxies", "127.0.0.1"}}, "trusted_proxies"},
      {{{"trusted_proxies", {"127.0.0.1", "proxy.local"}}}, "trusted_proxies"},
      {{{"public_url", "www.example.gov.cn"}}, "public_url"},
      {{{"data", ""}}, "data"},
  };
  for (const auto& c : bad) {
    AppConfig cfg;
    Status st = ApplyConfigJson(c.json, "f.json", &cfg);
    EXPECT_THAT(st, StatusIs(Code::kInvalidArgument, "invalid")) << c.json.dump();
    EXPECT_TRUE(st.details()["fields"].contains(c.key)) << st.ToString();
    // The text is the behaviour: the operator starting the server reads the key's name.
    EXPECT_THAT(st.message(), ::testing::HasSubstr(c.key));
  }
  AppConfig cfg;
  Status st =
      ApplyConfigJson(Json::parse(R"({"listen": "[::1]:9001", "data": "/srv/d", "policies": "/p",
                      "templates": "/t", "web": "/w", "public_url": "https://www.example.gov.cn/",
                      "threads": 32, "secure_cookies": true,
                      "trusted_proxies": ["127.0.0.1", "10.0.0.0/8"],
                      "max_connections_per_address": 16, "request_deadline_seconds": 20})"),
                      "f.json", &cfg);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(cfg.host, "::1");
  EXPECT_EQ(cfg.port, 9001);
  EXPECT_EQ(cfg.data_dir.string(), "/srv/d");
  EXPECT_EQ(cfg.policies_dir.string(), "/p");
  EXPECT_EQ(cfg.templates_dir.string(), "/t");
  EXPECT_EQ(cfg.web_dir.string(), "/w");
  EXPECT_EQ(cfg.public_url, "https://www.example.gov.cn/");
  EXPECT_EQ(cfg.threads, 32);
  EXPECT_TRUE(cfg.secure_cookies);
  EXPECT_EQ(cfg.trusted_proxies, (std::vector<std::string>{"127.0.0.1", "10.0.0.0/8"}));
  EXPECT_EQ(cfg.max_connections_per_address, 16);
  EXPECT_EQ(cfg.request_deadline_seconds, 20);
}

TEST(Config, EveryKeyIsDocumentedAndTheShippedExampleIsValid) {
  std::ifstream in(fs::path(GD_SOURCE_DIR) / "docs" / "configuration.md");
  std::stringstream doc;
  doc << in.rdbuf();
  for (const std::string& key : ConfigKeys())
    EXPECT_NE(doc.str().find("`" + key + "`"), std::string::npos) << key << " is not documented";
  AppConfig cfg;
  Status st = ApplyConfigFile(fs::path(GD_SOURCE_DIR) / "deploy" / "dispatcher.json", &cfg);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(cfg.secure_cookies);
}

std::string Login(int port) {
  httplib::Client cli("127.0.0.1", port);
  auto res = cli.Post("/api/session", Json{{"username", "admin"}, {"password", kPassword}}.dump(),
                      "application/json");
  if (!res) return "(no answer)";
  return res->get_header_value("Set-Cookie");
}

TEST(Config, SecureCookiesFromTheConfigFileMarkTheSessionCookieSecure) {
  ::umask(077);
  fs::path dir = TempDir();
  fs::path file = dir / "dispatcher.json";
  std::ofstream(file) << R"({"secure_cookies": true})";
  AppConfig cfg = ConfigFor(dir / "data");
  ASSERT_TRUE(ApplyConfigFile(file, &cfg).ok());
  auto app = StartApp(cfg);
  ASSERT_TRUE(app);
  std::string cookie = Login(app->port());
  EXPECT_NE(cookie.find("gd_session="), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; Secure"), std::string::npos) << cookie;
  // Signing out clears the cookie with the same attributes.
  const std::string token = cookie.substr(11, cookie.find(';') - 11);
  httplib::Client cli("127.0.0.1", app->port());
  auto out = cli.Delete("/api/session", {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 200) << out->body;
  EXPECT_NE(out->get_header_value("Set-Cookie").find("; Secure"), std::string::npos)
      << out->get_header_value("Set-Cookie");
  app->Stop();
  app.reset();

  // And without the key, plain HTTP keeps working (no Secure flag).
  cfg = ConfigFor(dir / "data");
  app = StartApp(cfg);
  ASSERT_TRUE(app);
  cookie = Login(app->port());
  EXPECT_NE(cookie.find("gd_session="), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << cookie;
  app->Stop();
  fs::remove_all(dir);
}

// The configured cap reaches the real server; loopback (127.0.0.1, where a reverse proxy
// connects from) is not capped.
TEST(Config, ConnectionCapReachesTheServer) {
  ::umask(077);
  fs::path dir = TempDir();
  AppConfig cfg = ConfigFor(dir / "data");
  ASSERT_TRUE(ApplyConfigJson(Json{{"max_connections_per_address", 2}}, "f.json", &cfg).ok());
  auto app = StartApp(cfg);
  ASSERT_TRUE(app);
  const std::string get = "GET /api/me HTTP/1.1\r\nHost: t\r\n\r\n";
  std::vector<std::unique_ptr<testing::TcpClient>> held;
  for (const char* source : {"127.0.0.2", "127.0.0.2", "127.0.0.1", "127.0.0.1", "127.0.0.1"}) {
    held.push_back(std::make_unique<testing::TcpClient>(app->port(), source));
    ASSERT_TRUE(held.back()->Send(get));
    EXPECT_EQ(held.back()->ReadResponse(milliseconds(5000)), 401) << source;
  }
  testing::TcpClient over(app->port(), "127.0.0.2");
  (void)over.Send(get);
  std::string received;
  EXPECT_TRUE(over.WaitClosed(milliseconds(2000), &received));
  EXPECT_EQ(received, "");
  app->Stop();
  fs::remove_all(dir);
}

// The configured deadline reaches the real server: a client sending its request header one
// byte a second (each byte well within the 30 s per-read timeout) is answered 408 and cut off
// at request_deadline_seconds (2 here; 30 by default).
TEST(Config, RequestDeadlineCutsOffATricklingClient) {
  ::umask(077);
  fs::path dir = TempDir();
  AppConfig cfg = ConfigFor(dir / "data");
  ASSERT_TRUE(ApplyConfigJson(Json{{"request_deadline_seconds", 2}}, "f.json", &cfg).ok());
  auto app = StartApp(cfg);
  ASSERT_TRUE(app);
  testing::TcpClient c(app->port());
  ASSERT_TRUE(c.connected());
  const std::string request = "GET /api/me HTTP/1.1\r\nHost: t\r\nX-Slow: aaaaaaaaaa\r\n\r\n";
  const auto start = std::chrono::steady_clock::now();
  std::string received;
  // Waiting for the server's answer paces the client: at most one byte a second.
  const bool closed =
      c.TrickleUntilClosed(request, milliseconds(1000), milliseconds(2000), &received);
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(closed) << "the trickling client was never cut off";
  EXPECT_GE(elapsed, 1.9);
  EXPECT_LE(elapsed, 3.5);
  EXPECT_EQ(received.rfind("HTTP/1.1 408 ", 0), 0u) << received;
  app->Stop();
  fs::remove_all(dir);
}

// --- the binary ------------------------------------------------------------------------------

struct ProcessRun {
  int exit_code = -1;
  std::string output;
};

// Runs the dispatcher binary with `args`; when `until` is not empty, reads its stderr until that
// text appears, then stops it with SIGTERM (as systemd would).
ProcessRun RunDispatcher(std::vector<std::string> args, const std::string& until = "") {
  int pipe_fd[2];
  if (::pipe(pipe_fd) != 0) return {};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipe_fd[1], 2);
  posix_spawn_file_actions_addclose(&actions, pipe_fd[0]);
  args.insert(args.begin(), GD_DISPATCHER_BIN);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, GD_DISPATCHER_BIN, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fd[1]);
  ProcessRun run;
  if (rc != 0) {
    ::close(pipe_fd[0]);
    return run;
  }
  char buf[4096];
  ssize_t n;
  bool signalled = false;
  while ((n = ::read(pipe_fd[0], buf, sizeof(buf))) > 0) {
    run.output.append(buf, static_cast<size_t>(n));
    if (!until.empty() && !signalled && run.output.find(until) != std::string::npos) {
      ::kill(pid, SIGTERM);
      signalled = true;
    }
  }
  ::close(pipe_fd[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

TEST(Binary, ConfigFileWithAnUnknownKeyStopsTheStartNamingIt) {
  fs::path dir = TempDir();
  std::ofstream(dir / "dispatcher.json") << R"({"listen": "127.0.0.1:0", "secure_cookie": true})";
  ProcessRun run = RunDispatcher(
      {"serve", "--config", (dir / "dispatcher.json").string(), "--data", (dir / "data").string()});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("secure_cookie"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(dir / "data")) << "nothing opened before the configuration is valid";
  fs::remove_all(dir);
}

TEST(Binary, ServeAsRootWarnsInChineseAndEnglishAndStillRuns) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (CI runs as root)";
  fs::path dir = TempDir();
  ::setenv("DISPATCHER_ADMIN_PASSWORD", kPassword, 1);
  ProcessRun run = RunDispatcher({"serve", "--listen", "127.0.0.1:0", "--data",
                                  (dir / "data").string(), "--web", (dir / "no-web").string()},
                                 "serving on");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("正以 root 身份运行"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("running as root"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("serving on"), std::string::npos) << run.output;
  EXPECT_EQ(ModeOf(dir / "data"), 0700u);
  EXPECT_EQ(ModeOf(dir / "data" / "dispatcher.db"), 0600u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace gd
