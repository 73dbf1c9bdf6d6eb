// The Douyin client against its sandbox with the documented behaviours (docs/channels-protocols.md,
// conformance table, Douyin): video_status values, the fields dropped since 2024-12-13, refresh-
// token renewal and its limit, lost answers of every publish call, and the authorisation-code flow
// of every platform that has one. Sandbox and client share a FakeClock.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "channels/builtin_channels.h"
#include "channels/client.h"
#include "channels/client_support.h"
#include "channels/oauth.h"
#include "channels/sandbox/server.h"
#include "channels/transport.h"
#include "dispatcher/core/crypto.h"
#include "tests/support/status_matchers.h"

namespace gd::channels {
namespace {

namespace fs = std::filesystem;
using sandbox::FaultSpec;
using sandbox::SandboxServer;

constexpr TimeMs kStart = 1'750'000'000'000;
constexpr TimeMs kDay = TimeMs{24} * 3600 * 1000;
constexpr const char* kCreate = "/api/douyin/v1/video/create_video/";

// Runs a hook before each request (to look at the token store at the moment of a call).
class WatchTransport final : public Transport {
 public:
  explicit WatchTransport(Transport* inner) : inner_(inner) {}
  StatusOr<HttpResponse> Send(const HttpRequest& r) override {
    if (before) before(r);
    return inner_->Send(r);
  }
  std::function<void(const HttpRequest&)> before;

 private:
  Transport* inner_;
};

class DouyinTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox::SandboxOptions opts;
    opts.clock = &clock_;
    opts.async_delay_ms = 1000;
    opts.timeout_hang_ms = 50;
    auto s = SandboxServer::Start("127.0.0.1", 0, opts);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    dir_ = fs::temp_directory_path() / ("gd-douyin-" + RandomToken(6));
    fs::create_directories(dir_);
    http_ = NewHttpTransport();
    watch_ = std::make_unique<WatchTransport>(http_.get());
    tokens_ = std::make_unique<TokenCache>(clock_, &store_);
    auto c = NewClient("douyin", ClientDeps{watch_.get(), tokens_.get(), &clock_, 2000});
    ASSERT_TRUE(c.ok());
    client_ = std::move(c).value();
    account_.id = 7;
    account_.kind = "douyin";
    account_.base_url = server_->base_url() + "/douyin";
    account_.settings = {
        {"client_key", "sandbox"}, {"open_id", "sandbox"}, {"poll_interval_ms", 10}};
    secrets_ = {{"client_secret", "sandbox-secret"},
                {"access_token", "sandbox-token"},
                {"refresh_token", "sandbox-refresh"}};
  }
  void TearDown() override {
    if (server_) server_->Stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  HttpResponse Post(const std::string& path, const Json& body) {
    HttpRequest r;
    r.method = "POST";
    r.url = server_->base_url() + path;
    r.body = DumpJson(body);
    r.content_type = "application/json";
    r.timeout_ms = 2000;
    auto resp = http_->Send(r);
    EXPECT_TRUE(resp.ok());
    return resp.ok() ? *resp : HttpResponse{};
  }
  void Configure(const Json& settings) {
    EXPECT_EQ(Post("/douyin/_sandbox/settings", settings).status, 200);
  }

  PublishJob Job(const std::string& text) {
    std::string mp4 = std::string(
                          "\x00\x00\x00\x18"
                          "ftypmp42\x00\x00\x00\x00mp42isom",
                          24) +
                      std::string(100, 'v') + text;
    std::string jpeg = std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", 11) + text + "\xFF\xD9";
    media_.clear();
    for (const auto& [kind, mime, data] :
         {std::tuple{"video", "video/mp4", mp4}, std::tuple{"image", "image/jpeg", jpeg}}) {
      MediaRef m;
      m.media_id = static_cast<int64_t>(media_.size() + 1);
      m.kind = kind;
      m.mime = mime;
      m.sha256 = Sha256Hex(data);
      m.size = static_cast<int64_t>(data.size());
      m.path = (dir_ / m.sha256).string();
      std::ofstream(m.path, std::ios::binary) << data;
      media_.push_back(m);
    }
    PublishJob job;
    job.account = &account_;
    job.secrets = [this]() -> StatusOr<Json> { return secrets_; };
    job.media = media_;
    job.dispatch_key = "d-" + text;
    job.rendering = {{"text", text}, {"video", media_[0].sha256}, {"cover", media_[1].sha256}};
    return job;
  }

  Checkpoint Saver() {
    return [this](const Progress& p) {
      saved_ = p;
      return Status::Ok();
    };
  }

  int Posts() {
    int n = 0;
    for (const auto& p : server_->Posts("douyin")) n += p.deleted ? 0 : 1;
    return n;
  }

  FakeClock clock_{kStart};
  MemoryTokenStore store_;
  std::unique_ptr<SandboxServer> server_;
  std::unique_ptr<Transport> http_;
  std::unique_ptr<WatchTransport> watch_;
  std::unique_ptr<TokenCache> tokens_;
  std::unique_ptr<Client> client_;
  Account account_;
  Json secrets_;
  std::vector<MediaRef> media_;
  fs::path dir_;
  Progress saved_;
};

// Item 1 [D1]: video_status 4 is under review (wait), not a rejection.
TEST_F(DouyinTest, UnderReviewWaitsAndThenPublishes) {
  Configure({{"legacy_video_status", true}});
  PublishJob job = Job("审核中的视频");
  Progress progress;
  auto r = client_->Publish(job, progress, Saver());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->kind, PublishResult::Kind::kAwaiting);
  auto p = client_->Poll(job, progress, Saver());  // video_status 4
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->kind, PublishResult::Kind::kAwaiting);
  clock_.Advance(2000);  // reviewed: 5 (public)
  p = client_->Poll(job, progress, Saver());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->kind, PublishResult::Kind::kPublished);
  EXPECT_EQ(Posts(), 1);
}

