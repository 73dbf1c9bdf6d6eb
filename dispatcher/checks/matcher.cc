#include "dispatcher/checks/matcher.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <unordered_map>

#include "dispatcher/core/utf8.h"

namespace gd::checks {

uint32_t Matcher::Builder::Add(std::u32string_view pattern) {
  patterns_.emplace_back(pattern);
  return static_cast<uint32_t>(patterns_.size() - 1);
}

uint32_t Matcher::Builder::AddUtf8(std::string_view pattern) {
  std::u32string cps;
  size_t pos = 0;
  while (pos < pattern.size()) cps.push_back(gd::DecodeUtf8(pattern, &pos));
  return Add(cps);
}

namespace {

size_t Utf8Length(std::u32string_view s) {
  size_t n = 0;
  for (char32_t c : s) n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  return n;
}

// Finds the smallest free slot >= p (union-find over occupied slots with path halving).
struct FreeSlots {
  std::vector<uint32_t> next;  // next[i] == i: free
  uint32_t Find(uint32_t p) {
    Grow(p + 1);
    while (next[p] != p) {
      next[p] = next[next[p]];
      p = next[p];
    }
    return p;
  }
  void Occupy(uint32_t p) {
    Grow(p + 2);
    next[p] = p + 1;
  }
  void Grow(size_t n) {
    if (next.size() >= n) return;
    size_t old = next.size();
    next.resize(std::max(n, old * 2));
    std::iota(next.begin() + static_cast<std::ptrdiff_t>(old), next.end(),
              static_cast<uint32_t>(old));
  }
};

// A node's children go to the first base where they all fit. Candidate positions for the first
// child are the free slots; a free slot that has been rejected as a candidate kMaxRejects times
// stops being a candidate (it can still take any other child). This bounds the work per slot,
// so the build stays near-linear however crowded the front of the array gets, at the cost of a
// few holes.
constexpr uint8_t kMaxRejects = 8;

}  // namespace

// The automaton under construction and the build-only data each step hands to the next. Every
// step releases what no later step needs, so that the build's peak memory stays low.
struct Matcher::Builder::Steps {
  Matcher* m = nullptr;
  std::vector<std::u32string> patterns;
  uint32_t alphabet = 0;
  // Trie with edges in a hash map; node 0 is the root.
  std::unordered_map<uint64_t, uint32_t> edges;
  std::vector<uint32_t> node_pattern_count;
  std::vector<uint32_t> pattern_node;  // pattern id -> trie node, kFree if unusable
  uint32_t nodes = 1;
  // Children lists sorted by symbol: children[child_begin[n], child_begin[n + 1]).
  std::vector<uint32_t> child_begin;
  std::vector<std::pair<uint32_t, uint32_t>> children;  // (symbol, node)
  // Double array placement.
  std::vector<uint32_t> slot_of;  // node -> state id
  std::vector<uint32_t> bfs_order;
  size_t size = 0;  // cells
  // Patterns ending exactly at each state (CSR by slot), and dictionary-suffix links.
  std::vector<uint32_t> own_begin, own, dict;

