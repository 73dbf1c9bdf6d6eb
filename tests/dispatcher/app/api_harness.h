// A real server (App) on a loopback port with a fake clock, seeded once per test process.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dispatcher/app/app.h"

namespace gd::testing {

struct Resp {
  int status = 0;
  Json json;
  std::string body;
  std::string header_set_cookie;
  std::string location;  // the Location header of a redirect
  std::string Code() const {
    return json.is_object() && json.contains("error") ? json["error"].value("code", "") : "";
  }
};

// gtest prints an answer as its status; ApiError adds the body when it does not match.
inline void PrintTo(const Resp& r, std::ostream* os) { *os << "HTTP " << r.status; }

class Harness {
 public:
  static Harness& Get();
  // Set before the first Get() to change the App's configuration (a test binary of its own).
  static std::function<void(AppConfig&)>& ConfigHook();

  FakeClock clock{0};
  std::filesystem::path dir;
  std::unique_ptr<App> app;
  int port = 0;
  int64_t office_unit = 0, unit_a = 0, unit_b = 0;
  int64_t portal_a = 0, wechat_a = 0, weibo_a = 0, portal_b = 0;
  TimeMs start_time = 0;

  // Signs in once per user (password kPassword) and caches the bearer token.
  std::string Token(const std::string& username);
  Resp Call(const std::string& method, const std::string& path, const std::string& token,
            const Json& body = nullptr);
  Resp Raw(const std::string& method, const std::string& path,
           const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
           const std::string& content_type = "application/json");
  // Creates a user directly (no forced password change) with kPassword.
  int64_t AddUser(const std::string& username, int64_t unit, const std::vector<Role>& roles);

  // A ticket body for the given category and channels.
  Json TicketBody(const std::string& category, const std::vector<int64_t>& channels) const;
  // Creates a ticket as `editor` and returns its JSON (asserting 201).
  Json Create(const std::string& editor, const Json& body);
  Json Submit(const std::string& editor, int64_t id);
  Resp Decide(const std::string& who, int64_t id, const std::string& hash,
              const std::string& decision = "approve", Json extra = Json::object());
  static Json FullChecklist();

  static constexpr const char* kPassword = "Test@Pass2026!";
  // The bootstrap admin's password from the "environment"; the harness replaces it with
  // kPassword through POST /api/me/password, as a first sign-in must.
  static constexpr const char* kBootstrapPassword = "Boot@Strap2026!";

 private:
  Harness();
  std::mutex mu_;
  std::map<std::string, std::string> tokens_;
};

// The fixture of the HTTP tests that share the process's App: one suite, "Api", whose cases sit
// in the folder of the area they test (tests/README.md).
class Api : public ::testing::Test {
 protected:
  Harness& h = Harness::Get();
};

}  // namespace gd::testing
