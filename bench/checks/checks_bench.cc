// Benchmark of the checks matcher (gd::checks::Matcher) against Intel Hyperscan and, through a
// results file written by py_bench.py, pyahocorasick. All-overlapping-matches mode, literal UTF-8
// patterns, no normalisation. Match counts must equal Hyperscan's (and pyahocorasick's on its
// slice of the corpus); a mismatch is reported and the program exits with status 2.
//
// usage: checks_bench --corpus FILE [--py-corpus FILE --py-bench "PYTHON SCRIPT" --py-runs N]
//                     [--runs N] [--build-runs N] [--markdown FILE] DICT...
// Per dictionary the three take turns, one scan each per round (pyahocorasick in a fresh process
// per round, its automaton built outside the timing), so that all three see the same machine
// load; throughputs are medians over the rounds, also given per CPU-second.
//        checks_bench --peak ours|hs DICT   (internal: prints the peak RSS growth of one build)
#include <hs/hs.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "dispatcher/checks/matcher.h"

namespace {

using Clock = std::chrono::steady_clock;
using gd::checks::Matcher;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// CPU time of this thread: a scan's own work, whatever share of the machine it got.
double CpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    std::exit(1);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> out;
  std::istringstream in(ReadFile(path));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

std::string BaseName(const std::string& path) {
  std::string b = path.substr(path.find_last_of('/') + 1);
  return b.substr(0, b.rfind('.'));
}

// Resident set size and its high-water mark, in bytes (Linux /proc).
size_t ProcStatusKb(const char* key) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key, 0) == 0) return std::strtoull(line.c_str() + std::strlen(key), nullptr, 10);
  return 0;
}

// ---- engines ---------------------------------------------------------------------------------

std::shared_ptr<const Matcher> BuildOurs(const std::vector<std::string>& terms) {
  Matcher::Builder b;
  for (const auto& t : terms) b.AddUtf8(t);
  return b.Build();
}

struct HsDb {
  hs_database_t* db = nullptr;
  hs_scratch_t* scratch = nullptr;
  ~HsDb() {
    hs_free_scratch(scratch);
    hs_free_database(db);
  }
};

std::unique_ptr<HsDb> BuildHs(const std::vector<std::string>& terms) {
  std::vector<const char*> exprs;
  std::vector<size_t> lens;
  std::vector<unsigned> flags(terms.size(), 0), ids(terms.size());
  for (size_t i = 0; i < terms.size(); ++i) {
    exprs.push_back(terms[i].data());
    lens.push_back(terms[i].size());
    ids[i] = static_cast<unsigned>(i);
  }
  auto h = std::make_unique<HsDb>();
  hs_compile_error_t* err = nullptr;
  if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                           static_cast<unsigned>(terms.size()), HS_MODE_BLOCK, nullptr, &h->db,
                           &err) != HS_SUCCESS) {
    std::cerr << "hyperscan compile failed: " << (err ? err->message : "?") << "\n";
    hs_free_compile_error(err);
    std::exit(1);
  }
  if (hs_alloc_scratch(h->db, &h->scratch) != HS_SUCCESS) {
    std::cerr << "hyperscan scratch allocation failed\n";
    std::exit(1);
  }
  return h;
}

uint64_t ScanOurs(const Matcher& m, std::string_view text) {
  uint64_t n = 0;
  m.ScanUtf8(text, [&](uint32_t, size_t, size_t) { ++n; });
  return n;
}

int HsCount(unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) {
  ++*static_cast<uint64_t*>(ctx);
  return 0;
}

uint64_t ScanHs(const HsDb& h, std::string_view text) {
  uint64_t n = 0;
  if (hs_scan(h.db, text.data(), static_cast<unsigned>(text.size()), 0, h.scratch, HsCount, &n) !=
      HS_SUCCESS) {
    std::cerr << "hyperscan scan failed\n";
    std::exit(1);
  }
  return n;
}

// Child mode: the RSS growth of one build, from a fresh process.
int PeakMode(const std::string& engine, const std::string& dict) {
  auto terms = ReadLines(dict);
  malloc_trim(0);
  size_t before = ProcStatusKb("VmRSS:");
  {
    std::ofstream reset("/proc/self/clear_refs");
    reset << "5";
  }
  if (engine == "ours") {
    auto m = BuildOurs(terms);
    std::printf("%zu\n", (ProcStatusKb("VmHWM:") - before) * 1024);
  } else {
    auto h = BuildHs(terms);
    std::printf("%zu\n", (ProcStatusKb("VmHWM:") - before) * 1024);
  }
  return 0;
}

