// Platform limits the sandboxes enforce (docs/channels-protocols.md: WeChat daily quotas and
// clear_quota, force_refresh rules, Weibo posts per hour and calls per day, Douyin quota/rate codes
// and the 28001018 capability switch, upload_id lifetime, Kuaishou direct-upload size, portal 429)
// and how each client maps them: quota and rate limits are kResourceExhausted with
// details.retry_after_ms reaching to the end of the platform's window, so the engine waits
// instead of retrying in a loop. Time runs on a FakeClock shared by sandbox and client.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>

#include "channels/client.h"
#include "channels/client_support.h"
#include "channels/sandbox/server.h"
#include "channels/transport.h"
#include "dispatcher/core/crypto.h"
#include "dispatcher/core/time_util.h"
#include "tests/support/status_matchers.h"

namespace gd::channels {
namespace {

namespace fs = std::filesystem;
using sandbox::SandboxServer;

// 2026-03-10 10:00 Beijing time.
const TimeMs kStart = CstMidnight(CivilDate{2026, 3, 10}) + 10 * 3600 * 1000;

class QuotaTest : public ::testing::Test {
 protected:
  void Start(bool enforce) {
    sandbox::SandboxOptions opts;
    opts.clock = &clock_;
    opts.async_delay_ms = 0;
    opts.enforce_quotas = enforce;
    opts.weibo_safe_domains = {{"sandbox", "gov.cn"}};
    opts.kuaishou_invisible_ms = 0;  // the fake clock stands still here
    auto s = SandboxServer::Start("127.0.0.1", 0, opts);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    cli_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    dir_ = fs::temp_directory_path() / ("gd-quota-" + RandomToken(6));
    fs::create_directories(dir_);
    http_ = NewHttpTransport();
    tokens_ = std::make_unique<TokenCache>(clock_, nullptr);
  }
  void TearDown() override {
    if (server_) server_->Stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::unique_ptr<Client> NewClientFor(const std::string& kind) {
    ClientDeps deps{http_.get(), tokens_.get(), &clock_, 3000};
    auto c = NewClient(kind, deps);
    EXPECT_TRUE(c.ok());
    return std::move(c).value();
  }

  Account MakeAccount(const std::string& kind, const std::string& prefix, Json settings) {
    Account a;
    a.id = next_account_++;
    a.kind = kind;
    a.name = "测试账号";
    a.base_url = server_->base_url() + "/" + prefix;
    a.settings = std::move(settings);
    if (kind == "weibo") a.settings["rip"] = "203.0.113.10";
    return a;
  }

  MediaRef AddMedia(const std::string& mime, const std::string& data) {
    MediaRef m;
    m.media_id = static_cast<int64_t>(media_.size() + 1);
    m.kind = mime.rfind("video", 0) == 0 ? "video" : "image";
    m.mime = mime;
    m.sha256 = Sha256Hex(data);
    m.size = static_cast<int64_t>(data.size());
    m.path = (dir_ / m.sha256).string();
    std::ofstream(m.path, std::ios::binary) << data;
    media_.push_back(m);
    return m;
  }
  std::string Jpeg(const std::string& marker) {
    return std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", 11) + marker + "\xFF\xD9";
  }
  std::string Mp4(const std::string& marker, size_t padding = 150) {
    return std::string(
               "\x00\x00\x00\x18"
               "ftypmp42\x00\x00\x00\x00mp42isom",
               24) +
           std::string(padding, 'v') + marker;
  }

  PublishJob JobFor(const Account& a, const Json& secrets, const std::string& marker) {
    media_.clear();
    PublishJob job;
    job.account = &a;
    job.secrets = [secrets]() -> StatusOr<Json> { return secrets; };
    job.dispatch_key = "d-" + marker;
    std::string url = "https://www.example.gov.cn/art/" + marker + ".html";
    MediaRef cover = AddMedia("image/jpeg", Jpeg(marker));
    if (a.kind == "wechat_mp") {
      job.rendering = {{"title", "通知" + marker},  {"author", "市应急管理局"},
                       {"digest", "摘要"},          {"content", "<p>正文" + marker + "</p>"},
                       {"content_source_url", url}, {"cover", cover.sha256}};
    } else if (a.kind == "weibo") {
      job.rendering = {{"text", "【通知】" + marker + " " + url}};
    } else if (a.kind == "douyin" || a.kind == "kuaishou") {
      MediaRef video = AddMedia("video/mp4", Mp4(marker));
      job.rendering = {{a.kind == "douyin" ? "text" : "caption", "防汛 " + marker},
                       {"video", video.sha256},
                       {"cover", cover.sha256}};
    } else if (a.kind == "portal") {
      job.rendering = {{"title", "通知" + marker},
                       {"path", "art/" + marker + ".html"},
                       {"article_html", "<p>正文</p>"}};
    }
    job.media = media_;
    return job;
  }

  // Publish, then poll while the platform is processing (no waiting: async_delay_ms is 0).
  StatusOr<PublishResult> Run(Client& c, const PublishJob& job, Progress& progress) {
    Checkpoint cp = [](const Progress&) { return Status::Ok(); };
    auto r = c.Publish(job, progress, cp);
    for (int i = 0; i < 5 && r.ok() && r->kind == PublishResult::Kind::kAwaiting; ++i) {
      r = c.Poll(job, progress, cp);
    }
    return r;
  }

  Json PostJson(const std::string& path, const Json& body) {
    auto res = cli_->Post(path.c_str(), DumpJson(body), "application/json");
    EXPECT_TRUE(res);
    if (!res) return Json();
    auto j = ParseJson(res->body);
    return j.ok() ? *j : Json{{"http_status", res->status}};
  }
  Json Quota(const Json& body) {
    Status st = server_->ConfigureQuotas(body);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return server_->Quotas();
  }
  std::string WechatToken() {
    return PostJson("/wechat/cgi-bin/stable_token", {{"grant_type", "client_credential"},
                                                     {"appid", "sandbox"},
                                                     {"secret", "sandbox-secret"}})
        .value("access_token", "");
  }

  static void ExpectQuotaStatus(const Status& s, const std::string& code, TimeMs retry_after) {
    EXPECT_THAT(s, StatusIs(Code::kResourceExhausted));
    EXPECT_EQ(s.details().value("code", ""), code) << s.ToString();
    ASSERT_TRUE(s.details().contains("retry_after_ms")) << s.ToString();
    EXPECT_EQ(s.details()["retry_after_ms"].get<TimeMs>(), retry_after) << s.ToString();
    // The text is the behaviour: the operator reads the platform's own code in the message.
    EXPECT_THAT(s.message(), ::testing::HasSubstr(code));
  }

  int LivePosts(const std::string& platform) {
    int n = 0;
    for (const auto& p : server_->Posts(platform)) n += p.deleted ? 0 : 1;
    return n;
  }

  FakeClock clock_{kStart};
  std::unique_ptr<SandboxServer> server_;
  std::unique_ptr<httplib::Client> cli_;
  std::unique_ptr<Transport> http_;
  std::unique_ptr<TokenCache> tokens_;
  std::vector<MediaRef> media_;
  fs::path dir_;
  int64_t next_account_ = 1;
};

const Json kWechatSecrets = {{"app_secret", "sandbox-secret"}};
const Json kWeiboSecrets = {{"app_secret", "sandbox-secret"}, {"access_token", "sandbox-token"}};
const Json kVideoSecrets = {{"app_secret", "sandbox-secret"},
                            {"client_secret", "sandbox-secret"},
                            {"access_token", "sandbox-token"},
                            {"refresh_token", "sandbox-refresh"}};

TEST_F(QuotaTest, OffByDefaultSoLongRunsAreNotThrottled) {
  Start(false);
  std::string t = WechatToken();
  ASSERT_FALSE(t.empty());
  for (int i = 0; i < 150; ++i) {
    Json r = PostJson("/wechat/cgi-bin/freepublish/get?access_token=" + t, {{"publish_id", 1}});
    ASSERT_NE(r.value("errcode", 0), 45009) << "call " << i;
  }
  for (int i = 0; i < 40; ++i) {
    auto res =
        cli_->Post("/weibo/2/statuses/share.json",
                   BuildQuery({{"access_token", "sandbox-token"},
                               {"rip", "203.0.113.10"},
                               {"status", "第" + std::to_string(i) + "条 https://a.gov.cn/"}}),
                   "application/x-www-form-urlencoded");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << "post " << i << ": " << res->body;
  }
  EXPECT_EQ(server_->Quotas()["wechat"]["enabled"], false);
}

TEST_F(QuotaTest, WechatSubmitQuotaWaitsUntilMidnightThenPublishes) {
  Start(true);
  auto client = NewClientFor("wechat_mp");
  Account a = MakeAccount("wechat_mp", "wechat", {{"app_id", "sandbox"}, {"poll_interval_ms", 10}});
  PublishJob first = JobFor(a, kWechatSecrets, "q1");
  Progress p1;
  auto r1 = Run(*client, first, p1);
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  ASSERT_EQ(r1->kind, PublishResult::Kind::kPublished);

  // 98 more submits today (each counts, even for an unknown draft): 99 of 100 used.
  std::string t = WechatToken();
  for (int i = 0; i < 98; ++i) {
    Json r = PostJson("/wechat/cgi-bin/freepublish/submit?access_token=" + t,
                      {{"media_id", "no-such-draft"}});
    ASSERT_EQ(r.value("errcode", 0), 40007) << r.dump();
  }
  PublishJob second = JobFor(a, kWechatSecrets, "q2");
  Progress p2;
  ASSERT_TRUE(Run(*client, second, p2).ok());  // the 100th
  PublishJob third = JobFor(a, kWechatSecrets, "q3");
  Progress p3;
  auto r3 = Run(*client, third, p3);
  ASSERT_FALSE(r3.ok());
  ExpectQuotaStatus(r3.status(), "45009", support::MsUntilNextCstMidnight(clock_.Now()));
  // The platform's own words are passed on to the operator, untranslated.
  EXPECT_THAT(r3.status().details().value("platform_message", ""),
              ::testing::HasSubstr("daily quota"));
  EXPECT_TRUE(p3.state.contains("draft_media_id"));  // the draft is kept for tomorrow

  // 0:00 Beijing time: the counters start again and the same progress goes on.
  clock_.Set(CstMidnight(CivilDate{2026, 3, 11}) + 1000);
  auto again = Run(*client, third, p3);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->kind, PublishResult::Kind::kPublished);
  EXPECT_EQ(LivePosts("wechat"), 3);
}

TEST_F(QuotaTest, WechatPollQuotaAndClearQuota) {
  Start(true);
  auto client = NewClientFor("wechat_mp");
  Account a = MakeAccount("wechat_mp", "wechat", {{"app_id", "sandbox"}, {"poll_interval_ms", 10}});
  PublishJob job = JobFor(a, kWechatSecrets, "g1");
  Progress p;
  auto r = client->Publish(job, p, [](const Progress&) { return Status::Ok(); });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->kind, PublishResult::Kind::kAwaiting);

