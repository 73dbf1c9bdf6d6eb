#include "dispatcher/checks/matcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace gd::checks {
namespace {

std::vector<Matcher::Match> Naive(const std::vector<std::u32string>& pats, std::u32string_view t) {
  std::vector<Matcher::Match> out;
  for (size_t e = 1; e <= t.size(); ++e)
    for (uint32_t p = 0; p < pats.size(); ++p) {
      size_t n = pats[p].size();
      if (n == 0 || n > e) continue;
      if (t.substr(e - n, n) == pats[p]) out.push_back({p, e - n, e});
    }
  return out;
}

void SortMatches(std::vector<Matcher::Match>* v) {
  std::sort(v->begin(), v->end(), [](const auto& a, const auto& b) {
    return std::tie(a.end, a.begin, a.pattern) < std::tie(b.end, b.begin, b.pattern);
  });
}

TEST(MatcherTest, ClassicExample) {
  Matcher::Builder b;
  for (auto p : {U"he", U"she", U"his", U"hers"}) b.Add(p);
  auto m = b.Build();
  auto got = m->FindAll(U"ushers");
  SortMatches(&got);
  std::vector<Matcher::Match> want = {{1, 1, 4}, {0, 2, 4}, {3, 2, 6}};
  SortMatches(&want);
  EXPECT_EQ(got, want);
}

TEST(MatcherTest, ChineseAllAndLeftmostLongest) {
  Matcher::Builder b;
  b.Add(U"机密");      // 0
  b.Add(U"机密性");    // 1
  b.Add(U"密");        // 2
  b.Add(U"国家机密");  // 3
  auto m = b.Build();
  auto all = m->FindAll(U"保守国家机密性");
  EXPECT_EQ(all.size(), 4u);
  auto ll = m->FindLeftmostLongest(U"保守国家机密性");
  ASSERT_EQ(ll.size(), 1u);
  EXPECT_EQ(ll[0].pattern, 3u);
  EXPECT_EQ(ll[0].begin, 2u);
  EXPECT_EQ(ll[0].end, 6u);
  ll = m->FindLeftmostLongest(U"机密性和机密");
  ASSERT_EQ(ll.size(), 2u);
  EXPECT_EQ(ll[0].pattern, 1u);
  EXPECT_EQ(ll[1].pattern, 0u);
}

TEST(MatcherTest, DuplicatesAndEmpty) {
  Matcher::Builder b;
  b.Add(U"ab");
  b.Add(U"");
  b.Add(U"ab");
  auto m = b.Build();
  auto all = m->FindAll(U"xaby");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(m->pattern_count(), 3u);
  EXPECT_TRUE(m->FindAll(U"").empty());
}

TEST(MatcherTest, EmptyDictionary) {
  Matcher::Builder b;
  auto m = b.Build();
  EXPECT_TRUE(m->FindAll(U"anything").empty());
  EXPECT_TRUE(m->FindAllUtf8("任何内容").empty());
}

TEST(MatcherTest, Utf8OffsetsAndMalformedBytes) {
  Matcher::Builder b;
  b.AddUtf8("机密");
  b.AddUtf8("a");
  auto m = b.Build();
  std::string text = "x机密\xff机密a";
  auto got = m->FindAllUtf8(text);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].begin, 1u);
  EXPECT_EQ(got[0].end, 7u);
  EXPECT_EQ(got[1].begin, 8u);
  EXPECT_EQ(got[2].begin, 14u);
  EXPECT_EQ(m->FindAllUtf8("机\xe6\x9c密").size(), 0u);  // truncated sequence between
}

// Randomised differential test against a naive search over small alphabets (dense overlaps)
// and a CJK-sized alphabet (sparse double array).
TEST(MatcherTest, RandomDifferential) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 300; ++round) {
    const char32_t base = round % 2 ? U'一' : U'a';
    const int alpha = round % 3 == 0 ? 3 : round % 3 == 1 ? 8 : 2000;
    std::uniform_int_distribution<int> sym(0, alpha - 1), len(1, 6), count(1, 60);
    std::vector<std::u32string> pats(count(rng));
    Matcher::Builder b;
    for (auto& p : pats) {
      int n = len(rng);
      for (int i = 0; i < n; ++i) p.push_back(base + sym(rng));
      b.Add(p);
    }
    auto m = b.Build();
    std::u32string text;
    for (int i = 0; i < 300; ++i)
      text.push_back(i % 50 == 49 ? U'#' : base + sym(rng) % std::min(alpha, 12));
    auto got = m->FindAll(text), want = Naive(pats, text);
    SortMatches(&got);
    SortMatches(&want);
    ASSERT_EQ(got, want) << "round " << round;
    // Leftmost-longest is a non-overlapping subset that starts at the leftmost match.
    auto ll = m->FindLeftmostLongest(text);
    for (size_t i = 1; i < ll.size(); ++i) EXPECT_GE(ll[i].begin, ll[i - 1].end);
    if (!want.empty()) {
      ASSERT_FALSE(ll.empty());
      size_t leftmost = std::min_element(want.begin(), want.end(), [](auto& a, auto& b) {
                          return a.begin < b.begin;
                        })->begin;
      EXPECT_EQ(ll[0].begin, leftmost);
    }
  }
}

TEST(MatcherTest, LargeDictionaryBuilds) {
  Matcher::Builder b;
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> sym(0, 3000), len(2, 5);
  std::vector<std::u32string> pats;
  for (int i = 0; i < 20000; ++i) {
    std::u32string p;
    int n = len(rng);
    for (int k = 0; k < n; ++k) p.push_back(U'\u4e00' + sym(rng));
    pats.push_back(p);
    b.Add(p);
  }
  auto m = b.Build();
  EXPECT_GT(m->state_count(), 20000u);
  EXPECT_GT(m->MemoryBytes(), 0u);
  for (int i = 0; i < 200; ++i) {
    auto got = m->FindAll(pats[i * 37]);
    EXPECT_TRUE(std::any_of(got.begin(), got.end(),
                            [&](auto& x) { return x.begin == 0 && x.end == pats[i * 37].size(); }));
  }
}

}  // namespace
}  // namespace gd::checks
