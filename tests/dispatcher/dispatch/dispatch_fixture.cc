#include "dispatch_fixture.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "dispatcher/core/time_util.h"
#include "dispatcher/http/routes/requests.h"
#include "dispatcher/model/content_codec.h"
#include "dispatcher/store/user_repo.h"
#include "tests/dispatcher/dispatch/sandbox_channels.h"

namespace gd::testing {

namespace {
constexpr const char* kPassword = "Test@Pass2026!";

}  // namespace

bool AllIn(const Json& items, const std::string& state) {
  if (!items.is_array() || items.empty()) return false;
  for (const auto& d : items)
    if (d["state"] != state) return false;
  return true;
}

namespace {

DispatchWorld* g_world = nullptr;

// The shared world is never destroyed, but its App's dispatch workers must stop before the
// process's static destructors run: they use the store's statics (ThreadSanitizer saw a worker
// read a statement's SQL text after exit had freed it).
class StopWorldBeforeExit : public ::testing::Environment {
 public:
  void TearDown() override {
    if (g_world && g_world->app) g_world->app->Stop();
  }
};
[[maybe_unused]] ::testing::Environment* const kStopWorld =
    ::testing::AddGlobalTestEnvironment(new StopWorldBeforeExit);

}  // namespace

DispatchWorld& DispatchWorld::Get() {
  static DispatchWorld* w = [] {
    Options o;
    o.sandbox.async_delay_ms = 150;
    o.sandbox.timeout_hang_ms = 300;
    return g_world = new DispatchWorld(o);
  }();
  return *w;
}

AppConfig DispatchWorld::Config() const {
  AppConfig cfg;
  cfg.data_dir = dir / "data";
  cfg.port = 0;
  cfg.admin_password = kPassword;
  cfg.web_dir = dir / "no-web";
  cfg.threads = 8;
  DispatchConfig d;
  d.workers = 4;
  d.backoff_base_ms = 40;
  d.backoff_max_ms = 200;
  d.max_attempts = 6;
  d.poll_min_ms = 50;
  d.lease_ms = 30000;
  d.http_timeout_ms = 3000;
  if (options_.tune) options_.tune(d);
  cfg.dispatch = d;
  return cfg;
}

DispatchWorld::~DispatchWorld() {
  if (app) app->Stop();
  app.reset();
  if (sandbox) sandbox->Stop();
  if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir);
}

DispatchWorld::DispatchWorld(Options options) : options_(std::move(options)) {
  char tmpl[] = "/tmp/gd_dispatch_test_XXXXXX";
  dir = mkdtemp(tmpl);
  auto sb = channels::sandbox::SandboxServer::Start("127.0.0.1", 0, options_.sandbox);
  if (!sb.ok()) std::abort();
  sandbox = std::move(sb).value();
  auto created = App::Create(Config());
  if (!created.ok()) {
    ADD_FAILURE() << created.status().ToString();
    std::abort();
  }
  app = std::move(created).value();
  if (options_.before_start) options_.before_start(*app);
  if (!app->Start().ok()) std::abort();

  AuthContext admin = Actor("admin");
  unit = app->accounts().CreateUnit(admin, "市应急管理局", "department")->id;
  auto units = app->accounts().ListUnits();
  int64_t office_unit = 0;
  for (const auto& u : *units)
    if (u.kind == "office") office_unit = u.id;
  auto add = [&](const char* name, int64_t u, Role r) {
    auto res = app->accounts().AddUserDirect(name, name, u, {r}, kPassword, false);
    if (!res.ok()) std::abort();
  };
  add("editor", unit, Role::kEditor);
  add("reviewer", unit, Role::kUnitReviewer);
  add("deputy", unit, Role::kDeputyLeader);
  add("sitemgr", unit, Role::kSiteManager);
  add("office", office_unit, Role::kOffice);
  add("operator", office_unit, Role::kOperator);
  editor = Actor("editor");
  reviewer = Actor("reviewer");
  deputy = Actor("deputy");
  sitemgr = Actor("sitemgr");
  office = Actor("office");
  operator_ = Actor("operator");

  const std::string base = sandbox->base_url();
  auto ch = [&](Json body) {
    body["unit_id"] = unit;
    body["settings"]["poll_interval_ms"] = 100;
    auto r = app->channels().Create(operator_, *DecodeChannelCreate(body));
    if (!r.ok()) {
      ADD_FAILURE() << r.status().ToString();
      std::abort();
    }
    return (*r)["id"].get<int64_t>();
  };
  portal = ch(SandboxChannel("portal", base));
  wechat = ch(SandboxChannel("wechat_mp", base));
  weibo = ch(SandboxChannel("weibo", base));
  douyin = ch(SandboxChannel("douyin", base));
  kuaishou = ch(SandboxChannel("kuaishou", base));
  manual = ch({{"kind", "manual"}, {"name", "视频号"}, {"settings", {{"platform", "视频号"}}}});
  cover = (*app->media().Upload(editor, "cover.png", SmallPng()))["id"].get<int64_t>();
  video = (*app->media().Upload(editor, "v.mp4", SmallMp4()))["id"].get<int64_t>();
}