// Item 1 [D1]: 2 (not suitable for the public) is the rejection.
TEST_F(DouyinTest, NotSuitableIsARejectionQuotingStatus2) {
  Configure({{"legacy_video_status", true}});
  PublishJob job = Job("违规测试视频");
  Progress progress;
  ASSERT_TRUE(client_->Publish(job, progress, Saver()).ok());
  clock_.Advance(2000);
  auto p = client_->Poll(job, progress, Saver());
  EXPECT_THAT(p, StatusIs(Code::kFailedPrecondition, "platform_rejected"));
  EXPECT_NE(p.status().message().find("video_status=2"), std::string::npos);
  EXPECT_EQ(Posts(), 0);
}

// Item 2 [D1]: without video_status / is_reviewed a listed video is published (never resent).
TEST_F(DouyinTest, WithoutStatusFieldsAListedVideoIsPublished) {
  PublishJob job = Job("新接口下的视频");
  Progress progress;
  ASSERT_TRUE(client_->Publish(job, progress, Saver()).ok());
  auto p = client_->Poll(job, progress, Saver());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->kind, PublishResult::Kind::kPublished);
  EXPECT_EQ(p->remote_id, progress.state.value("item_id", ""));
  EXPECT_EQ(server_->Calls("douyin", kCreate), 1);
  EXPECT_EQ(Posts(), 1);
}

// Item 2: a video that never shows in the list ends, after the review wait, with a person.
TEST_F(DouyinTest, AnUnlistedVideoGoesToAPersonAfterTheReviewWait) {
  Configure({{"list_hides_unreviewed", true}, {"review_delay_ms", 10 * kDay}});
  PublishJob job = Job("迟迟不出现的视频");
  Progress progress;
  ASSERT_TRUE(client_->Publish(job, progress, Saver()).ok());
  auto p = client_->Poll(job, progress, Saver());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->kind, PublishResult::Kind::kAwaiting);
  clock_.Advance(kDay - 60 * 1000);
  p = client_->Poll(job, progress, Saver());
  ASSERT_TRUE(p.ok()) << "still within the review wait";
  EXPECT_EQ(p->kind, PublishResult::Kind::kAwaiting);
  clock_.Advance(2 * 60 * 1000);
  p = client_->Poll(job, progress, Saver());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().reason(), "needs_decision") << p.status().ToString();
  EXPECT_EQ(server_->Calls("douyin", kCreate), 1);
}

// Every publish call's answer lost after the platform did the work: one post, no false failure.
TEST_F(DouyinTest, LostAnswerOfEveryPublishCallEndsWithOnePost) {
  int n = 0;
  for (const char* path :
       {"/api/douyin/v1/video/upload_video/", "/api/douyin/v1/video/upload_image/", kCreate}) {
    SCOPED_TRACE(path);
    const int before = Posts();
    saved_ = Progress{};
    PublishJob job = Job("丢失应答" + std::to_string(n++));
    FaultSpec f;
    f.timeout_rate = 1;
    f.after_accept_ratio = 1;
    f.paths = {path};
    f.count = 1;
    server_->SetFaults("douyin", f);
    Progress progress;
    auto r = client_->Publish(job, progress, Saver());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().code(), Code::kFailedPrecondition) << "not a permanent failure";
    server_->ClearFaults();
    Progress resumed = saved_;
    auto r2 = client_->Publish(job, resumed, Saver());
    for (int i = 0; i < 3 && r2.ok() && r2->kind == PublishResult::Kind::kAwaiting; ++i) {
      r2 = client_->Poll(job, resumed, Saver());
    }
    ASSERT_TRUE(r2.ok()) << r2.status().ToString();
    EXPECT_EQ(r2->kind, PublishResult::Kind::kPublished);
    EXPECT_EQ(Posts(), before + 1);
  }
}

