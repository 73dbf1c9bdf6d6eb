// Finding 1 (critical): any file on the machine could be read without signing in, because an
// absolute request path replaced the root when joined. The traversal table below is sent byte
// for byte to a real server; nothing outside the served roots may come back.
#include "dispatcher/http/static_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "dispatcher/http/routes/routes.h"
#include "dispatcher/http/server.h"
#include "tests/security/tcp_client.h"

namespace gd {
namespace {

namespace fs = std::filesystem;
using testing::GetRaw;

constexpr const char* kSecret = "TOP-SECRET-MASTER-KEY";

void Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

class StaticFiles : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("gd-static-" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    Write(*dir_ / "web/index.html", "CONSOLE-INDEX");
    Write(*dir_ / "web/assets/app.js", "console.log(1)");
    Write(*dir_ / "web/.env", kSecret);
    Write(*dir_ / "site/index.html", "SITE-HOME");
    Write(*dir_ / "site/art/2026/a.html", "ARTICLE");
    Write(*dir_ / "site/.git/config", kSecret);
    Write(*dir_ / "keys/master.key", kSecret);
    Write(*dir_ / "secret.txt", kSecret);
    Write(*dir_ / "site/index.html.bak", kSecret);
    Write(*dir_ / "site/art/2026/a.html~", kSecret);
    Write(*dir_ / "site/dump.sql", kSecret);
    fs::create_symlink(*dir_ / "secret.txt", *dir_ / "site/escape.html");
    fs::create_symlink(*dir_ / "keys", *dir_ / "site/keys");
    fs::create_symlink(*dir_ / "site/index.html", *dir_ / "site/inside.html");
    ServerOptions opt;
    opt.port = 0;
    opt.web_dir = *dir_ / "web";
    opt.site_dir = *dir_ / "site";
    server_ = new HttpServer(HealthRoutes(), nullptr, opt);  // files and one public JSON route
    ASSERT_TRUE(server_->Bind().ok());
    thread_ = new std::thread([] { server_->Run(); });
  }
  static void TearDownTestSuite() {
    server_->Stop();
    thread_->join();
    delete thread_;
    delete server_;
    fs::remove_all(*dir_);
    delete dir_;
  }
  static int port() { return server_->port(); }
  static std::string root() { return dir_->string(); }

