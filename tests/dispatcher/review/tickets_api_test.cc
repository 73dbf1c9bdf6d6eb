// Tickets over HTTP: field errors, the reviewers' queue, previews, the live check and the names
// beside user ids.
#include <gtest/gtest.h>

#include "tests/dispatcher/app/api_harness.h"
#include "tests/support/status_matchers.h"

namespace gd::testing {
namespace {

TEST_F(Api, InvalidTicketFieldsNameTheField) {
  Json body = h.TicketBody("no_such_category", {h.portal_a});
  body["title"] = "";
  Resp r = h.Call("POST", "/api/tickets", h.Token("editor_a"), body);
  EXPECT_THAT(r, ApiError(422, "invalid"));
  EXPECT_TRUE(r.json["error"]["details"]["fields"].contains("category"));
  EXPECT_TRUE(r.json["error"]["details"]["fields"].contains("title"));
  // Another unit's account cannot be targeted.
  Resp other =
      h.Call("POST", "/api/tickets", h.Token("editor_a"), h.TicketBody("work_news", {h.portal_b}));
  EXPECT_THAT(other, ApiError(422, "invalid"));
  EXPECT_TRUE(other.json["error"]["details"]["fields"].contains("channels[0]")) << other.body;
  // Nothing was written by the refused requests.
  Resp mine = h.Call("GET", "/api/tickets?mine=1&per_page=200", h.Token("editor_a"));
  for (const auto& t : mine.json["items"]) EXPECT_NE(t["title"], "");
}

TEST_F(Api, AwaitingMeListsWhatEachReviewerMustDecide) {
  Json t = h.Create("editor_a", h.TicketBody("work_news", {h.portal_a}));
  t = h.Submit("editor_a", t["id"]);
  auto awaiting = [&](const std::string& who) {
    Resp r = h.Call("GET", "/api/tickets?awaiting_me=1&per_page=200", h.Token(who));
    EXPECT_EQ(r.status, 200);
    for (const auto& i : r.json["items"])
      if (i["id"] == t["id"]) return true;
    return false;
  };
  EXPECT_TRUE(awaiting("reviewer_a"));
  EXPECT_FALSE(awaiting("deputy_a"));
  EXPECT_FALSE(awaiting("reviewer_b"));
  ASSERT_EQ(h.Decide("reviewer_a", t["id"], t["content_hash"]).status, 200);
  EXPECT_FALSE(awaiting("reviewer_a"));
  EXPECT_TRUE(awaiting("deputy_a"));
}

TEST_F(Api, PreviewsCarryEveryChannelsRendering) {
  Json t = h.Create("editor_a", h.TicketBody("work_news", {h.portal_a, h.weibo_a}));
  Resp r = h.Call("GET", "/api/tickets/" + std::to_string(t["id"].get<int64_t>()) + "/previews",
                  h.Token("editor_a"));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json["channels"].size(), 2u);
  EXPECT_EQ(r.json["channels"][0]["kind"], "portal");
  EXPECT_TRUE(r.json["channels"][0]["rendering"].contains("page_html"));
  EXPECT_EQ(r.json["channels"][1]["kind"], "weibo");
  EXPECT_NE(r.json["channels"][1]["rendering"]["text"].get<std::string>().find("{{portal_url}}"),
            std::string::npos);
}

TEST_F(Api, LiveCheckFindsPii) {
  Resp r = h.Call("POST", "/api/check", h.Token("editor_a"),
                  {{"category", "work_news"}, {"title", "通知"}, {"body", "电话 13812341234"}});
  ASSERT_EQ(r.status, 200) << r.body;
  bool mobile = false;
  for (const auto& f : r.json["findings"])
    mobile = mobile || (f["rule"] == "pii" && f["suggestion"] == "138****1234");
  EXPECT_TRUE(mobile) << r.body;
}

// Where an answer carries a user id a person reads, it carries the user's name beside it
// (docs/api.md is extended, never changed: the ids stay).
TEST_F(Api, AnswersNameThePeopleBesideTheirIds) {
  Json t = h.Create("editor_a", h.TicketBody("work_news", {h.portal_a}));
  const int64_t id = t["id"];
  const std::string path = "/api/tickets/" + std::to_string(id);
  t = h.Submit("editor_a", id);
  ASSERT_EQ(h.Decide("reviewer_a", id, t["content_hash"]).status, 200);

  Resp got = h.Call("GET", path, h.Token("deputy_a"));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json["author_name"], "editor_a");
  const Json& first = got.json["steps"][0];
  EXPECT_EQ(first["state"], "approved");
  EXPECT_TRUE(first["decided_by"].is_number_integer());
  EXPECT_EQ(first["decided_by_name"], "reviewer_a");
  EXPECT_FALSE(got.json["steps"][1].contains("decided_by_name"));

  Resp list = h.Call("GET", "/api/tickets?awaiting_me=1&per_page=200", h.Token("deputy_a"));
  ASSERT_EQ(list.status, 200);
  bool listed = false;
  for (const auto& i : list.json["items"])
    if (i["id"] == id) {
      listed = true;
      EXPECT_EQ(i["steps"][0]["decided_by_name"], "reviewer_a");
    }
  EXPECT_TRUE(listed);

  Resp hist = h.Call("GET", path + "/history", h.Token("deputy_a"));
  ASSERT_EQ(hist.status, 200) << hist.body;
  int versions = 0, decisions = 0, submits = 0;
  for (const auto& e : hist.json["items"]) {
    if (e["type"] == "check_run") continue;  // the system's, no person
    if (e["type"] == "version") {
      ++versions;
      EXPECT_EQ(e["by_name"], "editor_a");
    } else if (e["type"] == "decision") {
      ++decisions;
      EXPECT_EQ(e["by"], first["decided_by"]);
      EXPECT_EQ(e["by_name"], "reviewer_a");
    } else if (e.value("action", "") == "ticket.submit") {
      ++submits;
      EXPECT_EQ(e["by_name"], "editor_a");
    }
  }
  EXPECT_EQ(versions, 1);
  EXPECT_EQ(decisions, 1);
  EXPECT_EQ(submits, 1);

  Resp audit = h.Call("GET", "/api/audit?ticket_id=" + std::to_string(id), h.Token("auditor"));
  ASSERT_EQ(audit.status, 200) << audit.body;
  ASSERT_FALSE(audit.json["items"].empty());
  for (const auto& row : audit.json["items"]) {
    ASSERT_TRUE(row.contains("actor_id")) << row.dump();
    if (row["action"] == "ticket.decision") {
      EXPECT_EQ(row["actor_name"], "reviewer_a");
    }
    if (row["action"] == "ticket.create") {
      EXPECT_EQ(row["actor_name"], "editor_a");
    }
  }
}

}  // namespace
}  // namespace gd::testing
