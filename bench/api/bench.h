// Shared pieces of the API benchmark: the load generator, latency statistics, child processes,
// the hello-world server and the raw SQLite ceiling.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace bench {

// ---- statistics ----

struct Summary {
  size_t count = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};
// Latencies in microseconds.
Summary Summarize(std::vector<uint32_t> us);
double Median(std::vector<double> v);

// ---- load generator ----

// One client: owns a keep-alive connection; Step() performs one unit of work and records its
// requests through the Recorder. Returns false on a correctness error (non-2xx, transport).
class Recorder {
 public:
  // Called around each HTTP request and each full operation (a lifecycle, or one request).
  void Request(const std::string& kind, uint64_t start_ns, uint64_t end_ns);
  void Operation(uint64_t start_ns, uint64_t end_ns);
  void Error(const std::string& what);

  uint64_t measure_from_ns = 0, measure_to_ns = 0;
  std::map<std::string, std::vector<uint32_t>> requests;  // per kind, in window
  std::vector<uint32_t> all_requests;
  std::vector<uint32_t> operations;
  std::vector<std::string> errors;
};

struct LoadResult {
  int clients = 0;
  double seconds = 0;
  double requests_per_s = 0, operations_per_s = 0;
  Summary request, operation;
  std::map<std::string, Summary> by_kind;
  std::vector<std::string> errors;  // first few
  size_t error_count = 0;
  // Server CPU per request over warm-up and measurement (filled in by the caller; 0 = not taken).
  double server_cpu_us_per_request = 0;
};

using Worker = std::function<bool(int client_index, Recorder& rec)>;
// Makes the per-client worker (each client holds its own connection inside the closure).
using WorkerFactory = std::function<Worker(int client_index)>;

// Runs `clients` threads for warmup + measure seconds; only requests that start and end inside
// the measured window count.
LoadResult RunLoad(int clients, double warmup_s, double measure_s, const WorkerFactory& factory);

uint64_t NowNs();

// ---- processes ----

struct Child {
  pid_t pid = -1;
  std::string log_path;
};
Child Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
            const std::string& log_path);
void Terminate(Child& c);
int FreePort();
bool WaitHealthy(int port, const std::string& path, double timeout_s, pid_t pid);

struct MemSample {
  long rss_kb = 0, hwm_kb = 0;
};
MemSample ReadMem(pid_t pid);
// User plus system CPU time the process has used so far, in seconds (/proc/<pid>/stat).
double ReadCpuSeconds(pid_t pid);

// Samples VmRSS/VmHWM of a process every few milliseconds until stopped.
class MemSampler {
 public:
  explicit MemSampler(pid_t pid);
  ~MemSampler();
  long max_rss_kb() const { return max_rss_.load(); }
  long hwm_kb() const { return hwm_.load(); }
  int samples() const { return samples_.load(); }

 private:
  pid_t pid_;
  std::atomic<bool> stop_{false};
  std::atomic<long> max_rss_{0}, hwm_{0};
  std::atomic<int> samples_{0};
  std::thread thread_;
};

// ---- hello world ----

// Serves GET /hello on 127.0.0.1:port until killed. tuned = TCP_NODELAY, 64 threads, long
// keep-alive; otherwise cpp-httplib's compiled-in defaults.
int ServeHello(int port, bool tuned);
WorkerFactory HelloWorkers(int port);

// ---- SQLite ceiling ----

struct SqliteCeiling {
  double lifecycles_per_s = 0;
  double transactions_per_s = 0;
  double seconds = 0;
};
// Copies the schema of `source_db` (the dispatcher's database after the run) and sample row
// payloads into a fresh database under `dir`, then inserts lifecycles for `seconds`.
SqliteCeiling RunSqliteCeiling(const std::string& source_db, const std::string& dir,
                               double seconds);

}  // namespace bench
