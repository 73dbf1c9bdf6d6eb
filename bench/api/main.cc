// api_bench: full review lifecycles (create -> submit -> two approvals, the work_news chain
// unit_reviewer -> deputy_leader) through the HTTP API of a separate `dispatcher serve`, against
// two ceilings measured in the same run: a cpp-httplib hello-world endpoint driven by the same
// load generator, and raw SQLite inserts of the same rows. Prints medians of several runs and
// PASS/MISS per target (issue 2). Exit status 1 only for correctness errors (non-2xx answers).
//
//   api_bench --dispatcher build-bench-api/bin/dispatcher [--runs 3] [--seconds 3]
//   api_bench hello-serve --port P --mode tuned|defaults     (used by the run itself)
#include <httplib.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "bench/api/bench.h"

namespace bench {
namespace {

using Json = nlohmann::json;

constexpr const char* kAdminPassword = "Root@Bench2026!";
constexpr const char* kInitialPassword = "Bench@Init2026!";
constexpr const char* kPassword = "Bench@Pass2026!";

struct Options {
  std::string dispatcher;
  int runs = 3;
  double seconds = 3.0;
  double warmup = 0.5;
  double sqlite_seconds = 2.0;
  std::vector<int> clients = {1, 8, 32};
  int users_per_role = 2;
  bool keep = false;
};

// Children to stop if the run dies.
std::vector<pid_t> g_children;

[[noreturn]] void Die(const std::string& msg) {
  std::cerr << "api_bench: " << msg << "\n";
  for (pid_t pid : g_children) {
    Child c{pid, ""};
    Terminate(c);
  }
  std::exit(2);
}

// A small synchronous API client for the seeding phase.
class Api {
 public:
  explicit Api(int port) : cli_("127.0.0.1", port) {
    cli_.set_keep_alive(true);
    cli_.set_tcp_nodelay(true);
    cli_.set_read_timeout(60, 0);
  }
  Json Call(const std::string& method, const std::string& path, const std::string& token,
            const Json& body, int want) {
    return Call(method, path, token, body, want, 0);
  }
  // The same, answers `again` (e.g. 429) retried after a pause.
  Json Call(const std::string& method, const std::string& path, const std::string& token,
            const Json& body, int want, int again) {
    for (int attempt = 0;; ++attempt) {
      httplib::Result res = Send(method, path, token, body);
      if (!res) Die(method + " " + path + ": " + httplib::to_string(res.error()));
      if (again != 0 && res->status == again && attempt < 1000) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      if (res->status != want)
        Die(method + " " + path + " " + body.dump() + " -> " + std::to_string(res->status) + " " +
            res->body);
      return Json::parse(res->body);
    }
  }

 private:
  httplib::Result Send(const std::string& method, const std::string& path, const std::string& token,
                       const Json& body) {
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    httplib::Result res(nullptr, httplib::Error::Unknown);
    std::string b = body.is_null() ? "" : body.dump();
    if (method == "GET")
      res = cli_.Get(path.c_str(), h);
    else if (method == "POST")
      res = cli_.Post(path.c_str(), h, b, "application/json");
    else if (method == "PATCH")
      res = cli_.Patch(path.c_str(), h, b, "application/json");
    return res;
  }

