// The Bilibili client against its sandbox (channels/bilibili/), started in-process on port 0:
// the whole submission, token expiry, the platform's codes in Chinese, and an answer lost after
// the platform accepted on every publish and withdraw call.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "channels/client.h"
#include "channels/client_support.h"
#include "channels/sandbox/registry.h"
#include "channels/sandbox/server.h"
#include "channels/transport.h"
#include "dispatcher/core/crypto.h"

namespace gd::channels {
namespace {

namespace fs = std::filesystem;
using sandbox::FaultSpec;
using sandbox::SandboxServer;

constexpr TimeMs kStart = 1780000000000;  // 2026-05-28

// Forwards to the real transport and runs a hook after each answered call.
class HookTransport final : public Transport {
 public:
  explicit HookTransport(Transport* inner) : inner_(inner) {}
  StatusOr<HttpResponse> Send(const HttpRequest& r) override {
    auto resp = inner_->Send(r);
    if (hook_) hook_(r);
    if (filter_ && resp.ok()) filter_(r, *resp);
    return resp;
  }
  std::function<void(const HttpRequest&)> hook_;
  // Rewrites an answer (a listing that does not show an archive yet).
  std::function<void(const HttpRequest&, HttpResponse&)> filter_;

 private:
  Transport* inner_;
};

class BilibiliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox::SandboxOptions opts;
    opts.clock = &clock_;
    opts.async_delay_ms = 60000;
    opts.timeout_hang_ms = 50;
    auto s = SandboxServer::Start("127.0.0.1", 0, opts);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    dir_ = fs::temp_directory_path() / ("gd-bilibili-" + RandomToken(6));
    fs::create_directories(dir_);
    http_ = NewHttpTransport();
    hook_ = std::make_unique<HookTransport>(http_.get());
    tokens_ = std::make_unique<TokenCache>(clock_, &store_);
    auto c = NewClient("bilibili", ClientDeps{hook_.get(), tokens_.get(), &clock_, 2000});
    ASSERT_TRUE(c.ok());
    client_ = std::move(c).value();
    // The account the sandbox registry offers, as an operator would create it.
    const auto* entry = sandbox::FindSandboxEntry("bilibili");
    ASSERT_NE(entry, nullptr);
    Json a = entry->account(server_->base_url());
    account_.id = 7;
    account_.kind = a["kind"];
    account_.base_url = a["base_url"];
    account_.settings = a["settings"];
    account_.settings["part_size_bytes"] = 64;
    secrets_ = a["secrets"];
  }
  void TearDown() override {
    if (server_) server_->Stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
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

  // A 190-byte MP4 (three 64-byte parts) and a JPEG cover, distinct per marker.
  PublishJob Job(const std::string& title, const std::string& marker) {
    media_.clear();
    std::string mp4 = std::string(
                          "\x00\x00\x00\x18"
                          "ftypmp42\x00\x00\x00\x00mp42isom",
                          24) +
                      std::string(150, 'v') + marker;
    std::string jpeg = std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", 11) + marker + "\xFF\xD9";
    MediaRef video = AddMedia("video/mp4", mp4);
    MediaRef cover = AddMedia("image/jpeg", jpeg);
    PublishJob job;
    job.account = &account_;
    job.secrets = [this]() -> StatusOr<Json> { return secrets_; };
    job.media = media_;
    job.dispatch_key = "d-" + marker;
    job.rendering = {
        {"title", title}, {"desc", "防汛知识 " + marker}, {"tag", "防汛,安全"},   {"tid", 228},
        {"copyright", 1}, {"video", video.sha256},        {"cover", cover.sha256}};
    return job;
  }

  Checkpoint Saver() {
    return [this](const Progress& p) {
      saved_ = p;
      return Status::Ok();
    };
  }

  // Polls until the review ends: the sandbox's clock is moved past the review delay.
  StatusOr<PublishResult> Finish(const PublishJob& job, Progress& progress) {
    clock_.Advance(61000);
    return client_->Poll(job, progress, Saver());
  }

  int LiveArchives() {
    int n = 0;
    for (const auto& p : server_->Posts("bilibili")) n += p.deleted ? 0 : 1;
    return n;
  }
  int64_t Submits() { return server_->Calls("bilibili", "/arcopen/fn/archive/add-by-utoken"); }

  FaultSpec LoseAnswer(const std::string& path, bool processed) {
    FaultSpec f;
    f.timeout_rate = 1;
    f.after_accept_ratio = processed ? 1 : 0;
    f.paths = {path};
    f.count = 1;
    return f;
  }

  FakeClock clock_{kStart};
  MemoryTokenStore store_;
  std::unique_ptr<SandboxServer> server_;
  std::unique_ptr<Transport> http_;
  std::unique_ptr<HookTransport> hook_;
  std::unique_ptr<TokenCache> tokens_;
  std::unique_ptr<Client> client_;
  Account account_;
  Json secrets_;
  std::vector<MediaRef> media_;
  Progress saved_;
  fs::path dir_;
};

TEST_F(BilibiliTest, PublishesThroughUploadSubmitAndReview) {
  PublishJob job = Job("防汛通知", "a1");
  Progress progress;
  auto r = client_->Publish(job, progress, Saver());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->kind, PublishResult::Kind::kAwaiting);
  EXPECT_EQ(r->note, "平台审核中");
  EXPECT_EQ(server_->Calls("bilibili", "/video/v2/part/upload"), 3);
  EXPECT_EQ(saved_.state.value("parts_done", 0), 3);
  EXPECT_FALSE(saved_.state.contains("inflight"));
  auto still = client_->Poll(job, progress, Saver());
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->kind, PublishResult::Kind::kAwaiting);
  EXPECT_EQ(LiveArchives(), 0);  // under review: not public yet

  auto done = Finish(job, progress);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  ASSERT_EQ(done->kind, PublishResult::Kind::kPublished);
  const std::string id = progress.state["resource_id"];
  EXPECT_EQ(done->remote_id, id);
  EXPECT_EQ(done->remote_url, "https://www.bilibili.com/video/" + id);
  auto posts = server_->Posts("bilibili");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].title, "防汛通知");
  EXPECT_EQ(posts[0].url, done->remote_url);
  EXPECT_EQ(posts[0].media.size(), 2u);  // the video and its cover

  auto rec = client_->Reconcile(job, progress);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->kind, ReconcileResult::Kind::kFound);
  EXPECT_EQ(rec->remote_id, id);

  ASSERT_TRUE(client_->Withdraw(job, id).ok());
  EXPECT_EQ(LiveArchives(), 0);
  EXPECT_TRUE(client_->CheckCredentials(account_, job.secrets).ok());
}

