#include <algorithm>
#include <chrono>
#include <mutex>

#include "bench/api/bench.h"

namespace bench {

uint64_t NowNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

Summary Summarize(std::vector<uint32_t> us) {
  Summary s;
  s.count = us.size();
  if (us.empty()) return s;
  std::sort(us.begin(), us.end());
  auto at = [&](double q) {
    size_t i = static_cast<size_t>(q * static_cast<double>(us.size() - 1) + 0.5);
    return static_cast<double>(us[std::min(i, us.size() - 1)]) / 1000.0;
  };
  s.p50_ms = at(0.50);
  s.p99_ms = at(0.99);
  s.max_ms = static_cast<double>(us.back()) / 1000.0;
  return s;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

namespace {
uint32_t Micros(uint64_t start_ns, uint64_t end_ns) {
  uint64_t us = (end_ns - start_ns) / 1000;
  return static_cast<uint32_t>(std::min<uint64_t>(us, UINT32_MAX));
}
}  // namespace

void Recorder::Request(const std::string& kind, uint64_t start_ns, uint64_t end_ns) {
  if (start_ns < measure_from_ns || end_ns > measure_to_ns) return;
  uint32_t us = Micros(start_ns, end_ns);
  requests[kind].push_back(us);
  all_requests.push_back(us);
}

void Recorder::Operation(uint64_t start_ns, uint64_t end_ns) {
  if (start_ns < measure_from_ns || end_ns > measure_to_ns) return;
  operations.push_back(Micros(start_ns, end_ns));
}

void Recorder::Error(const std::string& what) { errors.push_back(what); }

LoadResult RunLoad(int clients, double warmup_s, double measure_s, const WorkerFactory& factory) {
  std::vector<Worker> workers;
  for (int i = 0; i < clients; ++i) workers.push_back(factory(i));
  std::vector<Recorder> recs(static_cast<size_t>(clients));
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  uint64_t t0 = 0, from = 0, to = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      Recorder& rec = recs[static_cast<size_t>(i)];
      rec.all_requests.reserve(1 << 16);
      rec.operations.reserve(1 << 14);
      ready.fetch_add(1);
      while (!go.load()) std::this_thread::yield();
      rec.measure_from_ns = from;
      rec.measure_to_ns = to;
      while (NowNs() < to && rec.errors.size() < 5) workers[static_cast<size_t>(i)](i, rec);
      // Close this client's connection now: a thread-per-connection server may hold other
      // clients' connections queued until an idle keep-alive connection goes away.
      workers[static_cast<size_t>(i)] = nullptr;
    });
  }
  while (ready.load() < clients) std::this_thread::yield();
  t0 = NowNs();
  from = t0 + static_cast<uint64_t>(warmup_s * 1e9);
  to = from + static_cast<uint64_t>(measure_s * 1e9);
  go.store(true);
  for (auto& t : threads) t.join();

  LoadResult r;
  r.clients = clients;
  r.seconds = measure_s;
  std::vector<uint32_t> all, ops;
  std::map<std::string, std::vector<uint32_t>> kinds;
  for (auto& rec : recs) {
    all.insert(all.end(), rec.all_requests.begin(), rec.all_requests.end());
    ops.insert(ops.end(), rec.operations.begin(), rec.operations.end());
    for (auto& [k, v] : rec.requests) kinds[k].insert(kinds[k].end(), v.begin(), v.end());
    r.error_count += rec.errors.size();
    for (auto& e : rec.errors)
      if (r.errors.size() < 5) r.errors.push_back(e);
  }
  r.requests_per_s = static_cast<double>(all.size()) / measure_s;
  r.operations_per_s = static_cast<double>(ops.size()) / measure_s;
  r.request = Summarize(std::move(all));
  r.operation = Summarize(std::move(ops));
  for (auto& [k, v] : kinds) r.by_kind[k] = Summarize(std::move(v));
  return r;
}

}  // namespace bench