  httplib::Client cli_;
};

struct Seed {
  int64_t unit = 0, portal = 0;
  std::vector<std::string> editors, reviewers, deputies;  // bearer tokens
};

// Creates a user as admin, signs in with the initial password and sets a permanent one; returns
// the bearer token (the session survives the password change).
std::string MakeUser(int port, const std::string& admin, const std::string& username, int64_t unit,
                     const std::string& role) {
  Api api(port);
  api.Call("POST", "/api/users", admin,
           {{"username", username},
            {"name", username},
            {"unit_id", unit},
            {"roles", {role}},
            {"password", kInitialPassword}},
           201);
  // One address may have two sign-ins in flight; the others are answered 429 and retried.
  Json s = api.Call("POST", "/api/session", "",
                    {{"username", username}, {"password", kInitialPassword}}, 200, 429);
  std::string token = s["token"];
  api.Call("POST", "/api/me/password", token,
           {{"old_password", kInitialPassword}, {"new_password", kPassword}}, 200);
  return token;
}

Seed SeedServer(int port, int per_role) {
  Api api(port);
  Json s = api.Call("POST", "/api/session", "",
                    {{"username", "admin"}, {"password", kAdminPassword}}, 200);
  std::string admin = s["token"];
  // The environment's admin password must be replaced at the first sign-in.
  api.Call("POST", "/api/me/password", admin,
           {{"old_password", kAdminPassword}, {"new_password", kPassword}}, 200);
  Seed seed;
  seed.unit = api.Call("POST", "/api/units", admin,
                       {{"name", "市应急管理局"}, {"kind", "department"}}, 201)["id"];
  int64_t office = 0;
  const Json units = api.Call("GET", "/api/units", admin, nullptr, 200);
  for (const auto& u : units["items"])
    if (u["kind"] == "office") office = u["id"];
  // Password hashing dominates seeding; the users are made in parallel.
  std::vector<std::future<std::string>> editors, reviewers, deputies;
  auto op = std::async(std::launch::async, MakeUser, port, admin, "operator", office, "operator");
  for (int i = 0; i < per_role; ++i) {
    std::string n = std::to_string(i);
    editors.push_back(
        std::async(std::launch::async, MakeUser, port, admin, "editor" + n, seed.unit, "editor"));
    reviewers.push_back(std::async(std::launch::async, MakeUser, port, admin, "reviewer" + n,
                                   seed.unit, "unit_reviewer"));
    deputies.push_back(std::async(std::launch::async, MakeUser, port, admin, "deputy" + n,
                                  seed.unit, "deputy_leader"));
  }
  std::string op_token = op.get();
  for (auto& f : editors) seed.editors.push_back(f.get());
  for (auto& f : reviewers) seed.reviewers.push_back(f.get());
  for (auto& f : deputies) seed.deputies.push_back(f.get());
  seed.portal = api.Call("POST", "/api/channels", op_token,
                         {{"kind", "portal"},
                          {"name", "门户网站"},
                          {"unit_id", seed.unit},
                          {"settings", {{"mode", "builtin"}, {"site_name", "XX市人民政府"}}}},
                         201)["id"];
  return seed;
}

Json Checklist() {
  return {{"secrets", true}, {"compliance", true}, {"promotion", true},
          {"typos", true},   {"statistics", true}, {"sensitive", true},
          {"timing", true},  {"harm", true},       {"other", true}};
}

WorkerFactory LifecycleWorkers(int port, const Seed& seed) {
  return [port, &seed](int index) -> Worker {
    auto cli = std::make_shared<httplib::Client>("127.0.0.1", port);
    cli->set_keep_alive(true);
    cli->set_tcp_nodelay(true);
    cli->set_read_timeout(60, 0);
    size_t k = static_cast<size_t>(index) % seed.editors.size();
    httplib::Headers editor{{"Authorization", "Bearer " + seed.editors[k]}};
    httplib::Headers reviewer{{"Authorization", "Bearer " + seed.reviewers[k]}};
    httplib::Headers deputy{{"Authorization", "Bearer " + seed.deputies[k]}};
    auto counter = std::make_shared<int64_t>(0);
    int64_t portal = seed.portal;
    return [=](int, Recorder& rec) {
      auto post = [&](const char* kind, const std::string& path, const httplib::Headers& h,
                      const std::string& body, int want, httplib::Result* out) {
        uint64_t t0 = NowNs();
        *out = cli->Post(path.c_str(), h, body, "application/json");
        uint64_t t1 = NowNs();
        if (!*out || (*out)->status != want) {
          rec.Error(std::string(kind) + " " + path + " -> " +
                    (*out ? std::to_string((*out)->status) + " " + (*out)->body.substr(0, 300)
                          : httplib::to_string(out->error())));
          return false;
        }
        rec.Request(kind, t0, t1);
        return true;
      };
      Json body = {{"category", "work_news"},
                   {"title", "关于做好今冬明春安全生产工作的通知（" + std::to_string(index) + "-" +
                                 std::to_string(++*counter) + "）"},
                   {"summary", "部署今冬明春安全生产工作。"},
                   {"body",
                    "各单位：\n\n为做好今冬明春安全生产工作，现将有关事项通知如下。\n\n一、压实责任"
                    "。\n\n二、排查隐患。"},
                   {"column", "工作动态"},
                   {"channels", {{{"account_id", portal}}}}};
      httplib::Result res(nullptr, httplib::Error::Unknown);
      const uint64_t start = NowNs();
      if (!post("create", "/api/tickets", editor, body.dump(), 201, &res)) return false;
      Json t = Json::parse(res->body, nullptr, false);
      if (!t.is_object() || !t.contains("id") || !t.contains("content_hash")) {
        rec.Error("create: unexpected body " + res->body.substr(0, 200));
        return false;
      }
      const std::string base = "/api/tickets/" + std::to_string(t["id"].get<int64_t>());
      const std::string hash = t["content_hash"];
      if (!post("submit", base + "/submit", editor, R"({"proofread":true})", 200, &res))
        return false;
      Json decision = {{"decision", "approve"},
                       {"version_hash", hash},
                       {"comment", "同意"},
                       {"checklist", Checklist()}};
      const std::string d = decision.dump();
      if (!post("approve_1", base + "/decisions", reviewer, d, 200, &res)) return false;
      if (!post("approve_2", base + "/decisions", deputy, d, 200, &res)) return false;
      if (res->body.find(R"("state":"approved")") == std::string::npos) {
        rec.Error("approve_2: ticket not approved: " + res->body.substr(0, 200));
        return false;
      }
      rec.Operation(start, NowNs());
      return true;
    };
  };
}

struct RunResult {
  std::map<std::string, LoadResult> load;  // "hello/8", "defaults/8", "lifecycle/8"
  SqliteCeiling sqlite;
};

std::string Key(const std::string& what, int clients) {
  return what + "/" + std::to_string(clients);
}

double Med(const std::vector<RunResult>& runs, const std::function<double(const RunResult&)>& f) {
  std::vector<double> v;
  for (const auto& r : runs) v.push_back(f(r));
  return Median(v);
}

std::string Fmt(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

int Main(const Options& opt) {
  char tmpl[] = "/tmp/gd_bench_api_XXXXXX";
  if (!mkdtemp(tmpl)) Die("mkdtemp failed");
  const std::string dir = tmpl;
  const std::string self = std::filesystem::canonical("/proc/self/exe").string();

  // The product server, fresh data directory.
  const int port = FreePort();
  Child server =
      Spawn({opt.dispatcher, "serve", "--listen", "127.0.0.1:" + std::to_string(port), "--data",
             dir + "/data", "--web", dir + "/no-web"},
            {std::string("DISPATCHER_ADMIN_PASSWORD=") + kAdminPassword}, dir + "/dispatcher.log");
  if (!WaitHealthy(port, "/healthz", 60, server.pid)) {
    Terminate(server);
    Die("dispatcher did not start; see " + dir + "/dispatcher.log");
  }
  g_children.push_back(server.pid);
  MemSampler mem(server.pid);
  MemSample idle = ReadMem(server.pid);

  // The ceilings' servers.
  const int hello_port = FreePort();
  Child hello =
      Spawn({self, "hello-serve", "--port", std::to_string(hello_port), "--mode", "tuned"}, {},
            dir + "/hello.log");
  const int defaults_port = FreePort();
  Child defaults =
      Spawn({self, "hello-serve", "--port", std::to_string(defaults_port), "--mode", "defaults"},
            {}, dir + "/hello-defaults.log");
  g_children.push_back(hello.pid);
  g_children.push_back(defaults.pid);
  if (!WaitHealthy(hello_port, "/hello", 10, hello.pid) ||
      !WaitHealthy(defaults_port, "/hello", 10, defaults.pid))
    Die("hello-world servers did not start");

  uint64_t t0 = NowNs();
  Seed seed = SeedServer(port, opt.users_per_role);
  double seed_s = static_cast<double>(NowNs() - t0) / 1e9;
  std::cout << "seeded in " << Fmt("%.1f", seed_s) << " s (" << 1 + 3 * opt.users_per_role
            << " users; each create, sign-in and password change hashes a password)\n"
            << std::flush;

  // Sign-ins hash passwords (scrypt); their peak is kept apart from the load's by resetting
  // VmHWM ("5" into clear_refs) once seeding is done.
  const long seed_hwm = ReadMem(server.pid).hwm_kb;
  {
    std::ofstream clear("/proc/" + std::to_string(server.pid) + "/clear_refs");
    clear << "5";
  }
  MemSampler load_mem(server.pid);

  std::vector<RunResult> runs;
  size_t errors = 0;
  std::vector<std::string> error_samples;
  auto note = [&](const LoadResult& r) {
    errors += r.error_count;
    for (const auto& e : r.errors)
      if (error_samples.size() < 8) error_samples.push_back(e);
  };
  for (int run = 0; run < opt.runs; ++run) {
    RunResult rr;
    for (int c : opt.clients) {
      rr.load[Key("hello", c)] = RunLoad(c, opt.warmup, opt.seconds, HelloWorkers(hello_port));
      note(rr.load[Key("hello", c)]);
      const double cpu0 = ReadCpuSeconds(server.pid);
      rr.load[Key("lifecycle", c)] =
          RunLoad(c, opt.warmup, opt.seconds, LifecycleWorkers(port, seed));
      {
        // The warm-up's requests are not counted: scale the measured rate to the whole cell.
        LoadResult& l = rr.load[Key("lifecycle", c)];
        const double requests = l.requests_per_s * (opt.warmup + opt.seconds);
        if (requests > 0)
          l.server_cpu_us_per_request = (ReadCpuSeconds(server.pid) - cpu0) * 1e6 / requests;
      }
      note(rr.load[Key("lifecycle", c)]);
    }
    rr.load[Key("defaults", 8)] = RunLoad(8, opt.warmup, opt.seconds, HelloWorkers(defaults_port));
    note(rr.load[Key("defaults", 8)]);
    const auto& l8 = rr.load[Key("lifecycle", 8)];
    const auto& h8 = rr.load[Key("hello", 8)];
    std::cout << "run " << run + 1 << "/" << opt.runs << ": lifecycle@8 "
              << Fmt("%.0f", l8.requests_per_s) << " req/s (" << Fmt("%.0f", l8.operations_per_s)
              << " lifecycles/s, server CPU " << Fmt("%.0f", l8.server_cpu_us_per_request)
              << " us/request), hello@8 " << Fmt("%.0f", h8.requests_per_s) << " req/s, RSS "
              << ReadMem(server.pid).rss_kb / 1024 << " MB\n"
              << std::flush;
    runs.push_back(std::move(rr));
  }
  MemSample end_mem = ReadMem(server.pid);
  const long max_rss = std::max(mem.max_rss_kb(), end_mem.rss_kb);
  const long hwm = std::max(mem.hwm_kb(), end_mem.hwm_kb);
  const int samples = mem.samples();
  const long load_hwm = std::max(load_mem.hwm_kb(), end_mem.hwm_kb);
  const long load_max_rss = std::max(load_mem.max_rss_kb(), end_mem.rss_kb);
  Terminate(hello);
  Terminate(defaults);
  Terminate(server);
  g_children.clear();

  for (auto& rr : runs)
    rr.sqlite = RunSqliteCeiling(dir + "/data/dispatcher.db", dir + "/ceiling", opt.sqlite_seconds);

  // ---- report ----
  std::cout << "\nAPI benchmark (issue 2): medians of " << opt.runs << " runs, "
            << Fmt("%.1f", opt.seconds) << " s measured per cell after " << Fmt("%.1f", opt.warmup)
            << " s warm-up, " << std::thread::hardware_concurrency() << " CPUs\n\n";
  std::printf("%-34s %7s %10s %8s %8s %12s %9s %9s\n", "load", "clients", "req/s", "p50 ms",
              "p99 ms", "lifecycles/s", "lc p50", "lc p99");
  auto row = [&](const std::string& label, const std::string& what, int c, bool lifecycle) {
    auto get = [&](auto f) {
      return Med(runs, [&](const RunResult& r) { return f(r.load.at(Key(what, c))); });
    };
    std::printf("%-34s %7d %10.0f %8.2f %8.2f", label.c_str(), c,
                get([](const LoadResult& l) { return l.requests_per_s; }),
                get([](const LoadResult& l) { return l.request.p50_ms; }),
                get([](const LoadResult& l) { return l.request.p99_ms; }));
    if (lifecycle)
      std::printf(" %12.0f %9.2f %9.2f\n",
                  get([](const LoadResult& l) { return l.operations_per_s; }),
                  get([](const LoadResult& l) { return l.operation.p50_ms; }),
                  get([](const LoadResult& l) { return l.operation.p99_ms; }));
    else
      std::printf("\n");
  };
  for (int c : opt.clients) row("hello-world, tuned", "hello", c, false);
  row("hello-world, cpp-httplib defaults", "defaults", 8, false);
  for (int c : opt.clients) row("lifecycle (4 requests)", "lifecycle", c, true);

  std::printf("\nserver CPU per lifecycle request (user + system, warm-up included):");
  for (int c : opt.clients) {
    std::printf(" %d clients %.0f us%s", c,
                Med(runs,
                    [&](const RunResult& r) {
                      return r.load.at(Key("lifecycle", c)).server_cpu_us_per_request;
                    }),
                c == opt.clients.back() ? "\n" : ",");
  }
  std::printf("\nper request kind (ms), lifecycle at 8 clients:\n");
  for (const char* kind : {"create", "submit", "approve_1", "approve_2"}) {
    double p50 = Med(runs, [&](const RunResult& r) {
      return r.load.at(Key("lifecycle", 8)).by_kind.count(kind)
                 ? r.load.at(Key("lifecycle", 8)).by_kind.at(kind).p50_ms
                 : 0.0;
    });
    double p99 = Med(runs, [&](const RunResult& r) {
      return r.load.at(Key("lifecycle", 8)).by_kind.count(kind)
                 ? r.load.at(Key("lifecycle", 8)).by_kind.at(kind).p99_ms
                 : 0.0;
    });
    std::printf("  %-10s p50 %7.2f  p99 %7.2f\n", kind, p50, p99);
  }
  const double sql_lc = Med(runs, [](const RunResult& r) { return r.sqlite.lifecycles_per_s; });
  const double sql_tx = Med(runs, [](const RunResult& r) { return r.sqlite.transactions_per_s; });
  std::printf(
      "\nraw SQLite ceiling (same schema and rows, WAL, synchronous=NORMAL, one transaction per "
      "step): %.0f lifecycles/s, %.0f transactions/s\n",
      sql_lc, sql_tx);
  std::printf(
      "server RSS: idle %.1f MB; seeding (sign-ins) VmHWM %.1f MB; load max sampled %.1f MB, "
      "VmHWM %.1f MB; whole run max sampled %.1f MB (%d samples), VmHWM %.1f MB\n",
      idle.rss_kb / 1024.0, seed_hwm / 1024.0, load_max_rss / 1024.0, load_hwm / 1024.0,
      max_rss / 1024.0, samples, std::max(hwm, seed_hwm) / 1024.0);

  // Targets, each a ratio within one run; the median over runs decides.
  auto ratio = [&](const std::string& a, const std::string& b, auto f) {
    return Med(runs, [&](const RunResult& r) {
      double den = f(r.load.at(b));
      return den > 0 ? f(r.load.at(a)) / den : 0.0;
    });
  };
  const double rps_ratio = ratio(Key("lifecycle", 8), Key("hello", 8),
                                 [](const LoadResult& l) { return l.requests_per_s; });
  const double p99_ratio = ratio(Key("lifecycle", 8), Key("hello", 8),
                                 [](const LoadResult& l) { return l.request.p99_ms; });
  const double lc_p99_ratio = Med(runs, [&](const RunResult& r) {
    double den = r.load.at(Key("hello", 8)).request.p99_ms;
    return den > 0 ? r.load.at(Key("lifecycle", 8)).operation.p99_ms / den : 0.0;
  });
  const double hello8 =
      Med(runs, [](const RunResult& r) { return r.load.at(Key("hello", 8)).requests_per_s; });
  std::printf("\ntargets (ratios within each run, median over runs):\n");
  std::printf(
      "  [%s] lifecycle HTTP req/s at 8 clients = %.1f%% of hello-world's (>= 12%%; "
      "12%% of %.0f = %.0f req/s = %.0f lifecycles/s)\n",
      rps_ratio >= 0.12 ? "PASS" : "MISS", rps_ratio * 100, hello8, hello8 * 0.12,
      hello8 * 0.12 / 4);
  std::printf(
      "  [%s] lifecycle request p99 at 8 clients = %.1fx hello-world p99 (<= 10x); "
      "whole lifecycle p99 = %.1fx\n",
      p99_ratio <= 10 ? "PASS" : "MISS", p99_ratio, lc_p99_ratio);
  const long run_peak = std::max({hwm, seed_hwm, max_rss});
  std::printf("  [%s] server RSS through the run (seeding included): peak %.1f MB (< 64 MB)\n",
              run_peak < 64 * 1024 ? "PASS" : "MISS", run_peak / 1024.0);

  if (errors) {
    std::printf("\nCORRECTNESS ERRORS: %zu non-2xx or transport failures, e.g.:\n", errors);
    for (const auto& e : error_samples) std::printf("  %s\n", e.c_str());
  }
  if (opt.keep)
    std::printf("\ndata kept in %s\n", dir.c_str());
  else
    std::filesystem::remove_all(dir);
  return errors ? 1 : 0;
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto value = [&](size_t& i) -> std::string {
    if (i + 1 >= args.size()) bench::Die(args[i] + " needs a value");
    return args[++i];
  };
  if (!args.empty() && args[0] == "hello-serve") {
    int port = 0;
    bool tuned = true;
    for (size_t i = 1; i < args.size(); ++i) {
      if (args[i] == "--port")
        port = std::stoi(value(i));
      else if (args[i] == "--mode")
        tuned = value(i) == "tuned";
    }
    return bench::ServeHello(port, tuned);
  }
  bench::Options opt;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--dispatcher")
      opt.dispatcher = value(i);
    else if (a == "--runs")
      opt.runs = std::stoi(value(i));
    else if (a == "--seconds")
      opt.seconds = std::stod(value(i));
    else if (a == "--warmup")
      opt.warmup = std::stod(value(i));
    else if (a == "--sqlite-seconds")
      opt.sqlite_seconds = std::stod(value(i));
    else if (a == "--users-per-role")
      opt.users_per_role = std::stoi(value(i));
    else if (a == "--keep")
      opt.keep = true;
    else if (a == "--clients") {
      opt.clients.clear();
      std::stringstream ss(value(i));
      std::string item;
      while (std::getline(ss, item, ',')) opt.clients.push_back(std::stoi(item));
    } else {
      bench::Die("unknown argument " + a +
                 " (use --dispatcher PATH [--runs N] [--seconds S] [--warmup S] "
                 "[--sqlite-seconds S] [--clients 1,8,32] [--users-per-role N] [--keep])");
    }
  }
  if (opt.dispatcher.empty()) bench::Die("--dispatcher PATH is required");
  if (std::find(opt.clients.begin(), opt.clients.end(), 8) == opt.clients.end())
    opt.clients.push_back(8);  // the targets are defined at 8 clients
  return bench::Main(opt);
}