size_t ChildPeak(const std::string& self, const std::string& engine, const std::string& dict) {
  std::string cmd = "'" + self + "' --peak " + engine + " '" + dict + "'";
  FILE* p = popen(cmd.c_str(), "r");
  size_t v = 0;
  if (!p || std::fscanf(p, "%zu", &v) != 1) std::cerr << "peak measurement failed: " << cmd << "\n";
  if (p) pclose(p);
  return v;
}

// ---- report ----------------------------------------------------------------------------------

struct PyResult {
  double build_s = 0, mbps = 0, cpu_mbps = 0;
  size_t mem = 0;
  uint64_t count = 0;
  bool present = false;
};

struct Row {
  std::string name;
  size_t terms = 0;
  double ours_mbps = 0, hs_mbps = 0, ours_cpu = 0, hs_cpu = 0;
  double ours_build = 0, hs_build = 0;
  size_t ours_mem = 0, ours_peak = 0, hs_db = 0, hs_scratch = 0, hs_peak = 0;
  size_t states = 0, alphabet = 0;
  uint64_t ours_count = 0, hs_count = 0, ours_py_count = 0;
  double hits_per_mb = 0;
  PyResult py;
};

std::string Fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string Mb(size_t bytes) { return Fmt("%.1f", bytes / 1048576.0); }

}  // namespace

