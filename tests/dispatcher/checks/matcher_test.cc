#include "dispatcher/checks/matcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <tuple>

#include "dispatcher/core/utf8.h"

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

// ---- The byte filter (byte-key prefilter) of ScanUtf8 -----------------------------------------
//
// When every pattern is at least 4 bytes long, ScanUtf8 skips text with a hashed filter of each
// pattern's first 4..8 bytes and only runs the automaton where a pattern may start. These tests
// compare it with a plain byte search (for valid UTF-8 patterns, a byte occurrence is always a
// character-aligned occurrence: a lead byte always starts a character).

using Triple = std::tuple<size_t, size_t, uint32_t>;  // begin, end, pattern

std::set<Triple> NaiveUtf8(const std::vector<std::string>& pats, std::string_view text) {
  std::set<Triple> out;
  for (uint32_t id = 0; id < pats.size(); ++id)
    for (size_t at = text.find(pats[id]); at != std::string_view::npos;
         at = text.find(pats[id], at + 1))
      out.insert({at, at + pats[id].size(), id});
  return out;
}

std::shared_ptr<const Matcher> BuildUtf8(const std::vector<std::string>& pats) {
  Matcher::Builder b;
  for (const auto& p : pats) b.AddUtf8(p);
  return b.Build();
}

// All matches through ScanUtf8, checking on the way that they come in order of their end.
std::set<Triple> ScanSet(const Matcher& m, std::string_view text) {
  std::set<Triple> out;
  size_t last_end = 0;
  m.ScanUtf8(text, [&](uint32_t p, size_t b, size_t e) {
    EXPECT_GE(e, last_end) << "matches out of order";
    EXPECT_LE(e, text.size());
    last_end = e;
    out.insert({b, e, p});
  });
  return out;
}

TEST(MatcherByteFilterTest, KeyLengthFollowsTheShortestPattern) {
  EXPECT_EQ(BuildUtf8({"机密"})->byte_key_length(), 6u);  // 2 x 3 bytes
  EXPECT_EQ(BuildUtf8({"国家秘密", "机密"})->byte_key_length(), 6u);
  EXPECT_EQ(BuildUtf8({"国家秘密文件"})->byte_key_length(), 8u);  // capped at 8
  EXPECT_EQ(BuildUtf8({"abcd", "机密"})->byte_key_length(), 4u);
  EXPECT_EQ(BuildUtf8({"\xF0\x9F\x98\x80"})->byte_key_length(), 4u);  // one 4-byte character
  EXPECT_EQ(BuildUtf8({"a\xC3\xA9\xC3\xA9"})->byte_key_length(), 5u);
  // A pattern under 4 bytes: the bigram filter instead.
  EXPECT_EQ(BuildUtf8({"机密", "密"})->byte_key_length(), 0u);
  EXPECT_EQ(BuildUtf8({"abc", "机密"})->byte_key_length(), 0u);
  EXPECT_EQ(BuildUtf8({})->byte_key_length(), 0u);
  // Empty and malformed patterns never match and do not lower the key length.
  Matcher::Builder b;
  b.AddUtf8("机密");
  b.Add(U"");
  b.Add(std::u32string(1, Matcher::kMalformed));
  EXPECT_EQ(b.Build()->byte_key_length(), 6u);
}

TEST(MatcherByteFilterTest, RejectsTextWithoutCandidatesAndPassesTrueOnes) {
  std::vector<std::string> pats = {"机密文件", "国家秘密", "内部资料"};
  auto m = BuildUtf8(pats);
  ASSERT_EQ(m->byte_key_length(), 8u);
  // Nothing starts anywhere: the filter rejects every position.
  std::string none;
  for (int i = 0; i < 200; ++i) none += "今天天气很好，适合出门散步。abc 123 ";
  EXPECT_TRUE(m->FindAllUtf8(none).empty());
  // Prefixes that pass the filter but are not patterns: the automaton rejects them.
  std::string near = "机密文 国家秘 内部资 机密文机密文件";
  auto got = m->FindAllUtf8(near);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(near.substr(got[0].begin, got[0].end - got[0].begin), "机密文件");
  // Same text, shorter and longer: every result agrees with a byte search.
  for (size_t n = 0; n <= near.size(); ++n) {
    std::string_view t(near.data(), n);
    EXPECT_EQ(ScanSet(*m, t), NaiveUtf8(pats, t)) << "length " << n;
  }
}