  std::string t = WechatToken();
  for (int i = 0; i < 100; ++i) {
    PostJson("/wechat/cgi-bin/freepublish/get?access_token=" + t, {{"publish_id", 1}});
  }
  auto poll = client->Poll(job, p, [](const Progress&) { return Status::Ok(); });
  ASSERT_FALSE(poll.ok());
  ExpectQuotaStatus(poll.status(), "45009", support::MsUntilNextCstMidnight(clock_.Now()));

  // The quota shows in the sandbox's state and stats.
  Json q = server_->Quotas()["wechat"];
  bool full = false;
  for (const auto& u : q["usage"]) {
    if (u["path"] == "/cgi-bin/freepublish/get") full = u["used"] == 100 && u["key"] == "sandbox";
  }
  EXPECT_TRUE(full) << q.dump();
  EXPECT_GE(q["refused"].get<int>(), 1);

  // clear_quota zeroes the appid's counters, 10 times a month.
  Json cleared = PostJson("/wechat/cgi-bin/clear_quota?access_token=" + t, {{"appid", "sandbox"}});
  EXPECT_EQ(cleared.value("errcode", -1), 0) << cleared.dump();
  auto after = client->Poll(job, p, [](const Progress&) { return Status::Ok(); });
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->kind, PublishResult::Kind::kPublished);
  EXPECT_EQ(PostJson("/wechat/cgi-bin/clear_quota?access_token=" + t, {{"appid", "other"}})
                .value("errcode", 0),
            40013);
  for (int i = 0; i < 9; ++i) {
    EXPECT_EQ(PostJson("/wechat/cgi-bin/clear_quota?access_token=" + t, {{"appid", "sandbox"}})
                  .value("errcode", -1),
              0);
  }
  EXPECT_EQ(PostJson("/wechat/cgi-bin/clear_quota?access_token=" + t, {{"appid", "sandbox"}})
                .value("errcode", 0),
            48006);
  clock_.Set(CstMidnight(CivilDate{2026, 4, 1}) + 1000);  // a new month
  t = WechatToken();
  EXPECT_EQ(PostJson("/wechat/cgi-bin/clear_quota?access_token=" + t, {{"appid", "sandbox"}})
                .value("errcode", -1),
            0);
}