TEST_F(BilibiliTest, ArchiveRejectedByReviewIsAPermanentChineseError) {
  PublishJob job = Job("违规测试稿件", "r1");
  Progress progress;
  ASSERT_TRUE(client_->Publish(job, progress, Saver()).ok());
  auto r = Finish(job, progress);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().reason(), "platform_rejected");
  EXPECT_NE(r.status().message().find("哔哩哔哩"), std::string::npos);
  EXPECT_NE(r.status().message().find("审核"), std::string::npos);
  EXPECT_EQ(LiveArchives(), 0);
}

// The access token dies between two parts; the client refreshes once, stores the rotated
// refresh token (the old one is spent, [L13]) and finishes without starting over.
TEST_F(BilibiliTest, TokenExpiryInTheMiddleOfAPublish) {
  int parts = 0;
  hook_->hook_ = [&](const HttpRequest& r) {
    if (r.url.find("/video/v2/part/upload") != std::string::npos && ++parts == 1)
      server_->ExpireTokens("bilibili");
  };
  PublishJob job = Job("防汛通知", "t1");
  Progress progress;
  auto r = client_->Publish(job, progress, Saver());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->kind, PublishResult::Kind::kAwaiting);
  EXPECT_EQ(server_->Calls("bilibili", "/arcopen/fn/archive/video/init"), 1);
  EXPECT_EQ(Submits(), 1);
  auto stored = store_.Load(account_.id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_NE((*stored)->refresh_token, "sandbox-refresh");
  EXPECT_FALSE((*stored)->refresh_token.empty());
  ASSERT_TRUE(Finish(job, progress).ok());
  EXPECT_EQ(LiveArchives(), 1);
}

TEST_F(BilibiliTest, ARefreshTokenAlreadySpentAsksForReauthorisation) {
  secrets_["access_token"] = "unknown-token";
  secrets_["refresh_token"] = "spent-refresh";
  PublishJob job = Job("防汛通知", "e1");
  Progress progress;
  auto r = client_->Publish(job, progress, Saver());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnauthenticated);
  EXPECT_NE(r.status().message().find("122007"), std::string::npos);
  EXPECT_NE(r.status().message().find("重新授权"), std::string::npos);
}

