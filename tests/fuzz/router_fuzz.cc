// libFuzzer target over the HTTP router (issue 12, "Typed requests at the edge"): the real
// routes, services and store of one App, driven in-process through HttpServer::Handle (the
// same routing, authentication and handlers as a request on the socket). Every input picks a
// route, the role it is signed in as, the ids in its path and a query string, and carries the
// body. Invariants: no crash (ASan, UBSan), no 5xx, every answer that is not 2xx in the API's
// error shape.
//
// Input layout: byte 0 route, byte 1 signed-in user (one per role, or nobody), byte 2 path ids,
// byte 3 query, then the body.
//
// Not driven: DELETE /api/session (it would end the fuzzer's sessions) and the network: the
// credential tester answers success without calling a platform; dispatch workers do not run.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "dispatcher/app/app.h"
#include "dispatcher/http/routes/routes.h"
#include "dispatcher/http/server.h"

namespace {

using gd::Json;

constexpr const char* kPassword = "Fuzz@Pass2026!";

struct World {
  gd::FakeClock clock{1795000000000};  // 2026-11-17
  std::unique_ptr<gd::App> app;
  std::unique_ptr<gd::HttpServer> server;
  std::vector<std::string> tokens;  // one per role, then "" (nobody)
  std::vector<std::string> ids;     // path id candidates
  std::vector<const gd::Route*> routes;
};

void Check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "invariant broken: %s\n", what.c_str());
    std::abort();
  }
}

gd::InProcessResponse Call(World& w, const std::string& method, const std::string& target,
                           const std::string& token, const std::string& body) {
  gd::InProcessRequest in;
  in.method = method;
  in.target = target;
  if (!token.empty()) in.headers.push_back({"Authorization", "Bearer " + token});
  in.body = body;
  return w.server->Handle(in);
}

int64_t MustCreate(World& w, const std::string& path, const std::string& token, const Json& body) {
  gd::InProcessResponse r = Call(w, "POST", path, token, body.dump());
  Check(r.status == 201 || r.status == 200, "seeding " + path + ": " + r.body);
  return Json::parse(r.body)["id"].get<int64_t>();
}