TEST_F(QuotaTest, WechatStableTokenForceRefreshRules) {
  Start(true);
  Json body = {{"grant_type", "client_credential"},
               {"appid", "sandbox"},
               {"secret", "sandbox-secret"},
               {"force_refresh", true}};
  std::string t1 = PostJson("/wechat/cgi-bin/stable_token", body).value("access_token", "");
  // Within 30 s a forced refresh does not refresh.
  clock_.Advance(10 * 1000);
  std::string t2 = PostJson("/wechat/cgi-bin/stable_token", body).value("access_token", "");
  EXPECT_EQ(t1, t2);
  clock_.Advance(31 * 1000);
  std::string t3 = PostJson("/wechat/cgi-bin/stable_token", body).value("access_token", "");
  EXPECT_NE(t3, t2);
  // 20 forced calls a day.
  for (int i = 3; i < 20; ++i) {
    clock_.Advance(31 * 1000);
    ASSERT_FALSE(PostJson("/wechat/cgi-bin/stable_token", body).value("access_token", "").empty());
  }
  clock_.Advance(31 * 1000);
  EXPECT_EQ(PostJson("/wechat/cgi-bin/stable_token", body).value("errcode", 0), 45009);
  // Normal mode still answers.
  body["force_refresh"] = false;
  EXPECT_FALSE(PostJson("/wechat/cgi-bin/stable_token", body).value("access_token", "").empty());
}

