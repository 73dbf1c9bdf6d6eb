// The Kuaishou client against its sandbox as the platform really behaves (issue 14,
// docs/channels-protocols.md, Conformance table, Kuaishou): a new video unknown to photo/info
// (100120001) for a while after photo/publish, play_url a CDN stream rather than the video's
// page, every refresh token single-use (the seed one too), and answers lost after the platform
// accepted.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "channels/client.h"
#include "channels/kuaishou/client.h"
#include "channels/sandbox/server.h"
#include "channels/transport.h"
#include "dispatcher/core/crypto.h"
#include "tests/support/status_matchers.h"

namespace gd::channels {
namespace {

namespace fs = std::filesystem;
using sandbox::FaultSpec;
using sandbox::SandboxServer;
using ::testing::HasSubstr;

const TimeMs kStart = 1780000000000;
const char* kPublish = "/openapi/photo/publish";

class KuaishouTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(std::nullopt); }
  void TearDown() override {
    if (server_) server_->Stop();
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  // `invisible_ms`: the sandbox's window after publish; nullopt keeps its default.
  void Start(std::optional<int> invisible_ms) {
    if (server_) server_->Stop();
    sandbox::SandboxOptions opts;
    opts.clock = &clock_;
    opts.async_delay_ms = 0;
    opts.timeout_hang_ms = 50;
    if (invisible_ms) opts.kuaishou_invisible_ms = *invisible_ms;
    auto s = SandboxServer::Start("127.0.0.1", 0, opts);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    http_ = NewHttpTransport();
    tokens_ = std::make_unique<TokenCache>(clock_, nullptr);
    client_ = kuaishou::NewClient(ClientDeps{http_.get(), tokens_.get(), &clock_, 2000});
    account_.id = 9;
    account_.kind = "kuaishou";
    account_.base_url = server_->base_url() + "/kuaishou";
    account_.settings = {{"app_id", "sandbox"}, {"open_id", "sandbox"}, {"poll_interval_ms", 10}};
    if (dir_.empty()) {
      dir_ = fs::temp_directory_path() / ("gd-ks-" + RandomToken(6));
      fs::create_directories(dir_);
    }
  }

  PublishJob Job(const std::string& marker) {
    std::string mp4 =
        std::string("\x00\x00\x00\x18", 4) + "ftypmp42" + std::string(100, 'v') + marker;
    MediaRef video;
    video.media_id = 1;
    video.kind = "video";
    video.mime = "video/mp4";
    video.sha256 = Sha256Hex(mp4);
    video.size = static_cast<int64_t>(mp4.size());
    video.path = (dir_ / video.sha256).string();
    std::ofstream(video.path, std::ios::binary) << mp4;
    PublishJob job;
    job.account = &account_;
    job.secrets = []() -> StatusOr<Json> {
      return Json{{"app_secret", "sandbox-secret"},
                  {"access_token", "sandbox-token"},
                  {"refresh_token", "sandbox-refresh"}};
    };
    job.media = {video};
    job.rendering = {{"caption", "防汛知识 " + marker}, {"video", video.sha256}};
    job.dispatch_key = "d-" + marker;
    return job;
  }
  Checkpoint Saver() {
    return [this](const Progress& p) {
      saved_ = p;
      return Status::Ok();
    };
  }
  int Live() {
    server_->Posts("kuaishou");  // settles due jobs
    int n = 0;
    for (const auto& p : server_->Posts("kuaishou")) n += p.deleted ? 0 : 1;
    return n;
  }
  void LoseNext(const std::string& path) {
    FaultSpec f;
    f.timeout_rate = 1;
    f.after_accept_ratio = 1;
    f.paths = {path};
    f.count = 1;
    server_->SetFaults("kuaishou", f);
  }
  Json Refresh(const std::string& refresh_token) {
    HttpRequest req;
    req.url = server_->base_url() + "/kuaishou/oauth2/refresh_token?" +
              BuildQuery({{"app_id", "sandbox"},
                          {"app_secret", "sandbox-secret"},
                          {"refresh_token", refresh_token},
                          {"grant_type", "refresh_token"}});
    auto r = http_->Send(req);
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return Json();
    auto j = ParseJson(r->body);
    return j.ok() ? *j : Json();
  }

  FakeClock clock_{kStart};
  fs::path dir_;
  std::unique_ptr<SandboxServer> server_;
  std::unique_ptr<Transport> http_;
  std::unique_ptr<TokenCache> tokens_;
  std::unique_ptr<Client> client_;
  Account account_;
  Progress saved_;
};

// Right after photo/publish, photo/info answers 100120001 (on by default in the sandbox): the
// video is awaited, never failed and never published again; its link is its page, not play_url.
TEST_F(KuaishouTest, NotYetVisibleAfterPublishIsAwaitedThenPublishedWithItsPage) {
  Progress p;
  auto r = client_->Publish(Job("v1"), p, Saver());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->kind, PublishResult::Kind::kAwaiting);
  const std::string photo_id = saved_.state.value("photo_id", "");
  ASSERT_FALSE(photo_id.empty());
  clock_.Advance(1000);
  auto r2 = client_->Poll(Job("v1"), p, Saver());
  ASSERT_THAT(r2, IsOk());
  EXPECT_EQ(r2->kind, PublishResult::Kind::kAwaiting);
  EXPECT_THAT(r2->note, HasSubstr("暂未可见"));
  clock_.Advance(1500);
  auto r3 = client_->Poll(Job("v1"), p, Saver());
  ASSERT_THAT(r3, IsOk());
  ASSERT_EQ(r3->kind, PublishResult::Kind::kPublished);
  EXPECT_EQ(r3->remote_id, photo_id);
  EXPECT_EQ(r3->remote_url, "https://www.kuaishou.com/short-video/" + photo_id);
  EXPECT_EQ(r3->remote_url.find("yximgs"), std::string::npos) << "play_url is a CDN stream";
  EXPECT_EQ(server_->Calls("kuaishou", kPublish), 1);
  EXPECT_EQ(Live(), 1);
}

