// A standalone driver for a libFuzzer target, for builds without clang's libFuzzer (the normal
// and the ASan+UBSan builds of the test command): runs the target's seed inputs, then random
// mutations of them (byte flips, insertions, deletions, JSON tokens spliced in) from a fixed
// random seed, until a count or a time budget is spent. Not coverage-guided: the coverage-guided
// run is the same target built with GD_FUZZ=ON (clang). A broken invariant aborts, as under
// libFuzzer.
//
//   router_fuzz_replay [iterations] [seconds]     (defaults 3000 and 60)
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv);
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// Seed bodies of each shape the API takes; the fuzz inputs put 4 selector bytes before them
// (route, signed-in user, path ids, query: tests/fuzz/router_fuzz.cc).
const std::vector<std::string>& SeedBodies() {
  static const std::vector<std::string> bodies = {
      "{}",
      R"({"category":"work_news","title":"标题","body":"正文","summary":"摘要","column":"工作动态",)"
      R"("media":[{"media_id":1,"role":"cover"}],"channels":[{"account_id":1,"options":)"
      R"({"digest":"摘要","topics":["话题"]}}],"scheduled_at":"2026-11-29T09:30:00+08:00",)"
      R"("urgent":false,"out_of_scope":true})",
      R"({"proofread":true,"at":"2026-11-29T09:30:00+08:00"})",
      R"({"decision":"approve","step":0,"version_hash":"00","comment":"同意",)"
      R"("checklist":{"secrets":true,"compliance":true},)"
      R"("acknowledged_warnings":[{"finding_id":"pii:1","reason":"已核实"}]})",
      R"({"reason":"信息有误","account_ids":[1,2]})",
      R"({"remote_url":"https://example.gov.cn/a","remote_id":"1","withdrawn":false})",
      R"({"kind":"wechat_mp","name":"公众号","unit_id":1,"base_url":"https://api.weixin.qq.com",)"
      R"("settings":{"app_id":"x","publish_mode":"publish"},"secrets":{"app_secret":"s"}})",
      R"({"name":"单位","kind":"town"})",
      R"({"old_password":"a","new_password":"b"})",
      R"({"unit_id":1,"month":"2026-10"})",
      "[",
      "",
  };
  return bodies;
}

const std::vector<std::string>& Tokens() {
  static const std::vector<std::string> tokens = {"{",
                                                  "}",
                                                  "[",
                                                  "]",
                                                  "\"",
                                                  ":",
                                                  ",",
                                                  "null",
                                                  "true",
                                                  "-1",
                                                  "0",
                                                  "1e999",
                                                  "9007199254740993",
                                                  "\"\\u0000\"",
                                                  "\xff",
                                                  "\xe4\xb8",
                                                  "{\"a\":[[[[[[[[",
                                                  "\"step\":",
                                                  "\"id\":",
                                                  "1.5"};
  return tokens;
}

std::string Mutate(std::string s, std::mt19937& rng) {
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < edits; ++i) {
    const size_t at = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 5) {
      case 0:  // flip a byte of the body or of the selectors
        if (!s.empty()) s[rng() % s.size()] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 1:  // insert a random byte
        s.insert(at, 1, static_cast<char>(rng() % 256));
        break;
      case 2:  // delete a run
        if (at < s.size()) s.erase(at, 1 + rng() % 8);
        break;
      case 3:  // splice a JSON token in
        s.insert(at, Tokens()[rng() % Tokens().size()]);
        break;
      default:  // new selectors: another route, user, id or query
        if (s.size() >= 4) s[rng() % 4] = static_cast<char>(rng() % 256);
        break;
    }
  }
  return s;
}

void Run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

}  // namespace

int main(int argc, char** argv) {
  const long iterations = argc > 1 ? std::atol(argv[1]) : 3000;
  const long seconds = argc > 2 ? std::atol(argv[2]) : 60;
  LLVMFuzzerInitialize(&argc, &argv);

  std::vector<std::string> seeds;
  for (int route = 0; route < 256; route += 3)
    for (size_t b = 0; b < SeedBodies().size(); ++b) {
      std::string in = {static_cast<char>(route), static_cast<char>(b % 10), static_cast<char>(b),
                        static_cast<char>(b)};
      seeds.push_back(in + SeedBodies()[b]);
    }
  for (const auto& s : seeds) Run(s);

  std::mt19937 rng(20261207);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  long done = 0;
  for (; done < iterations && std::chrono::steady_clock::now() < deadline; ++done)
    Run(Mutate(seeds[rng() % seeds.size()], rng));
  std::printf("router fuzz replay: %zu seeds and %ld mutated inputs, no invariant broken\n",
              seeds.size(), done);
  return 0;
}