  static fs::path* dir_;
  static HttpServer* server_;
  static std::thread* thread_;
};
fs::path* StaticFiles::dir_ = nullptr;
HttpServer* StaticFiles::server_ = nullptr;
std::thread* StaticFiles::thread_ = nullptr;

// Nothing outside the roots, no hidden file, nothing of the system.
void ExpectNothingLeaked(const testing::RawResponse& r, const std::string& target) {
  EXPECT_EQ(r.body.find(kSecret), std::string::npos) << target;
  EXPECT_EQ(r.body.find("root:"), std::string::npos) << target;
  EXPECT_EQ(r.body.find("PATH="), std::string::npos) << target;
  EXPECT_NE(r.status, 500) << target;
}

TEST_F(StaticFiles, ServesWhatIsUnderTheRoots) {
  EXPECT_EQ(GetRaw(port(), "/site/").body, "SITE-HOME");
  EXPECT_EQ(GetRaw(port(), "/site").body, "SITE-HOME");
  EXPECT_EQ(GetRaw(port(), "/site/art/2026/a.html").body, "ARTICLE");
  EXPECT_EQ(GetRaw(port(), "/site/art/2026/%61.html").body, "ARTICLE");
  EXPECT_EQ(GetRaw(port(), "/site/inside.html").body, "SITE-HOME");  // a symlink within the root
  EXPECT_EQ(GetRaw(port(), "/assets/app.js").body, "console.log(1)");
  EXPECT_EQ(GetRaw(port(), "/").body, "CONSOLE-INDEX");
  EXPECT_EQ(GetRaw(port(), "/tickets/12").body, "CONSOLE-INDEX");  // the app's own routes
}

TEST_F(StaticFiles, TraversalTableUnderSite) {
  const std::string abs = root() + "/secret.txt";
  const std::vector<std::string> table = {
      "/site//etc/passwd",
      "/site//proc/self/environ",
      "/site/%2Fetc/passwd",
      "/site/%2fetc%2fpasswd",
      "/site/%2F" + abs.substr(1),
      "/site/" + abs,
      "/site/../secret.txt",
      "/site/..%2Fsecret.txt",
      "/site/%2e%2e/secret.txt",
      "/site/%2E%2E%2Fsecret.txt",
      "/site/%252e%252e%252fsecret.txt",  // double-encoded: decoded once, it names no file
      "/site/..%5Csecret.txt",
      "/site/%5C..%5Csecret.txt",
      "/site/..\\secret.txt",
      "/site/%c0%ae%c0%ae/secret.txt",   // overlong UTF-8 for "."
      "/site/%c0%af..%c0%afsecret.txt",  // overlong UTF-8 for "/"
      "/site/%e0%80%ae%e0%80%ae/secret.txt",
      "/site/art/../../secret.txt",
      "/site/art//2026/a.html",
      "/site/./index.html",
      "/site/escape.html",      // a symlink out of the root
      "/site/keys/master.key",  // a directory symlink out of the root
      "/site/.git/config",
      "/site/index.html%00.txt",
      "/site/%00",
      "/site/art/2026/a.html%00",
      "/site/%ff%fe",
      "/site/\x01index.html",
      "/site/index.html.bak",  // only listed file types are served (ASVS 12.5.1)
      "/site/art/2026/a.html~",
      "/site/dump.sql",
  };
  for (const auto& target : table) {
    auto r = GetRaw(port(), target);
    ExpectNothingLeaked(r, target);
    EXPECT_TRUE(r.status == 404 || r.status == 400) << target << " -> " << r.status;
  }
}

TEST_F(StaticFiles, TraversalTableUnderTheConsole) {
  const std::string abs = root() + "/secret.txt";
  const std::vector<std::string> table = {
      "//etc/passwd",
      "//proc/self/environ",
      "/%2Fetc/hostname",
      "/%2fproc%2fself%2fenviron",
      "/" + abs,
      "/%2F" + abs.substr(1),
      "//" + root() + "/keys/master.key",
      "/../secret.txt",
      "/..%2fsecret.txt",
      "/%2e%2e/secret.txt",
      "/assets/../../secret.txt",
      "/assets/%2e%2e%2f%2e%2e%2fsecret.txt",
      "/assets/..%5c..%5csecret.txt",
      "/%c0%ae%c0%ae/secret.txt",
      "/.env",
      "/%2eenv",
      "/assets/app.js%00.html",
  };
  for (const auto& target : table) {
    auto r = GetRaw(port(), target);
    ExpectNothingLeaked(r, target);
    // The single-page app answers unknown paths with its own index page, never with a file.
    EXPECT_TRUE(r.status == 404 || r.status == 400 || r.body == "CONSOLE-INDEX")
        << target << " -> " << r.status << " " << r.body.substr(0, 80);
  }
}

// Finding 9: CSP and framing protection reached only the single-page fallback. Every answer now
// carries them once, with the policy that fits what it is.
TEST_F(StaticFiles, EveryAnswerCarriesSecurityHeadersOnce) {
  auto count = [](const std::string& head, const std::string& name) {
    size_t n = 0;
    for (size_t p = head.find("\r\n" + name + ":"); p != std::string::npos;
         p = head.find("\r\n" + name + ":", p + 1))
      ++n;
    return n;
  };
  struct Case {
    std::string target;
    std::string csp_part;  // what the policy of this kind of answer must contain
  };
  const std::vector<Case> cases = {
      {"/", "default-src 'self'"},
      {"/index.html", "default-src 'self'"},
      {"/assets/app.js", "default-src 'self'"},
      {"/tickets/3", "default-src 'self'"},
      {"/site/", "script-src"},
      {"/site/art/2026/a.html", "script-src"},
      {"/site/missing.html", "script-src"},
      {"/site//etc/passwd", "script-src"},
      {"/api/none", "default-src 'none'"},
      {"/healthz", "default-src 'none'"},
  };
  for (const auto& c : cases) {
    auto r = GetRaw(port(), c.target);
    ASSERT_NE(r.status, 0) << c.target;
    EXPECT_EQ(count(r.head, "Content-Security-Policy"), 1u) << c.target << "\n" << r.head;
    EXPECT_NE(r.Header("Content-Security-Policy").find("frame-ancestors"), std::string::npos)
        << c.target;
    EXPECT_NE(r.Header("Content-Security-Policy").find(c.csp_part), std::string::npos)
        << c.target << ": " << r.Header("Content-Security-Policy");
    EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff") << c.target;
    EXPECT_FALSE(r.Header("Referrer-Policy").empty()) << c.target;
    EXPECT_FALSE(r.Header("X-Frame-Options").empty()) << c.target;
  }
}

// The resolver alone, for inputs an HTTP request line cannot carry.
TEST_F(StaticFiles, ResolverRefusesWhatIsNotAPlainRelativePath) {
  const fs::path site = *dir_ / "site";
  EXPECT_TRUE(ResolveUnder(site, "art/2026/a.html"));
  EXPECT_TRUE(ResolveUnder(site, ""));
  EXPECT_EQ(ResolveUnder(site, "")->filename(), "index.html");
  EXPECT_FALSE(ResolveUnder(site, "art/2026/"));  // a directory without index.html
  for (std::string_view bad :
       {std::string_view("/etc/passwd"), std::string_view("a/../index.html"),
        std::string_view("..", 2), std::string_view("index.html\0x", 12), std::string_view("a\\b"),
        std::string_view("art//2026/a.html"), std::string_view("./index.html"),
        std::string_view("\xc0\xae\xc0\xae/secret.txt")}) {
    EXPECT_FALSE(ResolveUnder(site, bad)) << bad;
  }
  EXPECT_FALSE(ResolveUnder(fs::path(), "index.html"));
  EXPECT_FALSE(ResolveUnder(*dir_ / "missing", "index.html"));
}

}  // namespace
}  // namespace gd