TEST_F(KuaishouTest, StillUnknownAfterTheWindowGoesToAPerson) {
  Start(3 * 3600 * 1000);
  Progress p;
  ASSERT_THAT(client_->Publish(Job("v2"), p, Saver()), IsOk());
  clock_.Advance(29 * 60 * 1000);
  auto waiting = client_->Poll(Job("v2"), p, Saver());
  ASSERT_THAT(waiting, IsOk());
  EXPECT_EQ(waiting->kind, PublishResult::Kind::kAwaiting);
  clock_.Advance(2 * 60 * 1000);
  auto r = client_->Poll(Job("v2"), p, Saver());
  EXPECT_THAT(r, StatusIs(Code::kFailedPrecondition, "needs_decision"));
  EXPECT_THAT(r.status().message(), HasSubstr("100120001"));
  EXPECT_THAT(r.status().message(), HasSubstr("请到快手账号核对"));
  EXPECT_EQ(server_->Calls("kuaishou", kPublish), 1);
}

// photo/publish went through, its answer was lost, and the new video is not listed yet: the
// single-use upload_token refuses the resend, the client waits for the listing, and ends with
// exactly one video.
TEST_F(KuaishouTest, LostPublishAnswerEndsWithExactlyOneVideo) {
  LoseNext(kPublish);
  Progress p;
  ASSERT_THAT(client_->Publish(Job("l1"), p, Saver()), StatusIs(Code::kDeadlineExceeded));
  ASSERT_TRUE(saved_.state.contains("inflight"));
  Progress resumed = saved_;
  auto r = client_->Publish(Job("l1"), resumed, Saver());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->kind, PublishResult::Kind::kAwaiting);
  auto again = client_->Poll(Job("l1"), resumed, Saver());
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->kind, PublishResult::Kind::kAwaiting);
  EXPECT_EQ(server_->Calls("kuaishou", kPublish), 2) << "one resend, refused by the used token";
  clock_.Advance(2500);
  auto done = client_->Poll(Job("l1"), resumed, Saver());
  ASSERT_THAT(done, IsOk());
  EXPECT_EQ(done->kind, PublishResult::Kind::kPublished);
  EXPECT_EQ(Live(), 1);
  EXPECT_EQ(server_->Calls("kuaishou", kPublish), 2);
}

TEST_F(KuaishouTest, LostPublishAnswerNeverListedGoesToAPerson) {
  Start(3 * 3600 * 1000);
  LoseNext(kPublish);
  Progress p;
  ASSERT_THAT(client_->Publish(Job("l2"), p, Saver()), StatusIs(Code::kDeadlineExceeded));
  Progress resumed = saved_;
  ASSERT_THAT(client_->Publish(Job("l2"), resumed, Saver()), IsOk());
  clock_.Advance(31 * 60 * 1000);
  auto r = client_->Poll(Job("l2"), resumed, Saver());
  EXPECT_THAT(r, StatusIs(Code::kFailedPrecondition, "needs_decision"));
  EXPECT_THAT(r.status().message(), HasSubstr("请到快手账号核对"));
  EXPECT_EQ(server_->Calls("kuaishou", kPublish), 2);
}

TEST_F(KuaishouTest, LostDeleteAnswerStillEndsWithdrawn) {
  Progress p;
  ASSERT_THAT(client_->Publish(Job("d1"), p, Saver()), IsOk());
  clock_.Advance(2500);
  auto r = client_->Poll(Job("d1"), p, Saver());
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->kind, PublishResult::Kind::kPublished);
  LoseNext("/openapi/photo/delete");
  EXPECT_THAT(client_->Withdraw(Job("d1"), r->remote_id), StatusIs(Code::kDeadlineExceeded));
  EXPECT_EQ(Live(), 0);
  EXPECT_THAT(client_->Withdraw(Job("d1"), r->remote_id), IsOk());
}

// Every refresh token works once, the seed one included [K2].
TEST_F(KuaishouTest, TheSeedRefreshTokenRotatesToo) {
  Json first = Refresh("sandbox-refresh");
  ASSERT_EQ(first.value("result", 0), 1) << first.dump();
  const std::string next = first.value("refresh_token", "");
  EXPECT_NE(next, "sandbox-refresh");
  EXPECT_EQ(Refresh("sandbox-refresh").value("result", 0), 100200103);
  EXPECT_EQ(Refresh(next).value("result", 0), 1);
  EXPECT_EQ(Refresh(next).value("result", 0), 100200103);
}

}  // namespace
}  // namespace gd::channels
