// dispatch_bench (issue 5), in one process: an App (dispatch workers as shipped, 16) and every
// platform's sandbox.
//
// 1. Critical path. Every platform answers each call after `--latency-ms` (200). One ticket to
//    5 channels (built-in portal + WeChat, Weibo, Douyin, Kuaishou) is timed from the publish call
//    until every dispatch is published; in the same run each channel is timed alone (a ticket to
//    that channel only). Target: all five <= 1.2 x (portal alone + slowest other channel alone).
// 2. Throughput. 1,000 tickets to one Weibo account (and the built-in portal, whose link Weibo
//    needs) whose limit is N posts/s (the sandbox answers
//    its rate-limit code beyond N, our token bucket is set to N), all published for one moment
//    (scheduled publishing): posts/s from that moment to the last post >= 95% of N, and zero
//    duplicates on the platform.
// Medians of --runs runs. Exit status 1 if a target is missed or a duplicate is seen.
//
//   dispatch_bench [--runs 3] [--latency-ms 200] [--tickets 1000] [--rate 25]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "channels/sandbox/server.h"
#include "dispatcher/app/app.h"
#include "dispatcher/core/time_util.h"
#include "dispatcher/http/routes/requests.h"
#include "dispatcher/model/content_codec.h"
#include "dispatcher/store/user_repo.h"
#include "tests/dispatcher/dispatch/sandbox_channels.h"

namespace gd::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;
using testing::FullChecklist;
using testing::SandboxChannel;
using testing::SmallMp4;
using testing::SmallPng;
constexpr const char* kPassword = "Test@Pass2026!";

struct Options {
  int runs = 3;
  int latency_ms = 200;
  int tickets = 1000;
  double rate = 25;
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return 0;
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

[[noreturn]] void Die(const std::string& msg) {
  std::cerr << "dispatch_bench: " << msg << "\n";
  std::exit(2);
}

class World {
 public:
  World(const Options& opt) {
    char tmpl[] = "/tmp/gd_bench_dispatch_XXXXXX";
    if (!mkdtemp(tmpl)) Die("mkdtemp");
    dir_ = tmpl;
    channels::sandbox::SandboxOptions sopt;
    sopt.async_delay_ms = 500;
    auto sb = channels::sandbox::SandboxServer::Start("127.0.0.1", 0, sopt);
    if (!sb.ok()) Die(sb.status().ToString());
    sandbox = std::move(sb).value();

    AppConfig cfg;
    cfg.data_dir = dir_ / "data";
    cfg.port = 0;
    cfg.admin_password = kPassword;
    cfg.web_dir = dir_ / "no-web";
    auto dcfg = DispatchConfig::Load(DefaultSourceDir() / "policies" / "dispatch.json");
    if (!dcfg.ok()) Die(dcfg.status().ToString());
    // The shipped settings, with the benchmark's platform limit for Weibo (the shipped burst of
    // 5: the sandbox's own bucket holds N) and async jobs polled as often as the accounts ask
    // (poll_interval_ms below).
    dcfg->rates["weibo"] = RateSpec{opt.rate, dcfg->rates["weibo"].burst};
    dcfg->poll_min_ms = 100;
    cfg.dispatch = *dcfg;
    auto created = App::Create(cfg);
    if (!created.ok()) Die(created.status().ToString());
    app = std::move(created).value();
    if (!app->Start().ok()) Die("start");

    AuthContext admin = Actor("admin");
    int64_t unit = app->accounts().CreateUnit(admin, "市应急管理局", "department")->id;
    const int64_t office = admin.user.unit_id;  // the admin belongs to the office
    auto add = [&](const char* name, int64_t u, Role r) {
      if (!app->accounts().AddUserDirect(name, name, u, {r}, kPassword, false).ok()) Die(name);
    };
    add("editor", unit, Role::kEditor);
    add("reviewer", unit, Role::kUnitReviewer);
    add("deputy", unit, Role::kDeputyLeader);
    add("sitemgr", unit, Role::kSiteManager);
    add("operator", office, Role::kOperator);
    editor = Actor("editor");
    reviewer = Actor("reviewer");
    deputy = Actor("deputy");
    sitemgr = Actor("sitemgr");
    AuthContext op = Actor("operator");
    const std::string base = sandbox->base_url();
    auto ch = [&](Json body) -> int64_t {
      body["unit_id"] = unit;
      body["settings"]["poll_interval_ms"] = 100;
      auto r = app->channels().Create(op, *DecodeChannelCreate(body));
      if (!r.ok()) Die(r.status().ToString());
      return (*r)["id"].get<int64_t>();
    };
    portal = ch(SandboxChannel("portal", base));
    wechat = ch(SandboxChannel("wechat_mp", base));
    weibo = ch(SandboxChannel("weibo", base));
    douyin = ch(SandboxChannel("douyin", base));
    kuaishou = ch(SandboxChannel("kuaishou", base));
    cover = (*app->media().Upload(editor, "cover.png", SmallPng()))["id"].get<int64_t>();
    video = (*app->media().Upload(editor, "v.mp4", SmallMp4()))["id"].get<int64_t>();
  }