// create_video's lost answer while the list does not show the video: bounded looks, then a person;
// the single-use video_id makes a second post impossible.
TEST_F(DouyinTest, LostCreateAnswerWithTheVideoNotListedGoesToAPerson) {
  Configure({{"list_hides_unreviewed", true}});
  PublishJob job = Job("查不到的视频");
  FaultSpec f;
  f.timeout_rate = 1;
  f.after_accept_ratio = 1;
  f.paths = {kCreate};
  f.count = 1;
  server_->SetFaults("douyin", f);
  Progress progress;
  ASSERT_FALSE(client_->Publish(job, progress, Saver()).ok());
  server_->ClearFaults();
  Progress resumed = saved_;
  Status last;
  for (int i = 0; i < support::kMaxUnknownLooks + 1; ++i) {
    auto r = client_->Publish(job, resumed, Saver());
    ASSERT_FALSE(r.ok());
    last = r.status();
    if (last.reason() == "needs_decision") break;
    EXPECT_EQ(last.code(), Code::kUnavailable) << last.ToString();
    resumed = saved_;
  }
  EXPECT_EQ(last.reason(), "needs_decision") << last.ToString();
  EXPECT_EQ(Posts(), 1);
}

// Douyin has no withdraw API: withdrawal is handed to a person without any call.
TEST_F(DouyinTest, WithdrawIsHandedToAPersonWithoutACall) {
  int calls = 0;
  watch_->before = [&](const HttpRequest&) { ++calls; };
  PublishJob job = Job("撤回");
  EXPECT_THAT(client_->Withdraw(job, "@sbx1"),
              StatusIs(Code::kFailedPrecondition, "manual_withdrawal"));
  EXPECT_EQ(calls, 0);
}

// Item 3 [D4][D5][D6]: the refresh token is renewed before its 30 days end, and the new one is
// stored before the refresh that uses it.
TEST_F(DouyinTest, RefreshTokenIsRenewedAndStoredBeforeUse) {
  Token old;
  old.access_token = "stale";
  old.refresh_token = "sandbox-refresh";
  old.issued_at = kStart;
  old.expires_at = kStart + 20 * kDay;
  old.refresh_expires_at = kStart + 30 * kDay;
  ASSERT_TRUE(store_.Save(account_.id, old).ok());
  clock_.Advance(20 * kDay + 1);  // access expired; 10 days of the refresh token left
  std::string stored_at_refresh;
  watch_->before = [&](const HttpRequest& r) {
    if (r.url.find("/oauth/refresh_token/") != std::string::npos) {
      auto t = store_.Load(account_.id);
      if (t.ok() && t->has_value()) stored_at_refresh = (*t)->refresh_token;
    }
  };
  Status ok = client_->CheckCredentials(account_, [this]() -> StatusOr<Json> { return secrets_; });
  ASSERT_TRUE(ok.ok()) << ok.ToString();
  auto t = store_.Load(account_.id);
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_NE((*t)->refresh_token, "sandbox-refresh");
  EXPECT_EQ(stored_at_refresh, (*t)->refresh_token) << "stored before the refresh used it";
  EXPECT_GT((*t)->refresh_expires_at, clock_.Now() + 29 * kDay);
  EXPECT_EQ(OAuthTokenWarning(*FindBuiltinChannel("douyin")->oauth, **t, clock_.Now()), "");
}

// Item 3: renewals spent (10020): the access token is still refreshed, and the operator is
// reminded within 7 days of the end; after the end the account needs a new authorisation.
TEST_F(DouyinTest, RenewalsSpentRemindTheOperator) {
  Configure({{"renewal_limit", 0}});
  Token old;
  old.access_token = "stale";
  old.refresh_token = "sandbox-refresh";
  old.issued_at = kStart;
  old.expires_at = kStart + 24 * kDay;
  old.refresh_expires_at = kStart + 30 * kDay;
  ASSERT_TRUE(store_.Save(account_.id, old).ok());
  clock_.Advance(24 * kDay + 1);
  SecretSource secrets = [this]() -> StatusOr<Json> { return secrets_; };
  ASSERT_TRUE(client_->CheckCredentials(account_, secrets).ok());
  auto t = store_.Load(account_.id);
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_EQ((*t)->refresh_token, "sandbox-refresh");
  const std::string warning =
      OAuthTokenWarning(*FindBuiltinChannel("douyin")->oauth, **t, clock_.Now());
  EXPECT_NE(warning.find("天内失效"), std::string::npos) << warning;
  clock_.Advance(7 * kDay);
  tokens_->Invalidate(account_.id, (*t)->access_token);
  EXPECT_THAT(client_->CheckCredentials(account_, secrets), StatusIs(Code::kUnauthenticated));
}

