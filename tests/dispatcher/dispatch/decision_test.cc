// Outcomes a person decides (issue 14): a client that cannot tell whether its post exists
// (reason "needs_decision"), an `awaiting` past its kind's deadline, and per-API quota pauses.
// One App with every platform's sandbox; the Weibo client is the real one, wrapped so that a
// test can script the answers a sandbox cannot be made to give on demand (the wrapper passes
// every other call through to the real client and its sandbox).
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <mutex>
#include <optional>

#include "channels/client_support.h"
#include "dispatcher/core/time_util.h"
#include "tests/dispatcher/dispatch/dispatch_fixture.h"
#include "tests/dispatcher/store/sql_test_util.h"

namespace gd::testing {
namespace {

using channels::Checkpoint;
using channels::Progress;
using channels::PublishJob;
using channels::PublishResult;
using Answer = std::optional<StatusOr<PublishResult>>;  // nullopt: the real client answers

struct Script {
  std::mutex mu;
  std::function<Answer(const PublishJob&, Progress&, const Checkpoint&)> publish;
  std::function<Answer(const PublishJob&, Progress&, const Checkpoint&)> poll;
  int publish_calls = 0, poll_calls = 0;
  std::vector<std::map<std::string, TimeMs>> paused_seen;  // job.paused_apis of each publish
  std::vector<Json> progress_seen;                         // progress at each publish

  void Reset() {
    std::lock_guard<std::mutex> lock(mu);
    publish = nullptr;
    poll = nullptr;
    publish_calls = poll_calls = 0;
    paused_seen.clear();
    progress_seen.clear();
  }
};

Script& TheScript() {
  static Script s;
  return s;
}

class ScriptedClient final : public channels::Client {
 public:
  explicit ScriptedClient(std::unique_ptr<channels::Client> real) : real_(std::move(real)) {}
  StatusOr<PublishResult> Publish(const PublishJob& job, Progress& progress,
                                  const Checkpoint& checkpoint) override {
    Script& s = TheScript();
    decltype(s.publish) f;
    {
      std::lock_guard<std::mutex> lock(s.mu);
      ++s.publish_calls;
      s.paused_seen.push_back(job.paused_apis);
      s.progress_seen.push_back(progress.state);
      f = s.publish;
    }
    if (f)
      if (Answer a = f(job, progress, checkpoint)) return *a;
    return real_->Publish(job, progress, checkpoint);
  }
  StatusOr<PublishResult> Poll(const PublishJob& job, Progress& progress,
                               const Checkpoint& checkpoint) override {
    Script& s = TheScript();
    decltype(s.poll) f;
    {
      std::lock_guard<std::mutex> lock(s.mu);
      ++s.poll_calls;
      f = s.poll;
    }
    if (f)
      if (Answer a = f(job, progress, checkpoint)) return *a;
    return real_->Poll(job, progress, checkpoint);
  }
  StatusOr<channels::ReconcileResult> Reconcile(const PublishJob& job,
                                                const Progress& progress) override {
    return real_->Reconcile(job, progress);
  }
  Status Withdraw(const PublishJob& job, const std::string& remote_id) override {
    return real_->Withdraw(job, remote_id);
  }
  Status CheckCredentials(const channels::Account& account,
                          const channels::SecretSource& secrets) override {
    return real_->CheckCredentials(account, secrets);
  }

