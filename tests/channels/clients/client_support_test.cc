// Shared client helpers (channels/client_support.h) that the engine's contract relies on.
#include "channels/client_support.h"

#include <gtest/gtest.h>

namespace gd::channels {
namespace {

// A client about to call a paused API answers like the platform's quota, without calling it.
TEST(ClientSupport, ApiPausedAnswersTheQuotaWithoutACall) {
  PublishJob job;
  EXPECT_TRUE(support::ApiPaused(job, "sendall", 1000, "微信公众号").ok());
  job.paused_apis["sendall"] = 1000 + 90 * 60 * 1000;
  Status s = support::ApiPaused(job, "sendall", 1000, "微信公众号");
  EXPECT_EQ(s.code(), Code::kResourceExhausted);
  EXPECT_EQ(s.details()["retry_after_ms"], 90 * 60 * 1000);
  EXPECT_EQ(s.details()["quota_scope"], "sendall");
  EXPECT_NE(s.message().find("微信公众号"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("90 分钟"), std::string::npos) << s.message();
  EXPECT_TRUE(support::ApiPaused(job, "freepublish/submit", 1000, "微信公众号").ok())
      << "other APIs go on";
  EXPECT_TRUE(support::ApiPaused(job, "sendall", 1000 + 90 * 60 * 1000, "微信公众号").ok())
      << "the pause is over";
}

TEST(ClientSupport, NeedsDecisionAfterTheBoundOfInconclusiveLooks) {
  Progress p;
  int checkpoints = 0;
  Checkpoint cp = [&](const Progress&) {
    ++checkpoints;
    return Status::Ok();
  };
  const Status later = Unavailable("稍后再查");
  for (int i = 1; i < support::kMaxUnknownLooks; ++i)
    EXPECT_EQ(support::UnknownOutcome(p, cp, later, "请核实").code(), Code::kUnavailable);
  Status last = support::UnknownOutcome(p, cp, later, "请核实");
  EXPECT_EQ(last.reason(), "needs_decision");
  EXPECT_EQ(checkpoints, support::kMaxUnknownLooks);
}

}  // namespace
}  // namespace gd::channels
