#include "dispatcher/checks/matcher.h"

#include <algorithm>
#include <deque>
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
      Grow(p + 1);
    }
    return p;
  }
  void Occupy(uint32_t p) {
    Grow(p + 2);
    next[p] = p + 1;
  }
  void Grow(size_t n) {
    while (next.size() < n) next.push_back(static_cast<uint32_t>(next.size()));
  }
};

}  // namespace

std::shared_ptr<const Matcher> Matcher::Builder::Build() {
  auto m = std::shared_ptr<Matcher>(new Matcher());
  std::vector<std::u32string> patterns = std::move(patterns_);
  patterns_.clear();

  // 1. Alphabet: code points in descending frequency get symbols 1..A.
  std::unordered_map<char32_t, uint64_t> freq;
  for (const auto& p : patterns)
    for (char32_t c : p) {
      if (c >= kMalformed) continue;
      ++freq[c];
    }
  std::vector<std::pair<char32_t, uint64_t>> order(freq.begin(), freq.end());
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::unordered_map<char32_t, uint32_t> sym_of;
  sym_of.reserve(order.size());
  m->page_index_.assign(1, 0);
  m->pages_.assign(256, 0);  // page 0: the zero page
  for (size_t i = 0; i < order.size(); ++i) {
    char32_t c = order[i].first;
    uint32_t sym = static_cast<uint32_t>(i + 1);
    sym_of[c] = sym;
    if (c < 128) m->ascii_[c] = sym;
    size_t page = c >> 8;
    if (page >= m->page_index_.size()) m->page_index_.resize(page + 1, 0);
    if (m->page_index_[page] == 0) {
      m->page_index_[page] = static_cast<uint32_t>(m->pages_.size() / 256);
      m->pages_.resize(m->pages_.size() + 256, 0);
    }
    m->pages_[(static_cast<size_t>(m->page_index_[page]) << 8) | (c & 0xFF)] = sym;
  }
  const uint32_t alphabet = static_cast<uint32_t>(order.size());
  m->alphabet_ = alphabet;

  // 2. Trie with edges in a hash map; node 0 is the root.
  std::unordered_map<uint64_t, uint32_t> edges;
  edges.reserve(patterns.size() * 4);
  std::vector<std::vector<uint32_t>> node_patterns(1);
  uint32_t nodes = 1;
  m->cp_len_.resize(patterns.size());
  m->byte_len_.resize(patterns.size());
  for (size_t id = 0; id < patterns.size(); ++id) {
    const auto& p = patterns[id];
    m->cp_len_[id] = static_cast<uint32_t>(p.size());
    m->byte_len_[id] = static_cast<uint32_t>(Utf8Length(p));
    bool usable = !p.empty();
    for (char32_t c : p) usable = usable && c < kMalformed;
    if (!usable) continue;
    uint32_t node = 0;
    for (char32_t c : p) {
      uint64_t key = (static_cast<uint64_t>(node) << 32) | sym_of[c];
      auto [it, inserted] = edges.try_emplace(key, nodes);
      if (inserted) {
        ++nodes;
        node_patterns.emplace_back();
      }
      node = it->second;
    }
    node_patterns[node].push_back(static_cast<uint32_t>(id));
  }
  // Children lists sorted by symbol.
  std::vector<uint32_t> child_begin(nodes + 1, 0);
  for (const auto& [key, child] : edges) ++child_begin[(key >> 32) + 1];
  for (uint32_t i = 0; i < nodes; ++i) child_begin[i + 1] += child_begin[i];
  std::vector<std::pair<uint32_t, uint32_t>> children(edges.size());  // (symbol, node)
  {
    std::vector<uint32_t> fill(child_begin.begin(), child_begin.end() - 1);
    for (const auto& [key, child] : edges)
      children[fill[key >> 32]++] = {static_cast<uint32_t>(key & 0xFFFFFFFFu), child};
    edges.clear();
    for (uint32_t i = 0; i < nodes; ++i)
      std::sort(children.begin() + child_begin[i], children.begin() + child_begin[i + 1]);
  }

  // 3. Double array placement, breadth first. slot_of[node] = state id.
  std::vector<uint32_t> slot_of(nodes, 0);
  std::vector<Cell>& cells = m->cells_;
  FreeSlots free;
  free.Occupy(0);  // the root
  auto ensure = [&](size_t n) {
    if (cells.size() < n) cells.resize(std::max(n, cells.size() * 3 / 2 + 1024));
  };
  ensure(alphabet + 2);
  cells[0].check = kRoot;  // the root owns slot 0 (never reachable as a child: symbols >= 1)
  std::deque<uint32_t> queue{0};
  std::vector<uint32_t> bfs_order;
  bfs_order.reserve(nodes);
  while (!queue.empty()) {
    uint32_t node = queue.front();
    queue.pop_front();
    bfs_order.push_back(node);
    uint32_t cb = child_begin[node], ce = child_begin[node + 1];
    uint32_t s = slot_of[node];
    if (cb == ce) continue;
    uint32_t first = children[cb].first;
    uint32_t base = 0;
    for (uint32_t pos = free.Find(first + 1);; pos = free.Find(pos + 1)) {
      base = pos - first;
      bool fits = true;
      for (uint32_t k = cb + 1; k < ce && fits; ++k) {
        uint32_t t = base + children[k].first;
        fits = free.Find(t) == t;
      }
      if (fits) break;
    }
    ensure(static_cast<size_t>(base) + alphabet + 2);
    cells[s].base = base;
    for (uint32_t k = cb; k < ce; ++k) {
      uint32_t t = base + children[k].first;
      free.Occupy(t);
      cells[t].check = s;
      slot_of[children[k].second] = t;
      queue.push_back(children[k].second);
    }
  }
  // Childless states keep base 0; every reachable index stays below the array size.
  size_t max_slot = 0;
  for (uint32_t node = 0; node < nodes; ++node)
    max_slot = std::max<size_t>(max_slot, slot_of[node]);
  size_t max_base = 0;
  for (const auto& c : cells) max_base = std::max<size_t>(max_base, c.base);
  size_t size = std::max(max_slot, max_base) + alphabet + 2;
  cells.resize(size);
  cells.shrink_to_fit();
  m->states_ = nodes;

  // 4. Outputs (CSR by slot).
  m->out_begin_.assign(size + 1, 0);
  for (uint32_t node = 0; node < nodes; ++node)
    m->out_begin_[slot_of[node] + 1] = static_cast<uint32_t>(node_patterns[node].size());
  for (size_t i = 0; i < size; ++i) m->out_begin_[i + 1] += m->out_begin_[i];
  m->out_.resize(m->out_begin_[size]);
  for (uint32_t node = 0; node < nodes; ++node) {
    uint32_t at = m->out_begin_[slot_of[node]];
    for (uint32_t p : node_patterns[node]) m->out_[at++] = p;
  }

  // 5. Failure and dictionary links, breadth first (parents before children).
  m->links_.assign(size, Links{});
  auto own_output = [&](uint32_t s) { return m->out_begin_[s] != m->out_begin_[s + 1]; };
  for (uint32_t node : bfs_order) {
    uint32_t s = slot_of[node];
    for (uint32_t k = child_begin[node]; k < child_begin[node + 1]; ++k) {
      uint32_t sym = children[k].first;
      uint32_t t = slot_of[children[k].second];
      uint32_t f = (s == kRoot) ? kRoot : m->Next(m->links_[s].fail, sym);
      m->links_[t].fail = f;
      m->links_[t].dict = own_output(f) ? f : m->links_[f].dict;
      if (own_output(t) || m->links_[t].dict != kRoot) cells[t].base |= kOutputBit;
    }
  }
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
         cells_.capacity() * sizeof(Cell) + links_.capacity() * sizeof(Links) +
         out_begin_.capacity() * sizeof(uint32_t) + out_.capacity() * sizeof(uint32_t) +
         cp_len_.capacity() * sizeof(uint32_t) + byte_len_.capacity() * sizeof(uint32_t);
}

}  // namespace gd::checks