AuthContext DispatchWorld::Actor(const std::string& username) {
  AuthContext ctx;
  (void)app->store().Read([&](Tx& tx) -> Status {
    auto u = user_repo::GetUserByName(tx, username);
    if (u.ok() && u->has_value()) ctx.user = **u;
    return Status::Ok();
  });
  return ctx;
}

void DispatchWorld::Restart() {
  app->Stop();
  app.reset();
  auto created = App::Create(Config());
  if (!created.ok()) std::abort();
  app = std::move(created).value();
  if (options_.before_start) options_.before_start(*app);
  if (!app->Start().ok()) std::abort();
}

int64_t DispatchWorld::Approved(const std::string& title, const std::vector<int64_t>& chans,
                                const std::string& body) {
  Json channels = Json::array();
  for (int64_t c : chans) channels.push_back({{"account_id", c}});
  Json req = {
      {"category", "work_news"},
      {"title", title},
      {"summary", title + "。"},
      {"body", body.empty() ? title + "。会议要求各单位认真落实。" : body},
      {"column", "工作动态"},
      {"media",
       {{{"media_id", cover}, {"role", "cover"}}, {{"media_id", video}, {"role", "video"}}}},
      {"channels", channels}};
  auto t = app->review().Create(editor, *ContentFromRequest(req));
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  if (!t.ok()) return 0;
  int64_t id = (*t)["id"];
  auto s = app->review().Submit(editor, id, {.proofread = true});
  EXPECT_TRUE(s.ok()) << s.status().ToString() << " " << s.status().details().dump();
  if (!s.ok()) return 0;
  Json cur = *s;
  for (AuthContext* who : {&reviewer, &deputy}) {
    auto d = app->review().Decide(*who, id,
                                  {.decision = "approve",
                                   .version_hash = cur["content_hash"],
                                   .comment = "同意",
                                   .checklist = FullChecklistMap()});
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    if (!d.ok()) return 0;
    cur = *d;
  }
  EXPECT_EQ(cur["state"], "approved");
  return id;
}

Json DispatchWorld::Publish(int64_t id, const Json& body) {
  PublishRequest request;
  request.proofread = body.value("proofread", false);
  if (body.contains("at")) request.at = ParseRfc3339(body["at"].get<std::string>());
  auto r = app->publish().Publish(sitemgr, id, request);
  EXPECT_TRUE(r.ok()) << r.status().ToString() << " " << r.status().details().dump();
  return r.ok() ? *r : Json();
}

Json DispatchWorld::WaitDispatches(int64_t id, const std::function<bool(const Json&)>& pred,
                                   int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  Json items;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = app->publish().Dispatches(sitemgr, id);
    if (r.ok()) {
      items = (*r)["items"];
      if (pred(items)) return items;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "dispatches of ticket " << id
                << " did not reach the expected state: " << items.dump(1);
  return items;
}

Json DispatchWorld::Ticket(int64_t id) {
  auto r = app->review().Get(sitemgr, id);
  return r.ok() ? *r : Json();
}

int DispatchWorld::Posts(const std::string& platform, const std::string& needle,
                         bool include_deleted) {
  int n = 0;
  for (const auto& p : sandbox->Posts(platform)) {
    if (!include_deleted && p.deleted) continue;
    if (p.title.find(needle) != std::string::npos || p.text.find(needle) != std::string::npos) ++n;
  }
  return n;
}

}  // namespace gd::testing