  void BuildAlphabet();
  void SizeFilters();
  void AddToFilters(const std::vector<uint32_t>& syms);
  void BuildTrie();
  void BuildKeyFilter();
  void SortChildren();
  uint32_t FindBase(uint32_t node, FreeSlots& free, FreeSlots& candidates,
                    std::vector<uint8_t>& rejects) const;
  void PlaceDoubleArray();
  void CollectOwnPatterns();
  bool OwnOutput(uint32_t s) const { return own_begin[s] != own_begin[s + 1]; }
  void LinkFailures();
  void FlattenOutputs();
};

// 1. Alphabet: code points in descending frequency get symbols 1..A.
void Matcher::Builder::Steps::BuildAlphabet() {
  std::unordered_map<char32_t, uint64_t> freq;
  for (const auto& p : patterns)
    for (char32_t c : p) {
      if (c >= kMalformed) continue;
      ++freq[c];
    }
  std::vector<std::pair<char32_t, uint64_t>> order(freq.begin(), freq.end());
  freq.clear();
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  m->page_index_.assign(256, 0);  // the BMP, so that ScanUtf8 indexes it without a check
  m->pages_.assign(256, 0);       // page 0: the zero page
  for (size_t i = 0; i < order.size(); ++i) {
    char32_t c = order[i].first;
    uint32_t sym = static_cast<uint32_t>(i + 1);
    if (c < 128) m->ascii_[c] = sym;
    size_t page = c >> 8;
    if (page >= m->page_index_.size()) m->page_index_.resize(page + 1, 0);
    if (m->page_index_[page] == 0) {
      m->page_index_[page] = static_cast<uint32_t>(m->pages_.size() / 256);
      m->pages_.resize(m->pages_.size() + 256, 0);
    }
    m->pages_[(static_cast<size_t>(m->page_index_[page]) << 8) | (c & 0xFF)] = sym;
  }
  alphabet = static_cast<uint32_t>(order.size());
  m->alphabet_ = alphabet;
}

// Sizes the bigram filter (16 bits per pattern of two or more characters) and the
// one-character pattern set.
void Matcher::Builder::Steps::SizeFilters() {
  size_t long_patterns = 0;
  for (const auto& p : patterns) long_patterns += p.size() >= 2;
  size_t filter_bits = 1u << 12;
  while (filter_bits < 16 * long_patterns && filter_bits < (size_t{1} << 23)) filter_bits <<= 1;
  m->bigrams_.assign(filter_bits / 64, 0);
  m->bigram_shift_ = static_cast<uint32_t>(64 - std::countr_zero(filter_bits));
  m->single_.assign(alphabet / 64 + 1, 0);
}

void Matcher::Builder::Steps::AddToFilters(const std::vector<uint32_t>& syms) {
  if (syms.size() == 1) {
    m->single_[syms[0] >> 6] |= uint64_t{1} << (syms[0] & 63);
    m->has_single_ = true;
  } else {
    uint64_t h = ((static_cast<uint64_t>(syms[0]) << 32) | syms[1]) * 0x9E3779B97F4A7C15ull;
    uint64_t bit = h >> m->bigram_shift_;
    m->bigrams_[bit >> 6] |= uint64_t{1} << (bit & 63);
  }
}

// 2. The trie, with the bigram filter and one-character patterns on the way.
void Matcher::Builder::Steps::BuildTrie() {
  SizeFilters();
  edges.reserve(patterns.size() * 4);
  node_pattern_count.assign(1, 0);
  pattern_node.assign(patterns.size(), kFree);
  m->cp_len_.resize(patterns.size());
  m->byte_len_.resize(patterns.size());
  std::vector<uint32_t> syms;
  for (size_t id = 0; id < patterns.size(); ++id) {
    const auto& p = patterns[id];
    m->cp_len_[id] = static_cast<uint32_t>(p.size());
    m->byte_len_[id] = static_cast<uint32_t>(Utf8Length(p));
    bool usable = !p.empty();
    for (char32_t c : p) usable = usable && c < kMalformed;
    if (!usable) continue;
    syms.clear();
    for (char32_t c : p) syms.push_back(m->Symbol(c));
    AddToFilters(syms);
    uint32_t node = 0;
    for (uint32_t sym : syms) {
      uint64_t key = (static_cast<uint64_t>(node) << 32) | sym;
      auto [it, inserted] = edges.try_emplace(key, nodes);
      if (inserted) {
        ++nodes;
        node_pattern_count.push_back(0);
      }
      node = it->second;
    }
    pattern_node[id] = node;
    ++node_pattern_count[node];
  }
}

// Byte-key filter for ScanUtf8: the first key_len_ bytes of every pattern, if all have 4.
void Matcher::Builder::Steps::BuildKeyFilter() {
  size_t min_bytes = SIZE_MAX, usable_patterns = 0;
  for (size_t id = 0; id < patterns.size(); ++id)
    if (pattern_node[id] != kFree) {
      min_bytes = std::min<size_t>(min_bytes, m->byte_len_[id]);
      ++usable_patterns;
    }
  if (usable_patterns == 0 || min_bytes < 4) return;
  m->key_len_ = static_cast<uint32_t>(std::min<size_t>(min_bytes, 8));
  unsigned char ones[8] = {};
  std::memset(ones, 0xFF, m->key_len_);
  std::memcpy(&m->key_mask_, ones, 8);
  // 64 bits per pattern, at most 1 MiB; but at least 32 KiB (an L1 data cache), where a
  // small dictionary's false positives cost more than the extra bits.
  size_t bits = size_t{1} << 18;
  while (bits < 64 * usable_patterns && bits < (size_t{1} << 23)) bits <<= 1;
  m->keys_.assign(bits / 64, 0);
  m->key_shift_ = static_cast<uint32_t>(64 - std::countr_zero(bits));
  std::string utf8;
  for (size_t id = 0; id < patterns.size(); ++id) {
    if (pattern_node[id] == kFree) continue;
    utf8.clear();
    for (char32_t c : patterns[id]) gd::AppendUtf8(&utf8, c);
    uint64_t w = 0;
    std::memcpy(&w, utf8.data(), m->key_len_);
    uint64_t bit = ((w & m->key_mask_) * 0x9E3779B97F4A7C15ull) >> m->key_shift_;
    m->keys_[bit >> 6] |= uint64_t{1} << (bit & 63);
  }
}

// Children lists sorted by symbol; releases the edge map.
void Matcher::Builder::Steps::SortChildren() {
  child_begin.assign(nodes + 1, 0);
  for (const auto& [key, child] : edges) ++child_begin[(key >> 32) + 1];
  for (uint32_t i = 0; i < nodes; ++i) child_begin[i + 1] += child_begin[i];
  children.resize(edges.size());
  std::vector<uint32_t> fill(child_begin.begin(), child_begin.end() - 1);
  for (const auto& [key, child] : edges)
    children[fill[key >> 32]++] = {static_cast<uint32_t>(key & 0xFFFFFFFFu), child};
  std::unordered_map<uint64_t, uint32_t>().swap(edges);
  for (uint32_t i = 0; i < nodes; ++i)
    std::sort(children.begin() + child_begin[i], children.begin() + child_begin[i + 1]);
}

// The first base where every child of node fits (see kMaxRejects).
uint32_t Matcher::Builder::Steps::FindBase(uint32_t node, FreeSlots& free, FreeSlots& candidates,
                                           std::vector<uint8_t>& rejects) const {
  uint32_t cb = child_begin[node], ce = child_begin[node + 1];
  uint32_t first = children[cb].first;
  // The root's base is 0: its children sit at their symbols, and symbol 0 (a character in no
  // pattern) leads from the root to slot 0, the root itself, so a scan needs no branch for it.
  uint32_t base = 0;
  for (uint32_t pos = candidates.Find(first + 1); node != 0; pos = candidates.Find(pos + 1)) {
    base = pos - first;
    bool fits = true;
    for (uint32_t k = cb + 1; k < ce && fits; ++k) {
      uint32_t t = base + children[k].first;
      fits = free.Find(t) == t;
    }
    if (fits) break;
    if (rejects.size() <= pos) rejects.resize(std::max<size_t>(pos + 1, rejects.size() * 2), 0);
    if (++rejects[pos] == kMaxRejects) candidates.Occupy(pos);
  }
  return base;
}

// 3. Double array placement, breadth first. slot_of[node] = state id.
void Matcher::Builder::Steps::PlaceDoubleArray() {
  slot_of.assign(nodes, 0);
  std::vector<Cell>& cells = m->cells_;
  FreeSlots free, candidates;
  std::vector<uint8_t> rejects;
  free.Grow(static_cast<size_t>(nodes) + alphabet + 2);
  candidates.Grow(static_cast<size_t>(nodes) + alphabet + 2);
  free.Occupy(0);  // the root
  candidates.Occupy(0);
  uint32_t frontier = 1;  // one past the highest occupied slot
  auto ensure = [&](size_t n) {
    if (cells.size() < n) cells.resize(std::max(n, cells.size() * 3 / 2 + 1024));
  };
  ensure(alphabet + 2);
  cells[0].check = kRoot;  // the root owns slot 0 (never reachable as a child: symbols >= 1)
  bfs_order.assign(1, 0);
  bfs_order.reserve(nodes);
  for (size_t q = 0; q < bfs_order.size(); ++q) {
    uint32_t node = bfs_order[q];
    uint32_t cb = child_begin[node], ce = child_begin[node + 1];
    uint32_t s = slot_of[node];
    if (cb == ce) continue;
    uint32_t base = FindBase(node, free, candidates, rejects);
    if (static_cast<size_t>(base) + alphabet + 2 > kBaseMask)
      throw std::length_error("checks::Matcher: automaton too large");
    ensure(static_cast<size_t>(base) + alphabet + 2);
    cells[s].base = base;
    for (uint32_t k = cb; k < ce; ++k) {
      uint32_t t = base + children[k].first;
      free.Occupy(t);
      candidates.Occupy(t);
      frontier = std::max(frontier, t + 1);
      cells[t].check = s;
      slot_of[children[k].second] = t;
      bfs_order.push_back(children[k].second);
    }
  }
  std::vector<uint32_t>().swap(free.next);
  std::vector<uint32_t>().swap(candidates.next);
  std::vector<uint8_t>().swap(rejects);
  // Childless states keep base 0; every reachable index stays below the array size.
  size_t max_base = 0;
  for (const auto& c : cells) max_base = std::max<size_t>(max_base, c.base);
  size = std::max<size_t>(frontier, max_base) + alphabet + 2;
  cells.resize(size);
  cells.shrink_to_fit();
  m->states_ = nodes;
}

// 4. Patterns ending exactly at each state (CSR by slot, build only).
void Matcher::Builder::Steps::CollectOwnPatterns() {
  own_begin.assign(size + 1, 0);
  for (uint32_t node = 0; node < nodes; ++node)
    own_begin[slot_of[node] + 1] = node_pattern_count[node];
  for (size_t i = 0; i < size; ++i) own_begin[i + 1] += own_begin[i];
  own.resize(own_begin[size]);
  std::vector<uint32_t> fill(own_begin.begin(), own_begin.end() - 1);
  for (size_t id = 0; id < pattern_node.size(); ++id)
    if (pattern_node[id] != kFree)
      own[fill[slot_of[pattern_node[id]]]++] = static_cast<uint32_t>(id);
}

// 5. Failure and dictionary-suffix links, breadth first (parents before children); flags.
void Matcher::Builder::Steps::LinkFailures() {
  std::vector<Cell>& cells = m->cells_;
  dict.assign(size, kRoot);
  cells[kRoot].base |= kShallowBit;
  for (uint32_t node : bfs_order) {
    uint32_t s = slot_of[node];
    for (uint32_t k = child_begin[node]; k < child_begin[node + 1]; ++k) {
      uint32_t sym = children[k].first;
      uint32_t t = slot_of[children[k].second];
      uint32_t f = (s == kRoot) ? kRoot : m->Next(cells[s].fail, sym);
      cells[t].fail = f;
      dict[t] = OwnOutput(f) ? f : dict[f];
      if (OwnOutput(t) || dict[t] != kRoot)
        cells[t].base |= kOutputBit;
      else if (s == kRoot)
        cells[t].base |= kShallowBit;
    }
  }
}

// 6. Flattened outputs: per output state, its own patterns and then those of its
// dictionary-suffix chain (longest first), the last one flagged.
void Matcher::Builder::Steps::FlattenOutputs() {
  std::vector<Cell>& cells = m->cells_;
  for (uint32_t node : bfs_order) {
    uint32_t s = slot_of[node];
    if (!(cells[s].base & kOutputBit)) continue;
    cells[s].out = static_cast<uint32_t>(m->out_.size());
    for (uint32_t q = OwnOutput(s) ? s : dict[s]; q != kRoot; q = dict[q])
      for (uint32_t i = own_begin[q]; i < own_begin[q + 1]; ++i) m->out_.push_back(own[i]);
    m->out_.back() |= kLastOutput;
  }
  m->out_.shrink_to_fit();
}

std::shared_ptr<const Matcher> Matcher::Builder::Build() {
  auto m = std::shared_ptr<Matcher>(new Matcher());
  Steps steps;
  steps.m = m.get();
  steps.patterns = std::move(patterns_);
  patterns_.clear();
  steps.BuildAlphabet();
  steps.BuildTrie();
  steps.BuildKeyFilter();
  steps.patterns.clear();
  steps.patterns.shrink_to_fit();
  steps.SortChildren();
  steps.PlaceDoubleArray();
  steps.CollectOwnPatterns();
  steps.LinkFailures();
  steps.FlattenOutputs();
  return m;
}

std::vector<Matcher::Match> Matcher::FindAll(std::u32string_view text) const {
  std::vector<Match> out;
  ScanAll(text, [&](uint32_t p, size_t b, size_t e) { out.push_back({p, b, e}); });
  return out;
}

std::vector<Matcher::Match> Matcher::FindAllUtf8(std::string_view text) const {
  std::vector<Match> out;
  ScanUtf8(text, [&](uint32_t p, size_t b, size_t e) { out.push_back({p, b, e}); });
  return out;
}

std::vector<Matcher::Match> Matcher::SelectLeftmostLongest(std::vector<Match> all) {
  std::sort(all.begin(), all.end(), [](const Match& a, const Match& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    if (a.end != b.end) return a.end > b.end;
    return a.pattern < b.pattern;
  });
  std::vector<Match> out;
  size_t covered = 0;
  for (const Match& m : all) {
    if (!out.empty() && m.begin < covered) continue;
    out.push_back(m);
    covered = m.end;
  }
  return out;
}

std::vector<Matcher::Match> Matcher::FindLeftmostLongest(std::u32string_view text) const {
  return SelectLeftmostLongest(FindAll(text));
}

size_t Matcher::MemoryBytes() const {
  return page_index_.capacity() * sizeof(uint32_t) + pages_.capacity() * sizeof(uint32_t) +
         cells_.capacity() * sizeof(Cell) + bigrams_.capacity() * sizeof(uint64_t) +
         single_.capacity() * sizeof(uint64_t) + keys_.capacity() * sizeof(uint64_t) +
         out_.capacity() * sizeof(uint32_t) + cp_len_.capacity() * sizeof(uint32_t) +
         byte_len_.capacity() * sizeof(uint32_t);
}

}  // namespace gd::checks
