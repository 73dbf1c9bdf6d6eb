#include "dispatcher/checks/text_stream.h"

#include <cctype>

#include "dispatcher/core/utf8.h"

namespace gd::checks {

bool IsWhitespace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0x00A0 ||
         c == 0x3000 || (c >= 0x2000 && c <= 0x200A);
}

bool IsIgnorable(char32_t c) {
  if (IsWhitespace(c)) return true;
  switch (c) {
    case '*':
    case '-':
    case '_':
    case '.':
    case '~':
    case '`':
    case '\'':
    case '"':
    case '|':
    case '/':
    case '\\':
    case '+':
    case '=':
    case '#':
    case '^':
    case '@':
    case 0x00B7:  // ·
    case 0x2022:  // •
    case 0x2027:  // ‧
    case 0x30FB:  // ・
    case 0x200B:
    case 0x200C:
    case 0x200D:
    case 0x2060:
    case 0xFEFF:  // zero width
    case 0x00AD:  // soft hyphen
      return true;
    default:
      return false;
  }
}

namespace {

bool IsUrlChar(unsigned char c) {
  if (c <= 0x20 || c >= 0x7F) return false;
  return c != '<' && c != '>' && c != '"' && c != '\'' && c != '`' && c != '{' && c != '}' &&
         c != '|' && c != '\\' && c != '^';
}

bool StartsWithNoCase(std::string_view s, size_t at, std::string_view prefix) {
  if (s.size() - at < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[at + i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != prefix[i]) return false;
  }
  return true;
}

// Length of a bare URL starting at `at`, or 0.
size_t UrlLengthAt(std::string_view s, size_t at) {
  size_t prefix = 0;
  if (StartsWithNoCase(s, at, "https://"))
    prefix = 8;
  else if (StartsWithNoCase(s, at, "http://"))
    prefix = 7;
  else if (StartsWithNoCase(s, at, "www."))
    prefix = 4;
  else
    return 0;
  if (at > 0) {
    unsigned char p = static_cast<unsigned char>(s[at - 1]);
    if (p < 0x80 && (std::isalnum(p) || p == '.' || p == '/' || p == ':')) return 0;
  }
  size_t e = at + prefix;
  while (e < s.size() && IsUrlChar(static_cast<unsigned char>(s[e]))) ++e;
  // Trailing ASCII punctuation belongs to the sentence, not the URL.
  while (e > at + prefix && std::string_view(".,;:!?)]}").find(s[e - 1]) != std::string_view::npos)
    --e;
  return e > at + prefix ? e - at : 0;
}

}  // namespace

void SplitBareUrls(std::string_view text, ProseText* prose) {
  std::vector<Piece> out;
  out.reserve(prose->pieces.size());
  for (const Piece& p : prose->pieces) {
    size_t start = p.begin;
    Gap gap = p.gap;
    for (size_t i = p.begin; i < p.end;) {
      size_t len = UrlLengthAt(text.substr(0, p.end), i);
      if (len == 0) {
        ++i;
        continue;
      }
      if (i > start) out.push_back({start, i, gap, p.link_href});
      std::string url(text.substr(i, len));
      if (p.link_href != url) prose->links.push_back({i, i + len, url});
      gap = Gap::kBreak;
      i += len;
      start = i;
    }
    if (p.end > start)
      out.push_back({start, p.end, gap, p.link_href});
    else if (gap == Gap::kBreak && start == p.end && start != p.begin)
      out.push_back({start, start, Gap::kBreak, p.link_href});
  }
  prose->pieces = std::move(out);
}

ProseText PlainProse(std::string_view text) {
  ProseText prose;
  prose.pieces.push_back({0, text.size(), Gap::kBreak, {}});
  SplitBareUrls(text, &prose);
  return prose;
}

std::vector<Unit> BuildStream(std::string_view text, const ProseText& prose, const Normalizer& n) {
  std::vector<Unit> out;
  out.reserve(text.size() / 2 + 8);
  for (const Piece& p : prose.pieces) {
    if (!out.empty()) {
      if (p.gap == Gap::kBreak && out.back().cp != 0) {
        out.push_back({0, static_cast<uint32_t>(p.begin), static_cast<uint32_t>(p.begin)});
      } else if (p.gap == Gap::kSpace) {
        out.push_back({' ', static_cast<uint32_t>(p.begin), static_cast<uint32_t>(p.begin)});
      }
    }
    size_t pos = p.begin;
    std::string_view s = text.substr(0, p.end);
    while (pos < p.end) {
      size_t b = pos;
      char32_t c = gd::DecodeUtf8(s, &pos);
      if (c == 0) c = 0xFFFD;  // NUL never acts as a break marker
      out.push_back({n.Fold(c), static_cast<uint32_t>(b), static_cast<uint32_t>(pos)});
    }
  }
  return out;
}

MatchText BuildMatchText(const std::vector<Unit>& stream) {
  MatchText mt;
  mt.cps.reserve(stream.size());
  mt.unit.reserve(stream.size());
  auto push = [&](char32_t c, size_t i) {
    if (c == 0 && (mt.cps.empty() || mt.cps.back() == 0)) return;
    mt.cps.push_back(c);
    mt.unit.push_back(static_cast<uint32_t>(i));
  };
  size_t i = 0;
  while (i < stream.size()) {
    char32_t c = stream[i].cp;
    if (c == 0 || !IsIgnorable(c)) {
      push(c, i);
      ++i;
      continue;
    }
    size_t j = i;
    while (j < stream.size() && stream[j].cp != 0 && IsIgnorable(stream[j].cp)) ++j;
    bool has_prev = !mt.cps.empty() && mt.cps.back() != 0;
    bool has_next = j < stream.size() && stream[j].cp != 0;
    if (!has_prev || !has_next) {
      i = j;  // nothing to join across; a break follows or precedes anyway
      continue;
    }
    bool ascii_context = IsAsciiAlnum(mt.cps.back()) || IsAsciiAlnum(stream[j].cp);
    if (!ascii_context) {
      if (j - i > kMaxEvasionRun) push(0, i);
      i = j;
      continue;
    }
    // ASCII context: keep punctuation, fold each whitespace run to one space.
    for (size_t k = i; k < j; ++k) {
      if (IsWhitespace(stream[k].cp)) {
        if (k == i || !IsWhitespace(stream[k - 1].cp)) push(' ', k);
      } else {
        push(stream[k].cp, k);
      }
    }
    i = j;
  }
  return mt;
}

std::u32string NormalizeTerm(std::string_view term, const Normalizer& n) {
  ProseText prose;
  prose.pieces.push_back({0, term.size(), Gap::kBreak, {}});
  MatchText mt = BuildMatchText(BuildStream(term, prose, n));
  return std::move(mt.cps);
}

}  // namespace gd::checks
