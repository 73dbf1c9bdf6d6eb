// Prose extraction and normalisation before matching.
//
// A field is first cut into prose pieces (byte ranges of the original text; Markdown syntax,
// code and URLs are left out), then turned into a stream of folded code points, each remembering
// the byte range it came from, so every match maps back to exact offsets in the original.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gd::checks {

// How a prose piece connects to the one before it.
enum class Gap : uint8_t {
  kJoin,   // inline markup only (`机**密**`): the two pieces read as one word
  kSpace,  // a soft line break: like a space
  kBreak,  // a block boundary, code, a URL, a hard break: nothing may match across it
};

struct Piece {
  size_t begin = 0, end = 0;  // byte range in the field
  Gap gap = Gap::kJoin;
  std::string_view link_href;  // href of the enclosing Markdown link, if any
};

struct LinkRef {
  size_t begin = 0, end = 0;  // byte range of the URL text in the field
  std::string url;
};

struct ProseText {
  std::vector<Piece> pieces;
  std::vector<LinkRef> links;
};

// The whole text as one prose piece (title, summary, source), with bare URLs cut out.
ProseText PlainProse(std::string_view text);
// Cuts bare URLs (http://, https://, www.) out of the pieces and records them as links.
void SplitBareUrls(std::string_view text, ProseText* prose);

// Character folding: full-width → half-width, ASCII case, traditional → simplified variants.
class Normalizer {
 public:
  Normalizer() = default;
  explicit Normalizer(std::unordered_map<char32_t, char32_t> variants)
      : variants_(std::move(variants)) {}

  char32_t Fold(char32_t c) const {
    if (c >= 0xFF01 && c <= 0xFF5E)
      c -= 0xFEE0;
    else if (c == 0x3000 || c == 0x00A0)
      c = ' ';
    if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    if (!variants_.empty()) {
      auto it = variants_.find(c);
      if (it != variants_.end()) return it->second;
    }
    return c;
  }
  size_t variant_count() const { return variants_.size(); }

 private:
  std::unordered_map<char32_t, char32_t> variants_;
};

// Characters that may be inserted inside a term to evade it (after folding).
bool IsIgnorable(char32_t c);
bool IsWhitespace(char32_t c);
inline bool IsAsciiAlnum(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// One folded code point and the byte range of the original it stands for. cp == 0 is a break.
struct Unit {
  char32_t cp = 0;
  uint32_t begin = 0, end = 0;
};

std::vector<Unit> BuildStream(std::string_view text, const ProseText& prose, const Normalizer& n);

// The stream as the dictionary matcher sees it: evasion characters between non-ASCII
// characters dropped (runs of at most kMaxEvasionRun), whitespace runs in ASCII context folded
// to one space, longer runs turned into breaks (0).
struct MatchText {
  std::u32string cps;
  std::vector<uint32_t> unit;  // index into the stream for each code point of cps
};
inline constexpr size_t kMaxEvasionRun = 3;
MatchText BuildMatchText(const std::vector<Unit>& stream);

// A dictionary term normalised exactly as text is.
std::u32string NormalizeTerm(std::string_view term, const Normalizer& n);

}  // namespace gd::checks
