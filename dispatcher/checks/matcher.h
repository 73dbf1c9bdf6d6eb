// A compact, immutable multi-pattern matcher: Aho-Corasick over a double array, driven by code
// points rather than bytes.
//
// Layout (see docs/checks.md):
//   * every code point that occurs in some pattern gets a dense symbol id (1..A, most frequent
//     first); all other code points map to symbol 0, which sends the automaton back to the root.
//     The code point -> symbol map is a two-level page table (256 code points per page, pages
//     that hold no pattern character share one zero page) plus a 128-entry ASCII table.
//   * states are slots of a double array: the transition on symbol c from state s goes to
//     t = base[s] + c when check[t] == s. base, check, the failure link and the start of the
//     state's output run sit together in one 16-byte cell, so a transition, a miss and a match
//     each touch one cache line per state; outputs of the dictionary-suffix chain are
//     flattened into each state's run. Flag bits in base mark states that emit an output (directly
//     or through their dictionary-suffix chain) and "shallow" states (the root, depth-1 states
//     without output) after which the scan falls back to its prefilter.
//   * a bigram filter (hashed bit set of every pattern's first two symbols) lets the scan skip
//     text at the root without touching the automaton.
//
// A Matcher is built once per dictionary version and never changes afterwards; every const
// method may be called from any number of threads at once.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