TEST_F(QuotaTest, WechatTokenLifetimes) {
  Start(false);
  // Classic tokens: fetching again keeps the previous one valid for 5 more minutes (§1.1).
  auto classic = [&]() {
    auto res = cli_->Get(
        "/wechat/cgi-bin/token?grant_type=client_credential&appid=sandbox&secret=sandbox-secret");
    return ParseJson(res->body)->value("access_token", "");
  };
  auto errcode = [&](const std::string& token) {
    return PostJson("/wechat/cgi-bin/freepublish/batchget?access_token=" + token,
                    {{"offset", 0}, {"count", 1}, {"no_content", 1}})
        .value("errcode", 0);
  };
  std::string old_token = classic();
  clock_.Advance(1000);
  std::string new_token = classic();
  ASSERT_NE(old_token, new_token);
  clock_.Advance(299 * 1000);
  EXPECT_EQ(errcode(old_token), 0);
  clock_.Advance(2 * 1000);
  EXPECT_EQ(errcode(old_token), 42001);
  EXPECT_EQ(errcode(new_token), 0);
  EXPECT_EQ(errcode("garbage"), 40001);

  // The client's stable token lives 7200 s; after that it fetches a new one by itself.
  auto client = NewClientFor("wechat_mp");
  Account a = MakeAccount("wechat_mp", "wechat", {{"app_id", "sandbox"}, {"poll_interval_ms", 10}});
  PublishJob j1 = JobFor(a, kWechatSecrets, "t1");
  Progress p1;
  ASSERT_TRUE(Run(*client, j1, p1).ok());
  int64_t fetched = server_->Calls("wechat", "/cgi-bin/stable_token");
  clock_.Advance(7201 * 1000);
  PublishJob j2 = JobFor(a, kWechatSecrets, "t2");
  Progress p2;
  auto r2 = Run(*client, j2, p2);
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(server_->Calls("wechat", "/cgi-bin/stable_token"), fetched + 1);
}

