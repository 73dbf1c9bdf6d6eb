// Rescans (art. 16): a changed dictionary rechecks published pieces; what now fires is listed
// per unit, and an editor of the unit opens a correction draft from each item.
#include <gtest/gtest.h>

#include <set>

#include "dispatcher/core/time_util.h"
#include "dispatcher/records/records_service.h"
#include "dispatcher/store/ticket_repo.h"
#include "records_test_util.h"
#include "tests/dispatcher/app/api_harness.h"

namespace gd::testing {
namespace {

// A dictionary that has learnt one outdated expression.
class NewDictionary final : public ContentChecker {
 public:
  Json Run(const CheckRequest& req) const override {
    Json out = Json::array();
    const std::string word = "老旧提法";
    for (size_t p = req.body.find(word); p != std::string::npos; p = req.body.find(word, p + 1))
      out.push_back({{"id", "expression:body:" + std::to_string(p)},
                     {"rule", "expression"},
                     {"kind", "outdated"},
                     {"severity", "warn"},
                     {"start", p},
                     {"end", p + word.size()},
                     {"text", word},
                     {"message", "过时表述"},
                     {"suggestion", "新提法"}});
    return out;
  }
  std::string version() const override { return "test-dictionary-2"; }
};

class Rescans : public ::testing::Test {
 protected:
  Harness& h = Harness::Get();
  void TearDown() override { h.clock.Set(h.start_time); }

  int64_t Published(const char* editor, int64_t channel, const std::string& title,
                    const std::string& body_text) {
    Json body = h.TicketBody("work_news", {channel});
    body["title"] = title;
    body["body"] = body_text;
    body["column"] = "工作动态";
    Json t = h.Create(editor, body);
    MarkPublished(h.app->store(), t["id"], h.clock.Now(),
                  {{channel, "https://example.gov.cn/" + t["id"].dump()}});
    return t["id"];
  }
};

TEST_F(Rescans, ChangedDictionaryFlagsPublishedPiecesPerUnitWithCorrections) {
  h.clock.Set(h.start_time);
  for (const char* u : {"office", "auditor", "deputy_a", "deputy_b", "editor_a", "editor_b"})
    h.Token(u);
  int64_t t1 = Published("editor_a", h.portal_a, "应急局通报（一）", "文中有老旧提法一处。");
  int64_t t2 = Published("editor_b", h.portal_b, "城关镇通报", "城关镇老旧提法。");
  int64_t t3 = Published("editor_a", h.portal_a, "应急局通报（二）", "内容规范。");
  int64_t t4 = Published("editor_a", h.portal_a, "应急局通报（三）", "老旧提法，审核时已确认。");
  // t4's finding already fired at review (and was acknowledged): not new.
  ASSERT_TRUE(h.app->store()
                  .Write([&](Tx& tx) -> Status {
                    GD_ASSIGN_OR_RETURN(auto t, ticket_repo::GetTicket(tx, t4));
                    return ticket_repo::InsertCheckRun(
                        tx, {0, t4, t->version, "submit",
                             Json::array({{{"id", "expression:body:0"}, {"severity", "warn"}}}),
                             tx.now()});
                  })
                  .ok());

  NewDictionary dict;
  auto freshness = FreshnessPolicy::Load(DefaultSourceDir() / "policies" / "freshness.json");
  ASSERT_TRUE(freshness.ok());
  RecordsService svc(h.app->store(), h.clock, h.app->review().policy(), dict, h.app->review(),
                     *freshness, h.dir / "tmp");
  ASSERT_TRUE(svc.Init().ok());
  auto ran = svc.RescanIfVersionChanged();
  ASSERT_TRUE(ran.ok()) << ran.status().ToString();
  EXPECT_TRUE(*ran) << "the dictionary differs from the last rescan's";
  auto again = svc.RescanIfVersionChanged();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again) << "same dictionary: nothing to do";