World& TheWorld() {
  static World* world = [] {
    auto* w = new World();
    char tmpl[] = "/tmp/gd_router_fuzz_XXXXXX";
    Check(mkdtemp(tmpl) != nullptr, "temp dir");
    gd::AppConfig cfg;
    cfg.data_dir = std::filesystem::path(tmpl) / "data";
    cfg.port = 0;
    cfg.admin_password = kPassword;
    cfg.clock = &w->clock;
    cfg.web_dir = std::filesystem::path(tmpl) / "no-web";
    cfg.run_dispatch = false;
    auto app = gd::App::Create(cfg);
    Check(app.ok(), "App::Create: " + app.status().ToString());
    w->app = std::move(app).value();
    gd::App& a = *w->app;

    gd::RouteDeps deps = a.route_deps();
    deps.tester = [](const gd::ChannelAccountRow&, const Json&) { return gd::Status::Ok(); };
    w->server =
        std::make_unique<gd::HttpServer>(gd::AllRoutes(deps), &a.accounts(), gd::ServerOptions{});

    auto login = [&](const std::string& username) {
      gd::InProcessResponse r = Call(*w, "POST", "/api/session", "",
                                     Json{{"username", username}, {"password", kPassword}}.dump());
      Check(r.status == 200, "sign-in of " + username + ": " + r.body);
      return Json::parse(r.body)["token"].get<std::string>();
    };
    // The bootstrap admin would have to change its password first (as in the demo, skipped).
    Check(a.accounts().ClearForcedPasswordChange("admin").ok(), "admin password");
    const std::string admin = login("admin");
    const int64_t unit =
        MustCreate(*w, "/api/units", admin, {{"name", "模糊测试局"}, {"kind", "department"}});
    int64_t office_unit = 0;
    auto units = a.accounts().ListUnits();
    Check(units.ok(), "units");
    for (const auto& u : *units)
      if (u.kind == "office") office_unit = u.id;
    std::map<gd::Role, std::string> by_role;
    for (gd::Role role : gd::AllRoles()) {
      std::string name = "fuzz_" + std::string(gd::RoleKey(role));
      bool city = gd::IsCityWide(role) || role == gd::Role::kOperator;
      auto u = a.accounts().AddUserDirect(name, name, city ? office_unit : unit, {role}, kPassword,
                                          false);
      Check(u.ok(), "user " + name);
      by_role[role] = login(name);
      w->tokens.push_back(by_role[role]);
    }
    w->tokens.push_back("");
    const std::string op = by_role[gd::Role::kOperator];
    const std::string editor = by_role[gd::Role::kEditor];
    const int64_t portal = MustCreate(*w, "/api/channels", op,
                                      {{"kind", "portal"},
                                       {"name", "门户"},
                                       {"unit_id", unit},
                                       {"settings", {{"mode", "builtin"}, {"site_name", "模糊"}}}});
    Json ticket = {{"category", "work_news"},
                   {"title", "模糊测试稿件"},
                   {"body", "正文。"},
                   {"channels", {{{"account_id", portal}}}}};
    const int64_t draft = MustCreate(*w, "/api/tickets", editor, ticket);
    const int64_t submitted = MustCreate(*w, "/api/tickets", editor, ticket);
    Call(*w, "POST", "/api/tickets/" + std::to_string(submitted) + "/submit", editor,
         R"({"proofread":true})");
    w->ids = {std::to_string(draft),
              std::to_string(submitted),
              std::to_string(portal),
              std::to_string(unit),
              "1",
              "0",
              "9007199254740992",
              "99999999999999999999",
              std::string(300, '7')};
    for (const auto& r : w->server->routes())
      if (!(r.method == "DELETE" && r.path == "/api/session")) w->routes.push_back(&r);
    return w;
  }();
  return *world;
}

const std::vector<std::string>& Queries() {
  static const std::vector<std::string> q = {
      "",
      "?page=2&per_page=5",
      "?unit_id=1&month=2026-10&format=csv",
      "?state=in_review&category=work_news&mine=1&awaiting_me=true",
      "?unit_id=99999999999999999999&page=-1",
      "?from=2026-01-01T00:00:00%2B08:00&to=x&ticket_id=1&user_id=0",
      "?format=xlsx&unit_id=1&month=2026-13",
      "?month=%FF%FE&state=&format=json",
  };
  return q;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  TheWorld();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  World& w = TheWorld();
  const gd::Route& route = *w.routes[data[0] % w.routes.size()];
  const std::string& token = w.tokens[data[1] % w.tokens.size()];
  std::string path = route.path;
  static const std::regex kCapture(R"(\([^)]*\))");
  std::string filled;
  size_t n = 0;
  std::sregex_iterator it(path.begin(), path.end(), kCapture), end;
  size_t last = 0;
  for (; it != end; ++it, ++n) {
    filled += path.substr(last, static_cast<size_t>(it->position()) - last);
    const bool sha = it->str().find("0-9a-f") != std::string::npos;
    filled += sha ? std::string(64, 'a') : w.ids[(data[2] + n * 3) % w.ids.size()];
    last = static_cast<size_t>(it->position() + it->length());
  }
  filled += path.substr(last);
  const std::string target = filled + Queries()[data[3] % Queries().size()];
  std::string body(reinterpret_cast<const char*>(data + 4), size - 4);
  gd::InProcessResponse r = Call(w, route.method, target, token, body);
  const std::string where = route.method + " " + target + " -> " + std::to_string(r.status);
  Check(r.status >= 200 && r.status < 500, "no 5xx: " + where + " " + r.body);
  if (r.status >= 400) {
    Json j = Json::parse(r.body, nullptr, false);
    Check(j.is_object() && j.contains("error") && j["error"].contains("code"),
          "error shape: " + where + " " + r.body);
  }
  return 0;
}
