// Monthly archive of review records (art. 10-3) and its filing, over HTTP against the real App.
// Seeds July 2026 for unit A (and a decoy in unit B), with decisions on both sides of the
// month's edges in China Standard Time, then reads the JSON, the CSV and the XLSX.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "dispatcher/app/archive_cli.h"
#include "dispatcher/core/time_util.h"
#include "records_test_util.h"
#include "tests/dispatcher/app/api_harness.h"

namespace gd::testing {
namespace {

TimeMs At(const char* rfc3339) { return *ParseRfc3339(rfc3339); }

struct Seed {
  int64_t a1 = 0, a2 = 0, a3 = 0, b1 = 0;
};

// Users with Chinese names, as the archive prints them.
const char* const kEditor = "rec_editor_a";
const char* const kReviewer = "rec_reviewer_a";
const char* const kDeputy = "rec_deputy_a";
const char* const kPrincipal = "rec_principal_a";

class RecordsArchive : public ::testing::Test {
 protected:
  static Harness& h() { return Harness::Get(); }

  static const Seed& Seeded() {
    static Seed seed = [] {
      Harness& hh = h();
      hh.clock.Set(hh.start_time);
      auto add = [&](const char* username, const char* name, Role role) {
        auto u = hh.app->accounts().AddUserDirect(username, name, hh.unit_a, {role},
                                                  Harness::kPassword, false);
        EXPECT_TRUE(u.ok()) << u.status().ToString();
      };
      add(kEditor, "李信息员", Role::kEditor);
      add(kReviewer, "陈科长", Role::kUnitReviewer);
      add(kDeputy, "周副局长", Role::kDeputyLeader);
      add(kPrincipal, "吴局长", Role::kPrincipalLeader);
      // Sessions are opened at the harness's time, so moving the clock back keeps them valid.
      for (const char* u : {kEditor, kReviewer, kDeputy, kPrincipal, "editor_b", "reviewer_b",
                            "deputy_b", "office", "auditor", "editor_a", "sitemgr_a", "deputy_a"})
        hh.Token(u);

      Seed s;
      auto create = [&](const char* editor, const char* category, const char* title,
                        std::vector<int64_t> channels) {
        Json body = hh.TicketBody(category, channels);
        body["title"] = title;
        body["column"] = std::string(category) == "work_news" ? "工作动态" : "通知公告";
        return hh.Create(editor, body);
      };
      // A1: work news, approved in two steps, published on 8 July.
      hh.clock.Set(At("2026-07-06T09:00:00+08:00"));
      Json a1 =
          create(kEditor, "work_news", "市应急管理局七月防汛工作动态", {hh.portal_a, hh.weibo_a});
      s.a1 = a1["id"];
      hh.Submit(kEditor, s.a1);
      hh.clock.Set(At("2026-07-06T10:15:00+08:00"));
      EXPECT_EQ(hh.Decide(kReviewer, s.a1, a1["content_hash"]).status, 200);
      hh.clock.Set(At("2026-07-07T16:40:00+08:00"));
      EXPECT_EQ(hh.Decide(kDeputy, s.a1, a1["content_hash"]).status, 200);
      MarkPublished(
          hh.app->store(), s.a1, At("2026-07-08T08:00:00+08:00"),
          {{hh.portal_a, "http://127.0.0.1/site/a1.html"}, {hh.weibo_a, "https://weibo.com/a1"}});
      // A2: an announcement returned at the first step with a partial checklist.
      hh.clock.Set(At("2026-07-10T09:00:00+08:00"));
      Json a2 = create(kEditor, "announcement", "关于汛期值班安排的通知", {hh.portal_a});
      s.a2 = a2["id"];
      hh.Submit(kEditor, s.a2);
      hh.clock.Set(At("2026-07-10T11:00:00+08:00"));
      EXPECT_EQ(hh.Decide(kReviewer, s.a2, a2["content_hash"], "reject",
                          {{"comment", "统计数据有误，请核实后重报"},
                           {"checklist", {{"secrets", true}, {"compliance", true}}}})
                    .status,
                200);
      // A3: three steps on 30 June, 31 July and 1 August (CST): only the middle one is July's.
      hh.clock.Set(At("2026-06-30T23:40:00+08:00"));
      Json a3 = create(kEditor, "announcement", "关于开展安全生产月活动的公告", {hh.portal_a});
      s.a3 = a3["id"];
      hh.Submit(kEditor, s.a3);
      hh.clock.Set(At("2026-06-30T23:50:00+08:00"));
      EXPECT_EQ(hh.Decide(kReviewer, s.a3, a3["content_hash"]).status, 200);
      hh.clock.Set(At("2026-07-31T23:30:00+08:00"));
      EXPECT_EQ(hh.Decide(kDeputy, s.a3, a3["content_hash"]).status, 200);
      hh.clock.Set(At("2026-08-01T00:10:00+08:00"));  // still 31 July in UTC
      EXPECT_EQ(hh.Decide(kPrincipal, s.a3, a3["content_hash"]).status, 200);
      // B1: another unit's July decision must not leak into unit A's archive.
      hh.clock.Set(At("2026-07-15T09:00:00+08:00"));
      Json b1 = create("editor_b", "work_news", "城关镇秋粮收购工作动态", {hh.portal_b});
      s.b1 = b1["id"];
      hh.Submit("editor_b", s.b1);
      hh.clock.Set(At("2026-07-15T10:00:00+08:00"));
      EXPECT_EQ(hh.Decide("reviewer_b", s.b1, b1["content_hash"]).status, 200);
      hh.clock.Set(hh.start_time);
      return s;
    }();
    return seed;
  }

