// The WeChat client against its sandbox where the two must agree with the platform's sources
// (docs/channels-protocols.md, conformance table, WeChat work items 1-5): mass-send with
// clientmsgid, 45065/45066/45028, lost answers on every publish and withdraw call, and the
// signed, encrypted pushes of PUBLISHJOBFINISH.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "channels/client.h"
#include "channels/client_support.h"
#include "channels/sandbox/server.h"
#include "channels/transport.h"
#include "channels/wechat_mp/events.h"
#include "channels/wechat_mp/msg_crypt.h"
#include "dispatcher/core/crypto.h"
#include "tests/support/status_matchers.h"

namespace gd::channels {
namespace {

namespace fs = std::filesystem;
using sandbox::FaultSpec;
using sandbox::SandboxServer;

// 2026-12-07 10:00 Beijing time.
constexpr TimeMs kStart = 1796608800000;

// Forwards to the real transport and keeps the bodies sent to sendall.
class RecordingTransport final : public Transport {
 public:
  explicit RecordingTransport(Transport* inner) : inner_(inner) {}
  StatusOr<HttpResponse> Send(const HttpRequest& r) override {
    if (r.url.find("/message/mass/sendall") != std::string::npos) {
      std::lock_guard lock(mu_);
      sendall_bodies_.push_back(r.body);
    }
    return inner_->Send(r);
  }
  std::vector<std::string> SendallBodies() {
    std::lock_guard lock(mu_);
    return sendall_bodies_;
  }

 private:
  Transport* inner_;
  std::mutex mu_;
  std::vector<std::string> sendall_bodies_;
};

class WechatClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox::SandboxOptions opts;
    opts.clock = &clock_;
    opts.async_delay_ms = 60 * 1000;  // the fake clock decides when jobs end
    opts.timeout_hang_ms = 50;
    auto s = SandboxServer::Start("127.0.0.1", 0, opts);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    dir_ = fs::temp_directory_path() / ("gd-wechat-" + RandomToken(6));
    fs::create_directories(dir_);
    http_ = NewHttpTransport();
    rec_ = std::make_unique<RecordingTransport>(http_.get());
    tokens_ = std::make_unique<TokenCache>(clock_, &store_);
    auto c = NewClient("wechat_mp", ClientDeps{rec_.get(), tokens_.get(), &clock_, 2000});
    ASSERT_TRUE(c.ok());
    client_ = std::move(c).value();
    account_.id = 7;
    account_.kind = "wechat_mp";
    account_.base_url = server_->base_url() + "/wechat";
    account_.settings = {{"app_id", "sandbox"}, {"publish_mode", "mass_send"}};
  }
  void TearDown() override {
    if (server_) server_->Stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  PublishJob Job(const std::string& marker) {
    std::string jpeg = std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", 11) + marker + "\xFF\xD9";
    MediaRef cover;
    cover.media_id = 1;
    cover.kind = "image";
    cover.mime = "image/jpeg";
    cover.sha256 = Sha256Hex(jpeg);
    cover.size = static_cast<int64_t>(jpeg.size());
    cover.path = (dir_ / cover.sha256).string();
    std::ofstream(cover.path, std::ios::binary) << jpeg;
    PublishJob job;
    job.account = &account_;
    job.secrets = []() -> StatusOr<Json> { return Json{{"app_secret", "sandbox-secret"}}; };
    job.media = {cover};
    job.dispatch_key = "d-" + marker;
    job.rendering = {{"title", "防汛通知" + marker},
                     {"author", "市应急管理局"},
                     {"content", "<p>正文" + marker + "</p>"},
                     {"content_source_url", "https://www.example.gov.cn/" + marker + ".html"},
                     {"cover", cover.sha256}};
    return job;
  }

  Checkpoint Saver() {
    return [this](const Progress& p) {
      saved_ = p;
      return Status::Ok();
    };
  }
  StatusOr<PublishResult> Publish(const PublishJob& job, Progress& p) {
    return client_->Publish(job, p, Saver());
  }
  // Lets the platform finish its jobs (the fake clock passes the sandbox's delay).
  void Finish() { clock_.Advance(61 * 1000); }
  StatusOr<PublishResult> PollToEnd(const PublishJob& job, Progress& p) {
    Finish();
    return client_->Poll(job, p, Saver());
  }
  void LoseNextAnswer(const std::string& path) {
    FaultSpec f;
    f.timeout_rate = 1;
    f.after_accept_ratio = 1;
    f.paths = {path};
    f.count = 1;
    server_->SetFaults("wechat", f);
  }
  int LivePosts() {
    int n = 0;
    for (const auto& p : server_->Posts("wechat")) n += p.deleted ? 0 : 1;
    return n;
  }
  int64_t Calls(const std::string& path) { return server_->Calls("wechat", path); }

  FakeClock clock_{kStart};
  MemoryTokenStore store_;
  std::unique_ptr<SandboxServer> server_;
  std::unique_ptr<Transport> http_;
  std::unique_ptr<RecordingTransport> rec_;
  std::unique_ptr<TokenCache> tokens_;
  std::unique_ptr<Client> client_;
  Account account_;
  fs::path dir_;
  Progress saved_;
};

TEST_F(WechatClientTest, MassSendCarriesAClientMsgIdOfAtMost64Bytes) {
  PublishJob job = Job("m1");
  job.dispatch_key = "d" + std::string(200, '9');  // a key far longer than the limit
  Progress p;
  auto r = Publish(job, p);
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->kind, PublishResult::Kind::kAwaiting);
  auto done = PollToEnd(job, p);
  ASSERT_THAT(done, IsOk());
  EXPECT_EQ(done->kind, PublishResult::Kind::kPublished);
  auto bodies = rec_->SendallBodies();
  ASSERT_EQ(bodies.size(), 1u);
  Json sent = Json::parse(bodies[0]);
  ASSERT_TRUE(sent.contains("clientmsgid"));
  EXPECT_LE(sent["clientmsgid"].get<std::string>().size(), 64u);
  EXPECT_FALSE(sent["clientmsgid"].get<std::string>().empty());
  EXPECT_EQ(LivePosts(), 1);
}

