// A compact, immutable multi-pattern matcher: Aho-Corasick over a double array, driven by code
// points rather than bytes.
//
// Layout (see docs/checks.md):
//   * every code point that occurs in some pattern gets a dense symbol id (1..A, most frequent
//     first); all other code points map to symbol 0, which sends the automaton back to the root.
//     The code point -> symbol map is a two-level page table (256 code points per page, pages
//     that hold no pattern character share one zero page) plus a 128-entry ASCII table.
//   * states are slots of a double array: the transition on symbol c from state s goes to
//     t = base[s] + c when check[t] == s. base and check sit side by side in one 8-byte cell, so a
//     transition costs one cache line. The top bit of base flags states that emit an output
//     (directly or through their dictionary-suffix chain), so the scan loop touches nothing but
//     the cell array until something matches.
//   * failure links and dictionary-suffix links live in a separate array used only on a miss or
//     a match.
//
// A Matcher is built once per dictionary version and never changes afterwards; every const
// method may be called from any number of threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gd::checks {

class Matcher {
 public:
  // A match of pattern `pattern` over [begin, end) of the scanned sequence (code-point indices
  // for code-point scans, byte offsets for ScanUtf8).
  struct Match {
    uint32_t pattern = 0;
    size_t begin = 0, end = 0;
    bool operator==(const Match&) const = default;
  };

  class Builder {
   public:
    // Adds a pattern and returns its id (0, 1, 2… in the order of calls). The same text may be
    // added more than once; each id is reported. An empty pattern is accepted but never matches.
    uint32_t Add(std::u32string_view pattern);
    // Adds a UTF-8 pattern (decoded as is, no normalisation).
    uint32_t AddUtf8(std::string_view pattern);
    size_t size() const { return patterns_.size(); }
    // Builds the automaton. The builder is left empty.
    std::shared_ptr<const Matcher> Build();

   private:
    std::vector<std::u32string> patterns_;
  };

  static constexpr uint32_t kRoot = 0;
  static constexpr char32_t kMalformed = 0x110000;

  // The symbol id of a code point; 0 when no pattern contains it.
  uint32_t Symbol(char32_t cp) const {
    if (cp < 128) return ascii_[cp];
    size_t page = cp >> 8;
    if (page >= page_index_.size()) return 0;
    return pages_[(static_cast<size_t>(page_index_[page]) << 8) | (cp & 0xFF)];
  }

  // One transition, following failure links on a miss.
  uint32_t Next(uint32_t state, uint32_t symbol) const {
    if (symbol == 0) return kRoot;
    for (;;) {
      uint32_t t = (cells_[state].base & kBaseMask) + symbol;
      if (cells_[t].check == state) return t;
      if (state == kRoot) return kRoot;
      state = links_[state].fail;
    }
  }

  // True if some pattern ends at `state` (itself or a proper suffix).
  bool HasOutput(uint32_t state) const { return (cells_[state].base & kOutputBit) != 0; }

  // Calls f(pattern_id) for every pattern ending at `state`, longest first.
  template <typename F>
  void ForEachOutput(uint32_t state, F&& f) const {
    uint32_t s = (out_begin_[state] != out_begin_[state + 1]) ? state : links_[state].dict;
    while (s != kRoot) {
      for (uint32_t i = out_begin_[s]; i < out_begin_[s + 1]; ++i) f(out_[i]);
      s = links_[s].dict;
    }
  }

  // All (overlapping) matches over a code-point sequence. f(pattern, begin, end).
  template <typename F>
  void ScanAll(std::u32string_view text, F&& f) const {
    uint32_t s = kRoot;
    for (size_t i = 0; i < text.size(); ++i) {
      s = Next(s, Symbol(text[i]));
      if (HasOutput(s)) {
        ForEachOutput(s, [&](uint32_t p) { f(p, i + 1 - cp_len_[p], i + 1); });
      }
    }
  }