struct CodeCase {
  std::string path;
  int code;
  Code want;
  std::string words;   // in the Chinese message
  std::string reason;  // "" = not checked
};

TEST_F(BilibiliTest, PlatformCodesAreMappedToChineseMessages) {
  const std::vector<CodeCase> cases = {
      {"/arcopen/fn/archive/video/init", 127201, Code::kUnavailable, "平台繁忙", ""},
      {"/arcopen/fn/archive/video/init", 127007, Code::kPermissionDenied, "人工发布",
       "manual_handoff"},
      {"/arcopen/fn/archive/video/init", 127011, Code::kUnauthenticated, "重新授权", ""},
      {"/arcopen/fn/archive/cover/upload", 127102, Code::kInvalidArgument, "文件类型", ""},
      {"/arcopen/fn/archive/add-by-utoken", 127207, Code::kInvalidArgument, "分区", ""},
      {"/arcopen/fn/archive/add-by-utoken", 127009, Code::kResourceExhausted, "上限", ""},
      {"/arcopen/fn/archive/add-by-utoken", 127200, Code::kFailedPrecondition, "平台返回错误",
       "platform_error"},
  };
  int n = 0;
  for (const CodeCase& c : cases) {
    SCOPED_TRACE(c.path + " " + std::to_string(c.code));
    FaultSpec f;
    f.error_rate = 1;
    f.error_code = c.code;
    f.paths = {c.path};
    f.count = 1;
    server_->SetFaults("bilibili", f);
    PublishJob job = Job("防汛通知" + std::to_string(n), "c" + std::to_string(n));
    ++n;
    Progress progress;
    auto r = client_->Publish(job, progress, Saver());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), c.want);
    EXPECT_NE(r.status().message().find("哔哩哔哩"), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find(std::to_string(c.code)), std::string::npos);
    EXPECT_NE(r.status().message().find(c.words), std::string::npos) << r.status().message();
    if (!c.reason.empty()) {
      EXPECT_EQ(r.status().reason(), c.reason);
    }
    if (c.code == 127009) {
      EXPECT_EQ(r.status().details().value("quota_scope", ""), "add-by-utoken");
    }
    // A refusal of the submission leaves nothing outstanding: the next attempt submits. A
    // "business error" may come after part of the work: the next attempt looks first.
    EXPECT_EQ(progress.state.contains("inflight"), c.code == 127200);
    server_->ClearFaults();
  }
  EXPECT_EQ(LiveArchives(), 0);
}

// Every call of a publish and of a withdrawal, its answer lost after the platform carried it
// out: the publish resumes from its progress and ends with exactly one archive, never a failure.
TEST_F(BilibiliTest, AnswerLostAfterAcceptOnEveryCallPublishesOnce) {
  const std::vector<std::string> paths = {"/arcopen/fn/archive/video/init", "/video/v2/part/upload",
                                          "/arcopen/fn/archive/video/complete",
                                          "/arcopen/fn/archive/cover/upload",
                                          "/arcopen/fn/archive/add-by-utoken"};
  int n = 0;
  for (const std::string& path : paths) {
    SCOPED_TRACE(path);
    server_->SetFaults("bilibili", LoseAnswer(path, true));
    PublishJob job = Job("防汛通知" + std::to_string(n), "l" + std::to_string(n));
    ++n;
    Progress progress;
    auto first = client_->Publish(job, progress, Saver());
    ASSERT_FALSE(first.ok());
    EXPECT_EQ(first.status().code(), Code::kDeadlineExceeded);
    server_->ClearFaults();
    const int64_t submits = Submits();
    auto again = client_->Publish(job, progress, Saver());
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(again->kind, PublishResult::Kind::kAwaiting);
    if (path == "/arcopen/fn/archive/add-by-utoken") {
      EXPECT_EQ(Submits(), submits);
    }
    auto done = Finish(job, progress);
    ASSERT_TRUE(done.ok()) << done.status().ToString();
    EXPECT_EQ(done->kind, PublishResult::Kind::kPublished);
    EXPECT_EQ(LiveArchives(), n);
  }

  // Withdrawal: the delete was carried out, its answer lost; the retry finds it gone: ok.
  const std::string id = server_->Posts("bilibili").back().remote_id;
  server_->SetFaults("bilibili", LoseAnswer("/arcopen/fn/archive/delete", true));
  PublishJob job = Job("防汛通知", "w");
  auto lost = client_->Withdraw(job, id);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.code(), Code::kDeadlineExceeded);
  server_->ClearFaults();
  EXPECT_TRUE(client_->Withdraw(job, id).ok());
  EXPECT_EQ(LiveArchives(), n - 1);
}