// Work item 2: the resend with the same clientmsgid is answered 45065 with the first msg_id;
// freepublish/batchget (which never lists mass-sends) is not asked.
TEST_F(WechatClientTest, LostSendallAnswerIsSettledBy45065WithoutASecondSend) {
  PublishJob job = Job("m2");
  LoseNextAnswer("/cgi-bin/message/mass/sendall");
  Progress p;
  auto r = Publish(job, p);
  ASSERT_THAT(r, StatusIs(Code::kDeadlineExceeded));
  ASSERT_EQ(support::InflightStep(saved_), "sendall");
  Finish();  // the first send has gone out by now
  Progress resumed = saved_;
  auto r2 = Publish(job, resumed);
  ASSERT_THAT(r2, IsOk());
  EXPECT_EQ(r2->kind, PublishResult::Kind::kPublished);
  EXPECT_EQ(LivePosts(), 1);
  EXPECT_EQ(Calls("/cgi-bin/message/mass/sendall"), 2);
  EXPECT_EQ(Calls("/cgi-bin/freepublish/batchget"), 0);
  auto bodies = rec_->SendallBodies();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(Json::parse(bodies[0])["clientmsgid"], Json::parse(bodies[1])["clientmsgid"]);
}

// 45066 while the first send is still going out: look again later, then it is found.
TEST_F(WechatClientTest, ResendWhileTheFirstIsSendingWaitsThenFindsIt) {
  PublishJob job = Job("m3");
  LoseNextAnswer("/cgi-bin/message/mass/sendall");
  Progress p;
  ASSERT_THAT(Publish(job, p), StatusIs(Code::kDeadlineExceeded));
  Progress resumed = saved_;
  auto busy = Publish(job, resumed);
  ASSERT_THAT(busy, StatusIs(Code::kUnavailable));
  EXPECT_EQ(support::InflightStep(resumed), "sendall");  // still outstanding
  EXPECT_EQ(resumed.state.value("unknown_looks", 0), 1);
  Finish();
  auto r = Publish(job, resumed);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->kind, PublishResult::Kind::kPublished);
  EXPECT_EQ(LivePosts(), 1);
}

