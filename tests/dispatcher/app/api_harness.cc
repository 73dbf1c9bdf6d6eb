#include "api_harness.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include "dispatcher/core/time_util.h"
#include "dispatcher/http/routes/requests.h"
#include "dispatcher/store/user_repo.h"

namespace gd::testing {

namespace {

Harness* g_harness = nullptr;

// The shared harness is never destroyed, but its App's workers must stop before the process's
// static destructors run: they use the store's statics (ASan saw a dispatch worker read a
// statement's SQL text after exit had freed it).
class StopAppBeforeExit : public ::testing::Environment {
 public:
  void TearDown() override {
    if (g_harness && g_harness->app) g_harness->app->Stop();
  }
};
[[maybe_unused]] ::testing::Environment* const kStopApp =
    ::testing::AddGlobalTestEnvironment(new StopAppBeforeExit);

}  // namespace

Harness& Harness::Get() {
  static Harness* h = g_harness = new Harness();
  return *h;
}

std::function<void(AppConfig&)>& Harness::ConfigHook() {
  static std::function<void(AppConfig&)> hook;
  return hook;
}

Harness::Harness() {
  start_time = *ParseRfc3339("2026-11-23T10:00:00+08:00");  // a Monday
  clock.Set(start_time);
  char tmpl[] = "/tmp/gd_api_test_XXXXXX";
  dir = mkdtemp(tmpl);
  AppConfig cfg;
  cfg.data_dir = dir / "data";
  cfg.port = 0;
  cfg.admin_password = kBootstrapPassword;
  cfg.clock = &clock;
  cfg.web_dir = dir / "no-web";
  cfg.threads = 8;
  // Failed sign-ins are answered after 0, 20, 40, 80, 160 ms here (the default starts at 0.5 s).
  cfg.accounts.failure_delay_base_ms = 20;
  if (ConfigHook()) ConfigHook()(cfg);
  auto created = App::Create(cfg);
  if (!created.ok()) {
    ADD_FAILURE() << created.status().ToString();
    std::abort();
  }
  app = std::move(created).value();
  Status st = app->Start();
  if (!st.ok()) std::abort();
  port = app->port();

  // The bootstrap admin must replace the environment's password before anything else.
  Resp first =
      Call("POST", "/api/session", "", {{"username", "admin"}, {"password", kBootstrapPassword}});
  if (first.status != 200) {
    ADD_FAILURE() << "bootstrap admin sign-in: " << first.body;
    std::abort();
  }
  Resp changed = Call("POST", "/api/me/password", first.json.value("token", ""),
                      {{"old_password", kBootstrapPassword}, {"new_password", kPassword}});
  if (changed.status != 200) {
    ADD_FAILURE() << "bootstrap admin password change: " << changed.body;
    std::abort();
  }

  AuthContext admin;
  (void)app->store().Read([&](Tx& tx) -> Status {
    admin.user = **user_repo::GetUserByName(tx, "admin");
    return Status::Ok();
  });
  auto units = app->accounts().ListUnits();
  for (const auto& u : *units)
    if (u.kind == "office") office_unit = u.id;
  unit_a = app->accounts().CreateUnit(admin, "市应急管理局", "department")->id;
  unit_b = app->accounts().CreateUnit(admin, "城关镇", "town")->id;

  AddUser("editor_a", unit_a, {Role::kEditor});
  AddUser("reviewer_a", unit_a, {Role::kUnitReviewer});
  AddUser("deputy_a", unit_a, {Role::kDeputyLeader});
  AddUser("principal_a", unit_a, {Role::kPrincipalLeader});
  AddUser("sitemgr_a", unit_a, {Role::kSiteManager});
  AddUser("multi_a", unit_a, {Role::kUnitReviewer, Role::kDeputyLeader});
  AddUser("editor_reviewer_a", unit_a, {Role::kEditor, Role::kUnitReviewer});
  AddUser("editor_b", unit_b, {Role::kEditor});
  AddUser("reviewer_b", unit_b, {Role::kUnitReviewer});
  AddUser("deputy_b", unit_b, {Role::kDeputyLeader});
  AddUser("office", office_unit, {Role::kOffice});
  AddUser("auditor", office_unit, {Role::kAuditor});
  AddUser("operator", office_unit, {Role::kOperator});

  AuthContext op;
  (void)app->store().Read([&](Tx& tx) -> Status {
    op.user = **user_repo::GetUserByName(tx, "operator");
    return Status::Ok();
  });
  auto mk = [&](Json body) {
    return (*app->channels().Create(op, *DecodeChannelCreate(body)))["id"].get<int64_t>();
  };
  portal_a = mk({{"kind", "portal"},
                 {"name", "门户"},
                 {"unit_id", unit_a},
                 {"settings", {{"mode", "builtin"}, {"site_name", "XX市人民政府"}}}});
  wechat_a = mk({{"kind", "wechat_mp"},
                 {"name", "公众号"},
                 {"unit_id", unit_a},
                 {"base_url", "http://127.0.0.1:9/wechat"},
                 {"settings", {{"app_id", "sandbox"}}},
                 {"secrets", {{"app_secret", "sandbox-secret"}}}});
  weibo_a =
      mk({{"kind", "weibo"},
          {"name", "微博"},
          {"unit_id", unit_a},
          {"base_url", "http://127.0.0.1:9/weibo"},
          {"settings", {{"app_key", "sandbox"}, {"uid", "sandbox"}, {"rip", "203.0.113.5"}}},
          {"secrets", {{"app_secret", "sandbox-secret"}, {"access_token", "sandbox-token"}}}});
  portal_b = mk({{"kind", "portal"},
                 {"name", "城关镇门户"},
                 {"unit_id", unit_b},
                 {"settings", {{"mode", "builtin"}, {"site_name", "城关镇"}}}});
}

int64_t Harness::AddUser(const std::string& username, int64_t unit,
                         const std::vector<Role>& roles) {
  auto u = app->accounts().AddUserDirect(username, username, unit, roles, kPassword, false);
  if (!u.ok()) {
    ADD_FAILURE() << u.status().ToString();
    return 0;
  }
  return u->id;
}

std::string Harness::Token(const std::string& username) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tokens_.find(username);
    if (it != tokens_.end()) return it->second;
  }
  Resp r = Call("POST", "/api/session", "", {{"username", username}, {"password", kPassword}});
  EXPECT_EQ(r.status, 200) << username << ": " << r.body;
  std::string token = r.json.value("token", "");
  std::lock_guard<std::mutex> lock(mu_);
  tokens_[username] = token;
  return token;
}

