// Finding 9 (confirm): POST .../dispatches/{account}/confirm records "a person published this by
// hand". It worked on any channel in almost any state, so a platform dispatch could be marked
// published with any link. It now applies only to manual hand-offs waiting for a person:
// publishing on a manual channel in `awaiting`, taking down a post the system handed to a person.
#include <gtest/gtest.h>

#include <optional>

#include "dispatcher/store/channel_repo.h"
#include "dispatcher/store/dispatch_repo.h"
#include "dispatcher/store/ticket_repo.h"
#include "tests/dispatcher/app/api_harness.h"

namespace gd::testing {
namespace {

constexpr TimeMs kFarFuture = TimeMs{1} << 50;  // the engine leaves these rows alone

// Puts the dispatch of (ticket, account) for the ticket's current version into `state`.
void SetDispatch(int64_t ticket, int64_t account, const std::string& state,
                 const std::string& error_reason = "") {
  Status st = Harness::Get().app->store().Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto t, ticket_repo::GetTicket(tx, ticket));
    if (!t) return NotFound("no ticket");
    GD_ASSIGN_OR_RETURN(auto channel, channel_repo::GetChannel(tx, account));
    if (!channel) return NotFound("no channel account");
    GD_ASSIGN_OR_RETURN(auto all, dispatch_repo::ForTicket(tx, ticket));
    std::optional<Dispatch> d;
    for (const auto& x : all)
      if (x.version == t->version && x.account_id == account) d = x;
    if (!d) {
      d.emplace();
      d->ticket_id = ticket;
      d->version = t->version;
      d->account_id = account;
      d->kind = channel->kind;
      d->state = state;
      GD_RETURN_IF_ERROR(dispatch_repo::Insert(tx, *d));
    }
    d->state = state;
    d->error_reason = error_reason;
    d->not_before = kFarFuture;
    d->progress = Json::object();
    d->lease_owner = "";
    d->lease_until = 0;
    GD_RETURN_IF_ERROR(dispatch_repo::Update(tx, *d, ""));
    t->state = TicketState::kPublishing;
    return ticket_repo::UpdateTicket(tx, *t);
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
}

std::string DispatchState(int64_t ticket, int64_t account) {
  std::string state;
  (void)Harness::Get().app->store().Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto all, dispatch_repo::ForTicket(tx, ticket));
    for (const auto& d : all)
      if (d.account_id == account) {
        state = d.state;
        break;
      }
    return Status::Ok();
  });
  return state;
}

class ManualConfirm : public ::testing::Test {
 protected:
  void SetUp() override {
    Resp manual = h.Call("POST", "/api/channels", h.Token("operator"),
                         {{"kind", "manual"},
                          {"name", "视频号"},
                          {"unit_id", h.unit_a},
                          {"settings", {{"platform", "视频号"}}}});
    ASSERT_EQ(manual.status, 201) << manual.body;
    manual_ = manual.json["id"];
    ticket_ = h.Create("editor_a", h.TicketBody("work_news", {h.weibo_a, manual_}))["id"];
  }
  Resp Confirm(int64_t account, const Json& body) {
    return h.Call("POST",
                  "/api/tickets/" + std::to_string(ticket_) + "/dispatches/" +
                      std::to_string(account) + "/confirm",
                  h.Token("sitemgr_a"), body);
  }
  Harness& h = Harness::Get();
  int64_t manual_ = 0;
  int64_t ticket_ = 0;
};

const Json kPublished = {{"remote_url", "https://channels.weixin.qq.com/x/1"}};

TEST_F(ManualConfirm, APlatformDispatchCannotBeConfirmedByHand) {
  struct Case {
    std::string state, reason, label;
  };
  for (const Case& c : std::vector<Case>{{"failed", "platform_error", "失败"},
                                         {"failed", "manual_handoff", "失败"},
                                         {"awaiting", "", "等待平台处理"},
                                         {"pending", "", "待发送"},
                                         {"sending", "", "发送中"}}) {
    SetDispatch(ticket_, h.weibo_a, c.state, c.reason);
    Resp r = Confirm(h.weibo_a, kPublished);
    EXPECT_EQ(r.status, 409) << c.state << " " << r.body;
    EXPECT_EQ(r.Code(), "conflict") << c.state;
    const std::string msg = r.json["error"].value("message", "");
    EXPECT_NE(msg.find(c.label), std::string::npos) << c.state << ": " << msg;
    EXPECT_EQ(DispatchState(ticket_, h.weibo_a), c.state) << "unchanged";
  }
}