// An outcome that stays unknown goes to a person after kMaxUnknownLooks looks, never to a
// second send or an endless wait.
TEST_F(WechatClientTest, InconclusiveResendsEndInNeedsDecision) {
  PublishJob job = Job("m4");
  LoseNextAnswer("/cgi-bin/message/mass/sendall");
  Progress p;
  ASSERT_THAT(Publish(job, p), StatusIs(Code::kDeadlineExceeded));
  Progress resumed = saved_;
  for (int i = 1; i < support::kMaxUnknownLooks; ++i) {
    EXPECT_THAT(Publish(job, resumed), StatusIs(Code::kUnavailable));  // 45066: look again
  }
  auto r = Publish(job, resumed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "needs_decision");
  EXPECT_NE(r.status().message().find("clientmsgid"), std::string::npos);  // what to check
  EXPECT_EQ(LivePosts(), 1);
}

// Past the 24 h the platform remembers a clientmsgid, a resend could go out twice: a person
// decides, and sendall is not called again.
TEST_F(WechatClientTest, NoResendAfterTheClientMsgIdIsForgotten) {
  PublishJob job = Job("m5");
  LoseNextAnswer("/cgi-bin/message/mass/sendall");
  Progress p;
  ASSERT_THAT(Publish(job, p), StatusIs(Code::kDeadlineExceeded));
  clock_.Advance(23 * 3600 * 1000);
  Progress resumed = saved_;
  auto r = Publish(job, resumed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "needs_decision");
  EXPECT_EQ(Calls("/cgi-bin/message/mass/sendall"), 1);
  EXPECT_EQ(LivePosts(), 1);
}

// Work item 3: the day's mass-send allowance is a quota of sendall alone, until 0:00 Beijing
// time, with the once-a-day rule in the message.
TEST_F(WechatClientTest, SecondMassSendOfTheDayIsAQuotaOfSendallUntilMidnight) {
  PublishJob first = Job("q1");
  Progress p1;
  ASSERT_THAT(Publish(first, p1), IsOk());
  PublishJob second = Job("q2");
  Progress p2;
  auto r = Publish(second, p2);
  ASSERT_THAT(r, StatusIs(Code::kResourceExhausted));
  const Json& d = r.status().details();
  EXPECT_EQ(d.value("code", ""), "45028");
  EXPECT_EQ(d.value("quota_scope", ""), "sendall");
  EXPECT_EQ(d.value("retry_after_ms", TimeMs{0}), support::MsUntilNextCstMidnight(clock_.Now()));
  // The rule is the behaviour here: the editor must learn it is once a day.
  EXPECT_NE(r.status().message().find("每天只能成功群发 1 次"), std::string::npos);
  EXPECT_EQ(support::InflightStep(p2), "");  // refused outright: nothing outstanding
  // The next day it goes out, once.
  clock_.Advance(support::MsUntilNextCstMidnight(clock_.Now()));
  auto next = Publish(second, p2);
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(LivePosts(), 2);
}

// The draft/add answer lost: the repeat makes a second draft (never public) and one post.
TEST_F(WechatClientTest, LostDraftAnswerLeavesOnePost) {
  account_.settings["publish_mode"] = "publish";
  PublishJob job = Job("r1");
  LoseNextAnswer("/cgi-bin/draft/add");
  Progress p;
  ASSERT_THAT(Publish(job, p), StatusIs(Code::kDeadlineExceeded));
  Progress resumed = saved_;
  ASSERT_THAT(Publish(job, resumed), IsOk());
  auto r = PollToEnd(job, resumed);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->kind, PublishResult::Kind::kPublished);
  EXPECT_EQ(LivePosts(), 1);
}

// The submit answer lost: the resent draft id is refused (40007) and the job is found.
TEST_F(WechatClientTest, LostSubmitAnswerLeavesOnePost) {
  account_.settings["publish_mode"] = "publish";
  PublishJob job = Job("r2");
  LoseNextAnswer("/cgi-bin/freepublish/submit");
  Progress p;
  ASSERT_THAT(Publish(job, p), StatusIs(Code::kDeadlineExceeded));
  Finish();
  Progress resumed = saved_;
  auto r = Publish(job, resumed);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->kind, PublishResult::Kind::kPublished);
  EXPECT_EQ(LivePosts(), 1);
}

