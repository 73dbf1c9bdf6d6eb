// Freshness (art. 4 and the national indicators): thresholds as data, calendar-day counting in
// China Standard Time, an injected clock, and the National Day holiday counted like any day.
#include "dispatcher/records/freshness.h"

#include <gtest/gtest.h>

#include "dispatcher/core/time_util.h"
#include "dispatcher/http/routes/requests.h"
#include "dispatcher/records/records_service.h"
#include "dispatcher/store/user_repo.h"
#include "records_test_util.h"
#include "tests/dispatcher/app/api_harness.h"
#include "tests/support/status_matchers.h"

namespace gd::testing {
namespace {

TimeMs At(const char* rfc3339) { return *ParseRfc3339(rfc3339); }

FreshnessPolicy ProjectPolicy() {
  auto p = FreshnessPolicy::Load(DefaultSourceDir() / "policies" / "freshness.json");
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return *p;
}

TEST(FreshnessPolicyFile, ThresholdsFollowArticle4AndTheIndicators) {
  FreshnessPolicy p = ProjectPolicy();
  EXPECT_EQ(p.RuleForColumn("工作动态").threshold_days, 14);
  EXPECT_EQ(p.RuleForColumn("乡镇工作动态").threshold_days, 14);  // by "contains"
  EXPECT_EQ(p.RuleForColumn("通知公告").threshold_days, 183);
  EXPECT_EQ(p.RuleForColumn("政策文件").threshold_days, 183);
  EXPECT_EQ(p.RuleForColumn("机构概况").threshold_days, 30);  // art. 4 default: monthly
  EXPECT_EQ(p.account_rule().threshold_days, 14);
  EXPECT_TRUE(p.MonitorsAccountKind("wechat_mp"));
  EXPECT_FALSE(p.MonitorsAccountKind("portal"));  // the website is watched by its columns
  EXPECT_EQ(p.due_soon_days(), 3);
}

TEST(FreshnessPolicyFile, BadFilesNameTheField) {
  auto bad = FreshnessPolicy::Parse(
      R"({"column_default": {"threshold_days": 0}, "account": {"threshold_days": 14}})", "f.json");
  ASSERT_THAT(bad, StatusIs(Code::kInvalidArgument));
  // The text is the behaviour: whoever edits the policy file reads which file and field.
  EXPECT_THAT(bad.status().message(),
              ::testing::HasSubstr("f.json: column_default.threshold_days"));
  auto working = FreshnessPolicy::Parse(
      R"({"counting": "working_days", "column_default": {"threshold_days": 30},
          "account": {"threshold_days": 14}})",
      "f.json");
  EXPECT_THAT(working, StatusIs(Code::kInvalidArgument));
}

// Table: last publication, the check time, threshold -> status. due_soon_days = 3.
struct Case {
  const char* last;
  const char* now;
  int threshold;
  FreshnessStatus want;
  const char* why;
};
const Case kCases[] = {
    {"2026-11-02T10:00:00+08:00", "2026-11-12T09:00:00+08:00", 14, FreshnessStatus::kOk, "10 days"},
    {"2026-11-02T10:00:00+08:00", "2026-11-13T09:00:00+08:00", 14, FreshnessStatus::kOk,
     "11 days: the last ok day"},
    {"2026-11-02T10:00:00+08:00", "2026-11-14T09:00:00+08:00", 14, FreshnessStatus::kDueSoon,
     "12 days: within 3 days of the threshold"},
    {"2026-11-02T10:00:00+08:00", "2026-11-16T23:59:00+08:00", 14, FreshnessStatus::kDueSoon,
     "14 days: still within 2 weeks"},
    {"2026-11-02T10:00:00+08:00", "2026-11-17T00:00:00+08:00", 14, FreshnessStatus::kOverdue,
     "15 days: overdue from midnight CST"},
    {"2026-11-02T23:30:00+08:00", "2026-11-16T00:30:00+08:00", 14, FreshnessStatus::kDueSoon,
     "dates count, not hours: 13 days 1 hour is 14 dates"},
    {"2026-11-01T23:30:00+08:00", "2026-11-16T00:10:00+08:00", 14, FreshnessStatus::kOverdue,
     "late at night CST (15:30 UTC) is that CST date"},
    // National Day: 1-7 October are holidays, and they count. Posted Mon 28 September.
    {"2026-09-28T10:00:00+08:00", "2026-10-08T09:00:00+08:00", 14, FreshnessStatus::kOk,
     "10 days, 7 of them holidays"},
    {"2026-09-28T10:00:00+08:00", "2026-10-12T09:00:00+08:00", 14, FreshnessStatus::kDueSoon,
     "14 days across the holiday"},
    {"2026-09-28T10:00:00+08:00", "2026-10-13T09:00:00+08:00", 14, FreshnessStatus::kOverdue,
     "15 days: the holiday does not extend the 2 weeks"},
    {"2026-09-28T10:00:00+08:00", "2026-10-25T09:00:00+08:00", 30, FreshnessStatus::kOk,
     "monthly column: 27 days"},
    {"2026-09-28T10:00:00+08:00", "2026-10-28T09:00:00+08:00", 30, FreshnessStatus::kDueSoon,
     "monthly column: 30 days"},
    {"2026-09-28T10:00:00+08:00", "2026-10-29T09:00:00+08:00", 30, FreshnessStatus::kOverdue,
     "monthly column: 31 days"},
    {"2026-05-01T10:00:00+08:00", "2026-10-28T09:00:00+08:00", 183, FreshnessStatus::kOk,
     "policy column: 180 days"},
    {"2026-05-01T10:00:00+08:00", "2026-10-31T09:00:00+08:00", 183, FreshnessStatus::kDueSoon,
     "policy column: 183 days"},
    {"2026-05-01T10:00:00+08:00", "2026-11-01T09:00:00+08:00", 183, FreshnessStatus::kOverdue,
     "policy column: 184 days"},
};