Resp Harness::Raw(const std::string& method, const std::string& path,
                  const std::vector<std::pair<std::string, std::string>>& headers,
                  const std::string& body, const std::string& content_type) {
  httplib::Client cli("127.0.0.1", port);
  cli.set_read_timeout(30, 0);
  httplib::Headers h;
  for (const auto& [k, v] : headers) h.emplace(k, v);
  httplib::Result res(nullptr, httplib::Error::Unknown);
  if (method == "GET")
    res = cli.Get(path.c_str(), h);
  else if (method == "DELETE")
    res = cli.Delete(path.c_str(), h, body, content_type.c_str());
  else if (method == "POST")
    res = cli.Post(path.c_str(), h, body, content_type.c_str());
  else if (method == "PUT")
    res = cli.Put(path.c_str(), h, body, content_type.c_str());
  else if (method == "PATCH")
    res = cli.Patch(path.c_str(), h, body, content_type.c_str());
  Resp out;
  if (!res) {
    ADD_FAILURE() << method << " " << path << ": transport error";
    return out;
  }
  out.status = res->status;
  out.body = res->body;
  out.header_set_cookie = res->get_header_value("Set-Cookie");
  out.location = res->get_header_value("Location");
  out.json = Json::parse(res->body, nullptr, false);
  return out;
}

Resp Harness::Call(const std::string& method, const std::string& path, const std::string& token,
                   const Json& body) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!token.empty()) headers.push_back({"Authorization", "Bearer " + token});
  return Raw(method, path, headers, body.is_null() ? "" : body.dump());
}

Json Harness::TicketBody(const std::string& category, const std::vector<int64_t>& channels) const {
  Json chans = Json::array();
  for (int64_t c : channels) chans.push_back({{"account_id", c}});
  Json body = {{"category", category},
               {"title", "关于做好今冬明春安全生产工作的通知"},
               {"summary", "部署今冬明春安全生产工作。"},
               {"body",
                "各单位：\n\n为做好今冬明春安全生产工作，现将有关事项通知如下。\n\n一、压实责任。\n"
                "\n二、排查隐患。"},
               {"column", "通知公告"},
               {"channels", chans}};
  if (category == "reposted") body["source"] = "新华社";
  return body;
}

Json Harness::Create(const std::string& editor, const Json& body) {
  Resp r = Call("POST", "/api/tickets", Token(editor), body);
  EXPECT_EQ(r.status, 201) << r.body;
  return r.json;
}

Json Harness::Submit(const std::string& editor, int64_t id) {
  Resp r = Call("POST", "/api/tickets/" + std::to_string(id) + "/submit", Token(editor),
                {{"proofread", true}});
  EXPECT_EQ(r.status, 200) << r.body;
  return r.json;
}

Json Harness::FullChecklist() {
  return {{"secrets", true}, {"compliance", true}, {"promotion", true},
          {"typos", true},   {"statistics", true}, {"sensitive", true},
          {"timing", true},  {"harm", true},       {"other", true}};
}

Resp Harness::Decide(const std::string& who, int64_t id, const std::string& hash,
                     const std::string& decision, Json extra) {
  Json body = {{"decision", decision},
               {"version_hash", hash},
               {"comment", decision == "reject" ? "请修改" : "同意"},
               {"checklist", FullChecklist()}};
  for (auto& [k, v] : extra.items()) body[k] = v;
  return Call("POST", "/api/tickets/" + std::to_string(id) + "/decisions", Token(who), body);
}

}  // namespace gd::testing