// The delete answers lost (publish and mass-send): the repeat succeeds, the post is gone.
TEST_F(WechatClientTest, LostDeleteAnswersEndWithdrawn) {
  for (const char* mode : {"publish", "mass_send"}) {
    SCOPED_TRACE(mode);
    account_.settings["publish_mode"] = mode;
    clock_.Advance(24 * 3600 * 1000);  // a fresh mass-send allowance
    PublishJob job = Job(std::string("w-") + mode);
    Progress p;
    ASSERT_THAT(Publish(job, p), IsOk());
    auto r = PollToEnd(job, p);
    ASSERT_THAT(r, IsOk());
    ASSERT_EQ(r->kind, PublishResult::Kind::kPublished);
    const std::string path = std::string(mode) == "publish" ? "/cgi-bin/freepublish/delete"
                                                            : "/cgi-bin/message/mass/delete";
    LoseNextAnswer(path);
    EXPECT_THAT(client_->Withdraw(job, r->remote_id), StatusIs(Code::kDeadlineExceeded));
    EXPECT_THAT(client_->Withdraw(job, r->remote_id), IsOk());
    EXPECT_EQ(LivePosts(), 0);
  }
}

// Sandbox fidelity [W6][W7]: mass-sends never appear in freepublish/batchget.
TEST_F(WechatClientTest, MassSendsAreNotListedByBatchget) {
  PublishJob job = Job("b1");
  Progress p;
  ASSERT_THAT(Publish(job, p), IsOk());
  HttpRequest req;
  req.method = "POST";
  req.url = server_->base_url() + "/wechat/cgi-bin/stable_token";
  req.content_type = "application/json";
  req.body = R"({"grant_type":"client_credential","appid":"sandbox","secret":"sandbox-secret"})";
  auto tok = http_->Send(req);
  ASSERT_THAT(tok, IsOk());
  std::string token = Json::parse(tok->body)["access_token"];
  req.url = server_->base_url() + "/wechat/cgi-bin/freepublish/batchget?access_token=" + token;
  req.body = R"({"offset":0,"count":20,"no_content":1})";
  auto list = http_->Send(req);
  ASSERT_THAT(list, IsOk());
  EXPECT_EQ(Json::parse(list->body)["total_count"], 0);
  // 45067: a clientmsgid longer than 64 bytes.
  req.url = server_->base_url() + "/wechat/cgi-bin/message/mass/sendall?access_token=" + token;
  req.body = DumpJson(Json{{"filter", {{"is_to_all", true}}},
                           {"mpnews", {{"media_id", "x"}}},
                           {"msgtype", "mpnews"},
                           {"clientmsgid", std::string(65, 'a')}});
  auto longer = http_->Send(req);
  ASSERT_THAT(longer, IsOk());
  EXPECT_EQ(Json::parse(longer->body)["errcode"], 45067);
}

// The message crypto against the platform's published sample [W14]: the EncodingAESKey
// "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG" and a round trip with the appid check.
TEST(WechatMsgCryptTest, RoundTripAndAppIdCheck) {
  auto key = wechat_mp::AesKeyFromEncodingAesKey("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");
  ASSERT_THAT(key, IsOk());
  ASSERT_EQ(key->size(), 32u);
  auto enc = wechat_mp::EncryptMessage(*key, "<xml>你好</xml>", "wx123", std::string(16, 'r'));
  ASSERT_THAT(enc, IsOk());
  auto dec = wechat_mp::DecryptMessage(*key, *enc, "wx123");
  ASSERT_THAT(dec, IsOk());
  EXPECT_EQ(*dec, "<xml>你好</xml>");
  EXPECT_THAT(wechat_mp::DecryptMessage(*key, *enc, "wx999"), StatusIs(Code::kInvalidArgument));
  EXPECT_THAT(wechat_mp::DecryptMessage(*key, "not base64!", "wx123"),
              StatusIs(Code::kInvalidArgument));
  EXPECT_THAT(wechat_mp::AesKeyFromEncodingAesKey("short"), StatusIs(Code::kInvalidArgument));
  // The signature is SHA-1 over the sorted parts: order of the inputs does not matter.
  EXPECT_EQ(wechat_mp::SortedSha1({"b", "a", "c"}), wechat_mp::SortedSha1({"c", "b", "a"}));
  EXPECT_EQ(wechat_mp::SortedSha1({"abc"}), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

}  // namespace
}  // namespace gd::channels