// A pattern at every offset of buffers of every length around the 11-byte wide load and the
// tail loop: matches at the first byte, at the last byte, and straddling the switch from the
// wide loop to the tail.
TEST(MatcherByteFilterTest, MatchesAtBufferEnds) {
  const std::vector<std::vector<std::string>> dicts = {
      {"abcd"},                              // key 4, ASCII
      {"abcde", "bcdef"},                    // key 5, overlapping
      {"机密"},                              // key 6, CJK
      {"国家秘密", "秘密"},                  // key 6, a pattern inside another
      {"\xF0\x9F\x98\x80\xF0\x9F\x98\x81"},  // key 8, two 4-byte characters
      {"x\xC3\xA9y\xE6\x9C\xBA"},            // key 8, mixed widths
  };
  for (const auto& pats : dicts) {
    auto m = BuildUtf8(pats);
    ASSERT_GE(m->byte_key_length(), 4u);
    for (const auto& pat : pats)
      for (size_t n = pat.size(); n <= pat.size() + 24; ++n)
        for (size_t at = 0; at + pat.size() <= n; ++at) {
          std::string text(n, '.');
          text.replace(at, pat.size(), pat);
          auto want = NaiveUtf8(pats, text);
          ASSERT_EQ(ScanSet(*m, text), want) << pat << " at " << at << " in " << n << " bytes";
          ASSERT_FALSE(want.empty());
        }
    // Text shorter than the key: nothing can match, nothing is read out of bounds.
    for (size_t n = 0; n < m->byte_key_length(); ++n)
      EXPECT_TRUE(m->FindAllUtf8(std::string(n, 'a')).empty());
  }
}

// Boundary bytes around the pattern: continuation bytes, truncated and overlong sequences,
// surrogates, 0x00, 0x7F/0x80, 0xBF/0xC0, 0xFF. The pattern still fires when its lead byte
// follows a malformed sequence, and never inside another character.
TEST(MatcherByteFilterTest, BoundaryBytesAndMalformedNeighbours) {
  const std::vector<std::string> pats = {"机密", "秘密资料", "a\xC3\xA9z!"};
  auto m = BuildUtf8(pats);
  ASSERT_EQ(m->byte_key_length(), 5u);
  const std::vector<std::string> around = {std::string(1, '\0'),
                                           "\x7F",
                                           "\x80",
                                           "\xBF",
                                           "\xC0",
                                           "\xC1\x80",
                                           "\xC3",
                                           "\xE6",
                                           "\xE6\x9C",
                                           "\xE0\x80\x80",
                                           "\xED\xA0\x80",
                                           "\xF0\x9F\x98",
                                           "\xF4\x90\x80\x80",
                                           "\xFF",
                                           "\xFE\xFF",
                                           "\x80\x80\x80\x80",
                                           "\xEF\xBB\xBF",
                                           "\xE2\x80\x8B",
                                           " ",
                                           "\xE3\x80\x80"};
  for (const auto& pre : around)
    for (const auto& post : around)
      for (const auto& pat : pats) {
        std::string text = pre + pat + post + pre + pat + pat + post;
        ASSERT_EQ(ScanSet(*m, text), NaiveUtf8(pats, text)) << "around " << pre.size();
      }
  // A lead byte without its continuation bytes right before the pattern: the pattern starts at
  // the next byte and fires there.
  auto got = m->FindAllUtf8("\xF0\xE6\x9C\xBA\xE5\xAF\x86\xE5\xAF");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].begin, 1u);
  EXPECT_EQ(got[0].end, 7u);
}

