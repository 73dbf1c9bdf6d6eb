// The Weibo client against its sandbox as the platform really behaves (issue 14,
// docs/channels-protocols.md, Conformance table, Weibo): `rip` a required public address, links
// shown as t.cn short links, a timeline that reaches only the latest few posts, repeat-content
// answers that do not prove our own post, and answers lost after the platform accepted.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "channels/builtin_channels.h"
#include "channels/client.h"
#include "channels/client_support.h"
#include "channels/sandbox/server.h"
#include "channels/transport.h"
#include "channels/weibo/client.h"
#include "dispatcher/core/crypto.h"
#include "tests/support/status_matchers.h"

namespace gd::channels {
namespace {

namespace fs = std::filesystem;
using sandbox::FaultSpec;
using sandbox::SandboxServer;
using ::testing::HasSubstr;

const TimeMs kStart = 1780000000000;  // 2026-05-28
const char* kShare = "/2/statuses/share.json";

class WeiboTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox::SandboxOptions opts;
    opts.clock = &clock_;
    opts.timeout_hang_ms = 50;
    opts.weibo_safe_domains = {{"sandbox", "example.gov.cn"}};
    auto s = SandboxServer::Start("127.0.0.1", 0, opts);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    http_ = NewHttpTransport();
    tokens_ = std::make_unique<TokenCache>(clock_, nullptr);
    client_ = weibo::NewClient(ClientDeps{http_.get(), tokens_.get(), &clock_, 2000});
    account_.id = 7;
    account_.kind = "weibo";
    account_.base_url = server_->base_url() + "/weibo";
    account_.settings = {{"app_key", "sandbox"}, {"uid", "sandbox"}, {"rip", "203.0.113.7"}};
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  std::string Text(const std::string& marker) {
    return "【通知】" + marker + " 请注意防范 #防汛# https://www.example.gov.cn/art/" + marker +
           ".html";
  }
  PublishJob Job(const std::string& marker) {
    PublishJob job;
    job.account = &account_;
    job.secrets = []() -> StatusOr<Json> {
      return Json{{"app_secret", "sandbox-secret"}, {"access_token", "sandbox-token"}};
    };
    job.rendering = {{"text", Text(marker)}, {"topics", {"防汛"}}};
    job.dispatch_key = "d-" + marker;
    return job;
  }
  Checkpoint Saver() {
    return [this](const Progress& p) {
      saved_ = p;
      return Status::Ok();
    };
  }
  // A post someone makes on the account by hand (or another system), straight to the platform.
  HttpResponse ShareByHand(const std::string& text, const std::string& rip = "203.0.113.9") {
    HttpRequest req;
    req.method = "POST";
    req.url = server_->base_url() + "/weibo" + kShare;
    req.content_type = "application/x-www-form-urlencoded";
    req.body = BuildQuery({{"access_token", "sandbox-token"}, {"status", text}, {"rip", rip}});
    auto r = http_->Send(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : HttpResponse{};
  }
  void LoseNext(const std::string& path, bool after_accept) {
    FaultSpec f;
    f.timeout_rate = 1;
    f.after_accept_ratio = after_accept ? 1 : 0;
    f.paths = {path};
    f.count = 1;
    server_->SetFaults("weibo", f);
  }
  // Live posts whose text starts like `marker`'s.
  int Live(const std::string& marker) {
    int n = 0;
    for (const auto& p : server_->Posts("weibo")) {
      n += !p.deleted && p.text.rfind("【通知】" + marker + " ", 0) == 0 ? 1 : 0;
    }
    return n;
  }

  FakeClock clock_{kStart};
  std::unique_ptr<SandboxServer> server_;
  std::unique_ptr<Transport> http_;
  std::unique_ptr<TokenCache> tokens_;
  std::unique_ptr<Client> client_;
  Account account_;
  Progress saved_;
};

TEST_F(WeiboTest, RipIsARequiredSettingOfTheKind) {
  const BuiltinChannel* kind = FindBuiltinChannel("weibo");
  ASSERT_NE(kind, nullptr);
  const Field* rip = kind->FindSetting("rip");
  ASSERT_NE(rip, nullptr);
  EXPECT_TRUE(rip->required);
  EXPECT_THAT(rip->help, HasSubstr("公网 IP"));
  EXPECT_TRUE(rip->default_value.is_null()) << "no default address";
}

TEST_F(WeiboTest, AccountWithoutAPublicRipIsNotReadyAndSendsNothing) {
  for (const char* bad :
       {"", "127.0.0.1", "10.1.2.3", "192.168.0.8", "172.20.0.1", "::1", "fe80::1", "not-an-ip"}) {
    account_.settings["rip"] = bad;
    if (std::string(bad).empty()) account_.settings.erase("rip");
    Progress p;
    auto r = client_->Publish(Job("r1"), p, Saver());
    ASSERT_THAT(r, StatusIs(Code::kFailedPrecondition, "account_not_ready")) << bad;
    EXPECT_THAT(r.status().message(), HasSubstr("公网 IP")) << bad;
    EXPECT_FALSE(p.state.contains("inflight")) << bad;
    Status check = client_->CheckCredentials(account_, Job("r1").secrets);
    EXPECT_THAT(check, StatusIs(Code::kFailedPrecondition, "account_not_ready")) << bad;
  }
  EXPECT_EQ(server_->Calls("weibo", kShare), 0);
  account_.settings["rip"] = "2001:db8::5";
  Progress p;
  EXPECT_THAT(client_->Publish(Job("r1"), p, Saver()), IsOk());
  EXPECT_EQ(Live("r1"), 1);
}

TEST_F(WeiboTest, SandboxRefusesLoopbackAndPrivateRipAndLinksOffTheSafeDomain) {
  for (const char* bad : {"127.0.0.1", "10.0.0.1", "192.168.1.1", "::1"}) {
    HttpResponse r = ShareByHand(Text("s1"), bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_THAT(r.body, HasSubstr("10017")) << bad;
  }
  HttpResponse off = ShareByHand("链接不在安全域名 https://www.example.com/a.html");
  EXPECT_EQ(off.status, 400);
  EXPECT_THAT(off.body, HasSubstr("safe domain"));
  HttpResponse ok = ShareByHand(Text("s1"));
  ASSERT_EQ(ok.status, 200) << ok.body;
  Json j = *ParseJson(ok.body);
  // What the platform stores and answers: the link as a t.cn short link.
  EXPECT_THAT(j.value("text", ""), HasSubstr("http://t.cn/"));
  EXPECT_EQ(j.value("text", "").find("example.gov.cn"), std::string::npos);
  EXPECT_THAT(j.value("created_at", ""), HasSubstr("+0800 2026"));
}

TEST_F(WeiboTest, MatchKeyIgnoresLinksTopicsAndSpaces) {
  EXPECT_EQ(weibo::MatchKey("【通知】a 请注意 #防汛# https://x.gov.cn/a.html?b=1 详情"),
            weibo::MatchKey("【通知】a  请注意 防汛 http://t.cn/A6abcde\u3000详情"));
  EXPECT_NE(weibo::MatchKey("【通知】a"), weibo::MatchKey("【通知】b"));
  EXPECT_EQ(weibo::ParseCreatedAt(Json("Mon Nov 02 22:27:36 +0800 2015")), 1446474456000);
  EXPECT_TRUE(weibo::IsPublicAddress("203.0.113.7"));
  EXPECT_TRUE(weibo::IsPublicAddress("2400:3200::1"));
  EXPECT_FALSE(weibo::IsPublicAddress("100.64.0.1"));
  EXPECT_FALSE(weibo::IsPublicAddress("::ffff:192.168.1.1"));
}

// The share went through but its answer was lost: the post is found on the timeline although
// the platform shows its link as t.cn, and nothing is sent again.
TEST_F(WeiboTest, LostShareAnswerIsFoundDespiteShortLinks) {
  LoseNext(kShare, true);
  Progress p;
  auto r = client_->Publish(Job("l1"), p, Saver());
  ASSERT_THAT(r, StatusIs(Code::kDeadlineExceeded));
  ASSERT_TRUE(saved_.state.contains("inflight"));
  clock_.Advance(5000);
  Progress resumed = saved_;
  auto r2 = client_->Publish(Job("l1"), resumed, Saver());
  ASSERT_THAT(r2, IsOk());
  EXPECT_EQ(r2->kind, PublishResult::Kind::kPublished);
  EXPECT_EQ(Live("l1"), 1);
  EXPECT_EQ(server_->Calls("weibo", kShare), 1);
  EXPECT_EQ(r2->remote_id, server_->Posts("weibo").back().remote_id);
}

// The share never reached the platform; the timeline reaches back before the call began, so it
// is conclusive: the post is sent once more, and only once.
TEST_F(WeiboTest, LostShareBeforeAcceptIsSentOnceWhenTheTimelineReachesBack) {
  for (int i = 0; i < 6; ++i) ASSERT_EQ(ShareByHand(Text("old" + std::to_string(i))).status, 200);
  clock_.Advance(10 * 60 * 1000);
  LoseNext(kShare, false);
  Progress p;
  ASSERT_THAT(client_->Publish(Job("b1"), p, Saver()), StatusIs(Code::kDeadlineExceeded));
  clock_.Advance(5000);
  Progress resumed = saved_;
  auto r = client_->Publish(Job("b1"), resumed, Saver());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(Live("b1"), 1);
  EXPECT_EQ(server_->Calls("weibo", kShare), 8);  // 6 by hand, the lost one, the resend
}

// Posts made after ours pushed it out of the short timeline: "not on the first page" is unknown,
// never "not found". Nothing is sent again; after a bounded number of looks a person decides.
TEST_F(WeiboTest, LostShareBeyondTheTimelineWindowGoesToAPerson) {
  LoseNext(kShare, true);
  Progress p;
  ASSERT_THAT(client_->Publish(Job("w1"), p, Saver()), StatusIs(Code::kDeadlineExceeded));
  for (int i = 0; i < 5; ++i) ASSERT_EQ(ShareByHand(Text("new" + std::to_string(i))).status, 200);
  Progress resumed = saved_;
  StatusOr<PublishResult> r = Status::Ok();
  for (int look = 1; look <= support::kMaxUnknownLooks; ++look) {
    clock_.Advance(60000);
    r = client_->Publish(Job("w1"), resumed, Saver());
    ASSERT_FALSE(r.ok()) << "look " << look;
    if (look < support::kMaxUnknownLooks) {
      EXPECT_THAT(r, StatusIs(Code::kUnavailable)) << "look " << look;
    }
    resumed = saved_;
  }
  EXPECT_THAT(r, StatusIs(Code::kFailedPrecondition, "needs_decision"));
  EXPECT_THAT(r.status().message(), HasSubstr("请到该微博账号主页核对"));
  EXPECT_EQ(Live("w1"), 1) << "never sent twice";
  EXPECT_EQ(server_->Calls("weibo", kShare), 6);
}

// The account recently posted the same text (a recurring notice): on a first attempt that goes
// back to the editor, and the earlier post is never taken as ours.
TEST_F(WeiboTest, RepeatOnAFirstAttemptIsAMessageToTheEditor) {
  ASSERT_EQ(ShareByHand(Text("n1")).status, 200);
  clock_.Advance(60 * 60 * 1000);
  Progress p;
  auto r = client_->Publish(Job("n1"), p, Saver());
  ASSERT_THAT(r, StatusIs(Code::kInvalidArgument));
  EXPECT_THAT(r.status().message(), HasSubstr("同样内容近期已由本账号发布过"));
  EXPECT_THAT(r.status().message(), HasSubstr("请修改文字"));
  EXPECT_THAT(r.status().message(), HasSubstr("20019"));
  EXPECT_FALSE(saved_.state.contains("inflight"));
  EXPECT_FALSE(saved_.state.contains("remote_id"));
  EXPECT_EQ(Live("n1"), 1);
}

// After a lost answer, the resend is answered "repeat": the platform has the text, so the post is
// looked for (a bounded number of times), never sent a third time, then a person decides.
TEST_F(WeiboTest, RepeatAfterALostAnswerIsLookedForThenAPersonDecides) {
  for (int i = 0; i < 6; ++i) ASSERT_EQ(ShareByHand(Text("old" + std::to_string(i))).status, 200);
  clock_.Advance(10 * 60 * 1000);
  LoseNext(kShare, false);
  Progress p;
  ASSERT_THAT(client_->Publish(Job("rp"), p, Saver()), StatusIs(Code::kDeadlineExceeded));
  FaultSpec repeat;
  repeat.error_rate = 1;
  repeat.error_code = 20019;
  repeat.paths = {kShare};
  repeat.count = 1;
  server_->SetFaults("weibo", repeat);
  Progress resumed = saved_;
  StatusOr<PublishResult> r = client_->Publish(Job("rp"), resumed, Saver());
  EXPECT_THAT(r, StatusIs(Code::kUnavailable));
  EXPECT_EQ(server_->Calls("weibo", kShare), 8);
  for (int look = 2; look <= support::kMaxUnknownLooks; ++look) {
    clock_.Advance(60000);
    resumed = saved_;
    r = client_->Publish(Job("rp"), resumed, Saver());
  }
  EXPECT_THAT(r, StatusIs(Code::kFailedPrecondition, "needs_decision"));
  EXPECT_EQ(server_->Calls("weibo", kShare), 8) << "never sent again after the repeat answer";
}

// destroy.json went through but its answer was lost: asking again finds it gone, which is done.
TEST_F(WeiboTest, LostDestroyAnswerStillEndsWithdrawn) {
  Progress p;
  auto r = client_->Publish(Job("d1"), p, Saver());
  ASSERT_THAT(r, IsOk());
  LoseNext("/2/statuses/destroy.json", true);
  EXPECT_THAT(client_->Withdraw(Job("d1"), r->remote_id), StatusIs(Code::kDeadlineExceeded));
  EXPECT_EQ(Live("d1"), 0);
  EXPECT_THAT(client_->Withdraw(Job("d1"), r->remote_id), IsOk());
}

}  // namespace
}  // namespace gd::channels