  ~World() {
    app->Stop();
    app.reset();
    sandbox->Stop();
    std::filesystem::remove_all(dir_);
  }

  int64_t Approved(const std::string& title, const std::vector<int64_t>& chans) {
    Json channels = Json::array();
    for (int64_t c : chans) channels.push_back({{"account_id", c}});
    auto t = app->review().Create(
        editor, *ContentFromRequest({{"category", "work_news"},
                                     {"title", title},
                                     {"summary", title + "。"},
                                     {"body", title + "。会议要求各单位认真落实。"},
                                     {"column", "工作动态"},
                                     {"media",
                                      {{{"media_id", cover}, {"role", "cover"}},
                                       {{"media_id", video}, {"role", "video"}}}},
                                     {"channels", channels}}));
    if (!t.ok()) Die(t.status().ToString());
    int64_t id = (*t)["id"];
    auto s = app->review().Submit(editor, id, {.proofread = true});
    if (!s.ok()) Die(s.status().ToString());
    const std::string hash = (*s)["content_hash"];
    for (AuthContext* who : {&reviewer, &deputy}) {
      auto d = app->review().Decide(*who, id,
                                    {.decision = "approve",
                                     .version_hash = hash,
                                     .comment = "同意",
                                     .checklist = testing::FullChecklistMap()});
      if (!d.ok()) Die(d.status().ToString());
    }
    return id;
  }

  void Publish(int64_t id, TimeMs at = 0) {
    PublishRequest body{.proofread = true};
    if (at > 0) body.at = at;
    auto r = app->publish().Publish(sitemgr, id, body);
    if (!r.ok()) Die(r.status().ToString());
  }

  // Seconds from now until every dispatch of `id` is published (polled every 5 ms).
  bool AllPublished(int64_t id) {
    auto r = app->publish().Dispatches(sitemgr, id);
    if (!r.ok()) return false;
    for (const auto& d : (*r)["items"]) {
      if (d["state"] == "failed") Die("dispatch failed: " + d.dump());
      if (d["state"] != "published") return false;
    }
    return !(*r)["items"].empty();
  }

