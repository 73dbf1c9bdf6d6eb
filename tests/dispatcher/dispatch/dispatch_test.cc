// Publishing exactly what was approved, to every channel, exactly once (issue 5), against the
// real sandboxes speaking each platform's protocol.
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <thread>

#include "channels/transport.h"
#include "dispatch_fixture.h"
#include "dispatcher/core/time_util.h"
#include "dispatcher/http/routes/requests.h"
#include "dispatcher/model/content_codec.h"
#include "tests/dispatcher/dispatch/sandbox_channels.h"
#include "tests/dispatcher/store/sql_test_util.h"

namespace gd::testing {
namespace {

class Dispatch : public ::testing::Test {
 protected:
  DispatchWorld& w = DispatchWorld::Get();
  void TearDown() override { w.sandbox->ClearFaults(); }
};

Json ByKind(const Json& items, const std::string& kind) {
  for (const auto& d : items)
    if (d["kind"] == kind) return d;
  return Json();
}

TEST_F(Dispatch, EveryChannelOnceThePortalFirstAndItsLinkEverywhere) {
  int64_t id = w.Approved("全渠道发布测试一", {w.portal, w.wechat, w.weibo, w.douyin, w.kuaishou});
  Json published = w.Publish(id);
  EXPECT_EQ(published["state"], "publishing");
  EXPECT_EQ(published["dispatches"].size(), 5u);
  Json items = w.WaitDispatches(id, [](const Json& i) { return AllIn(i, "published"); });
  Json portal = ByKind(items, "portal");
  std::string url = portal["remote_url"];
  EXPECT_NE(url.find("/site/art/"), std::string::npos);
  for (const char* p : {"wechat", "weibo", "douyin", "kuaishou"})
    EXPECT_EQ(w.Posts(p, "全渠道发布测试一"), 1) << p;
  // The portal's URL replaced the placeholder in the other channels' posts. Weibo shows every
  // link as a t.cn link; the platform's short_url/expand names the address behind it.
  std::string short_link;
  for (const auto& p : w.sandbox->Posts("weibo"))
    if (p.text.find("全渠道发布测试一") != std::string::npos) {
      const size_t at = p.text.find("http://t.cn/");
      if (at != std::string::npos)
        short_link = p.text.substr(at, p.text.find_first_of(" \n", at) - at);
    }
  ASSERT_FALSE(short_link.empty());
  httplib::Client sb("127.0.0.1", w.sandbox->port());
  auto expanded = sb.Get("/weibo/2/short_url/expand.json?access_token=sandbox-token&url_short=" +
                         channels::UrlEncode(short_link));
  ASSERT_TRUE(expanded);
  Json urls = Json::parse(expanded->body)["urls"];
  ASSERT_EQ(urls.size(), 1u) << expanded->body;
  EXPECT_EQ(urls[0]["url_long"], url);
  // The built-in site has the page.
  std::string path = portal["remote_id"];
  EXPECT_TRUE(std::filesystem::exists(w.dir / "data" / "site" / path)) << path;
  Json t = w.Ticket(id);
  EXPECT_EQ(t["state"], "published");
  EXPECT_FALSE(t["published_at"].is_null());
  EXPECT_EQ(t["dispatches"].size(), 5u);
}

TEST_F(Dispatch, WhatReachesThePlatformIsTheApprovedRendering) {
  int64_t id = w.Approved("原样发布测试", {w.portal, w.wechat});
  Json previews = *w.app->review().Previews(w.sitemgr, id);
  w.Publish(id);
  Json items = w.WaitDispatches(id, [](const Json& i) { return AllIn(i, "published"); });
  std::string approved_title, sent_title;
  for (const auto& c : previews["channels"])
    if (c["kind"] == "wechat_mp") approved_title = c["rendering"]["title"];
  for (const auto& p : w.sandbox->Posts("wechat"))
    if (p.title == approved_title) sent_title = p.title;
  EXPECT_EQ(sent_title, approved_title);
  // An edit after approval is impossible without a new chain: the ticket is not editable.
  EXPECT_FALSE(
      w.app->review()
          .Update(w.editor, id, *ContentFromRequest({{"category", "work_news"}, {"title", "改"}}))
          .ok());
}

TEST_F(Dispatch, PublishingIsRefusedWithoutACompleteValidChain) {
  int64_t id = w.Approved("签名校验测试", {w.portal});
  // Not the site manager.
  EXPECT_EQ(w.app->publish().Publish(w.deputy, id, {.proofread = true}).status().code(),
            Code::kPermissionDenied);
  // No 三校 confirmation.
  EXPECT_EQ(w.app->publish().Publish(w.sitemgr, id, {}).status().reason(), "invalid");
  // A tampered decision signature stops publishing.
  ExecSql(w.dir / "data" / "dispatcher.db",
          "UPDATE decisions SET comment='改过的意见' WHERE ticket_id=" + std::to_string(id));
  auto r = w.app->publish().Publish(w.sitemgr, id, {.proofread = true});
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition) << r.status().ToString();
  EXPECT_FALSE((*w.app->review().Get(w.sitemgr, id))["signatures_valid"].get<bool>());
  // A draft cannot be published at all.
  auto draft = w.app->review().Create(
      w.editor, *ContentFromRequest({{"category", "work_news"},
                                     {"title", "草稿"},
                                     {"body", "x"},
                                     {"channels", {{{"account_id", w.portal}}}}}));
  EXPECT_EQ(
      w.app->publish().Publish(w.sitemgr, (*draft)["id"], {.proofread = true}).status().code(),
      Code::kFailedPrecondition);
}

TEST_F(Dispatch, PlatformAuditRejectionIsPermanentAndShowsThePlatformsMessage) {
  int64_t id = w.Approved("平台审核拒绝测试", {w.portal, w.wechat, w.weibo},
                          "本文包含违规测试内容，用于验证平台审核。");
  w.Publish(id);
  Json items = w.WaitDispatches(id, [](const Json& i) {
    Json wx = ByKind(i, "wechat_mp");
    return !wx.is_null() && wx["state"] == "failed" && ByKind(i, "weibo")["state"] != "pending" &&
           ByKind(i, "weibo")["state"] != "sending";
  });
  Json wx = ByKind(items, "wechat_mp");
  EXPECT_EQ(wx["state"], "failed");
  EXPECT_FALSE(wx["last_error"].is_null());
  EXPECT_NE(wx["last_error"].get<std::string>().find("审核"), std::string::npos) << wx.dump();
  EXPECT_EQ(wx["error_reason"], "platform_rejected");
  EXPECT_LE(wx["attempts"].get<int>(), 2) << "a permanent error is not retried";
  EXPECT_EQ(w.Ticket(id)["state"], "failed");
}

TEST_F(Dispatch, PartialSuccessAndARetryTouchesOnlyTheFailedChannel) {
  channels::sandbox::FaultSpec always;
  always.error_rate = 1.0;
  always.paths = {"/2/statuses/share.json"};
  w.sandbox->SetFaults("weibo", always);
  int64_t id = w.Approved("部分成功重试测试", {w.portal, w.wechat, w.weibo});
  w.Publish(id);
  Json items = w.WaitDispatches(id, [](const Json& i) {
    return ByKind(i, "weibo")["state"] == "failed" &&
           ByKind(i, "wechat_mp")["state"] == "published";
  });
  EXPECT_EQ(ByKind(items, "weibo")["attempts"], 6) << "transient errors retried up to the bound";
  EXPECT_EQ(w.Ticket(id)["state"], "failed");
  EXPECT_EQ(w.Posts("wechat", "部分成功重试测试"), 1);
  w.sandbox->ClearFaults();
  auto retried = w.app->publish().Retry(w.sitemgr, id, w.weibo);
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  // Retrying a channel that did not fail is refused.
  EXPECT_FALSE(w.app->publish().Retry(w.sitemgr, id, w.wechat).ok());
  items = w.WaitDispatches(id, [](const Json& i) { return AllIn(i, "published"); });
  EXPECT_EQ(w.Posts("weibo", "部分成功重试测试"), 1);
  EXPECT_EQ(w.Posts("wechat", "部分成功重试测试"), 1) << "the retry did not touch WeChat";
  EXPECT_EQ(ByKind(items, "wechat_mp")["attempts"], 1);
  EXPECT_EQ(w.Ticket(id)["state"], "published");
}

TEST_F(Dispatch, TimeoutAfterThePlatformAcceptedIsReconciledNotRepeated) {
  channels::sandbox::FaultSpec hang;
  hang.timeout_rate = 1.0;
  hang.after_accept_ratio = 1.0;
  hang.count = 1;
  hang.paths = {"/2/statuses/share.json"};
  w.sandbox->SetFaults("weibo", hang);
  int64_t id = w.Approved("超时对账测试", {w.portal, w.weibo});
  w.Publish(id);
  w.WaitDispatches(id, [](const Json& i) { return AllIn(i, "published"); });
  EXPECT_EQ(w.Posts("weibo", "超时对账测试"), 1);
}

TEST_F(Dispatch, APlatformsRateLimitWaitsItsWindowAndIsNotCountedAsAFailure) {
  // One call now, then the platforms' rate-limit answers: WeChat 45011 (a per-minute quota),
  // Weibo 10023 (an hourly one).
  channels::sandbox::FaultSpec limited;
  limited.rate_limit_per_s = 0.0001;
  w.sandbox->SetFaults("wechat", limited);
  w.sandbox->SetFaults("weibo", limited);
  // Spend the one call each bucket holds, so that the dispatcher's first call is refused.
  httplib::Client sb("127.0.0.1", w.sandbox->port());
  ASSERT_TRUE(sb.Get("/wechat/cgi-bin/token"));
  ASSERT_TRUE(sb.Get("/weibo/2/statuses/show.json"));
  const TimeMs before = SystemClock().Now();
  int64_t id = w.Approved("平台限流等待测试", {w.portal, w.wechat, w.weibo});
  w.Publish(id);
  auto limited_answer = [](const Json& d) {
    return d["state"] == "pending" && d["last_error"].is_string() &&
           (d["last_error"].get<std::string>().find("45011") != std::string::npos ||
            d["last_error"].get<std::string>().find("10023") != std::string::npos);
  };
  Json items = w.WaitDispatches(id, [&](const Json& i) {
    return limited_answer(ByKind(i, "wechat_mp")) && limited_answer(ByKind(i, "weibo"));
  });
  for (const char* kind : {"wechat_mp", "weibo"}) {
    Json d = ByKind(items, kind);
    ASSERT_TRUE(limited_answer(d)) << d.dump();
    EXPECT_EQ(d["attempts"], 0) << "a rate-limit answer does not use up the bound: " << d.dump();
    auto at = ParseRfc3339(d["scheduled_at"].get<std::string>());
    ASSERT_TRUE(at.has_value()) << d.dump();
    if (std::string(kind) == "wechat_mp") {
      EXPECT_GE(*at, before + 55'000) << "45011: wait for the next minute";
    } else {
      EXPECT_GE(*at, before - before % 3'600'000 + 3'600'000 - 1000)
          << "10023: wait for the next hour";
    }
  }
  EXPECT_EQ(w.Posts("wechat", "平台限流等待测试"), 0);
  EXPECT_EQ(w.Posts("weibo", "平台限流等待测试"), 0);

  // The whole account waits, not only the dispatch that met the answer: a second piece to the
  // same WeChat account is queued behind the window without calling the platform.
  auto wechat_calls = [&] {
    const Json stats = w.sandbox->Stats();
    int64_t n = 0;
    for (const auto& c : stats["calls"]["wechat"]) n += c.get<int64_t>();
    return n;
  };
  const int64_t calls_before = wechat_calls();
  ASSERT_GT(calls_before, 0);
  int64_t second = w.Approved("平台限流后续稿件", {w.portal, w.wechat});
  w.Publish(second);
  Json queued = w.WaitDispatches(second, [](const Json& i) {
    return ByKind(i, "portal")["state"] == "published" &&
           !ByKind(i, "wechat_mp")["scheduled_at"].is_null() &&
           ParseRfc3339(ByKind(i, "wechat_mp")["scheduled_at"].get<std::string>()).value_or(0) >
               SystemClock().Now() + 30'000;
  });
  Json d = ByKind(queued, "wechat_mp");
  EXPECT_EQ(d["state"], "pending") << d.dump();
  EXPECT_GE(ParseRfc3339(d["scheduled_at"].get<std::string>()).value_or(0), before + 55'000)
      << d.dump();
  EXPECT_EQ(wechat_calls(), calls_before) << "no call to a paused account";
}

TEST_F(Dispatch, ScheduledPublishingFiresOnTimeAcrossARestart) {
  int64_t id = w.Approved("定时发布测试", {w.portal, w.weibo});
  TimeMs at = SystemClock().Now() + 2500;
  w.Publish(id, {{"proofread", true}, {"at", FormatRfc3339(at)}});
  w.Restart();
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  EXPECT_EQ(w.Posts("weibo", "定时发布测试"), 0) << "nothing before its time";
  Json items = w.WaitDispatches(id, [](const Json& i) { return AllIn(i, "published"); });
  TimeMs published =
      ParseRfc3339(ByKind(items, "weibo")["published_at"].get<std::string>()).value();
  EXPECT_GE(published, at - 1000);  // RFC 3339 has second precision
  EXPECT_EQ(w.Posts("weibo", "定时发布测试"), 1);
}

TEST_F(Dispatch, WithdrawalNeedsAReasonAndTheOfficeThenDeletesEverywhere) {
  int64_t id = w.Approved("撤稿测试", {w.portal, w.wechat, w.weibo, w.kuaishou, w.manual});
  w.Publish(id);
  // The manual channel waits for a person; confirm it.
  w.WaitDispatches(id, [](const Json& i) { return ByKind(i, "manual")["state"] == "awaiting"; });
  ASSERT_TRUE(
      w.app->publish()
          .Confirm(w.sitemgr, id, w.manual, {.remote_url = "https://channels.weixin.qq.com/x/1"})
          .ok());
  Json items = w.WaitDispatches(id, [](const Json& i) { return AllIn(i, "published"); });
  EXPECT_EQ(w.Ticket(id)["state"], "published");

  auto no_reason = w.app->publish().RequestWithdrawal(w.sitemgr, id, {.reason = "  "});
  EXPECT_EQ(no_reason.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(no_reason.status().reason(), "bad_request");
  auto req =
      w.app->publish().RequestWithdrawal(w.sitemgr, id, {.reason = "信息有误，需更正后重新发布"});
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  int64_t wid = (*req)["id"];
  EXPECT_EQ((*req)["state"], "pending");
  // Only the office decides; nothing is deleted before that.
  EXPECT_EQ(w.Posts("weibo", "撤稿测试", false), 1);
  auto approved =
      w.app->publish().DecideWithdrawal(w.office, wid, {.decision = "approve", .comment = "同意"});
  ASSERT_TRUE(approved.ok()) << approved.status().ToString();
  items = w.WaitDispatches(id, [](const Json& i) {
    for (const auto& d : i)
      if (d["kind"] != "manual" && d["state"] != "withdrawn") return false;
    return ByKind(i, "manual")["state"] == "withdrawing";
  });
  EXPECT_EQ(w.Posts("weibo", "撤稿测试", false), 0);
  EXPECT_EQ(w.Posts("weibo", "撤稿测试", true), 1) << "deleted on the platform";
  EXPECT_EQ(w.Posts("wechat", "撤稿测试", false), 0);
  EXPECT_EQ(w.Posts("kuaishou", "撤稿测试", false), 0);
  EXPECT_FALSE(std::filesystem::exists(w.dir / "data" / "site" /
                                       ByKind(items, "portal")["remote_id"].get<std::string>()));
  // 视频号 has no delete API: a person deletes it and confirms.
  EXPECT_TRUE(ByKind(items, "manual")["manual"].get<bool>());
  ASSERT_TRUE(w.app->publish().Confirm(w.sitemgr, id, w.manual, {.withdrawn = true}).ok());
  Json t = w.Ticket(id);
  EXPECT_EQ(t["state"], "withdrawn");
  // The dispatcher's own records are kept.
  EXPECT_EQ(t["dispatches"].size(), 5u);
  EXPECT_EQ(t["withdrawals"][0]["state"], "done");
  Json history = *w.app->review().History(w.office, id);
  int withdrawn_events = 0;
  for (const auto& e : history["items"])
    if (e.value("action", "") == "dispatch.withdrawn") ++withdrawn_events;
  EXPECT_EQ(withdrawn_events, 4);
}

TEST_F(Dispatch, WithdrawalCanBeRefusedByTheOffice) {
  int64_t id = w.Approved("撤稿驳回测试", {w.portal});
  w.Publish(id);
  w.WaitDispatches(id, [](const Json& i) { return AllIn(i, "published"); });
  auto req = w.app->publish().RequestWithdrawal(w.deputy, id, {.reason = "领导要求撤下"});
  ASSERT_TRUE(req.ok());
  EXPECT_FALSE(
      w.app->publish().DecideWithdrawal(w.office, (*req)["id"], {.decision = "reject"}).ok())
      << "a refusal needs a comment";
  ASSERT_TRUE(
      w.app->publish()
          .DecideWithdrawal(w.office, (*req)["id"], {.decision = "reject", .comment = "理由不充分"})
          .ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(w.Ticket(id)["state"], "published");
  EXPECT_TRUE(AllIn(w.Ticket(id)["dispatches"], "published"));
}

TEST_F(Dispatch, TokensSurviveARestart) {
  int64_t id = w.Approved("令牌持久化测试一", {w.portal, w.wechat});
  w.Publish(id);
  w.WaitDispatches(id, [](const Json& i) { return AllIn(i, "published"); });
  int64_t before = w.sandbox->Calls("wechat", "/cgi-bin/stable_token");
  w.Restart();
  int64_t id2 = w.Approved("令牌持久化测试二", {w.portal, w.wechat});
  w.Publish(id2);
  w.WaitDispatches(id2, [](const Json& i) { return AllIn(i, "published"); });
  EXPECT_EQ(w.sandbox->Calls("wechat", "/cgi-bin/stable_token"), before)
      << "the sealed token was reused";
}

// A dispatch whose account is not ready (here Weibo's rip, a private address) waits for it
// instead of failing, spends no attempt, says why in Chinese, and goes out as soon as the
// operator fixes the account (not ten minutes later).
TEST_F(Dispatch, ANotReadyAccountHoldsTheDispatchUntilTheOperatorFixesIt) {
  Json body = SandboxChannel("weibo", w.sandbox->base_url());
  body["name"] = "未就绪微博";
  body["unit_id"] = w.unit;
  body["settings"]["rip"] = "10.1.2.3";
  auto created = w.app->channels().Create(w.operator_, *DecodeChannelCreate(body));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const int64_t account = (*created)["id"].get<int64_t>();
  int64_t id = w.Approved("账号未就绪等待测试", {w.portal, account});
  w.Publish(id);
  Json items = w.WaitDispatches(
      id, [](const Json& i) { return ByKind(i, "weibo")["error_reason"] == "account_not_ready"; });
  Json held = ByKind(items, "weibo");
  EXPECT_EQ(held["state"], "pending");
  EXPECT_EQ(held["attempts"], 0) << "nothing reached the platform";
  EXPECT_NE(held["last_error"].get<std::string>().find("公网 IP"), std::string::npos) << held;
  EXPECT_NE(held["last_error"].get<std::string>().find("自动继续发布"), std::string::npos);
  EXPECT_EQ(w.Posts("weibo", "账号未就绪等待测试"), 0);

  ChannelPatch fix;
  fix.settings = Json{{"rip", "203.0.113.9"}};
  ASSERT_TRUE(w.app->channels().Patch(w.operator_, account, fix).ok());
  items = w.WaitDispatches(
      id, [](const Json& i) { return AllIn(i, "published"); }, 10);
  EXPECT_TRUE(AllIn(items, "published")) << items;
  EXPECT_EQ(w.Posts("weibo", "账号未就绪等待测试"), 1);
  EXPECT_TRUE(ByKind(items, "weibo")["error_reason"].is_null());
}

TEST_F(Dispatch, MetricsAreExposed) {
  // The platform expires the token this process holds (or loaded), so a refresh happens here.
  w.sandbox->ExpireTokens("wechat");
  int64_t id = w.Approved("指标测试", {w.portal, w.wechat, w.weibo});
  w.Publish(id);
  w.WaitDispatches(id, [](const Json& i) { return AllIn(i, "published"); });
  std::string text = w.app->engine().MetricsText();
  EXPECT_NE(text.find("gd_dispatches{kind=\"weibo\",state=\"published\"}"), std::string::npos)
      << text;
  EXPECT_NE(text.find("gd_dispatch_attempt_seconds_bucket"), std::string::npos);
  EXPECT_NE(text.find("gd_dispatch_queue_depth"), std::string::npos);
  // Token refreshes per account: WeChat's came from the platform's token call.
  const std::string refreshes = "gd_token_refreshes_total{account_id=\"" +
                                std::to_string(w.wechat) + "\",kind=\"wechat_mp\"} ";
  auto at = text.find(refreshes);
  ASSERT_NE(at, std::string::npos) << text;
  EXPECT_GE(std::atoll(text.c_str() + at + refreshes.size()), 1) << text;
  EXPECT_LE(std::atoll(text.c_str() + at + refreshes.size()),
            w.sandbox->Calls("wechat", "/cgi-bin/stable_token"))
      << text;
  EXPECT_NE(text.find("# TYPE gd_token_refresh_failures_total counter"), std::string::npos);
}

}  // namespace
}  // namespace gd::testing

namespace gd::testing {
namespace {

// POST /api/channels/{id}/test tries the credentials against the platform (its sandbox) and
// says in Chinese what is wrong.
TEST(ChannelTest, TriesCredentialsAndExplainsInChinese) {
  DispatchWorld& w = DispatchWorld::Get();
  httplib::Client cli("127.0.0.1", w.app->port());
  auto login = cli.Post("/api/session",
                        Json{{"username", "operator"}, {"password", "Test@Pass2026!"}}.dump(),
                        "application/json");
  ASSERT_TRUE(login && login->status == 200);
  httplib::Headers auth = {
      {"Authorization", "Bearer " + Json::parse(login->body)["token"].get<std::string>()}};
  auto test = [&](int64_t id) {
    auto r = cli.Post(("/api/channels/" + std::to_string(id) + "/test").c_str(), auth, "{}",
                      "application/json");
    EXPECT_TRUE(r && r->status == 200);
    return Json::parse(r ? r->body : "{}");
  };
  EXPECT_TRUE(test(w.wechat)["ok"].get<bool>());
  auto bad = w.app->channels().Create(
      w.operator_, *DecodeChannelCreate({{"kind", "wechat_mp"},
                                         {"name", "错误密钥"},
                                         {"unit_id", w.unit},
                                         {"base_url", w.sandbox->base_url() + "/wechat"},
                                         {"settings", {{"app_id", "sandbox"}}},
                                         {"secrets", {{"app_secret", "wrong-secret"}}}}));
  ASSERT_TRUE(bad.ok());
  Json r = test((*bad)["id"]);
  EXPECT_FALSE(r["ok"].get<bool>());
  EXPECT_NE(r["message"].get<std::string>().find("AppSecret"), std::string::npos) << r.dump();
  EXPECT_EQ(r.dump().find("wrong-secret"), std::string::npos) << "the secret never comes back";
}

}  // namespace
}  // namespace gd::testing