TEST_F(QuotaTest, WeiboPostsPerHourAndCallsPerDay) {
  Start(true);
  auto client = NewClientFor("weibo");
  Account a = MakeAccount("weibo", "weibo", {{"uid", "sandbox"}});
  for (int i = 0; i < 30; ++i) {
    auto res =
        cli_->Post("/weibo/2/statuses/share.json",
                   BuildQuery({{"access_token", "sandbox-token"},
                               {"rip", "203.0.113.10"},
                               {"status", "第" + std::to_string(i) + "条 https://a.gov.cn/"}}),
                   "application/x-www-form-urlencoded");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
  }
  PublishJob job = JobFor(a, kWeiboSecrets, "w31");
  Progress p;
  auto r = Run(*client, job, p);
  ASSERT_FALSE(r.ok());
  ExpectQuotaStatus(r.status(), "10024", 3600000 - clock_.Now() % 3600000);
  EXPECT_FALSE(p.state.contains("inflight")) << "refused: nothing to reconcile next time";

  clock_.Advance(3600000 - clock_.Now() % 3600000 + 1000);  // the next hour
  auto ok = Run(*client, job, p);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->kind, PublishResult::Kind::kPublished);

  // 31 calls counted today; 69 more reach the 100 a day per user.
  for (int i = 0; i < 69; ++i) {
    auto res = cli_->Get(
        ("/weibo/2/statuses/show.json?access_token=sandbox-token&id=" + ok->remote_id).c_str());
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << i << ": " << res->body;
  }
  auto rec = client->Reconcile(job, Progress{});
  ASSERT_FALSE(rec.ok());
  EXPECT_EQ(rec.status().code(), Code::kResourceExhausted);
  EXPECT_EQ(rec.status().details().value("code", ""), "10023");
  EXPECT_GT(rec.status().details().value("retry_after_ms", TimeMs{0}), 0);
}

TEST_F(QuotaTest, WeiboSlowAnswerAndPictureType) {
  Start(false);
  auto client = NewClientFor("weibo");
  Account a = MakeAccount("weibo", "weibo", {{"uid", "sandbox"}, {"poll_interval_ms", 10}});
  // 20032: the post is made but the answer says "server slow": no second post.
  sandbox::FaultSpec slow;
  slow.error_rate = 1;
  slow.error_code = 20032;
  slow.count = 1;
  slow.paths = {"/2/statuses/share.json"};
  server_->SetFaults("weibo", slow);
  PublishJob job = JobFor(a, kWeiboSecrets, "s1");
  Progress p;
  Checkpoint cp = [](const Progress&) { return Status::Ok(); };
  auto r = client->Publish(job, p, cp);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->kind, PublishResult::Kind::kAwaiting);
  EXPECT_EQ(LivePosts("weibo"), 1);
  auto polled = client->Poll(job, p, cp);
  ASSERT_TRUE(polled.ok()) << polled.status().ToString();
  EXPECT_EQ(polled->kind, PublishResult::Kind::kPublished);
  EXPECT_EQ(LivePosts("weibo"), 1);
  EXPECT_EQ(server_->Calls("weibo", "/2/statuses/share.json"), 1);

  // 20005: a picture that is not JPEG/GIF/PNG.
  PublishJob bad = JobFor(a, kWeiboSecrets, "s2");
  MediaRef junk = AddMedia("image/jpeg", "not a picture at all");
  bad.media = media_;
  bad.rendering["pic"] = junk.sha256;
  Progress pb;
  auto rb = client->Publish(bad, pb, cp);
  ASSERT_FALSE(rb.ok());
  EXPECT_EQ(rb.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(rb.status().details().value("code", ""), "20005");
}

