// Fault test (issue 5): the sandboxes inject 20% platform errors and 5% timeouts (half of them
// after the platform accepted the request), issue tokens that live 3 s, and Douyin and Kuaishou
// answer with their rate-limit code beyond 15 calls/s. 60 tickets to WeChat, Weibo, Douyin and
// Kuaishou all end published exactly once; each account obtains at most one token per expiry
// window (the dispatcher's own count, exported on /metrics) and the platforms' token endpoints
// see no more calls than that plus the retries of failed ones (the sandbox's call counts).
//
// In one process: an App (system clock, fast backoff) and every platform's sandbox.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <iostream>
#include <map>
#include <thread>

#include "tests/dispatcher/dispatch/dispatch_fixture.h"

namespace gd::testing {
namespace {

constexpr int kTickets = 60;
constexpr int kTokenTtlS = 3;

DispatchWorld::Options FaultOptions() {
  DispatchWorld::Options o;
  o.sandbox.async_delay_ms = 100;
  o.sandbox.timeout_hang_ms = 300;
  o.sandbox.seed = 5;
  // Weibo's timeline shows every post of this test, so each lost share is settled by it (with
  // the default window of 5 a share lost while others were made may go to a person instead).
  o.sandbox.weibo_timeline_window = 1000;
  o.tune = [](DispatchConfig& d) {
    d.backoff_base_ms = 50;
    d.backoff_max_ms = 400;
    // Every call of a dispatch (token, upload, publish, poll) fails with p ~ 0.25 plus the
    // rate-limit answers: a generous bound keeps the chance of exhausting it negligible.
    d.max_attempts = 40;
    d.http_timeout_ms = 2000;
    // Our own buckets let more through than the platforms accept, so their rate-limit codes are
    // exercised too.
    for (const char* kind : {"wechat_mp", "weibo", "douyin", "kuaishou"})
      d.rates[kind] = RateSpec{20, 4};
  };
  return o;
}

std::string Token(int k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "故障测试第%03d号", k);
  return buf;
}

TEST(Faults, ErrorsTimeoutsShortTokensAndRateLimitsStillExactlyOnce) {
  DispatchWorld w(FaultOptions());
  ASSERT_FALSE(::testing::Test::HasFailure());
  std::vector<int64_t> ids;
  for (int k = 0; k < kTickets; ++k)
    ids.push_back(w.Approved(Token(k) + "稿件：防汛工作部署",
                             {w.portal, w.wechat, w.weibo, w.douyin, w.kuaishou}));
  ASSERT_FALSE(::testing::Test::HasFailure());

  channels::sandbox::FaultSpec faults;
  faults.error_rate = 0.20;
  faults.timeout_rate = 0.05;
  faults.after_accept_ratio = 0.5;
  faults.token_ttl_s = kTokenTtlS;
  w.sandbox->SetFaults("wechat", faults);
  w.sandbox->SetFaults("weibo", faults);
  // Douyin's and Kuaishou's rate-limit answers mean "too many calls this second": beyond
  // 15 calls/s they answer with them. (WeChat's 45011 is a per-minute quota and Weibo's 10023 an
  // hourly one; the client waits the platform's window, which the Dispatch tests check.)
  faults.rate_limit_per_s = 15;
  w.sandbox->SetFaults("douyin", faults);
  // Kuaishou rotates the refresh token on every refresh and abandons the old one, so a refresh
  // whose answer is lost leaves the account needing its holder to authorise it again (the client
  // says so, see ClientContract tests): no faults on that one call here, all others get them.
  faults.paths = {"/openapi/photo/start_upload", "/api/upload",           "/api/upload/fragment",
                  "/api/upload/complete",        "/api/upload/multipart", "/openapi/photo/publish",
                  "/openapi/photo/info",         "/openapi/photo/list",   "/openapi/photo/count"};
  w.sandbox->SetFaults("kuaishou", faults);
  // Tokens issued before the faults live for hours: expire them so every account starts a 3 s
  // token cycle now.
  for (const char* p : {"wechat", "douyin", "kuaishou"}) w.sandbox->ExpireTokens(p);
  const Json stats_before = w.sandbox->Stats();
  const auto refreshes_before = w.app->engine().tokens()->Counts();
  const auto t0 = std::chrono::steady_clock::now();

  for (int64_t id : ids) {
    auto r = w.app->publish().Publish(w.sitemgr, id, {.proofread = true});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  // Until every dispatch is final (bounded).
  auto final_state = [](const std::string& s) { return s == "published" || s == "failed"; };
  std::map<int64_t, Json> items;
  const auto deadline = t0 + std::chrono::seconds(240);
  for (;;) {
    bool done = true;
    for (int64_t id : ids) {
      items[id] = (*w.app->publish().Dispatches(w.sitemgr, id))["items"];
      for (const auto& d : items[id]) done = done && final_state(d["state"]);
    }
    if (done || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  const double elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const Json stats = w.sandbox->Stats();
  const auto refreshes = w.app->engine().tokens()->Counts();
  w.sandbox->ClearFaults();

  // Exactly once, per the platforms' own records, and the dispatcher agrees.
  std::map<std::string, std::map<int, int>> live;
  std::map<std::string, std::set<std::string>> remote_ids;
  for (const auto& p : w.sandbox->Posts()) {
    if (p.deleted) continue;
    const std::string text = p.title + "\n" + p.text;
    auto at = text.find("故障测试第");
    if (at == std::string::npos) continue;
    live[p.platform][std::atoi(text.c_str() + at + std::string("故障测试第").size())]++;
    remote_ids[p.platform].insert(p.remote_id);
  }
  const std::map<std::string, std::string> platform_of = {
      {"wechat_mp", "wechat"}, {"weibo", "weibo"}, {"douyin", "douyin"}, {"kuaishou", "kuaishou"}};
  int exact = 0, problems = 0;
  for (int k = 0; k < kTickets; ++k) {
    for (const auto& [kind, platform] : platform_of) {
      if (live[platform][k] == 1)
        ++exact;
      else if (++problems <= 20)
        ADD_FAILURE() << Token(k) << ": " << live[platform][k] << " posts on " << platform;
    }
    for (const auto& d : items[ids[k]]) {
      if (d["kind"] == "portal") continue;
      if (d["state"] != "published") {
        if (++problems <= 20) ADD_FAILURE() << Token(k) << ": " << d.dump();
        continue;
      }
      const std::string platform = platform_of.at(d["kind"]);
      if (!remote_ids[platform].count(d["remote_id"].get<std::string>()) && ++problems <= 20)
        ADD_FAILURE() << Token(k) << ": recorded remote_id is not a live post: " << d.dump();
    }
  }
  EXPECT_EQ(exact, kTickets * 4);

  // The faults really happened, the per-second rate-limit answers too.
  for (const char* p : {"wechat", "weibo", "douyin", "kuaishou"})
    EXPECT_GT(stats["injected"].value(p, 0), 10) << p;
  for (const char* p : {"douyin", "kuaishou"}) EXPECT_GT(stats["rate_limited"].value(p, 0), 0) << p;

  // Token calls per account. A new token is needed once per expiry window: at most
  // ceil(elapsed / ttl) + 1 successful token calls (the +1: the window running when the test
  // ends). Token calls fail too (20% errors + 5% timeouts + the rate-limit code, all of which
  // the client retries), so the calls seen by the sandbox are the successes divided by the
  // success ratio: with p(fail) ~ 0.25 that is 1.33x — but Douyin's refresh also meets its
  // 15 calls/s rate-limit code, and a timeout after the platform issued a token costs a second
  // call; runs of 25–30 s have seen up to 3x. We allow 3x plus 6. A refresh loop (every use
  // refreshing) would make hundreds of calls here: each ticket uses every account several times.
  const std::map<std::string, std::string> token_path = {{"wechat", "/cgi-bin/stable_token"},
                                                         {"douyin", "/oauth/refresh_token/"},
                                                         {"kuaishou", "/oauth2/refresh_token"}};
  const double windows = std::ceil(elapsed_s / kTokenTtlS) + 1;
  for (const auto& [platform, path] : token_path) {
    int64_t before = stats_before["calls"].contains(platform)
                         ? stats_before["calls"][platform].value(path, int64_t{0})
                         : 0;
    int64_t calls = stats["calls"][platform].value(path, int64_t{0}) - before;
    EXPECT_GE(calls, 1) << platform;
    EXPECT_LE(calls, 3 * windows + 6) << platform << ": " << calls << " token calls in "
                                      << elapsed_s << " s (ttl " << kTokenTtlS << " s)";
    std::cout << "fault_test: " << platform << " token calls " << calls << " in " << elapsed_s
              << " s (" << windows << " windows)\n";
  }
  // The dispatcher's own count: tokens obtained per account. A token is replaced a tenth of
  // its lifetime before it expires, so one per 0.9 x ttl.
  const double refresh_windows = std::ceil(elapsed_s / (0.9 * kTokenTtlS)) + 1;
  for (const auto& [platform, account] : std::map<std::string, int64_t>{
           {"wechat", w.wechat}, {"douyin", w.douyin}, {"kuaishou", w.kuaishou}}) {
    auto count = [&](const auto& counts, bool ok) -> int64_t {
      auto it = counts.find(account);
      return it == counts.end() ? 0 : ok ? it->second.ok : it->second.failed;
    };
    const int64_t ok = count(refreshes, true) - count(refreshes_before, true);
    const int64_t failed = count(refreshes, false) - count(refreshes_before, false);
    std::cout << "fault_test: " << platform << " tokens obtained " << ok << " (failed requests "
              << failed << ") in " << refresh_windows << " refresh windows\n";
    EXPECT_GE(ok, 1) << platform;
    EXPECT_LE(ok, refresh_windows) << platform << ": " << ok << " tokens obtained in " << elapsed_s
                                   << " s: more than one per expiry window";
  }
  std::cout << "fault_test: " << kTickets << " tickets x 4 channels final in " << elapsed_s
            << " s; injected " << stats["injected"].dump() << "; rate-limited "
            << stats["rate_limited"].dump() << "; calls " << stats["calls"].dump() << "\n";
}

}  // namespace
}  // namespace gd::testing
