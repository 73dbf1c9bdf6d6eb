// libFuzzer target over the matcher and the Markdown walker / check engine.
//
// Input layout: up to the first "\n\n" is a dictionary (one pattern per line, at most 64);
// the rest is text. Checks:
//   * the automaton's all-matches output over UTF-8 equals a naive search for every pattern;
//   * the engine, run on the whole input as a Markdown body and as a title, returns findings
//     whose offsets lie inside the field, on code-point boundaries, with text == field[start,end),
//     sorted by start.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "dispatcher/checks/engine.h"
#include "dispatcher/checks/markdown_walker.h"
#include "dispatcher/checks/matcher.h"
#include "dispatcher/core/utf8.h"

namespace {

std::shared_ptr<const gd::checks::CheckEngine> g_engine;

void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "invariant failed: %s\n", what);
    abort();
  }
}

void CheckFindings(const std::vector<gd::checks::Finding>& fs, std::string_view field,
                   const char* name) {
  size_t last = 0;
  for (const auto& f : fs) {
    if (f.field != name) continue;
    Check(f.start <= f.end && f.end <= field.size(), "offsets inside the field");
    Check(f.text == field.substr(f.start, f.end - f.start), "text is the span");
    Check(f.start >= last, "sorted by start");
    last = f.start;
    Check(f.char_start == gd::CodePointCount(field.substr(0, f.start)), "char_start");
    Check(f.char_end == gd::CodePointCount(field.substr(0, f.end)), "char_end");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* env = std::getenv("GD_SOURCE_DIR");
  std::string dir = std::string(env && *env ? env : GD_SOURCE_DIR) + "/policies/checks";
  auto e = gd::checks::CheckEngine::Load(dir);
  if (!e.ok()) {
    fprintf(stderr, "cannot load policies: %s\n", e.status().message().c_str());
    abort();
  }
  g_engine = *e;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find("\n\n");
  std::string_view dict =
      split == std::string_view::npos ? std::string_view() : input.substr(0, split);
  std::string_view text = split == std::string_view::npos ? input : input.substr(split + 2);

  // 1. Matcher against a naive search.
  std::vector<std::string> patterns;
  for (size_t pos = 0; pos <= dict.size() && patterns.size() < 64 && !dict.empty();) {
    size_t nl = dict.find('\n', pos);
    std::string_view p =
        dict.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (!p.empty() && gd::IsValidUtf8(p)) patterns.emplace_back(p);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  gd::checks::Matcher::Builder b;
  for (const auto& p : patterns) b.AddUtf8(p);
  auto m = b.Build();
  std::set<std::tuple<size_t, size_t, uint32_t>> got, want;
  for (const auto& x : m->FindAllUtf8(text)) got.insert({x.begin, x.end, x.pattern});
  for (uint32_t id = 0; id < patterns.size(); ++id)
    for (size_t at = text.find(patterns[id]); at != std::string_view::npos;
         at = text.find(patterns[id], at + 1))
      want.insert({at, at + patterns[id].size(), id});
  Check(got == want, "matcher equals naive search");
  auto ll = gd::checks::Matcher::SelectLeftmostLongest(m->FindAllUtf8(text));
  for (size_t i = 1; i < ll.size(); ++i) Check(ll[i].begin >= ll[i - 1].end, "non-overlapping");

  // 2. Markdown walker and every rule family.
  gd::checks::ProseText prose = gd::checks::WalkMarkdown(input);
  for (const auto& p : prose.pieces) Check(p.begin <= p.end && p.end <= input.size(), "piece");
  for (const auto& l : prose.links)
    Check(l.begin <= l.end && l.end <= input.size(), "link inside the body");
  gd::checks::CheckInput in;
  in.category = gd::Category::kReposted;
  in.body = input;
  in.title = text.substr(0, 200);
  auto findings = g_engine->Run(in);
  CheckFindings(findings, in.body, "body");
  CheckFindings(findings, in.title, "title");
  return 0;
}