TEST_F(QuotaTest, WeiboAuthorizationCodeGrant) {
  Start(false);
  auto res = cli_->Post("/weibo/oauth2/access_token",
                        BuildQuery({{"client_id", "sandbox"},
                                    {"client_secret", "sandbox-secret"},
                                    {"grant_type", "authorization_code"},
                                    {"code", "sandbox-code"},
                                    {"redirect_uri", "https://a.gov.cn/cb"}}),
                        "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  auto j = ParseJson(res->body);
  ASSERT_TRUE(j.ok());
  ASSERT_TRUE((*j)["expires_in"].is_string()) << res->body;  // a string, as documented
  std::string token = j->value("access_token", "");
  auto client = NewClientFor("weibo");
  Account a = MakeAccount("weibo", "weibo", Json::object());
  EXPECT_TRUE(
      client->CheckCredentials(a,
                               [&]() -> StatusOr<Json> {
                                 return Json{{"access_token", token}};
                               })
          .ok());
  auto bad = cli_->Post("/weibo/oauth2/access_token",
                        BuildQuery({{"client_id", "sandbox"},
                                    {"client_secret", "sandbox-secret"},
                                    {"grant_type", "authorization_code"},
                                    {"code", "used-or-wrong"}}),
                        "application/x-www-form-urlencoded");
  ASSERT_TRUE(bad);
  EXPECT_EQ(ParseJson(bad->body)->value("error_code", ""), "21325");
}

TEST_F(QuotaTest, DouyinQuotaCodesAndCapabilitySwitch) {
  Start(false);
  Quota({{"platform", "douyin"},
         {"enabled", true},
         {"rules",
          {{{"path", "/api/douyin/v1/video/create_video/"}, {"limit", 1}, {"window", "day"}}}}});
  auto client = NewClientFor("douyin");
  Account a =
      MakeAccount("douyin", "douyin",
                  {{"client_key", "sandbox"}, {"open_id", "sandbox"}, {"poll_interval_ms", 10}});
  PublishJob j1 = JobFor(a, kVideoSecrets, "v1");
  Progress p1;
  auto r1 = Run(*client, j1, p1);
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  PublishJob j2 = JobFor(a, kVideoSecrets, "v2");
  Progress p2;
  auto r2 = Run(*client, j2, p2);
  ASSERT_FALSE(r2.ok());
  ExpectQuotaStatus(r2.status(), "28003017", support::MsUntilNextCstMidnight(clock_.Now()));

  // A per-minute rule answers the rate code; the platform gives no wait, the engine backs off.
  Quota({{"platform", "douyin"},
         {"rules",
          {{{"path", "/api/douyin/v1/video/video_list/"}, {"limit", 0}, {"window", "minute"}}}}});
  Status rate = client->CheckCredentials(a, [] { return StatusOr<Json>(kVideoSecrets); });
  EXPECT_EQ(rate.code(), Code::kResourceExhausted) << rate.ToString();
  EXPECT_EQ(rate.details().value("code", ""), "28003018");
  EXPECT_FALSE(rate.details().contains("retry_after_ms"));

  // An app without video.create.bind: a person must post by hand.
  Quota({{"platform", "douyin"}, {"enabled", false}});
  Account nocap =
      MakeAccount("douyin", "douyin", {{"client_key", "sandbox"}, {"open_id", "sandbox-nocap"}});
  Status cred = client->CheckCredentials(nocap, [] { return StatusOr<Json>(kVideoSecrets); });
  EXPECT_THAT(cred, StatusIs(Code::kPermissionDenied, "manual_handoff"));
  // The text is the behaviour: the operator reads the platform's own code in the message.
  EXPECT_THAT(cred.message(), ::testing::HasSubstr("28001018"));
  PublishJob j3 = JobFor(nocap, kVideoSecrets, "v3");
  Progress p3;
  auto r3 = Run(*client, j3, p3);
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.status().code(), Code::kPermissionDenied);
}

