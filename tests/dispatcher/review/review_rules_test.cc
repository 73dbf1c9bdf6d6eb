// The article 10 chains and the review rules, driven over HTTP against the real server.
#include <gtest/gtest.h>

#include "dispatcher/core/time_util.h"
#include "tests/dispatcher/app/api_harness.h"
#include "tests/support/status_matchers.h"

namespace gd::testing {
namespace {

std::string Path(int64_t id, const std::string& tail = "") {
  return "/api/tickets/" + std::to_string(id) + tail;
}

struct ChainCase {
  std::string category;
  bool out_of_scope;
  std::vector<std::string> roles;     // expected chain
  std::vector<std::string> deciders;  // users who walk it
};

class ChainWalk : public ::testing::TestWithParam<ChainCase> {};

TEST_P(ChainWalk, WalksExactlyItsArticle10Chain) {
  Harness& h = Harness::Get();
  const ChainCase& c = GetParam();
  Json body = h.TicketBody(c.category, {h.portal_a});
  if (c.out_of_scope) {
    body["out_of_scope"] = true;
    body["urgent"] = true;  // no 3-day lead needed
  }
  Json t = h.Create("editor_a", body);
  EXPECT_EQ(t["state"], "draft");
  EXPECT_EQ(t["version"], 1);
  t = h.Submit("editor_a", t["id"]);
  ASSERT_EQ(t["state"], "in_review");
  ASSERT_EQ(t["steps"].size(), c.roles.size());
  for (size_t i = 0; i < c.roles.size(); ++i) EXPECT_EQ(t["steps"][i]["role"], c.roles[i]) << i;
  int64_t id = t["id"];
  for (size_t i = 0; i < c.deciders.size(); ++i) {
    EXPECT_EQ(t["current_step"], static_cast<int>(i));
    EXPECT_EQ(t["steps"][i]["state"], "pending");
    if (i + 1 < c.roles.size()) {
      EXPECT_EQ(t["steps"][i + 1]["state"], "waiting");
    }
    // Nobody else in the chain may decide out of turn.
    for (size_t j = i + 1; j < c.deciders.size(); ++j) {
      if (c.roles[j] == c.roles[i]) continue;
      Resp early = h.Decide(c.deciders[j], id, t["content_hash"]);
      EXPECT_EQ(early.status, 403) << c.deciders[j] << " at step " << i << ": " << early.body;
    }
    Resp r = h.Decide(c.deciders[i], id, t["content_hash"], "approve", {{"step", i}});
    ASSERT_EQ(r.status, 200) << c.deciders[i] << ": " << r.body;
    t = r.json;
    EXPECT_EQ(t["steps"][i]["state"], "approved");
  }
  EXPECT_EQ(t["state"], "approved");
  EXPECT_TRUE(t["current_step"].is_null());
  EXPECT_TRUE(t["chain_complete"].get<bool>());
  EXPECT_TRUE(t["signatures_valid"].get<bool>());
}

INSTANTIATE_TEST_SUITE_P(
    Categories, ChainWalk,
    ::testing::Values(
        ChainCase{
            "work_news", false, {"unit_reviewer", "deputy_leader"}, {"reviewer_a", "deputy_a"}},
        ChainCase{"announcement",
                  false,
                  {"unit_reviewer", "deputy_leader", "principal_leader"},
                  {"reviewer_a", "deputy_a", "principal_a"}},
        ChainCase{"policy_document",
                  false,
                  {"unit_reviewer", "deputy_leader", "principal_leader"},
                  {"reviewer_a", "deputy_a", "principal_a"}},
        ChainCase{"key_area",
                  false,
                  {"unit_reviewer", "deputy_leader", "principal_leader"},
                  {"reviewer_a", "deputy_a", "principal_a"}},
        ChainCase{
            "interactive", false, {"site_manager", "deputy_leader"}, {"sitemgr_a", "deputy_a"}},
        ChainCase{"reposted", false, {"site_manager", "deputy_leader"}, {"sitemgr_a", "deputy_a"}},
        ChainCase{"work_news",
                  true,
                  {"unit_reviewer", "deputy_leader", "office"},
                  {"reviewer_a", "deputy_a", "office"}}),
    [](const auto& info) { return info.param.category + (info.param.out_of_scope ? "_oos" : ""); });

class ReviewRules : public ::testing::Test {
 protected:
  Harness& h = Harness::Get();
  Json Submitted(const std::string& category = "work_news") {
    Json t = h.Create("editor_a", h.TicketBody(category, {h.portal_a, h.weibo_a}));
    return h.Submit("editor_a", t["id"]);
  }
};

TEST_F(ReviewRules, AuthorNeverApprovesOwnPiece) {
  // editor_reviewer_a holds both roles; as the author the first step is still refused.
  Json t = h.Create("editor_reviewer_a", h.TicketBody("work_news", {h.portal_a}));
  t = h.Submit("editor_reviewer_a", t["id"]);
  Resp r = h.Decide("editor_reviewer_a", t["id"], t["content_hash"]);
  EXPECT_THAT(r, ApiError(403, "forbidden"));
}

TEST_F(ReviewRules, OnePersonDecidesAtMostOneStepOfAVersion) {
  Json t = Submitted();
  Resp r = h.Decide("multi_a", t["id"], t["content_hash"]);
  ASSERT_EQ(r.status, 200) << r.body;
  Resp again = h.Decide("multi_a", t["id"], r.json["content_hash"]);  // step 1 is deputy_leader
  EXPECT_THAT(again, ApiError(403, "forbidden"));
  EXPECT_EQ(h.Decide("deputy_a", t["id"], t["content_hash"]).status, 200);
}

TEST_F(ReviewRules, StaleVersionHashIsAConflict) {
  Json t = Submitted();
  Resp r = h.Decide("reviewer_a", t["id"], std::string(64, 'a'));
  EXPECT_THAT(r, ApiError(409, "conflict"));
  EXPECT_EQ(r.json["error"]["details"]["content_hash"], t["content_hash"]);
}

TEST_F(ReviewRules, ApprovalNeedsAllNineChecklistItems) {
  Json t = Submitted();
  for (const char* item : {"secrets", "compliance", "promotion", "typos", "statistics", "sensitive",
                           "timing", "harm", "other"}) {
    Json checklist = Harness::FullChecklist();
    checklist.erase(item);
    Resp r =
        h.Decide("reviewer_a", t["id"], t["content_hash"], "approve", {{"checklist", checklist}});
    EXPECT_THAT(r, ApiError(422, "invalid")) << item;
    EXPECT_EQ(r.json["error"]["details"]["missing"], Json::array({item}));
    checklist[item] = false;
    EXPECT_EQ(
        h.Decide("reviewer_a", t["id"], t["content_hash"], "approve", {{"checklist", checklist}})
            .status,
        422);
  }
  EXPECT_EQ(h.Decide("reviewer_a", t["id"], t["content_hash"]).status, 200);
}

TEST_F(ReviewRules, ReviewerFromAnotherUnitIsRefused) {
  Json t = Submitted();
  Resp r = h.Decide("reviewer_b", t["id"], t["content_hash"]);
  EXPECT_THAT(r, ApiError(403, "forbidden"));
  // ... and cannot even read it.
  EXPECT_THAT(h.Call("GET", Path(t["id"]), h.Token("reviewer_b")), ApiError(403, "forbidden"));
  EXPECT_EQ(h.Call("GET", Path(t["id"]), h.Token("office")).status, 200)
      << "the office is city-wide";
}

TEST_F(ReviewRules, DecisionOnTheWrongStepIsAConflict) {
  Json t = Submitted();
  Resp r = h.Decide("reviewer_a", t["id"], t["content_hash"], "approve", {{"step", 1}});
  EXPECT_THAT(r, ApiError(409, "conflict"));
  // The right person for step 1 at step 0: refused by role.
  EXPECT_THAT(h.Decide("deputy_a", t["id"], t["content_hash"]), ApiError(403, "forbidden"));
}

TEST_F(ReviewRules, RejectionNeedsACommentAndReturnsToTheAuthor) {
  Json t = Submitted();
  Resp no_comment =
      h.Decide("reviewer_a", t["id"], t["content_hash"], "reject", {{"comment", " "}});
  EXPECT_THAT(no_comment, ApiError(422, "invalid"));
  Resp r = h.Decide("reviewer_a", t["id"], t["content_hash"], "reject",
                    {{"comment", "标题有误，请修改"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["state"], "returned");
  EXPECT_EQ(r.json["steps"][0]["state"], "rejected");
  // Back in the author's hands: edit, resubmit, the chain starts over.
  Json body = h.TicketBody("work_news", {h.portal_a, h.weibo_a});
  body["title"] = "关于做好今冬明春安全生产工作的通知（修订）";
  Resp edited = h.Call("PUT", Path(t["id"]), h.Token("editor_a"), body);
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(edited.json["version"], 2);
  Json again = h.Submit("editor_a", t["id"]);
  EXPECT_EQ(again["steps"][0]["state"], "pending");
}

TEST_F(ReviewRules, EditingAfterSubmissionVoidsEveryApproval) {
  Json t = Submitted("announcement");
  int64_t id = t["id"];
  ASSERT_EQ(h.Decide("reviewer_a", id, t["content_hash"]).status, 200);
  Resp after = h.Decide("deputy_a", id, t["content_hash"]);
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(after.json["steps"][1]["state"], "approved");
  // In review the piece cannot be edited in place...
  Json body = h.TicketBody("announcement", {h.portal_a});
  EXPECT_THAT(h.Call("PUT", Path(id), h.Token("editor_a"), body), ApiError(409, "conflict"));
  // ... the author recalls it, edits (a new version with a new hash) and resubmits.
  Resp recalled = h.Call("POST", Path(id, "/recall"), h.Token("editor_a"), Json::object());
  ASSERT_EQ(recalled.status, 200) << recalled.body;
  EXPECT_EQ(recalled.json["state"], "draft");
  body["body"] = "修订后的正文。";
  Resp edited = h.Call("PUT", Path(id), h.Token("editor_a"), body);
  ASSERT_EQ(edited.status, 200);
  EXPECT_NE(edited.json["content_hash"], t["content_hash"]);
  Json resubmitted = h.Submit("editor_a", id);
  for (size_t i = 0; i < 3; ++i)
    EXPECT_NE(resubmitted["steps"][i]["state"], "approved")
        << "approval of step " << i << " survived the edit";
  EXPECT_EQ(resubmitted["current_step"], 0);
  // The old approvals cannot be replayed: the old hash is stale, and people decide afresh.
  EXPECT_THAT(h.Decide("reviewer_a", id, t["content_hash"]), ApiError(409, "conflict"));
  EXPECT_EQ(h.Decide("reviewer_a", id, resubmitted["content_hash"]).status, 200);
  // The history keeps the voided decisions, marked void.
  Resp hist = h.Call("GET", Path(id, "/history"), h.Token("auditor"));
  ASSERT_EQ(hist.status, 200);
  int voided = 0;
  for (const auto& e : hist.json["items"])
    if (e["type"] == "decision" && e["void"].get<bool>()) ++voided;
  EXPECT_EQ(voided, 2);
}

TEST_F(ReviewRules, RecallWithoutEditStillVoidsApprovals) {
  Json t = Submitted();
  int64_t id = t["id"];
  ASSERT_EQ(h.Decide("reviewer_a", id, t["content_hash"]).status, 200);
  ASSERT_EQ(h.Call("POST", Path(id, "/recall"), h.Token("editor_a"), Json::object()).status, 200);
  Json again = h.Submit("editor_a", id);
  EXPECT_EQ(again["steps"][0]["state"], "pending");
  EXPECT_EQ(h.Decide("reviewer_a", id, again["content_hash"]).status, 200)
      << "a new round: the reviewer decides again";
}

TEST_F(ReviewRules, SubmissionNeedsProofreadAndAChannel) {
  Json t = h.Create("editor_a", h.TicketBody("work_news", {}));
  Resp r = h.Call("POST", Path(t["id"], "/submit"), h.Token("editor_a"), {{"proofread", true}});
  EXPECT_THAT(r, ApiError(422, "invalid"));
  EXPECT_TRUE(r.json["error"]["details"]["fields"].contains("channels"));
  Json t2 = h.Create("editor_a", h.TicketBody("work_news", {h.portal_a}));
  Resp r2 = h.Call("POST", Path(t2["id"], "/submit"), h.Token("editor_a"), Json::object());
  EXPECT_THAT(r2, ApiError(422, "invalid"));
  EXPECT_TRUE(r2.json["error"]["details"]["fields"].contains("proofread"));
}

TEST_F(ReviewRules, RepostWithoutSourceIsBlockedByTheChecks) {
  Json body = h.TicketBody("reposted", {h.portal_a});
  body.erase("source");
  Json t = h.Create("editor_a", body);
  Resp r = h.Call("POST", Path(t["id"], "/submit"), h.Token("editor_a"), {{"proofread", true}});
  EXPECT_THAT(r, ApiError(422, "check_failed"));
  bool missing_source = false;
  for (const auto& f : r.json["error"]["details"]["findings"])
    missing_source = missing_source || f["rule"] == "missing_source";
  EXPECT_TRUE(missing_source) << r.body;
}

TEST_F(ReviewRules, PlantedIdNumberBlocksSubmission) {
  Json body = h.TicketBody("work_news", {h.portal_a});
  body["body"] = "联系人身份证号 11010519491231002X，电话 13812341234。";
  Json t = h.Create("editor_a", body);
  Resp r = h.Call("POST", Path(t["id"], "/submit"), h.Token("editor_a"), {{"proofread", true}});
  EXPECT_THAT(r, ApiError(422, "check_failed"));
  EXPECT_EQ(h.Call("GET", Path(t["id"]), h.Token("editor_a")).json["state"], "draft");
}

// Article 13: out-of-scope pieces need the request 3 working days ahead, unless urgent.
class OutOfScope : public ::testing::Test {
 protected:
  Harness& h = Harness::Get();
  void TearDown() override { h.clock.Set(h.start_time); }

  Resp SubmitAt(const std::string& now, const std::string& publish_at, bool urgent = false) {
    std::string token = h.Token("editor_a");
    Json body = h.TicketBody("work_news", {h.portal_a});
    body["out_of_scope"] = true;
    body["urgent"] = urgent;
    body["scheduled_at"] = publish_at;
    Json t = h.Create("editor_a", body);
    h.clock.Set(*ParseRfc3339(now));
    Resp r = h.Call("POST", Path(t["id"], "/submit"), token, {{"proofread", true}});
    h.clock.Set(h.start_time);
    return r;
  }
};

TEST_F(OutOfScope, AcrossTheNationalDayHoliday) {
  // Tue 29 Sep: 30 Sep is working day 1, 1-7 Oct are holidays, 8 Oct is day 2, 9 Oct day 3.
  Resp two = SubmitAt("2026-09-29T10:00:00+08:00", "2026-10-08T09:00:00+08:00");
  EXPECT_THAT(two, ApiError(422, "invalid"));
  EXPECT_EQ(two.json["error"]["details"]["earliest"], "2026-10-09");
  Resp three = SubmitAt("2026-09-29T10:00:00+08:00", "2026-10-09T09:00:00+08:00");
  EXPECT_EQ(three.status, 200) << three.body;
  EXPECT_EQ(three.json["steps"].back()["role"], "office");
}

TEST_F(OutOfScope, CountsTheMakeUpWorkday) {
  // Thu 8 Oct: 9 Oct (Fri) is day 1, Sat 10 Oct is a make-up workday (day 2), Mon 12 Oct day 3.
  EXPECT_EQ(SubmitAt("2026-10-08T10:00:00+08:00", "2026-10-10T09:00:00+08:00").status, 422);
  Resp three = SubmitAt("2026-10-08T10:00:00+08:00", "2026-10-12T09:00:00+08:00");
  EXPECT_EQ(three.status, 200) << three.body;
}

TEST_F(OutOfScope, UrgentNeedsNoLeadTimeButKeepsTheOfficeStep) {
  Resp r = SubmitAt("2026-09-29T10:00:00+08:00", "2026-09-29T12:00:00+08:00", true);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["steps"].back()["role"], "office");
}

TEST_F(OutOfScope, WithoutAPublishTimeIsRefused) {
  Json body = h.TicketBody("work_news", {h.portal_a});
  body["out_of_scope"] = true;
  Json t = h.Create("editor_a", body);
  Resp r = h.Call("POST", Path(t["id"], "/submit"), h.Token("editor_a"), {{"proofread", true}});
  EXPECT_THAT(r, ApiError(422, "invalid"));
  EXPECT_TRUE(r.json["error"]["details"]["fields"].contains("scheduled_at"));
}

}  // namespace
}  // namespace gd::testing