  void SetUp() override { Seeded(); }
  void TearDown() override { h().clock.Set(h().start_time); }

  std::string ArchivePath(const std::string& format, int64_t unit = 0) {
    return "/api/archive?unit_id=" + std::to_string(unit ? unit : h().unit_a) +
           "&month=2026-07&format=" + format;
  }
};

// The four July records of unit A, in time order: (ticket, step, reviewer, decision, time).
struct Expected {
  int64_t Seed::*ticket;
  const char* step;
  const char* reviewer;
  const char* decision;
  const char* time;
};
const Expected kJuly[] = {
    {&Seed::a1, "初审", "陈科长", "通过", "2026-07-06 10:15"},
    {&Seed::a1, "复审", "周副局长", "通过", "2026-07-07 16:40"},
    {&Seed::a2, "初审", "陈科长", "退回", "2026-07-10 11:00"},
    {&Seed::a3, "复审", "周副局长", "通过", "2026-07-31 23:30"},
};

TEST_F(RecordsArchive, JsonHasEveryDecisionOfTheMonthInChinaStandardTime) {
  Resp r = h().Call("GET", ArchivePath("json"), h().Token("office"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["unit_name"], "市应急管理局");
  EXPECT_EQ(r.json["month_label"], "2026年7月");
  // Other tests may add decisions to unit A, but never in July 2026.
  const Json& items = r.json["items"];
  ASSERT_EQ(items.size(), std::size(kJuly)) << items.dump(2);
  const Seed& s = Seeded();
  for (size_t i = 0; i < std::size(kJuly); ++i) {
    const Json& it = items[i];
    EXPECT_EQ(it["ticket_id"], s.*kJuly[i].ticket) << i;
    EXPECT_EQ(it["step_label"], kJuly[i].step) << i;
    EXPECT_EQ(it["reviewer_name"], kJuly[i].reviewer) << i;
    EXPECT_EQ(it["decision_label"], kJuly[i].decision) << i;
    EXPECT_EQ(it["decided_at"].get<std::string>().substr(0, 16),
              std::string(kJuly[i].time).replace(10, 1, "T"))
        << i;
    EXPECT_EQ(it["checklist"].size(), 9u);
  }
  EXPECT_EQ(items[0]["category_label"], "工作动态");
  EXPECT_EQ(items[0]["channels"].size(), 2u);
  EXPECT_EQ(items[0]["channels"][1]["name"], "微博");
  EXPECT_EQ(items[0]["published_at"], "2026-07-08T08:00:00+08:00");
  EXPECT_EQ(items[0]["links"].size(), 2u);
  EXPECT_EQ(items[2]["comment"], "统计数据有误，请核实后重报");
  EXPECT_EQ(items[2]["checklist"][0]["checked"], true);
  EXPECT_EQ(items[2]["checklist"][4]["checked"], false);
  EXPECT_TRUE(items[2]["published_at"].is_null());
  for (const auto& it : items) EXPECT_NE(it["ticket_id"], s.b1);
}

TEST_F(RecordsArchive, CsvIsUtf8WithBomAndHoldsTheSameRecords) {
  Resp r = h().Call("GET", ArchivePath("csv"), h().Token("auditor"));
  ASSERT_EQ(r.status, 200) << r.body;
  bool bom = false;
  auto rows = ParseCsv(r.body, &bom);
  EXPECT_TRUE(bom);
  ASSERT_EQ(rows.size(), 1 + std::size(kJuly));
  const auto& head = rows[0];
  auto col = [&](const std::string& name) {
    auto it = std::find(head.begin(), head.end(), name);
    EXPECT_NE(it, head.end()) << name;
    return static_cast<size_t>(it - head.begin());
  };
  const Seed& s = Seeded();
  for (size_t i = 0; i < std::size(kJuly); ++i) {
    const auto& row = rows[i + 1];
    ASSERT_EQ(row.size(), head.size());
    EXPECT_EQ(row[col("工单号")], std::to_string(s.*kJuly[i].ticket));
    EXPECT_EQ(row[col("审核环节")], kJuly[i].step);
    EXPECT_EQ(row[col("审核人")], kJuly[i].reviewer);
    EXPECT_EQ(row[col("审核结论")], kJuly[i].decision);
    EXPECT_EQ(row[col("审核时间")], kJuly[i].time);
  }
  EXPECT_EQ(rows[1][col("标题")], "市应急管理局七月防汛工作动态");
  EXPECT_EQ(rows[1][col("发布渠道")], "门户、微博");
  EXPECT_EQ(rows[1][col("发布时间")], "2026-07-08 08:00");
  EXPECT_EQ(rows[1][col("发布链接")], "http://127.0.0.1/site/a1.html\nhttps://weibo.com/a1");
  EXPECT_EQ(rows[1][col("涉密")], "√");
  EXPECT_EQ(rows[3][col("审核意见")], "统计数据有误，请核实后重报");
  EXPECT_EQ(rows[3][col("合规")], "√");
  EXPECT_EQ(rows[3][col("数据")], "×");
  EXPECT_EQ(r.body.find("城关镇"), std::string::npos);
}

TEST_F(RecordsArchive, XlsxIsFormattedForPrintingAndHoldsTheSameRecords) {
  Resp r = h().Call("GET", ArchivePath("xlsx"), h().Token("office"));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.body.substr(0, 2), "PK");
  auto rows = XlsxRows(r.body);
  ASSERT_TRUE(rows.count(1));
  EXPECT_NE(rows[1][0].find("市应急管理局"), std::string::npos);
  EXPECT_NE(rows[1][0].find("2026年7月"), std::string::npos);
  const auto& head = rows[3];
  auto col = [&](const std::string& name) {
    auto it = std::find(head.begin(), head.end(), name);
    EXPECT_NE(it, head.end()) << name;
    return static_cast<size_t>(it - head.begin());
  };
  const Seed& s = Seeded();
  for (size_t i = 0; i < std::size(kJuly); ++i) {
    auto& row = rows[4 + static_cast<int>(i)];
    row.resize(head.size());
    EXPECT_EQ(row[col("工单号")], std::to_string(s.*kJuly[i].ticket));
    EXPECT_EQ(row[col("审核环节")], kJuly[i].step);
    EXPECT_EQ(row[col("审核人")], kJuly[i].reviewer);
    EXPECT_EQ(row[col("审核结论")], kJuly[i].decision);
    EXPECT_EQ(row[col("审核时间")], kJuly[i].time);
  }
  EXPECT_FALSE(rows.count(4 + static_cast<int>(std::size(kJuly))));
  for (const auto& [n, row] : rows)
    for (const auto& v : row) EXPECT_EQ(v.find("城关镇"), std::string::npos) << v;

  std::string sheet = *ZipEntry(r.body, "xl/worksheets/sheet1.xml");
  EXPECT_NE(sheet.find("ySplit=\"3\""), std::string::npos) << "frozen header";
  EXPECT_NE(sheet.find("orientation=\"landscape\""), std::string::npos);
  EXPECT_NE(sheet.find("fitToPage=\"1\""), std::string::npos) << "fit to one page wide";
  EXPECT_NE(sheet.find("fitToHeight=\"0\""), std::string::npos);
  EXPECT_NE(sheet.find("<cols>"), std::string::npos) << "column widths";
  EXPECT_NE(sheet.find("<oddHeader>&amp;L单位：市应急管理局"), std::string::npos);
  EXPECT_NE(sheet.find("2026年7月"), std::string::npos);
  std::string workbook = *ZipEntry(r.body, "xl/workbook.xml");
  EXPECT_NE(workbook.find("_xlnm.Print_Titles"), std::string::npos) << "header row repeats";
}

TEST_F(RecordsArchive, CommandLineWritesTheSameArchiveByUnitName) {
  const Seed& s = Seeded();
  std::filesystem::path out = h().dir / "cli-archive.xlsx";
  ASSERT_EQ(RunArchiveCli(*h().app, "市应急管理局", "2026-07", out.string()), 0);
  std::ifstream in(out, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto rows = XlsxRows(bytes);
  ASSERT_TRUE(rows.count(4 + static_cast<int>(std::size(kJuly)) - 1));
  EXPECT_EQ(rows[4][1], std::to_string(s.a1));
  EXPECT_EQ(RunArchiveCli(*h().app, "无此单位", "2026-07", out.string()), 2);
  EXPECT_EQ(RunArchiveCli(*h().app, std::to_string(h().unit_a), "2026-7", out.string()), 2);
}

TEST_F(RecordsArchive, LeadersSeeOnlyTheirOwnUnit) {
  EXPECT_EQ(h().Call("GET", ArchivePath("json"), h().Token(kDeputy)).status, 200);
  EXPECT_EQ(h().Call("GET", ArchivePath("json"), h().Token(kPrincipal)).status, 200);
  Resp other = h().Call("GET", ArchivePath("json"), h().Token("deputy_b"));
  EXPECT_EQ(other.status, 403);
  Resp b = h().Call("GET", ArchivePath("json", h().unit_b), h().Token("deputy_b"));
  ASSERT_EQ(b.status, 200) << b.body;
  ASSERT_EQ(b.json["items"].size(), 1u);
  EXPECT_EQ(b.json["items"][0]["ticket_id"], Seeded().b1);
  EXPECT_EQ(h().Call("GET", ArchivePath("json"), h().Token("editor_a")).status, 403);
  EXPECT_EQ(h().Call("GET", "/api/archive?unit_id=1&month=2026-13", h().Token("office")).status,
            422);
}

TEST_F(RecordsArchive, FilingIsAnExplicitAuditedActionTheOfficeCanFollow) {
  Seeded();
  const std::string list = "/api/archive/filings?month=2026-07";
  auto status_of = [&](const Resp& r, int64_t unit) {
    for (const auto& it : r.json["items"])
      if (it["unit_id"] == unit) return it["status"].get<std::string>();
    return std::string("missing");
  };
  h().clock.Set(At("2026-07-31T12:00:00+08:00"));
  Resp early = h().Call("POST", "/api/archive/filings", h().Token(kDeputy),
                        {{"unit_id", h().unit_a}, {"month", "2026-07"}});
  EXPECT_EQ(early.status, 409) << "the month has not ended";

  h().clock.Set(At("2026-08-10T09:00:00+08:00"));
  Resp before = h().Call("GET", "/api/archive/filings", h().Token("office"));
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(before.json["month"], "2026-07") << "defaults to the previous month";
  EXPECT_EQ(before.json["due_date"], "2026-08-25");
  EXPECT_EQ(status_of(before, h().unit_a), "not_filed");
  EXPECT_EQ(status_of(before, h().unit_b), "not_filed");
  EXPECT_EQ(status_of(before, h().office_unit), "missing") << "the office files nothing";

  Resp wrong = h().Call("POST", "/api/archive/filings", h().Token("deputy_b"),
                        {{"unit_id", h().unit_a}, {"month", "2026-07"}});
  EXPECT_EQ(wrong.status, 403);
  h().clock.Set(At("2026-08-12T15:30:00+08:00"));
  Resp filed = h().Call("POST", "/api/archive/filings", h().Token(kDeputy),
                        {{"unit_id", h().unit_a}, {"month", "2026-07"}});
  ASSERT_EQ(filed.status, 201) << filed.body;
  EXPECT_EQ(filed.json["records"], std::size(kJuly));
  EXPECT_EQ(filed.json["filed_by_name"], "周副局长");
  EXPECT_EQ(h().Call("POST", "/api/archive/filings", h().Token("sitemgr_a"),
                     {{"unit_id", h().unit_a}, {"month", "2026-07"}})
                .status,
            409)
      << "filed once";

  h().clock.Set(At("2026-08-25T23:00:00+08:00"));
  Resp on_25th = h().Call("GET", list, h().Token("auditor"));
  EXPECT_EQ(status_of(on_25th, h().unit_a), "filed");
  EXPECT_EQ(status_of(on_25th, h().unit_b), "not_filed");
  h().clock.Set(At("2026-08-26T00:00:01+08:00"));
  Resp after = h().Call("GET", list, h().Token("office"));
  EXPECT_EQ(status_of(after, h().unit_a), "filed");
  EXPECT_EQ(status_of(after, h().unit_b), "overdue");
  for (const auto& it : after.json["items"])
    if (it["unit_id"] == h().unit_a) {
      EXPECT_EQ(it["filed_at"], "2026-08-12T15:30:00+08:00");
      EXPECT_EQ(it["filed_by_name"], "周副局长");
      EXPECT_EQ(it["late"], false);
    }

  h().clock.Set(h().start_time);
  Resp audit = h().Call("GET", "/api/audit?per_page=500", h().Token("auditor"));
  bool found = false;
  for (const auto& e : audit.json["items"])
    found = found || (e["action"] == "archive.file" && e["entity_id"] == h().unit_a &&
                      e["detail"]["month"] == "2026-07");
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace gd::testing