  // All (overlapping) matches over UTF-8 bytes, reported as byte offsets. Malformed bytes act as
  // a character that occurs in no pattern. f(pattern, begin, end).
  template <typename F>
  void ScanUtf8(std::string_view text, F&& f) const {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const size_t n = text.size();
    uint32_t s = kRoot;
    size_t i = 0;
    while (i < n) {
      unsigned char c = p[i];
      uint32_t sym;
      if (c < 0x80) {
        // Runs of ASCII that no pattern uses are skipped without touching the automaton.
        if (s == kRoot && ascii_[c] == 0) {
          ++i;
          continue;
        }
        sym = ascii_[c];
        ++i;
      } else {
        char32_t cp;
        size_t len = DecodeLead(p, n, i, &cp);
        sym = Symbol(cp);
        i += len;
      }
      s = Next(s, sym);
      if (HasOutput(s)) {
        ForEachOutput(s, [&](uint32_t pat) { f(pat, i - byte_len_[pat], i); });
      }
    }
  }

  std::vector<Match> FindAll(std::u32string_view text) const;
  std::vector<Match> FindAllUtf8(std::string_view text) const;
  // Non-overlapping matches, each the leftmost and, among those starting there, the longest.
  std::vector<Match> FindLeftmostLongest(std::u32string_view text) const;
  // Selects leftmost-longest non-overlapping matches from any set of matches.
  static std::vector<Match> SelectLeftmostLongest(std::vector<Match> all);

  size_t pattern_count() const { return cp_len_.size(); }
  size_t pattern_length(uint32_t id) const { return cp_len_[id]; }
  size_t state_count() const { return states_; }
  size_t alphabet_size() const { return alphabet_; }
  // Heap bytes held by the automaton.
  size_t MemoryBytes() const;

 private:
  static constexpr uint32_t kOutputBit = 0x80000000u;
  static constexpr uint32_t kBaseMask = 0x7FFFFFFFu;
  static constexpr uint32_t kFree = 0xFFFFFFFFu;

  struct Cell {
    uint32_t base = 0;       // low 31 bits: base; top bit: output flag
    uint32_t check = kFree;  // parent state, or kFree
  };
  struct Links {
    uint32_t fail = 0;
    uint32_t dict = 0;  // nearest proper suffix state with an output; kRoot if none
  };

  // Decodes a multi-byte UTF-8 sequence at p[i] (p[i] >= 0x80). A malformed byte yields
  // kMalformed (outside Unicode, so symbol 0) and length 1.
  static size_t DecodeLead(const unsigned char* p, size_t n, size_t i, char32_t* cp) {
    unsigned char c = p[i];
    if (c >= 0xC2 && c <= 0xDF && i + 1 < n && (p[i + 1] & 0xC0) == 0x80) {
      *cp = ((c & 0x1Fu) << 6) | (p[i + 1] & 0x3Fu);
      return 2;
    }
    if (c >= 0xE0 && c <= 0xEF && i + 2 < n && (p[i + 1] & 0xC0) == 0x80 &&
        (p[i + 2] & 0xC0) == 0x80) {
      char32_t v = ((c & 0x0Fu) << 12) | ((p[i + 1] & 0x3Fu) << 6) | (p[i + 2] & 0x3Fu);
      if (v >= 0x800 && (v < 0xD800 || v > 0xDFFF)) {
        *cp = v;
        return 3;
      }
    }
    if (c >= 0xF0 && c <= 0xF4 && i + 3 < n && (p[i + 1] & 0xC0) == 0x80 &&
        (p[i + 2] & 0xC0) == 0x80 && (p[i + 3] & 0xC0) == 0x80) {
      char32_t v = ((c & 0x07u) << 18) | ((p[i + 1] & 0x3Fu) << 12) | ((p[i + 2] & 0x3Fu) << 6) |
                   (p[i + 3] & 0x3Fu);
      if (v >= 0x10000 && v <= 0x10FFFF) {
        *cp = v;
        return 4;
      }
    }
    *cp = kMalformed;
    return 1;
  }

  uint32_t ascii_[128] = {};
  std::vector<uint32_t> page_index_;  // code point >> 8 -> page number (0 = the zero page)
  std::vector<uint32_t> pages_;       // 256 symbols per page
  std::vector<Cell> cells_;
  std::vector<Links> links_;
  std::vector<uint32_t> out_begin_;  // CSR: patterns ending exactly at state s
  std::vector<uint32_t> out_;
  std::vector<uint32_t> cp_len_;    // per pattern, in code points
  std::vector<uint32_t> byte_len_;  // per pattern, in UTF-8 bytes
  size_t states_ = 0;
  size_t alphabet_ = 0;
};

}  // namespace gd::checks