TEST(FreshnessCounting, CalendarDaysAcrossThresholdsAndHolidays) {
  for (const auto& c : kCases)
    EXPECT_EQ(EvaluateFreshness(At(c.last), At(c.now), c.threshold, 3), c.want)
        << c.why << " (" << c.last << " -> " << c.now << ")";
  EXPECT_EQ(EvaluateFreshness(0, At("2026-11-01T09:00:00+08:00"), 14, 3), FreshnessStatus::kBlank);
}

// Through the service over the real store, with the harness's fake clock and own policy.
class FreshnessMonitor : public ::testing::Test {
 protected:
  Harness& h = Harness::Get();
  void TearDown() override { h.clock.Set(h.start_time); }
};

const Json* Find(const Json& items, const std::string& kind, const std::string& name) {
  for (const auto& it : items)
    if (it["kind"] == kind && it["name"] == name) return &it;
  return nullptr;
}

TEST_F(FreshnessMonitor, ColumnsAndAccountsAgainstTheirThresholds) {
  h.clock.Set(h.start_time);
  h.Token("office");
  h.Token("auditor");
  h.Token("admin");
  AuthContext op;
  ASSERT_TRUE(h.app->store()
                  .Read([&](Tx& tx) -> Status {
                    op.user = **user_repo::GetUserByName(tx, "operator");
                    return Status::Ok();
                  })
                  .ok());
  auto account = [&](const char* kind, const char* name, Json settings) {
    Json body = {{"kind", kind},
                 {"name", name},
                 {"unit_id", h.unit_a},
                 {"settings", settings},
                 {"base_url", "http://127.0.0.1:9/x"}};
    auto made = h.app->channels().Create(op, *DecodeChannelCreate(body));
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return (*made)["id"].get<int64_t>();
  };
  int64_t video = account("manual", "应急局视频号", {{"platform", "视频号"}});
  int64_t quiet = account("manual", "应急局小红书", {{"platform", "小红书"}});
  (void)quiet;

  auto publish = [&](const char* column, const char* at, std::vector<int64_t> accounts) {
    Json body = h.TicketBody("work_news", {h.portal_a});
    body["column"] = column;
    body["title"] = std::string("时效测试：") + column;
    Json t = h.Create("editor_a", body);
    std::vector<std::pair<int64_t, std::string>> links;
    for (int64_t a : accounts) links.push_back({a, "https://example.gov.cn/" + std::to_string(a)});
    MarkPublished(h.app->store(), t["id"], At(at), links);
  };
  publish("应急科普动态", "2026-09-20T10:00:00+08:00", {});
  publish("应急科普动态", "2026-09-28T10:00:00+08:00", {video});  // the latest counts
  publish("安全生产政策解读", "2026-05-01T10:00:00+08:00", {});
  publish("机构职能", "2026-09-05T10:00:00+08:00", {});

  auto policy = FreshnessPolicy::Parse(R"({
      "due_soon_days": 3,
      "column_default": {"threshold_days": 30, "basis": "第四条"},
      "column_rules": [
        {"contains": ["动态"], "threshold_days": 14, "basis": "两周"},
        {"contains": ["政策"], "threshold_days": 183, "basis": "六个月"}],
      "account": {"kinds": ["manual"], "threshold_days": 14, "basis": "两周"},
      "unit_columns": {"市应急管理局": ["应急科普动态", "应急救援专栏"]}})",
                                       "test");
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  RecordsService svc(h.app->store(), h.clock, h.app->review().policy(), h.app->review().checker(),
                     h.app->review(), *policy, h.dir / "tmp");
  ASSERT_TRUE(svc.Init().ok());

  // 12 October: 14 days after 28 September, across the National Day holiday.
  h.clock.Set(At("2026-10-12T09:00:00+08:00"));
  auto j = svc.Freshness();
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  const Json& items = (*j)["items"];
  const Json* news = Find(items, "column", "应急科普动态");
  ASSERT_NE(news, nullptr) << items.dump(2);
  EXPECT_EQ((*news)["unit_id"], h.unit_a);
  EXPECT_EQ((*news)["unit_name"], "市应急管理局");
  EXPECT_EQ((*news)["last_published_at"], "2026-09-28T10:00:00+08:00");
  EXPECT_EQ((*news)["threshold_days"], 14);
  EXPECT_EQ((*news)["days_since"], 14);
  EXPECT_EQ((*news)["status"], "due_soon");
  EXPECT_EQ((*news)["status_label"], "即将超期");
  const Json* blank = Find(items, "column", "应急救援专栏");
  ASSERT_NE(blank, nullptr);
  EXPECT_EQ((*blank)["status"], "blank");
  EXPECT_TRUE((*blank)["last_published_at"].is_null());
  const Json* policy_col = Find(items, "column", "安全生产政策解读");
  ASSERT_NE(policy_col, nullptr) << "a published column is monitored without configuration";
  EXPECT_EQ((*policy_col)["threshold_days"], 183);
  EXPECT_EQ((*policy_col)["status"], "ok");
  const Json* monthly = Find(items, "column", "机构职能");
  ASSERT_NE(monthly, nullptr);
  EXPECT_EQ((*monthly)["threshold_days"], 30);
  EXPECT_EQ((*monthly)["status"], "overdue");  // 37 days
  const Json* acct = Find(items, "account", "应急局视频号");
  ASSERT_NE(acct, nullptr);
  EXPECT_EQ((*acct)["status"], "due_soon");
  EXPECT_EQ((*acct)["account_id"], video);
  const Json* never = Find(items, "account", "应急局小红书");
  ASSERT_NE(never, nullptr);
  EXPECT_EQ((*never)["status"], "blank");
  EXPECT_EQ(Find(items, "account", "门户"), nullptr) << "portal accounts are not new media";

  // 13 October: the holiday week did not stop the clock.
  h.clock.Set(At("2026-10-13T09:00:00+08:00"));
  j = svc.Freshness();
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*Find((*j)["items"], "column", "应急科普动态"))["status"], "overdue");
  EXPECT_EQ((*Find((*j)["items"], "account", "应急局视频号"))["status"], "overdue");
  EXPECT_EQ((*Find((*j)["items"], "column", "安全生产政策解读"))["status"], "ok");

  // 31 October: 183 days after 1 May is still inside six months (due soon), 1 November is not.
  h.clock.Set(At("2026-10-31T09:00:00+08:00"));
  EXPECT_EQ((*Find((*svc.Freshness())["items"], "column", "安全生产政策解读"))["status"],
            "due_soon");
  h.clock.Set(At("2026-11-01T09:00:00+08:00"));
  EXPECT_EQ((*Find((*svc.Freshness())["items"], "column", "安全生产政策解读"))["status"],
            "overdue");
}

TEST_F(FreshnessMonitor, EndpointShapeAndRoles) {
  Resp r = h.Call("GET", "/api/monitor/freshness", h.Token("office"));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(r.json["items"].is_array());
  bool unit_a_news = false;
  for (const auto& it : r.json["items"]) {
    for (const char* k :
         {"unit_id", "unit_name", "kind", "name", "last_published_at", "threshold_days", "status"})
      EXPECT_TRUE(it.contains(k)) << k << " in " << it.dump();
    std::string st = it["status"];
    EXPECT_TRUE(st == "ok" || st == "due_soon" || st == "overdue" || st == "blank") << st;
    // policies/freshness.json configures 工作动态 for 市应急管理局.
    unit_a_news = unit_a_news || (it["unit_id"] == h.unit_a && it["name"] == "工作动态");
  }
  EXPECT_TRUE(unit_a_news);
  EXPECT_EQ(h.Call("GET", "/api/monitor/freshness", h.Token("auditor")).status, 200);
  EXPECT_EQ(h.Call("GET", "/api/monitor/freshness", h.Token("admin")).status, 200);
  EXPECT_EQ(h.Call("GET", "/api/monitor/freshness", h.Token("deputy_a")).status, 403);
}

}  // namespace
}  // namespace gd::testing