TEST_F(QuotaTest, DouyinUploadIdLivesTwoHours) {
  Start(false);
  cli_->set_default_headers({{"access-token", "sandbox-token"}});
  auto init = cli_->Post("/douyin/api/douyin/v1/video/init_video_part_upload/?open_id=sandbox",
                         "{}", "application/json");
  ASSERT_TRUE(init);
  std::string id = (*ParseJson(init->body))["data"].value("upload_id", "");
  ASSERT_FALSE(id.empty());
  auto part = [&]() {
    httplib::MultipartFormDataItems items = {{"video", Mp4("p"), "v.mp4", "video/mp4"}};
    auto res = cli_->Post(
        ("/douyin/api/douyin/v1/video/upload_video_part/?open_id=sandbox&part_number=1&upload_id=" +
         id)
            .c_str(),
        items);
    return (*ParseJson(res->body))["data"];
  };
  EXPECT_EQ(part()["error_code"], 0);
  clock_.Advance(2 * 3600 * 1000 + 1000);
  Json late = part();
  EXPECT_EQ(late["error_code"], 2100005);  // the platform's code for an expired upload id
}

TEST_F(QuotaTest, KuaishouAndPortalQuotasAre429WithRetryAfter) {
  Start(false);
  Quota({{"platform", "kuaishou"},
         {"enabled", true},
         {"rules", {{{"path", "/openapi/photo/publish"}, {"limit", 0}, {"window", "minute"}}}}});
  auto ks = NewClientFor("kuaishou");
  Account a = MakeAccount("kuaishou", "kuaishou", {{"app_id", "sandbox"}, {"open_id", "sandbox"}});
  PublishJob job = JobFor(a, kVideoSecrets, "k1");
  Progress p;
  auto r = Run(*ks, job, p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted) << r.status().ToString();
  TimeMs wait = r.status().details().value("retry_after_ms", TimeMs{0});
  EXPECT_EQ(wait, (60000 - clock_.Now() % 60000 + 999) / 1000 * 1000);

  Quota({{"platform", "portal"},
         {"enabled", true},
         {"rules", {{{"path", "/api/articles"}, {"limit", 0}, {"window", "day"}}}}});
  auto portal = NewClientFor("portal");
  Account pa = MakeAccount("portal", "portal", {{"mode", "push"}});
  PublishJob pj = JobFor(pa, Json{{"signing_key", "sandbox-secret"}}, "p1");
  Progress pp;
  auto pr = Run(*portal, pj, pp);
  ASSERT_FALSE(pr.ok());
  EXPECT_EQ(pr.status().code(), Code::kResourceExhausted) << pr.status().ToString();
  EXPECT_EQ(pr.status().details().value("retry_after_ms", TimeMs{0}),
            (support::MsUntilNextCstMidnight(clock_.Now()) + 999) / 1000 * 1000);
}

TEST_F(QuotaTest, KuaishouDirectUploadOnlyUnderTenMegabytes) {
  Start(false);
  // The upload host refuses a direct upload of 10 MB or more.
  auto start =
      cli_->Post("/kuaishou/openapi/photo/start_upload?app_id=sandbox&access_token=sandbox-token",
                 "", "application/json");
  ASSERT_TRUE(start);
  std::string token = (*ParseJson(start->body)).value("upload_token", "");
  auto big = cli_->Post(("/kuaishou/api/upload?upload_token=" + token).c_str(),
                        std::string(10 * 1024 * 1024, 'x'), "video/mp4");
  ASSERT_TRUE(big);
  EXPECT_EQ((*ParseJson(big->body)).value("result", 1), 100200100) << big->body;

  // The client sends such a file in fragments even when its fragment size is larger.
  auto ks = NewClientFor("kuaishou");
  Account a = MakeAccount(
      "kuaishou", "kuaishou",
      {{"app_id", "sandbox"}, {"open_id", "sandbox"}, {"fragment_size_bytes", 32 * 1024 * 1024}});
  PublishJob job = JobFor(a, kVideoSecrets, "big");
  MediaRef video = AddMedia("video/mp4", Mp4("big", 10 * 1024 * 1024 + 10));
  job.media = media_;
  job.rendering["video"] = video.sha256;
  Progress p;
  auto r = Run(*ks, job, p);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->kind, PublishResult::Kind::kPublished);
  EXPECT_EQ(server_->Calls("kuaishou", "/api/upload"), 1);  // the refused one above
  EXPECT_EQ(server_->Calls("kuaishou", "/api/upload/complete"), 1);
}

}  // namespace
}  // namespace gd::channels