// The authorise page, the redirect with code and state, and single-use codes with the platform's
// lifetime, for every registry entry with an OAuth flow.
TEST_F(DouyinTest, AuthorisationCodeFlowOfEveryOAuthPlatform) {
  const std::string callback = "https://gov.example.cn/api/oauth/callback";
  int seen = 0;
  for (const auto& ch : BuiltinChannels()) {
    if (ch.oauth == nullptr) continue;
    SCOPED_TRACE(ch.kind);
    ++seen;
    const std::string prefix = ch.kind == "douyin" ? "douyin" : ch.kind;
    Account a;
    a.id = 100 + seen;
    a.kind = ch.kind;
    a.base_url = server_->base_url() + "/" + prefix;
    a.settings = {{"client_key", "sandbox"},
                  {"app_key", "sandbox"},
                  {"app_id", "sandbox"},
                  {kOAuthRedirectSetting, callback},
                  {kOAuthScopeSetting, "x"}};
    auto url = ch.oauth->authorize_url(a, "st-1");
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    HttpRequest get;
    get.url = *url;
    get.timeout_ms = 2000;
    auto page = http_->Send(get);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->status, 400) << "no redirect URI registered yet";
    EXPECT_EQ(Post("/" + prefix + "/_sandbox/oauth", {{"redirect_uri", callback}}).status, 200);
    page = http_->Send(get);
    ASSERT_TRUE(page.ok());
    ASSERT_EQ(page->status, 200) << page->body;
    EXPECT_NE(page->body.find("同意授权"), std::string::npos);
    HttpRequest wrong = get;
    wrong.url = *url;
    wrong.url.replace(wrong.url.find(UrlEncode(callback)), UrlEncode(callback).size(),
                      UrlEncode("https://evil.example.com/cb"));
    auto bad = http_->Send(wrong);
    ASSERT_TRUE(bad.ok());
    EXPECT_EQ(bad->status, 400);
    // The 授权 button.
    HttpRequest approve = get;
    approve.url = *url;
    approve.url.insert(approve.url.find('?'), ch.kind == "douyin" ? "approve" : "/approve");
    auto redirect = http_->Send(approve);
    ASSERT_TRUE(redirect.ok());
    ASSERT_EQ(redirect->status, 302) << approve.url << " " << redirect->body;
    std::string location;
    for (const auto& [k, v] : redirect->headers) {
      if (k == "Location" || k == "location") location = v;
    }
    ASSERT_EQ(location.rfind(callback + "?code=", 0), 0u) << location;
    EXPECT_NE(location.find("state=st-1"), std::string::npos);
    std::string code = location.substr(callback.size() + 6);
    code = code.substr(0, code.find('&'));
    OAuthExchange in;
    in.transport = http_.get();
    in.clock = &clock_;
    in.account = &a;
    in.secrets = {{"client_secret", "sandbox-secret"}, {"app_secret", "sandbox-secret"}};
    in.code = code;
    in.redirect_uri = callback;
    auto grant = ch.oauth->exchange_code(in);
    ASSERT_TRUE(grant.ok()) << grant.status().ToString();
    EXPECT_FALSE(grant->token.access_token.empty());
    EXPECT_THAT(ch.oauth->exchange_code(in), StatusIs(Code::kFailedPrecondition, "oauth_failed"))
        << "codes are single-use";
    // A second code, used after its lifetime (Douyin 10 minutes, Kuaishou 2 minutes).
    redirect = http_->Send(approve);
    ASSERT_TRUE(redirect.ok());
    for (const auto& [k, v] : redirect->headers) {
      if (k == "Location" || k == "location") location = v;
    }
    in.code = location.substr(callback.size() + 6);
    in.code = in.code.substr(0, in.code.find('&'));
    clock_.Advance(ch.kind == "kuaishou" ? 2 * 60 * 1000 : 10 * 60 * 1000);
    EXPECT_THAT(ch.oauth->exchange_code(in), StatusIs(Code::kFailedPrecondition, "oauth_failed"))
        << "expired";
  }
  EXPECT_EQ(seen, 3);
}

}  // namespace
}  // namespace gd::channels