// The submission never reached the platform and the listing shows nothing: it is sent again,
// once, with the same upload_token.
TEST_F(BilibiliTest, SubmissionLostBeforeAcceptIsSentAgainOnce) {
  server_->SetFaults("bilibili", LoseAnswer("/arcopen/fn/archive/add-by-utoken", false));
  PublishJob job = Job("防汛通知", "n1");
  Progress progress;
  ASSERT_EQ(client_->Publish(job, progress, Saver()).status().code(), Code::kDeadlineExceeded);
  server_->ClearFaults();
  auto r = client_->Publish(job, progress, Saver());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->kind, PublishResult::Kind::kAwaiting);
  EXPECT_EQ(Submits(), 2);
  EXPECT_EQ(server_->Calls("bilibili", "/arcopen/fn/archive/video/init"), 1);  // not re-uploaded
  ASSERT_TRUE(Finish(job, progress).ok());
  EXPECT_EQ(LiveArchives(), 1);
}

// Accepted, but the listing does not show it (yet): sent again, the platform refuses the used
// upload_token, so nothing is duplicated; the looks are bounded and then a person decides, with a
// Chinese explanation. No further submission is made.
TEST_F(BilibiliTest, AcceptedButNotListedGoesToAPersonWithoutADuplicate) {
  hook_->filter_ = [](const HttpRequest& r, HttpResponse& resp) {
    if (r.url.find("/archive/viewlist") == std::string::npos) return;
    Json j = Json::parse(resp.body);
    j["data"]["list"] = Json::array();
    resp.body = j.dump();
  };
  server_->SetFaults("bilibili", LoseAnswer("/arcopen/fn/archive/add-by-utoken", true));
  PublishJob job = Job("防汛通知", "u1");
  Progress progress;
  ASSERT_EQ(client_->Publish(job, progress, Saver()).status().code(), Code::kDeadlineExceeded);
  server_->ClearFaults();
  Status last;
  for (int i = 0; i < support::kMaxUnknownLooks; ++i) {
    auto r = client_->Publish(job, progress, Saver());
    ASSERT_FALSE(r.ok());
    last = r.status();
    if (i + 1 < support::kMaxUnknownLooks) {
      EXPECT_EQ(last.code(), Code::kUnavailable) << i;
    }
  }
  EXPECT_EQ(last.reason(), "needs_decision");
  EXPECT_NE(last.message().find("创作中心"), std::string::npos) << last.message();
  EXPECT_EQ(Submits(), 2);  // the lost one and the refused one
  clock_.Advance(61000);
  EXPECT_EQ(server_->Posts("bilibili").size(), 1u);  // the one accepted archive, nothing more
  EXPECT_TRUE(saved_.state.contains("inflight"));
}

// A recurring notice: an earlier archive with the same title and description is not taken for
// the result of a lost submission.
TEST_F(BilibiliTest, AnEarlierArchiveWithTheSameTextIsNotTakenForTheLostOne) {
  PublishJob job = Job("每周安全提示", "same");
  Progress first;
  ASSERT_TRUE(client_->Publish(job, first, Saver()).ok());
  ASSERT_TRUE(Finish(job, first).ok());
  clock_.Advance(7 * 24 * 3600 * 1000LL);

  server_->SetFaults("bilibili", LoseAnswer("/arcopen/fn/archive/add-by-utoken", false));
  Progress second;
  ASSERT_FALSE(client_->Publish(job, second, Saver()).ok());
  server_->ClearFaults();
  auto r = client_->Publish(job, second, Saver());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(second.state["resource_id"], first.state["resource_id"]);
  EXPECT_EQ(Submits(), 3);  // the first, the lost one, and the one sent again
  ASSERT_TRUE(Finish(job, second).ok());
  EXPECT_EQ(LiveArchives(), 2);
}

}  // namespace
}  // namespace gd::channels