TEST_F(ManualConfirm, AManualDispatchIsConfirmedOnlyWhileAwaitingAPerson) {
  for (const auto& [state, label] : std::vector<std::pair<std::string, std::string>>{
           {"pending", "待发送"}, {"failed", "失败"}, {"published", "已发布"}}) {
    SetDispatch(ticket_, manual_, state);
    Resp r = Confirm(manual_, kPublished);
    EXPECT_EQ(r.status, 409) << state << " " << r.body;
    EXPECT_NE(r.json["error"].value("message", "").find(label), std::string::npos) << r.body;
  }
  SetDispatch(ticket_, manual_, "awaiting");
  Resp ok = Confirm(manual_, kPublished);
  EXPECT_EQ(ok.status, 200) << ok.body;
  const std::string after = DispatchState(ticket_, manual_);
  EXPECT_TRUE(after == "awaiting" || after == "published") << after;
}

TEST_F(ManualConfirm, TakingDownByHandOnlyWhenHandedToAPerson) {
  // The system is still deleting through the platform's API: a person cannot pre-empt it.
  SetDispatch(ticket_, h.weibo_a, "withdrawing");
  Resp r = Confirm(h.weibo_a, {{"withdrawn", true}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.json["error"].value("message", "").find("撤回中"), std::string::npos) << r.body;
  EXPECT_EQ(DispatchState(ticket_, h.weibo_a), "withdrawing");
  SetDispatch(ticket_, h.weibo_a, "published");
  r = Confirm(h.weibo_a, {{"withdrawn", true}});
  EXPECT_EQ(r.status, 409) << r.body;
  // A platform without a delete API handed it to a person: confirmed.
  SetDispatch(ticket_, h.weibo_a, "withdrawing", "manual_withdrawal");
  r = Confirm(h.weibo_a, {{"withdrawn", true}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(DispatchState(ticket_, h.weibo_a), "withdrawn");
}

// Issue 14: a dispatch of any kind whose outcome was handed to a person (needs_decision) is
// confirmed with its URL, or declared not published with a reason; nothing else is.
TEST_F(ManualConfirm, ANeedsDecisionDispatchOfAnyKindIsConfirmedOrDeclaredNotPublished) {
  auto not_published = [&](const Json& body, const std::string& who = "sitemgr_a") {
    return h.Call("POST",
                  "/api/tickets/" + std::to_string(ticket_) + "/dispatches/" +
                      std::to_string(h.weibo_a) + "/not-published",
                  h.Token(who), body);
  };
  // Waiting for the platform, not for a person: neither action.
  SetDispatch(ticket_, h.weibo_a, "awaiting");
  Resp r = not_published({{"reason", "后台未找到"}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.Code(), "conflict");
  EXPECT_EQ(DispatchState(ticket_, h.weibo_a), "awaiting");

  SetDispatch(ticket_, h.weibo_a, "awaiting", "needs_decision");
  Resp listed = h.Call("GET", "/api/tickets/" + std::to_string(ticket_) + "/dispatches",
                       h.Token("sitemgr_a"));
  bool flagged = false;
  for (const auto& d : listed.json["items"])
    if (d["account_id"] == h.weibo_a) flagged = d["needs_decision"].get<bool>();
  EXPECT_TRUE(flagged) << listed.body;
  r = not_published(Json::object());
  EXPECT_EQ(r.status, 422) << "a reason is required: " << r.body;
  r = not_published({{"reason", "后台未找到"}}, "editor_a");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(DispatchState(ticket_, h.weibo_a), "awaiting");
  r = not_published({{"reason", "后台未找到"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["state"], "failed");
  EXPECT_EQ(r.json["error_reason"], "declared_not_published");
  EXPECT_EQ(DispatchState(ticket_, h.weibo_a), "failed");

  SetDispatch(ticket_, h.weibo_a, "awaiting", "needs_decision");
  r = Confirm(h.weibo_a, {{"remote_url", "https://weibo.com/1/Ab"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["state"], "published");
  EXPECT_EQ(r.json["remote_url"], "https://weibo.com/1/Ab");
  EXPECT_EQ(DispatchState(ticket_, h.weibo_a), "published");
  r = not_published({{"reason", "后台未找到"}});
  EXPECT_EQ(r.status, 409) << "published is final for this action: " << r.body;
}

}  // namespace
}  // namespace gd::testing