  double PublishAndWait(int64_t id) {
    auto t0 = SteadyClock::now();
    Publish(id);
    while (!AllPublished(id)) {
      if (SteadyClock::now() - t0 > std::chrono::seconds(60)) Die("ticket did not publish");
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return std::chrono::duration<double>(SteadyClock::now() - t0).count();
  }

  std::unique_ptr<channels::sandbox::SandboxServer> sandbox;
  std::unique_ptr<App> app;
  int64_t portal = 0, wechat = 0, weibo = 0, douyin = 0, kuaishou = 0, cover = 0, video = 0;
  AuthContext editor, reviewer, deputy, sitemgr;

 private:
  AuthContext Actor(const std::string& username) {
    AuthContext ctx;
    (void)app->store().Read([&](Tx& tx) -> Status {
      auto u = user_repo::GetUserByName(tx, username);
      if (u.ok() && u->has_value()) ctx.user = **u;
      return Status::Ok();
    });
    return ctx;
  }
  std::filesystem::path dir_;
};

struct CriticalRun {
  std::map<std::string, double> alone;
  double critical = 0, all = 0;
};

CriticalRun MeasureCriticalPath(World& w, int run) {
  CriticalRun r;
  const std::vector<std::pair<std::string, int64_t>> chans = {{"portal", w.portal},
                                                              {"wechat_mp", w.wechat},
                                                              {"weibo", w.weibo},
                                                              {"douyin", w.douyin},
                                                              {"kuaishou", w.kuaishou}};
  int n = 0;
  auto title = [&](const std::string& what) {
    return "基准测试" + std::to_string(run) + "-" + std::to_string(++n) + what;
  };
  // Weibo needs the portal's link, so it is timed after the portal and the portal's own time
  // is subtracted.
  for (const auto& [kind, id] : chans) {
    if (kind == "weibo")
      r.alone[kind] = w.PublishAndWait(w.Approved(title(kind), {w.portal, id}));
    else
      r.alone[kind] = w.PublishAndWait(w.Approved(title(kind), {id}));
  }
  r.alone["weibo"] -= r.alone["portal"];
  double slowest = 0;
  for (const auto& [kind, s] : r.alone)
    if (kind != "portal") slowest = std::max(slowest, s);
  r.critical = r.alone["portal"] + slowest;
  std::vector<int64_t> all;
  for (const auto& c : chans) all.push_back(c.second);
  r.all = w.PublishAndWait(w.Approved(title("全部"), all));
  return r;
}

struct ThroughputRun {
  double seconds = 0, per_s = 0;
  int posts = 0, duplicates = 0, rate_limited_answers = 0;
};

ThroughputRun MeasureThroughput(World& w, const Options& opt, int run) {
  ThroughputRun r;
  const std::string tag = "限速基准" + std::to_string(run) + "批";
  std::vector<int64_t> ids;
  for (int k = 0; k < opt.tickets; ++k)
    ids.push_back(w.Approved(tag + "第" + std::to_string(k) + "号稿件", {w.portal, w.weibo}));
  // Let our bucket and the platform's refill fully, as before any burst of publishing.
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(2000 / opt.rate) + 200));
  channels::sandbox::FaultSpec limit;
  limit.rate_limit_per_s = opt.rate;
  w.sandbox->SetFaults("weibo", limit);
  auto count = [&](std::map<std::string, int>* per_title) {
    int n = 0;
    for (const auto& p : w.sandbox->Posts("weibo")) {
      if (p.deleted || p.text.find(tag) == std::string::npos) continue;
      ++n;
      if (per_title) (*per_title)[p.text.substr(0, p.text.find("号稿件"))]++;
    }
    return n;
  };
  // All tickets are published for one moment (scheduled publishing), so the queue is full when
  // the clock starts: what is measured is the dispatcher against the platform's limit, not how
  // fast this loop can make publish calls.
  const auto submit_started = SteadyClock::now();
  const TimeMs fire_at = SystemClock().Now() + 3000 + static_cast<TimeMs>(opt.tickets) * 40;
  for (int64_t id : ids) w.Publish(id, fire_at);
  const double submit_s =
      std::chrono::duration<double>(SteadyClock::now() - submit_started).count();
  if (SystemClock().Now() >= fire_at) Die("publishing the tickets took longer than planned");
  std::this_thread::sleep_for(std::chrono::milliseconds(fire_at - SystemClock().Now()));
  std::printf("  (%d publish calls, scheduled for one moment, took %.1f s)\n", opt.tickets,
              submit_s);
  auto t0 = SteadyClock::now();
  while (count(nullptr) < opt.tickets) {
    if (SteadyClock::now() - t0 >
        std::chrono::seconds(static_cast<int>(opt.tickets / opt.rate * 3 + 30)))
      Die("throughput run did not finish");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  r.seconds = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  std::map<std::string, int> per_title;
  r.posts = count(&per_title);
  for (const auto& [t, c] : per_title)
    if (c > 1) r.duplicates += c - 1;
  r.per_s = r.posts / r.seconds;
  r.rate_limited_answers = w.sandbox->Stats()["rate_limited"].value("weibo", 0);
  w.sandbox->ClearFaults();
  return r;
}

int Main(const Options& opt) {
  std::printf("dispatch_bench: %d runs, platform latency %d ms, %d tickets at N = %.0f posts/s\n",
              opt.runs, opt.latency_ms, opt.tickets, opt.rate);
  std::vector<double> ratio, all_s, critical_s, per_s, per_n;
  std::map<std::string, std::vector<double>> alone;
  int duplicates = 0;
  for (int run = 1; run <= opt.runs; ++run) {
    World w(opt);
    // Warm-up: tokens fetched and cached, as in a running server.
    w.PublishAndWait(w.Approved("预热稿件" + std::to_string(run),
                                {w.portal, w.wechat, w.weibo, w.douyin, w.kuaishou}));
    channels::sandbox::FaultSpec slow;
    slow.latency_ms = opt.latency_ms;
    w.sandbox->SetFaults("", slow);
    CriticalRun c = MeasureCriticalPath(w, run);
    w.sandbox->ClearFaults();
    ratio.push_back(c.all / c.critical);
    all_s.push_back(c.all);
    critical_s.push_back(c.critical);
    for (const auto& [k, s] : c.alone) alone[k].push_back(s);
    std::printf("run %d: 5 channels %.3f s; critical path %.3f s (alone:", run, c.all, c.critical);
    for (const auto& [k, s] : c.alone) std::printf(" %s %.3f", k.c_str(), s);
    std::printf("); ratio %.3f\n", c.all / c.critical);
    std::fflush(stdout);

    ThroughputRun t = MeasureThroughput(w, opt, run);
    per_s.push_back(t.per_s);
    per_n.push_back(t.per_s / opt.rate);
    duplicates += t.duplicates;
    std::printf(
        "run %d: %d posts in %.2f s = %.2f posts/s (%.1f%% of N), duplicates %d, platform "
        "rate-limit answers %d\n",
        run, t.posts, t.seconds, t.per_s, 100 * t.per_s / opt.rate, t.duplicates,
        t.rate_limited_answers);
    std::fflush(stdout);
  }
  const double med_ratio = Median(ratio);
  const double med_share = Median(per_n);
  std::printf("\nmedians of %d runs:\n", opt.runs);
  for (const auto& [k, v] : alone)
    std::printf("  %-10s alone       %.3f s\n", k.c_str(), Median(v));
  std::printf("  critical path          %.3f s\n", Median(critical_s));
  std::printf("  5 channels             %.3f s  ratio %.3f  (target <= 1.2)  %s\n", Median(all_s),
              med_ratio, med_ratio <= 1.2 ? "PASS" : "MISS");
  std::printf("  throughput             %.2f posts/s = %.1f%% of N = %.0f  (target >= 95%%)  %s\n",
              Median(per_s), 100 * med_share, opt.rate, med_share >= 0.95 ? "PASS" : "MISS");
  std::printf("  duplicates             %d  %s\n", duplicates, duplicates == 0 ? "PASS" : "MISS");
  return med_ratio <= 1.2 && med_share >= 0.95 && duplicates == 0 ? 0 : 1;
}

}  // namespace
}  // namespace gd::bench

int main(int argc, char** argv) {
  gd::bench::Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) gd::bench::Die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--runs")
      opt.runs = std::atoi(next());
    else if (a == "--latency-ms")
      opt.latency_ms = std::atoi(next());
    else if (a == "--tickets")
      opt.tickets = std::atoi(next());
    else if (a == "--rate")
      opt.rate = std::atof(next());
    else
      gd::bench::Die("usage: dispatch_bench [--runs N] [--latency-ms MS] [--tickets N] [--rate N]");
  }
  return gd::bench::Main(opt);
}