// Random UTF-8 (1- to 4-byte characters, malformed bytes) against a byte search, through the
// byte filter and, with a short pattern added, through the bigram filter; dense enough in places
// that the scan stays in the automaton, sparse in others.
TEST(MatcherByteFilterTest, RandomDifferentialUtf8) {
  std::mt19937 rng(20261130);
  const std::vector<char32_t> chars = {
      U'a',  U'b',  U' ',  U'.',  U'\u00e9', U'\u00b7', U'机',         U'密',
      U'国', U'家', U'秘', U'文', U'件',     U'\u3000', U'\U0001F600', U'\U00020000'};
  auto random_text = [&](size_t n_chars, int alphabet) {
    std::string s;
    std::uniform_int_distribution<int> pick(0, alphabet - 1), malformed(0, 40);
    for (size_t i = 0; i < n_chars; ++i) {
      if (malformed(rng) == 0) {
        static const char* kBad[] = {"\x80", "\xE6\x9C", "\xFF", "\xC0\xAF", "\xED\xA0\x80"};
        s += kBad[rng() % 5];
        continue;
      }
      gd::AppendUtf8(&s, chars[pick(rng)]);
    }
    return s;
  };
  for (int round = 0; round < 400; ++round) {
    const int alphabet = round % 4 == 0 ? 4 : round % 4 == 1 ? 8 : 16;
    std::uniform_int_distribution<int> count(1, 30), len(1, 4);
    std::vector<std::string> pats;
    for (int k = count(rng); k > 0; --k) {
      std::string p;
      do p = random_text(len(rng), alphabet);
      while (!gd::IsValidUtf8(p) || p.size() < 4);
      pats.push_back(p);
    }
    auto m = BuildUtf8(pats);
    ASSERT_GE(m->byte_key_length(), 4u);
    std::string text = random_text(round % 7 == 0 ? 3000 : 300, round % 3 ? alphabet : 16);
    ASSERT_EQ(ScanSet(*m, text), NaiveUtf8(pats, text)) << "round " << round;
    // The same dictionary plus one short pattern: the bigram filter path must agree.
    pats.push_back(round % 2 ? "a" : "机");
    auto m2 = BuildUtf8(pats);
    ASSERT_EQ(m2->byte_key_length(), 0u);
    ASSERT_EQ(ScanSet(*m2, text), NaiveUtf8(pats, text)) << "round " << round << " (bigrams)";
  }
}

// Dense text: the scan stays in the automaton for longer and longer stretches; matches right
// where it falls back to the filter and at the very end are still all found.
TEST(MatcherByteFilterTest, DenseTextStaysCorrect) {
  const std::vector<std::string> pats = {"中国", "中国人", "国人", "人民", "中国人民", "民共"};
  auto m = BuildUtf8(pats);
  ASSERT_EQ(m->byte_key_length(), 6u);
  std::string text;
  for (int i = 0; i < 500; ++i) {
    text += "中国人民";
    if (i % 37 == 0) text += "。与其他文字相隔一段距离，过滤器在这里跳过文本。";
    if (i % 11 == 0) text += "x";
  }
  text += "中国";
  auto got = ScanSet(*m, text);
  EXPECT_EQ(got, NaiveUtf8(pats, text));
  EXPECT_GT(got.size(), 2000u);
  // Every suffix: the tail loop and the end of the wide loop land on every alignment.
  for (size_t cut = text.size() - 40; cut < text.size(); ++cut) {
    std::string_view t(text.data(), cut);
    ASSERT_EQ(ScanSet(*m, t), NaiveUtf8(pats, t)) << cut;
  }
}

// ScanUtf8 (byte offsets, byte filter) and ScanAll (code points, bigram filter) find the same
// matches on valid text.
TEST(MatcherByteFilterTest, AgreesWithCodePointScan) {
  const std::vector<std::string> pats = {"机密", "机密性", "国家机密", "秘密★", "绝密"};
  auto m = BuildUtf8(pats);
  const std::string text = "保守国家机密，机密性；秘密★一年。绝密 机 密 机密";
  std::u32string cps;
  std::vector<size_t> byte_at;  // code point index -> byte offset
  for (size_t pos = 0; pos < text.size();) {
    byte_at.push_back(pos);
    cps.push_back(gd::DecodeUtf8(text, &pos));
  }
  byte_at.push_back(text.size());
  std::set<Triple> from_cps;
  for (const auto& x : m->FindAll(cps))
    from_cps.insert({byte_at[x.begin], byte_at[x.end], x.pattern});
  EXPECT_EQ(ScanSet(*m, text), from_cps);
  EXPECT_EQ(from_cps.size(), 7u);  // 国家机密 机密 机密性 机密 秘密★ 绝密 机密
}

}  // namespace
}  // namespace gd::checks
