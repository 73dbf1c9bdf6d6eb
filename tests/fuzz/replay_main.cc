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
#include <fstream>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv);
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// Seed bodies of each shape the API takes, one per line of tests/fuzz/router_seed_bodies.txt
// (the last line is the empty body); scripts/fuzz.sh seeds the coverage-guided run from the same
// file. The fuzz inputs put 4 selector bytes before them (route, signed-in user, path ids, query:
// tests/fuzz/router_fuzz.cc).
std::vector<std::string> SeedBodies() {
  std::ifstream in(std::string(GD_SOURCE_DIR) + "/tests/fuzz/router_seed_bodies.txt",
                   std::ios::binary);
  std::vector<std::string> bodies;
  for (std::string line; std::getline(in, line);) bodies.push_back(line);
  if (bodies.empty()) {
    std::fprintf(stderr, "router fuzz replay: tests/fuzz/router_seed_bodies.txt not readable\n");
    std::exit(2);
  }
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

  const std::vector<std::string> bodies = SeedBodies();
  std::vector<std::string> seeds;
  for (int route = 0; route < 256; route += 3)
    for (size_t b = 0; b < bodies.size(); ++b) {
      std::string in = {static_cast<char>(route), static_cast<char>(b % 10), static_cast<char>(b),
                        static_cast<char>(b)};
      seeds.push_back(in + bodies[b]);
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