// The scan loops are templates over small lambdas; the compiler must not leave the per-character
// decode or the prefilter as a call (GCC at -O2 left the UTF-8 decoder out of line, which cost a
// fifth of a dense scan).
#if defined(__GNUC__) || defined(__clang__)
#define GD_CHECKS_INLINE __attribute__((always_inline))
#else
#define GD_CHECKS_INLINE
#endif

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
    struct Steps;  // the build's state and its steps, in matcher.cc
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
      const Cell& c = cells_[state];
      uint32_t t = (c.base & kBaseMask) + symbol;
      if (cells_[t].check == state) return t;
      if (state == kRoot) return kRoot;
      state = c.fail;
    }
  }

  // True if some pattern ends at `state` (itself or a proper suffix).
  bool HasOutput(uint32_t state) const { return (cells_[state].base & kOutputBit) != 0; }

  // Calls f(pattern_id) for every pattern ending at `state`, longest first.
  template <typename F>
  void ForEachOutput(uint32_t state, F&& f) const {
    if (!HasOutput(state)) return;
    for (uint32_t i = cells_[state].out;; ++i) {
      uint32_t v = out_[i];
      f(v & ~kLastOutput);
      if (v & kLastOutput) break;
    }
  }

  // All (overlapping) matches over a code-point sequence. f(pattern, begin, end).
  template <typename F>
  void ScanAll(std::u32string_view text, F&& f) const {
    const char32_t* t = text.data();
    const size_t n = text.size();
    const Hot h = hot();
    auto decode = [&](size_t i) GD_CHECKS_INLINE { return Step{h.Symbol(t[i]), 1}; };
    auto skip = [&](size_t i) GD_CHECKS_INLINE { return SkipBigrams(h, i, n, decode); };
    Scan(h, n, decode, skip, cp_len_.data(), f);
  }

  // All (overlapping) matches over UTF-8 bytes, reported as byte offsets. Malformed bytes act as
  // a character that occurs in no pattern. f(pattern, begin, end).
  template <typename F>
  void ScanUtf8(std::string_view text, F&& f) const {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const size_t n = text.size();
    const Hot h = hot();
    auto decode = [&](size_t i) GD_CHECKS_INLINE {
      unsigned char c = p[i];
      if (c < 0x80) return Step{h.ascii[c], 1};
      if ((c & 0xF0) == 0xE0 && i + 2 < n) {
        // Three bytes: all of CJK. Checked inline; anything else takes DecodeLead.
        unsigned b1 = p[i + 1], b2 = p[i + 2];
        uint32_t cp = ((c & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
        bool ok = ((b1 & 0xC0) == 0x80) & ((b2 & 0xC0) == 0x80) & (cp >= 0x800) &
                  ((cp & 0xF800) != 0xD800);
        if (ok)
          return Step{h.pages[(static_cast<size_t>(h.page_index[cp >> 8]) << 8) | (cp & 0xFF)], 3};
      }
      char32_t cp;
      uint32_t len = DecodeLead(p, n, i, &cp);
      return Step{h.Symbol(cp), len};
    };
    if (key_len_ != 0) {
      auto skip = [&](size_t i) GD_CHECKS_INLINE { return SkipKeys(h, i, p, n); };
      Scan(h, n, decode, skip, byte_len_.data(), f);
    } else {
      auto skip = [&](size_t i) GD_CHECKS_INLINE { return SkipBigrams(h, i, n, decode); };
      Scan(h, n, decode, skip, byte_len_.data(), f);
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
  // The byte-key prefilter of ScanUtf8: how many leading bytes of every pattern it hashes
  // (4..8), or 0 when some pattern is shorter than 4 bytes and ScanUtf8 filters by bigrams.
  size_t byte_key_length() const { return key_len_; }
  // Heap bytes held by the automaton.
  size_t MemoryBytes() const;

 private:
  static constexpr uint32_t kOutputBit = 0x80000000u;   // some pattern ends here (or at a suffix)
  static constexpr uint32_t kShallowBit = 0x40000000u;  // root, or depth 1 without an output
  static constexpr uint32_t kBaseMask = 0x3FFFFFFFu;
  static constexpr uint32_t kFree = 0xFFFFFFFFu;
  static constexpr uint32_t kLastOutput = 0x80000000u;
  static constexpr size_t kStay = 48;  // text units the automaton keeps running in dense text
  // ... doubled for every further dense entry in a row, up to 8 times as long
  static constexpr unsigned kStayDoublings = 4;

  // One 16-byte cell per slot: a transition reads base and check, a miss reads fail from the
  // same line, a match reads out.
  struct Cell {
    uint32_t base = 0;       // low 30 bits: base; kOutputBit, kShallowBit
    uint32_t check = kFree;  // parent state, or kFree
    uint32_t fail = 0;
    uint32_t out = 0;  // with kOutputBit: first entry in out_
  };
  struct Step {
    uint32_t sym, len;
  };

  // The arrays a scan reads, copied into locals once per scan: the callback writes memory, and
  // through members the compiler would reload every pointer after each call.
  struct Hot {
    const Cell* cells;
    const uint32_t* out;
    const uint32_t* ascii;
    const uint32_t* page_index;
    const uint32_t* pages;
    const uint64_t* bigrams;
    const uint64_t* single;
    const uint64_t* keys;
    size_t page_count;
    uint64_t key_mask;
    uint32_t bigram_shift, key_shift, key_len;
    bool has_single;

    uint32_t Symbol(char32_t cp) const {
      if (cp < 128) return ascii[cp];
      size_t page = cp >> 8;
      if (page >= page_count) return 0;
      return pages[(static_cast<size_t>(page_index[page]) << 8) | (cp & 0xFF)];
    }
    // One transition, following failure links on a miss. Symbol 0 (a character in no pattern)
    // needs no branch: from the root (base 0) it leads to slot 0, the root itself.
    uint32_t Next(uint32_t state, uint32_t symbol) const {
      state &= 0u - static_cast<uint32_t>(symbol != 0);
      for (;;) {
        const Cell& c = cells[state];
        uint32_t t = (c.base & kBaseMask) + symbol;
        if (cells[t].check == state) return t;
        if (state == kRoot) return kRoot;
        state = c.fail;
      }
    }
    // True unless no pattern starts with the symbols (a, b): a one-sided hashed bigram filter.
    bool MaybeBigram(uint32_t a, uint32_t b) const {
      uint64_t h = ((static_cast<uint64_t>(a) << 32) | b) * 0x9E3779B97F4A7C15ull;
      uint64_t bit = h >> bigram_shift;
      return (bigrams[bit >> 6] >> (bit & 63)) & 1;
    }
    bool IsSingle(uint32_t sym) const { return (single[sym >> 6] >> (sym & 63)) & 1; }
    // True unless no pattern starts with the first key_len bytes of w (in memory order).
    bool MaybeKey(uint64_t w) const {
      uint64_t bit = ((w & key_mask) * 0x9E3779B97F4A7C15ull) >> key_shift;
      return (keys[bit >> 6] >> (bit & 63)) & 1;
    }
  };
  Hot hot() const {
    return Hot{cells_.data(),   out_.data(),    ascii_,       page_index_.data(), pages_.data(),
               bigrams_.data(), single_.data(), keys_.data(), page_index_.size(), key_mask_,
               bigram_shift_,   key_shift_,     key_len_,     has_single_};
  }

  // The scan shared by ScanAll and ScanUtf8. decode(i) gives the symbol and the length of the
  // character at position i (< n); lens[p] is the length of pattern p in the same units.
  //
  // Two loops. At the root, a prefilter walks the text without touching the automaton: from the
  // root, character a followed by b leads back to the root (with no output) unless a is a
  // one-character pattern or some pattern starts with ab, which the bigram filter rules out
  // for most positions. Once the filter passes, the automaton runs until it is back at the root
  // or at a depth-1 state without output, which behaves exactly like the root one character
  // earlier; the prefilter then takes over again from that character.
  template <typename Decode, typename Skip, typename F>
  void Scan(const Hot& h, size_t n, Decode& decode, Skip& skip, const uint32_t* lens, F& f) const {
    size_t i = 0;
    unsigned dense = 0;  // consecutive entries where the prefilter skipped nothing
    for (;;) {
      const size_t from = i;
      i = skip(i);
      if (i >= n) return;
      // Dense text (the prefilter skipped nothing): stay in the automaton for a while rather
      // than bouncing between the two loops at every word; the longer, the more often that
      // happened in a row.
      dense = i == from ? std::min(dense + 1, kStayDoublings) : 0;
      const size_t stay_until = dense ? i + (kStay << (dense - 1)) : 0;
      const size_t entry = i;
      uint32_t s = kRoot;
      for (;;) {
        const size_t at = i;
        const Step c = decode(i);
        i += c.len;
        s = h.Next(s, c.sym);
        const Cell& cell = h.cells[s];
        if (cell.base & kOutputBit) {
          for (uint32_t r = cell.out;; ++r) {
            const uint32_t v = h.out[r];
            const uint32_t pat = v & ~kLastOutput;
            f(pat, i - lens[pat], i);
            if (v & kLastOutput) break;
          }
        } else if ((cell.base & kShallowBit) && at >= stay_until) {
          if (s == kRoot) break;
          if (at > entry) {
            i = at;
            break;
          }
        }
        if (i >= n) return;
      }
    }
  }

  // Prefilter over characters: the first position >= i where, from the root, the character
  // could start a match (a one-character pattern, or a pattern starting with it and the next
  // character by the bigram filter); n if none.
  template <typename Decode>
  GD_CHECKS_INLINE static size_t SkipBigrams(const Hot& h, size_t i, size_t n, Decode& decode) {
    if (i >= n) return n;
    Step a = decode(i);
    for (;;) {
      if (a.sym != 0) {
        if (h.has_single && h.IsSingle(a.sym)) return i;
        size_t j = i + a.len;
        if (j >= n) return n;
        Step b = decode(j);
        if (b.sym != 0 && h.MaybeBigram(a.sym, b.sym)) return i;
        i = j;
        a = b;
        continue;
      }
      i += a.len;
      if (i >= n) return n;
      a = decode(i);
    }
  }

  // Prefilter over bytes, used when every pattern is at least key_len_ (4..8) bytes long: the
  // first character start >= i whose next key_len_ bytes may begin a pattern (a hashed bit set
  // of every pattern's first key_len_ bytes); n if none. No match starts anywhere in between,
  // so the automaton may start from the root there. Positions are independent of each other,
  // so the loop runs at the machine's load throughput rather than at one dependent automaton
  // step per character.
  GD_CHECKS_INLINE static size_t SkipKeys(const Hot& h, size_t i, const unsigned char* p,
                                          size_t n) {
    uint64_t w[4];
    while (i + 11 <= n) {
      std::memcpy(w, p + i, 8);
      std::memcpy(w + 1, p + i + 1, 8);
      std::memcpy(w + 2, p + i + 2, 8);
      std::memcpy(w + 3, p + i + 3, 8);
      if (h.MaybeKey(w[0]) | h.MaybeKey(w[1]) | h.MaybeKey(w[2]) | h.MaybeKey(w[3])) {
        for (size_t k = 0; k < 4; ++k)
          if (h.MaybeKey(w[k]) && (p[i + k] & 0xC0) != 0x80) return i + k;
      }
      i += 4;
    }
    // The tail: too short for a wide load; every character start that leaves room for a
    // pattern is a candidate.
    for (; i + h.key_len <= n; ++i)
      if ((p[i] & 0xC0) != 0x80) return i;
    return n;
  }

  // Decodes a multi-byte UTF-8 sequence at p[i] (p[i] >= 0x80). A malformed byte yields
  // kMalformed (outside Unicode, so symbol 0) and length 1.
  static uint32_t DecodeLead(const unsigned char* p, size_t n, size_t i, char32_t* cp) {
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
  std::vector<uint32_t> page_index_;  // code point >> 8 -> page number (0 = the zero page);
                                      // covers at least the BMP
  std::vector<uint32_t> pages_;       // 256 symbols per page
  std::vector<Cell> cells_;
  std::vector<uint64_t> bigrams_;  // bigram filter, 2^(64 - bigram_shift_) bits
  std::vector<uint64_t> single_;   // per symbol: a one-character pattern
  uint32_t bigram_shift_ = 63;
  std::vector<uint64_t> keys_;  // byte-key filter, 2^(64 - key_shift_) bits
  uint64_t key_mask_ = 0;       // selects the first key_len_ bytes of an 8-byte load
  uint32_t key_shift_ = 63;
  uint32_t key_len_ = 0;  // 0: some pattern is shorter than 4 bytes; ScanUtf8 uses bigrams
  bool has_single_ = false;
  // Per output state, a run of pattern ids (its own, then its dictionary-suffix chain's, longest
  // first); kLastOutput marks the end of a run.
  std::vector<uint32_t> out_;
  std::vector<uint32_t> cp_len_;    // per pattern, in code points
  std::vector<uint32_t> byte_len_;  // per pattern, in UTF-8 bytes
  size_t states_ = 0;
  size_t alphabet_ = 0;
};

}  // namespace gd::checks