 private:
  std::unique_ptr<channels::Client> real_;
};

DispatchWorld* g_world = nullptr;

// The world is never destroyed, but its workers stop before the process's statics go.
class StopWorldBeforeExit : public ::testing::Environment {
 public:
  void TearDown() override {
    if (g_world && g_world->app) g_world->app->Stop();
  }
};
[[maybe_unused]] ::testing::Environment* const kStopWorld =
    ::testing::AddGlobalTestEnvironment(new StopWorldBeforeExit);

DispatchWorld& World() {
  static DispatchWorld* w = [] {
    DispatchWorld::Options o;
    o.sandbox.async_delay_ms = 100;
    o.before_start = [](App& app) {
      auto real = app.engine().ReplaceClient("weibo", nullptr);
      app.engine().ReplaceClient("weibo", std::make_unique<ScriptedClient>(std::move(real)));
    };
    return g_world = new DispatchWorld(o);
  }();
  return *w;
}

class Decision : public ::testing::Test {
 protected:
  DispatchWorld& w = World();
  void SetUp() override { TheScript().Reset(); }
  void TearDown() override {
    TheScript().Reset();
    w.sandbox->ClearFaults();
  }
  int PublishCalls() {
    std::lock_guard<std::mutex> lock(TheScript().mu);
    return TheScript().publish_calls;
  }
  std::filesystem::path Db() const { return w.dir / "data" / "dispatcher.db"; }
};

Json ByKind(const Json& items, const std::string& kind) {
  for (const auto& d : items)
    if (d["kind"] == kind) return d;
  return Json();
}

bool NeedsDecision(const Json& d) {
  return d.is_object() && d["state"] == "awaiting" && d["needs_decision"] == true;
}

int Audits(DispatchWorld& w, int64_t id, const std::string& action) {
  int n = 0;
  const auto history = w.app->review().History(w.office, id);
  if (!history.ok()) return -1;
  for (const auto& e : (*history)["items"])
    if (e.value("action", "") == action) ++n;
  return n;
}

// The client cannot tell whether its post exists: the dispatch waits for a person, is never
// sent again by itself, and a person's confirmation publishes it (any kind, not only manual).
TEST_F(Decision, AnUndecidableOutcomeWaitsForAPersonWhoConfirmsThePost) {
  TheScript().publish = [](const PublishJob&, Progress& p, const Checkpoint& cp) -> Answer {
    p.state["inflight"] = {{"step", "share"}, {"at", 1}};
    if (Status s = cp(p); !s.ok()) return StatusOr<PublishResult>(s);
    return StatusOr<PublishResult>(
        channels::support::NeedsDecision("微博未能确认这条微博是否已发出，请登录微博核实"));
  };
  int64_t id = w.Approved("人工核实确认测试", {w.portal, w.weibo});
  w.Publish(id);
  Json items = w.WaitDispatches(id, [](const Json& i) {
    return ByKind(i, "portal")["state"] == "published" && NeedsDecision(ByKind(i, "weibo"));
  });
  Json wb = ByKind(items, "weibo");
  EXPECT_EQ(wb["error_reason"], "needs_decision");
  EXPECT_NE(wb["last_error"].get<std::string>().find("请登录微博核实"), std::string::npos);
  EXPECT_EQ(wb["attempts"], 1);
  // Never again by itself: nothing of it is due.
  w.app->engine().Drain();
  EXPECT_EQ(PublishCalls(), 1);
  EXPECT_EQ(w.Ticket(id)["state"], "publishing");
  EXPECT_EQ(Audits(w, id, "dispatch.needs_decision"), 1);

  // Confirming needs a URL; a dispatch that needs no decision cannot be confirmed.
  auto no_url = w.app->publish().Confirm(w.operator_, id, w.weibo, {.remote_url = "见微博"});
  EXPECT_EQ(no_url.status().code(), Code::kInvalidArgument);
  auto portal = w.app->publish().Confirm(w.operator_, id, w.portal,
                                         {.remote_url = "https://example.gov.cn/a"});
  EXPECT_EQ(portal.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(portal.status().reason(), "conflict");

  auto ok = w.app->publish().Confirm(w.operator_, id, w.weibo,
                                     {.remote_url = "https://weibo.com/123/AbCdE"});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)["state"], "published");
  EXPECT_EQ((*ok)["remote_url"], "https://weibo.com/123/AbCdE");
  EXPECT_EQ((*ok)["needs_decision"], false);
  EXPECT_TRUE((*ok)["error_reason"].is_null());
  EXPECT_EQ(w.Ticket(id)["state"], "published") << "the ticket follows";
  EXPECT_EQ(PublishCalls(), 1) << "confirming sends nothing";
  EXPECT_EQ(w.Posts("weibo", "人工核实确认测试"), 0);
  EXPECT_EQ(Audits(w, id, "dispatch.confirm"), 1);
  // Once published it needs no decision any more.
  auto again = w.app->publish().DeclareNotPublished(w.operator_, id, w.weibo, {.reason = "未找到"});
  EXPECT_EQ(again.status().reason(), "conflict");
}

// A person declares it not published: it fails (with its reason) and a retry sends afresh,
// without looking for the earlier post once more.
TEST_F(Decision, DeclaredNotPublishedFailsAndARetrySendsItOnce) {
  TheScript().publish = [](const PublishJob&, Progress& p, const Checkpoint& cp) -> Answer {
    if (p.state.contains("declared_not_published")) return std::nullopt;  // the real client
    p.state["inflight"] = {{"step", "share"}, {"at", 1}};
    if (Status s = cp(p); !s.ok()) return StatusOr<PublishResult>(s);
    return StatusOr<PublishResult>(channels::support::NeedsDecision("请核实"));
  };
  int64_t id = w.Approved("人工判定未发布测试", {w.portal, w.weibo});
  w.Publish(id);
  w.WaitDispatches(id, [](const Json& i) { return NeedsDecision(ByKind(i, "weibo")); });
  EXPECT_EQ(w.app->publish().Retry(w.sitemgr, id, w.weibo).status().reason(), "conflict")
      << "waiting for a decision is not failed";
  auto no_reason = w.app->publish().DeclareNotPublished(w.operator_, id, w.weibo, {.reason = " "});
  EXPECT_EQ(no_reason.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(w.app->publish()
                .DeclareNotPublished(w.editor, id, w.weibo, {.reason = "未找到"})
                .status()
                .code(),
            Code::kPermissionDenied);
  auto declared = w.app->publish().DeclareNotPublished(w.sitemgr, id, w.weibo,
                                                       {.reason = "已在微博后台查看，未找到"});
  ASSERT_TRUE(declared.ok()) << declared.status().ToString();
  EXPECT_EQ((*declared)["state"], "failed");
  EXPECT_EQ((*declared)["error_reason"], "declared_not_published");
  EXPECT_NE((*declared)["last_error"].get<std::string>().find("未找到"), std::string::npos);
  EXPECT_EQ(w.Ticket(id)["state"], "failed") << "the ticket follows";
  EXPECT_EQ(Audits(w, id, "dispatch.declare_not_published"), 1);

  ASSERT_TRUE(w.app->publish().Retry(w.sitemgr, id, w.weibo).ok());
  w.WaitDispatches(id, [](const Json& i) { return AllIn(i, "published"); });
  EXPECT_EQ(w.Posts("weibo", "人工判定未发布测试"), 1);
  EXPECT_EQ(w.Ticket(id)["state"], "published");
  std::lock_guard<std::mutex> lock(TheScript().mu);
  ASSERT_GE(TheScript().progress_seen.size(), 2u);
  EXPECT_FALSE(TheScript().progress_seen.back().contains("inflight"))
      << "the retry does not reconcile the declared step again";
}

// An `awaiting` past its kind's deadline goes to a person with how long it waited; a manual
// hand-off (waiting for a person already) is exempt.
TEST_F(Decision, AwaitingPastItsDeadlineGoesToAPersonButAManualHandOffDoesNot) {
  TheScript().publish = [](const PublishJob&, Progress&, const Checkpoint&) -> Answer {
    PublishResult r;
    r.kind = PublishResult::Kind::kAwaiting;
    r.poll_after_ms = 3'600'000;
    r.note = "平台审核中";
    return StatusOr<PublishResult>(r);
  };
  int64_t id = w.Approved("等待期限测试", {w.portal, w.weibo, w.manual});
  w.Publish(id);
  Json items = w.WaitDispatches(id, [](const Json& i) {
    return ByKind(i, "weibo")["state"] == "awaiting" && ByKind(i, "manual")["state"] == "awaiting";
  });
  EXPECT_EQ(ByKind(items, "weibo")["needs_decision"], false);
  const std::string since = QuerySql(Db(),
                                     "SELECT json_extract(progress, '$.awaiting_since') "
                                     "FROM dispatches WHERE ticket_id=" +
                                         std::to_string(id) + " AND kind='weibo'");
  ASSERT_FALSE(since.empty()) << "awaiting records when it began";
  // 25 hours ago (the default deadline is 24 h), and due now.
  const TimeMs long_ago = SystemClock().Now() - 25 * 3'600'000LL - 5 * 60'000;
  ExecSql(Db(),
          "UPDATE dispatches SET not_before=0, progress=json_set(progress, "
          "'$.awaiting_since', " +
              std::to_string(long_ago) + ") WHERE ticket_id=" + std::to_string(id) +
              " AND kind IN ('weibo','manual')");
  w.app->engine().Wake();
  items = w.WaitDispatches(id, [](const Json& i) { return NeedsDecision(ByKind(i, "weibo")); });
  const std::string msg = ByKind(items, "weibo")["last_error"];
  EXPECT_NE(msg.find("25 小时 5 分钟"), std::string::npos) << msg;
  EXPECT_NE(msg.find("核实"), std::string::npos) << msg;
  {
    std::lock_guard<std::mutex> lock(TheScript().mu);
    EXPECT_EQ(TheScript().poll_calls, 0) << "past the deadline the platform is not asked again";
  }
  w.app->engine().Drain();
  Json manual = ByKind(w.WaitDispatches(id, [](const Json&) { return true; }), "manual");
  EXPECT_EQ(manual["state"], "awaiting");
  EXPECT_EQ(manual["needs_decision"], false) << "a manual hand-off has no deadline";
  EXPECT_EQ(w.Ticket(id)["state"], "publishing");
}

// A quota answer naming its API pauses only that API: the account's other calls go on, and the
// next job of the account carries the pause so its client answers without calling.
TEST_F(Decision, AScopedQuotaAnswerPausesOnlyThatApi) {
  constexpr TimeMs kHour = 3'600'000;
  TheScript().publish = [](const PublishJob& job, Progress&, const Checkpoint&) -> Answer {
    const TimeMs now = SystemClock().Now();
    if (Status paused = channels::support::ApiPaused(job, "statuses/share", now, "微博");
        !paused.ok())
      return StatusOr<PublishResult>(paused);
    Status quota(Code::kResourceExhausted, "微博接口 statuses/share 今日额度已用完",
                 "platform_error");
    return StatusOr<PublishResult>(channels::support::WithQuotaScope(
        channels::support::WithRetryAfter(quota, kHour), "statuses/share"));
  };
  const TimeMs before = SystemClock().Now();
  int64_t first = w.Approved("接口额度暂停测试一", {w.portal, w.weibo});
  w.Publish(first);
  Json items = w.WaitDispatches(first, [](const Json& i) {
    return ByKind(i, "weibo")["state"] == "pending" && ByKind(i, "weibo")["last_error"].is_string();
  });
  Json wb = ByKind(items, "weibo");
  EXPECT_GE(ParseRfc3339(wb["scheduled_at"].get<std::string>()).value_or(0), before + kHour - 1000)
      << wb.dump();
  EXPECT_EQ(wb["attempts"], 0) << "a quota answer does not use up the bound";

  // The account is not paused: the second piece's dispatch is handed to the client at once,
  // with the paused API in its job, and the client answers without a call.
  int64_t second = w.Approved("接口额度暂停测试二", {w.portal, w.weibo});
  w.Publish(second);
  w.WaitDispatches(second, [](const Json& i) {
    return ByKind(i, "weibo")["state"] == "pending" && ByKind(i, "weibo")["last_error"].is_string();
  });
  std::lock_guard<std::mutex> lock(TheScript().mu);
  ASSERT_EQ(TheScript().publish_calls, 2);
  EXPECT_TRUE(TheScript().paused_seen[0].empty());
  ASSERT_EQ(TheScript().paused_seen[1].count("statuses/share"), 1u);
  EXPECT_GE(TheScript().paused_seen[1].at("statuses/share"), before + kHour);
}

}  // namespace
}  // namespace gd::testing