  // The office sees every unit's flagged pieces from the latest run.
  Resp all = h.Call("GET", "/api/monitor/rescans", h.Token("office"));
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.json["run"]["checker_version"], "test-dictionary-2");
  EXPECT_EQ(all.json["run"]["cause"], "startup");
  EXPECT_EQ(all.json["stale"], true) << "the server's own dictionary is another one";
  auto ids = [](const Resp& r) {
    std::set<int64_t> out;
    for (const auto& it : r.json["items"]) out.insert(it["ticket_id"].get<int64_t>());
    return out;
  };
  std::set<int64_t> flagged = ids(all);
  EXPECT_TRUE(flagged.count(t1));
  EXPECT_TRUE(flagged.count(t2));
  EXPECT_FALSE(flagged.count(t3)) << "nothing fires";
  EXPECT_FALSE(flagged.count(t4)) << "fired already at review";
  for (const auto& it : all.json["items"])
    if (it["ticket_id"] == t1) {
      EXPECT_EQ(it["unit_name"], "市应急管理局");
      EXPECT_EQ(it["title"], "应急局通报（一）");
      EXPECT_EQ(it["findings"][0]["text"], "老旧提法");
      EXPECT_TRUE(it["correction_ticket_id"].is_null());
    }
  Resp only_b =
      h.Call("GET", "/api/monitor/rescans?unit_id=" + std::to_string(h.unit_b), h.Token("auditor"));
  ASSERT_EQ(only_b.status, 200);
  EXPECT_EQ(ids(only_b), std::set<int64_t>({t2}));

  // A unit's leaders see their own unit only.
  Resp mine = h.Call("GET", "/api/monitor/rescans", h.Token("deputy_a"));
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_TRUE(ids(mine).count(t1));
  EXPECT_FALSE(ids(mine).count(t2));
  EXPECT_EQ(
      h.Call("GET", "/api/monitor/rescans?unit_id=" + std::to_string(h.unit_b), h.Token("deputy_a"))
          .status,
      403);
  EXPECT_EQ(h.Call("GET", "/api/monitor/rescans", h.Token("editor_a")).status, 403);

  // A correction draft from the flagged piece, by an editor of its unit only.
  const std::string path = "/api/monitor/rescans/" + std::to_string(t1) + "/correction";
  EXPECT_EQ(h.Call("POST", path, h.Token("editor_b")).status, 403);
  EXPECT_EQ(h.Call("POST", "/api/monitor/rescans/" + std::to_string(t3) + "/correction",
                   h.Token("editor_a"))
                .status,
            404);
  Resp fix = h.Call("POST", path, h.Token("editor_a"));
  ASSERT_EQ(fix.status, 201) << fix.body;
  EXPECT_EQ(fix.json["state"], "draft");
  EXPECT_EQ(fix.json["title"], "【更正】应急局通报（一）");
  EXPECT_EQ(fix.json["body"], "文中有老旧提法一处。");
  EXPECT_EQ(fix.json["category"], "work_news");
  EXPECT_EQ(fix.json["column"], "工作动态");
  ASSERT_EQ(fix.json["channels"].size(), 1u);
  EXPECT_EQ(fix.json["channels"][0]["account_id"], h.portal_a);
  EXPECT_EQ(fix.json["corrects_ticket_id"], t1);
  Resp twice = h.Call("POST", path, h.Token("editor_a"));
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(twice.json["error"]["details"]["correction_ticket_id"], fix.json["id"]);
  Resp linked = h.Call("GET", "/api/monitor/rescans", h.Token("office"));
  for (const auto& it : linked.json["items"])
    if (it["ticket_id"] == t1) {
      EXPECT_EQ(it["correction_ticket_id"], fix.json["id"]);
    }
  Resp audit = h.Call("GET", "/api/audit?ticket_id=" + std::to_string(t1), h.Token("auditor"));
  bool audited = false;
  for (const auto& e : audit.json["items"])
    audited = audited || (e["action"] == "rescan.correction" &&
                          e["detail"]["correction_ticket_id"] == fix.json["id"]);
  EXPECT_TRUE(audited);

  // The rescan left a trace in the piece's history (check run of stage "rescan").
  Resp history =
      h.Call("GET", "/api/tickets/" + std::to_string(t1) + "/history", h.Token("editor_a"));
  bool traced = false;
  for (const auto& e : history.json["items"])
    traced = traced || (e["type"] == "check_run" && e["stage"] == "rescan");
  EXPECT_TRUE(traced);

  // The office runs one now, with the server's own dictionary.
  Resp now = h.Call("POST", "/api/monitor/rescans", h.Token("office"));
  ASSERT_EQ(now.status, 201) << now.body;
  EXPECT_EQ(now.json["cause"], "manual");
  EXPECT_EQ(now.json["checker_version"], h.app->checker().version());
  EXPECT_EQ(now.json["previous_version"], "test-dictionary-2");
  EXPECT_EQ(h.Call("POST", "/api/monitor/rescans", h.Token("auditor")).status, 403);
}

}  // namespace
}  // namespace gd::testing