int main(int argc, char** argv) {
  std::string corpus_path, py_corpus_path, py_bench, markdown_path;
  int runs = 5, build_runs = 3, py_runs = 3;
  std::vector<std::string> dicts;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << a << " needs a value\n";
        std::exit(1);
      }
      return argv[++i];
    };
    if (a == "--peak") {
      std::string engine = next();
      return PeakMode(engine, next());
    }
    if (a == "--corpus")
      corpus_path = next();
    else if (a == "--py-corpus")
      py_corpus_path = next();
    else if (a == "--py-bench")
      py_bench = next();
    else if (a == "--py-runs")
      py_runs = std::max(1, std::atoi(next().c_str()));
    else if (a == "--markdown")
      markdown_path = next();
    else if (a == "--runs")
      runs = std::max(1, std::atoi(next().c_str()));
    else if (a == "--build-runs")
      build_runs = std::max(1, std::atoi(next().c_str()));
    else
      dicts.push_back(a);
  }
  if (corpus_path.empty() || dicts.empty()) {
    std::cerr << "usage: checks_bench --corpus FILE [--py-corpus FILE --py-bench CMD --py-runs N] "
                 "[--runs N] [--build-runs N] [--markdown FILE] DICT...\n";
    return 1;
  }
  const std::string self = "/proc/" + std::to_string(getpid()) + "/exe";
  const std::string corpus = ReadFile(corpus_path);
  const std::string py_corpus = py_corpus_path.empty() ? std::string() : ReadFile(py_corpus_path);
  const double corpus_mb = corpus.size() / 1e6;
  // One pyahocorasick measurement: "name build_s mem_bytes mbps count" from py_bench.py.
  auto run_py = [&](const std::string& dict, int n) {
    PyResult r;
    if (py_bench.empty() || py_corpus_path.empty()) return r;
    std::string cmd =
        py_bench + " '" + py_corpus_path + "' " + std::to_string(n) + " '" + dict + "'";
    FILE* p = popen(cmd.c_str(), "r");
    char name[256];
    if (p && std::fscanf(p, "%255s %lf %zu %lf %" SCNu64 " %lf", name, &r.build_s, &r.mem, &r.mbps,
                         &r.count, &r.cpu_mbps) == 6)
      r.present = true;
    else
      std::cerr << "pyahocorasick measurement failed: " << cmd << "\n";
    if (p) pclose(p);
    return r;
  };
  std::cerr << "corpus " << corpus_path << ": " << Fmt("%.1f", corpus_mb) << " MB; " << runs
            << " scan runs, " << build_runs << " build runs per engine\n";

  std::vector<Row> rows;
  bool mismatch = false;
  for (const auto& dict : dicts) {
    Row r;
    r.name = BaseName(dict);
    auto terms = ReadLines(dict);
    r.terms = terms.size();
    std::vector<double> ob, hb;
    std::shared_ptr<const Matcher> ours;
    std::unique_ptr<HsDb> hs;
    for (int k = 0; k < build_runs; ++k) {
      ours.reset();
      auto t0 = Clock::now();
      ours = BuildOurs(terms);
      auto t1 = Clock::now();
      hs.reset();
      auto t2 = Clock::now();
      hs = BuildHs(terms);
      auto t3 = Clock::now();
      ob.push_back(Seconds(t0, t1));
      hb.push_back(Seconds(t2, t3));
    }
    r.ours_build = Median(ob);
    r.hs_build = Median(hb);
    r.ours_mem = ours->MemoryBytes();
    r.states = ours->state_count();
    r.alphabet = ours->alphabet_size();
    hs_database_size(hs->db, &r.hs_db);
    hs_scratch_size(hs->scratch, &r.hs_scratch);
    r.ours_peak = ChildPeak(self, "ours", dict);
    r.hs_peak = ChildPeak(self, "hs", dict);

    // pyahocorasick, ours and Hyperscan take turns, one scan each per round, so that all three
    // see the same machine load; each throughput is the median of its rounds.
    std::vector<double> os, hsr, ocpu, hcpu, pys, pycpu, pyb;
    for (int k = 0; k < std::max(runs, py_runs); ++k) {
      if (k < py_runs) {
        PyResult p = run_py(dict, 1);
        if (p.present) {
          pys.push_back(p.mbps);
          pycpu.push_back(p.cpu_mbps);
          pyb.push_back(p.build_s);
          r.py = p;
        }
      }
      if (k >= runs) continue;
      double c0 = CpuSeconds();
      auto t0 = Clock::now();
      uint64_t oc = ScanOurs(*ours, corpus);
      auto t1 = Clock::now();
      double c1 = CpuSeconds();
      uint64_t hc = ScanHs(*hs, corpus);
      auto t2 = Clock::now();
      double c2 = CpuSeconds();
      os.push_back(corpus_mb / Seconds(t0, t1));
      hsr.push_back(corpus_mb / Seconds(t1, t2));
      ocpu.push_back(corpus_mb / std::max(c1 - c0, 1e-9));
      hcpu.push_back(corpus_mb / std::max(c2 - c1, 1e-9));
      r.ours_count = oc;
      r.hs_count = hc;
      if (oc != hc) break;
    }
    r.ours_mbps = Median(os);
    r.hs_mbps = Median(hsr);
    r.ours_cpu = Median(ocpu);
    r.hs_cpu = Median(hcpu);
    if (r.py.present) {
      r.py.mbps = Median(pys);
      r.py.cpu_mbps = Median(pycpu);
      r.py.build_s = Median(pyb);
    }
    r.hits_per_mb = r.hs_count / corpus_mb;
    if (r.ours_count != r.hs_count) {
      std::cerr << "*** MATCH COUNT MISMATCH on " << r.name << ": ours " << r.ours_count
                << ", hyperscan " << r.hs_count << " ***\n";
      mismatch = true;
    }
    if (r.py.present) {
      r.ours_py_count = ScanOurs(*ours, py_corpus);
      if (r.ours_py_count != r.py.count) {
        std::cerr << "*** MATCH COUNT MISMATCH on " << r.name << " (pyahocorasick slice): ours "
                  << r.ours_py_count << ", pyahocorasick " << r.py.count << " ***\n";
        mismatch = true;
      }
    }
    std::cerr << r.name << ": ours " << Fmt("%.0f", r.ours_mbps) << " MB/s, hyperscan "
              << Fmt("%.0f", r.hs_mbps) << " MB/s, pyahocorasick " << Fmt("%.1f", r.py.mbps)
              << " MB/s, " << r.hs_count << " matches\n";
    rows.push_back(r);
  }

  // Markdown report: measurements, then the targets as ratios of this run.
  std::ostringstream md;
  md << "Corpus: " << Fmt("%.1f", corpus_mb) << " MB (" << corpus_path
     << "); throughput = median of " << runs << " single-threaded scans of the whole corpus; "
     << "build = median of " << build_runs << "; pyahocorasick scans its " << Mb(py_corpus.size())
     << " MiB slice.\n\n";
  md << "| dict | terms | matches/MB | ours MB/s | Hyperscan MB/s | pyahocorasick MB/s | ours "
        "build "
        "ms | HS compile ms | py build ms | ours automaton MiB | ours build peak MiB | HS "
        "db+scratch "
        "MiB | HS compile peak MiB | py MiB | states | alphabet |\n";
  md << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : rows) {
    md << "| " << r.name << " | " << r.terms << " | " << Fmt("%.0f", r.hits_per_mb) << " | "
       << Fmt("%.0f", r.ours_mbps) << " | " << Fmt("%.0f", r.hs_mbps) << " | "
       << (r.py.present ? Fmt("%.1f", r.py.mbps) : "-") << " | " << Fmt("%.1f", r.ours_build * 1e3)
       << " | " << Fmt("%.1f", r.hs_build * 1e3) << " | "
       << (r.py.present ? Fmt("%.1f", r.py.build_s * 1e3) : "-") << " | " << Mb(r.ours_mem) << " | "
       << Mb(r.ours_peak) << " | " << Mb(r.hs_db + r.hs_scratch) << " | " << Mb(r.hs_peak) << " | "
       << (r.py.present ? Mb(r.py.mem) : "-") << " | " << r.states << " | " << r.alphabet << " |\n";
  }
  md << "\n| dict | ours/HS throughput | target | ours/py throughput (>= 20) | ours/HS build "
        "(<= 0.33) | ours peak / HS peak (<= 0.25) | counts (ours = HS = py) |\n";
  md << "|---|---:|---|---:|---:|---:|---|\n";
  int missed = 0;
  auto mark = [&](bool ok) {
    missed += !ok;
    return ok ? " ok" : " **MISSED**";
  };
  for (const auto& r : rows) {
    double tput = r.ours_mbps / r.hs_mbps;
    bool is100k = r.name.find("_100k") != std::string::npos;
    bool is10k = r.name.find("_10k") != std::string::npos;
    std::string target = is100k ? ">= 1.0" : is10k ? ">= 0.7" : "-";
    double need = is100k ? 1.0 : is10k ? 0.7 : 0.0;
    md << "| " << r.name << " | " << Fmt("%.2f", tput) << (need > 0 ? mark(tput >= need) : "")
       << " | " << target << " | ";
    if (r.py.present) {
      double pr = r.ours_mbps / r.py.mbps;
      md << Fmt("%.0f", pr) << mark(pr >= 20);
    } else {
      md << "-";
    }
    double br = r.ours_build / r.hs_build;
    double mr = static_cast<double>(r.ours_peak) / static_cast<double>(r.hs_peak);
    md << " | " << Fmt("%.3f", br) << mark(br <= 1.0 / 3) << " | " << Fmt("%.3f", mr)
       << mark(mr <= 0.25) << " | ";
    bool same = r.ours_count == r.hs_count && (!r.py.present || r.ours_py_count == r.py.count);
    md << (same ? "identical (" : "**MISMATCH** (") << r.ours_count << " / " << r.hs_count;
    if (r.py.present) md << "; slice " << r.ours_py_count << " / " << r.py.count;
    md << ") |\n";
  }
  md << "\nTargets missed in this run: " << missed << "\n";
  // Supplementary: throughput per CPU-second (thread or process time, medians of the same
  // rounds). On a shared machine the wall-clock figures above also measure the share of a core
  // each scan got; these measure only the work. The targets are judged on wall-clock.
  md << "\nPer CPU-second (same rounds; not used for the targets):\n\n"
     << "| dict | ours MB/CPU-s | Hyperscan MB/CPU-s | pyahocorasick MB/CPU-s | ours/HS | ours/py "
        "|\n"
     << "|---|---:|---:|---:|---:|---:|\n";
  for (const auto& r : rows) {
    md << "| " << r.name << " | " << Fmt("%.0f", r.ours_cpu) << " | " << Fmt("%.0f", r.hs_cpu)
       << " | " << (r.py.present ? Fmt("%.1f", r.py.cpu_mbps) : "-") << " | "
       << Fmt("%.2f", r.ours_cpu / r.hs_cpu) << " | "
       << (r.py.present && r.py.cpu_mbps > 0 ? Fmt("%.0f", r.ours_cpu / r.py.cpu_mbps) : "-")
       << " |\n";
  }
  std::cout << md.str();
  if (!markdown_path.empty()) std::ofstream(markdown_path) << md.str();
  if (mismatch) {
    std::cerr
        << "\n*** MATCH COUNTS DIFFER FROM THE REFERENCE: the results above are invalid ***\n";
    return 2;
  }
  return 0;
}
