// Role x endpoint: every route of the server against every role, from an explicit table.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "tests/dispatcher/app/api_harness.h"
#include "tests/support/status_matchers.h"

namespace gd::testing {
namespace {

const std::vector<std::string> kAny = {};
const std::vector<std::string> kPublic = {"<public>"};

// Who may call what (docs/api.md §2-§4). The route-level role gate; unit and author rules are
// enforced by the services and tested in review_rules_test.cc.
const std::map<std::string, std::vector<std::string>>& Expected() {
  static const std::map<std::string, std::vector<std::string>> m = {
      {"POST /api/session", kPublic},
      {"DELETE /api/session", kAny},
      {"GET /api/me", kAny},
      {"POST /api/me/password", kAny},
      {"GET /api/units", {"admin", "office", "operator"}},
      {"POST /api/units", {"admin"}},
      {"GET /api/users", {"admin", "office"}},
      {"POST /api/users", {"admin"}},
      {"PATCH /api/users/(\\d+)", {"admin"}},
      {"GET /api/login-locks", {"admin", "office"}},
      {"DELETE /api/login-locks/(\\d+)", {"admin", "office"}},
      {"POST /api/users/(\\d+)/unlock", {"admin", "office"}},
      {"POST /api/tickets", {"editor"}},
      {"GET /api/tickets", kAny},
      {"GET /api/tickets/(\\d+)", kAny},
      {"PUT /api/tickets/(\\d+)", {"editor"}},
      {"GET /api/tickets/(\\d+)/previews", kAny},
      {"GET /api/tickets/(\\d+)/checks", kAny},
      {"GET /api/tickets/(\\d+)/history", kAny},
      {"POST /api/tickets/(\\d+)/submit", {"editor"}},
      {"POST /api/tickets/(\\d+)/recall", {"editor"}},
      {"POST /api/tickets/(\\d+)/decisions",
       {"unit_reviewer", "deputy_leader", "principal_leader", "site_manager", "office"}},
      {"POST /api/check", kAny},
      {"POST /api/media", {"editor"}},
      {"GET /api/media/(\\d+)", kAny},
      {"GET /api/media/by-sha256/([0-9a-f]{64})", kAny},
      {"GET /api/channel-kinds", kAny},
      {"GET /api/channels", kAny},
      {"POST /api/channels", {"operator"}},
      {"GET /api/channels/(\\d+)", kAny},
      {"PATCH /api/channels/(\\d+)", {"operator"}},
      {"POST /api/channels/(\\d+)/test", {"operator"}},
      {"POST /api/channels/(\\d+)/oauth/start", {"operator"}},
      {"POST /api/oauth/complete", {"operator"}},
      {"GET /api/oauth/callback", kPublic},
      {"GET /api/channel-events/(\\d+)", kPublic},
      {"POST /api/channel-events/(\\d+)", kPublic},
      {"GET /api/audit", {"admin", "office", "auditor"}},
      {"GET /api/audit/verify", {"admin", "office", "auditor"}},
      {"GET /api/archive", {"office", "auditor", "deputy_leader", "principal_leader"}},
      {"GET /api/archive/filings", {"office", "auditor"}},
      {"POST /api/archive/filings", {"deputy_leader", "principal_leader", "site_manager"}},
      {"GET /api/monitor/freshness", {"office", "auditor", "admin"}},
      {"GET /api/personnel", {"office", "admin", "auditor"}},
      {"GET /api/monitor/rescans", {"office", "auditor", "deputy_leader", "principal_leader"}},
      {"POST /api/monitor/rescans", {"office"}},
      {"POST /api/monitor/rescans/(\\d+)/correction", {"editor"}},
      {"GET /healthz", kPublic},
      {"GET /api/openapi.json", kPublic},
      {"POST /api/tickets/(\\d+)/publish", {"site_manager"}},
      {"GET /api/tickets/(\\d+)/dispatches", kAny},
      {"POST /api/tickets/(\\d+)/dispatches/(\\d+)/retry", {"site_manager"}},
      {"POST /api/tickets/(\\d+)/dispatches/(\\d+)/confirm", {"site_manager", "operator"}},
      {"POST /api/tickets/(\\d+)/dispatches/(\\d+)/not-published", {"site_manager", "operator"}},
      {"POST /api/tickets/(\\d+)/withdrawals",
       {"site_manager", "deputy_leader", "principal_leader"}},
      {"GET /api/tickets/(\\d+)/withdrawals", kAny},
      {"GET /api/withdrawals", {"office", "auditor", "admin"}},
      {"POST /api/withdrawals/(\\d+)/decisions", {"office"}},
      {"GET /metrics", kPublic},
  };
  return m;
}

std::string Concrete(const std::string& pattern) {
  std::string p =
      std::regex_replace(pattern, std::regex(R"(\(\[0-9a-f\]\{64\}\))"), std::string(64, '0'));
  return std::regex_replace(p, std::regex(R"(\(\\d\+\))"), "999999");
}

bool RoleDenied(const Resp& r) {
  return r.status == 403 && r.json["error"]["details"].contains("required_roles");
}

TEST(AuthzMatrix, EveryRouteIsInTheTable) {
  Harness& h = Harness::Get();
  std::set<std::string> seen;
  for (const auto& route : h.app->server().routes()) {
    std::string key = route.method + " " + route.path;
    seen.insert(key);
    EXPECT_TRUE(Expected().count(key)) << "route missing from the authorization table: " << key;
  }
  for (const auto& [key, roles] : Expected())
    EXPECT_TRUE(seen.count(key)) << "table names a route that does not exist: " << key;
}

TEST(AuthzMatrix, EveryRoleAgainstEveryRoute) {
  Harness& h = Harness::Get();
  std::vector<std::pair<std::string, std::string>> users;  // role, username
  for (Role r : AllRoles()) {
    std::string name = "authz_" + std::string(RoleKey(r));
    h.AddUser(name, IsCityWide(r) || r == Role::kOperator ? h.office_unit : h.unit_a, {r});
    users.push_back({std::string(RoleKey(r)), name});
  }
  int checked = 0;
  for (const auto& route : h.app->server().routes()) {
    std::string key = route.method + " " + route.path;
    auto it = Expected().find(key);
    if (it == Expected().end()) continue;
    const auto& allowed = it->second;
    bool is_public = allowed == kPublic;
    std::string path = Concrete(route.path);
    Json body = route.method == "GET" ? Json() : Json::object();
    if (!is_public) {
      Resp anon = h.Call(route.method, path, "", body);
      EXPECT_THAT(anon, ApiError(401, "unauthenticated")) << key << " without a session";
    }
    for (const auto& [role, username] : users) {
      std::string token = h.Token(username);
      if (key == "DELETE /api/session") {
        // Signing out ends the session: use a separate one.
        Resp login = h.Call("POST", "/api/session", "",
                            {{"username", username}, {"password", Harness::kPassword}});
        token = login.json["token"];
      }
      Resp r = h.Call(route.method, path, token, body);
      bool should_allow = is_public || allowed.empty() ||
                          std::find(allowed.begin(), allowed.end(), role) != allowed.end();
      if (should_allow) {
        EXPECT_FALSE(RoleDenied(r)) << key << " as " << role << ": " << r.body;
        EXPECT_NE(r.status, 401) << key << " as " << role;
      } else {
        EXPECT_TRUE(RoleDenied(r))
            << key << " as " << role << " should be 403: " << r.status << " " << r.body;
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 31 * 9);
}

}  // namespace
}  // namespace gd::testing
