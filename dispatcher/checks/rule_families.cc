#include "dispatcher/checks/rule_families.h"

#include <algorithm>

#include "dispatcher/checks/pii.h"
#include "dispatcher/core/utf8.h"

namespace gd::checks {

namespace {

constexpr const char* kTermRuleNames[kTermFamilies] = {"secret_marking", "sensitive_word",
                                                       "expression", "typo"};

void ReplaceAll(std::string* s, std::string_view from, std::string_view to) {
  for (size_t at = s->find(from); at != std::string::npos; at = s->find(from, at + to.size()))
    s->replace(at, from.size(), to);
}

bool IsClauseEnd(char32_t c) {
  switch (c) {
    case 0:
    case '\n':
    case ',':
    case ';':
    case '!':
    case '?':
    case U'。':
    case U'，':
    case U'；':
    case U'！':
    case U'？':
      return true;
    default:
      return false;
  }
}

int ChineseDigit(char32_t c) {
  switch (c) {
    case U'〇':
    case U'零':
      return 0;
    case U'一':
      return 1;
    case U'二':
    case U'两':
      return 2;
    case U'三':
      return 3;
    case U'四':
      return 4;
    case U'五':
      return 5;
    case U'六':
      return 6;
    case U'七':
      return 7;
    case U'八':
      return 8;
    case U'九':
      return 9;
    case U'十':
      return 10;
    default:
      return -1;
  }
}

// Value of a short Chinese numeral (一 … 九十九), or -1.
int ChineseNumber(const std::u32string& s) {
  if (s.empty() || s.size() > 3) return -1;
  size_t ten = s.find(U'十');
  if (ten == std::u32string::npos) {
    if (s.size() != 1) return -1;
    int d = ChineseDigit(s[0]);
    return d >= 1 && d <= 9 ? d : -1;
  }
  if (s.find(U'十', ten + 1) != std::u32string::npos) return -1;
  int tens = 1, units = 0;
  if (ten == 1)
    tens = ChineseDigit(s[0]);
  else if (ten != 0)
    return -1;
  if (ten + 1 < s.size()) {
    if (ten + 2 != s.size()) return -1;
    units = ChineseDigit(s[ten + 1]);
  }
  if (tens < 1 || tens > 9 || units < 0 || units > 9) return -1;
  return tens * 10 + units;
}

bool IsDigit(char32_t c) { return c >= '0' && c <= '9'; }

// Value of the ASCII digits stream[a, b).
int DigitsValue(const std::vector<Unit>& stream, size_t a, size_t b) {
  int v = 0;
  for (size_t x = a; x < b; ++x) v = v * 10 + static_cast<int>(stream[x].cp - '0');
  return v;
}

}  // namespace

const std::vector<TermRule>& TermList(const RuleSet& rules, int fam) {
  switch (fam) {
    case 0:
      return rules.secret_markings;
    case 1:
      return rules.sensitive_words;
    case 2:
      return rules.expressions;
    default:
      return rules.typos;
  }
}

void FieldFindings::Emit(const std::string& rule, const std::string& kind, size_t begin, size_t end,
                         const std::string& suggestion, const std::string& severity_override,
                         const std::string& category) {
  const FamilyConfig& fam = rules_.families.at(rule);
  Finding f;
  f.rule = rule;
  f.kind = kind;
  f.severity = severity_override.empty() ? fam.severity : severity_override;
  f.field = std::string(field_);
  f.start = begin;
  f.end = end;
  f.text = std::string(text_.substr(begin, end - begin));
  f.suggestion = suggestion;
  f.overridable = fam.overridable;
  f.message = fam.Message(kind);
  ReplaceAll(&f.message, "{text}", f.text);
  ReplaceAll(&f.message, "{suggestion}", suggestion);
  ReplaceAll(&f.message, "{category}", category.empty() ? kind : category);
  out_->push_back(std::move(f));
}

// ---- 1. Dictionary terms ----

void DictionaryTermsFamily(const FieldScan& scan, FieldFindings& emit) {
  const auto& info = scan.info;
  for (int f = 0; f < kTermFamilies; ++f) {
    const auto& exceptions = scan.hits.exceptions[f];
    std::vector<Matcher::Match> kept;
    for (const auto& m : scan.hits.terms[f]) {
      uint32_t entry = info[m.pattern].entry;
      bool excepted = std::any_of(exceptions.begin(), exceptions.end(), [&](const auto& x) {
        return info[x.pattern].entry == entry && x.begin <= m.begin && x.end >= m.end;
      });
      if (!excepted) kept.push_back(m);
    }
    for (const auto& m : Matcher::SelectLeftmostLongest(std::move(kept))) {
      const TermRule& r = TermList(scan.rules, f)[info[m.pattern].entry];
      emit.Emit(kTermRuleNames[f], r.kind, scan.ByteBegin(m.begin), scan.ByteEnd(m.end),
                r.replacement, r.severity, r.kind);
    }
  }
}

// ---- 2. Leaders ----

namespace {

void LeaderTitles(const FieldScan& scan, FieldFindings& emit) {
  const RuleSet& rules = scan.rules;
  for (const auto& n : scan.hits.names) {
    uint32_t leader = scan.info[n.pattern].entry;
    for (const auto& t : scan.hits.titles) {
      if (t.end != n.begin) continue;
      uint32_t title = scan.info[t.pattern].entry;
      const auto& own = scan.leader_titles[leader];
      if (std::find(own.begin(), own.end(), title) != own.end()) continue;
      emit.Emit("expression", "leader_title", scan.ByteBegin(t.begin), scan.ByteEnd(n.end),
                rules.leaders[leader].titles[0] + rules.leaders[leader].name);
    }
  }
}

// Whether match text [b, e) between two names only joins them in one listing: titles, 同志,
// and separators (、，, 和 与 及 space), at most 24 code points.
bool IsListingGap(const FieldScan& scan, size_t b, size_t e) {
  const auto& titles = scan.hits.titles;
  const std::u32string& cps = scan.mt.cps;
  if (e - b > 24) return false;
  for (size_t i = b; i < e;) {
    auto covered =
        std::find_if(titles.begin(), titles.end(), [&](const auto& t) { return t.begin == i; });
    if (covered != titles.end() && covered->end <= e) {
      i = covered->end;
      continue;
    }
    if (i + 1 < e && cps[i] == U'同' && cps[i + 1] == U'志') {
      i += 2;
      continue;
    }
    char32_t c = cps[i];
    if (c != U'、' && c != U'，' && c != ',' && c != U'和' && c != U'与' && c != U'及' && c != ' ')
      return false;
    ++i;
  }
  return true;
}

void LeaderOrder(const FieldScan& scan, FieldFindings& emit) {
  const RuleSet& rules = scan.rules;
  const auto& names = scan.hits.names;
  auto leader_of = [&](size_t k) { return scan.info[names[k].pattern].entry; };
  for (size_t i = 0; i < names.size();) {
    size_t j = i + 1;
    while (j < names.size() && IsListingGap(scan, names[j - 1].end, names[j].begin)) ++j;
    bool ordered = true;
    for (size_t k = i + 1; k < j; ++k)
      ordered = ordered && rules.leaders[leader_of(k - 1)].rank <= rules.leaders[leader_of(k)].rank;
    if (!ordered) {
      std::vector<uint32_t> ls;
      for (size_t k = i; k < j; ++k) ls.push_back(leader_of(k));
      std::stable_sort(ls.begin(), ls.end(), [&](uint32_t a, uint32_t b) {
        return rules.leaders[a].rank < rules.leaders[b].rank;
      });
      std::string suggestion;
      for (uint32_t l : ls) suggestion += (suggestion.empty() ? "" : "、") + rules.leaders[l].name;
      emit.Emit("expression", "leader_order", scan.ByteBegin(names[i].begin),
                scan.ByteEnd(names[j - 1].end), suggestion);
    }
    i = j;
  }
}

}  // namespace

void LeadersFamily(const FieldScan& scan, FieldFindings& emit) {
  LeaderTitles(scan, emit);
  LeaderOrder(scan, emit);
}

// ---- 3. Personal information ----

namespace {

// A run of digits (single spaces or hyphens allowed inside) read from the stream.
struct DigitRun {
  std::string digits;                   // the digits, an ID card's final x as 'X'
  std::vector<size_t> at;               // stream index of each digit
  std::vector<size_t> group_starts{0};  // digit index where each separated group starts
  size_t end = 0;                       // stream index after the run
};

DigitRun ReadDigitRun(const std::vector<Unit>& stream, size_t i) {
  const size_t n = stream.size();
  DigitRun run;
  size_t j = i;
  while (j < n) {
    char32_t c = stream[j].cp;
    if (IsDigit(c)) {
      run.digits.push_back(static_cast<char>(c));
      run.at.push_back(j);
      ++j;
    } else if (c == 'x' && run.digits.size() == 17) {
      run.digits.push_back('X');
      run.at.push_back(j);
      ++j;
      break;
    } else if ((c == ' ' || c == '-') && j + 1 < n && IsDigit(stream[j + 1].cp)) {
      run.group_starts.push_back(run.digits.size());
      ++j;
    } else {
      break;
    }
  }
  run.end = j;
  return run;
}

// Emits a finding if run.digits[from, to) is an ID card, mobile or bank card number; true if
// the digits are accounted for (a finding, or a mistyped ID number that is no bank card).
bool ClassifyDigits(const FieldScan& scan, FieldFindings& emit, const DigitRun& run, size_t from,
                    size_t to) {
  std::string_view d(run.digits.data() + from, to - from);
  size_t b = scan.stream[run.at[from]].begin, e = scan.stream[run.at[to - 1]].end;
  if (d.size() == 18) {
    IdCardCheck id = CheckIdCard(d, scan.rules.id_regions);
    if (id.valid()) {
      emit.Emit("pii", "id_card", b, e, MaskIdCard(d));
      return true;
    }
    if (id.plausible()) return true;  // a mistyped ID number, not a bank card
  }
  if (IsMobileNumber(d)) {
    emit.Emit("pii", "mobile", b, e, MaskMobile(d));
    return true;
  }
  if (d.size() == 13 && d.substr(0, 2) == "86" && IsMobileNumber(d.substr(2))) {
    emit.Emit("pii", "mobile", b, e, MaskMobile(d.substr(2)));
    return true;
  }
  if (IsBankCardNumber(d)) {
    emit.Emit("pii", "bank_card", b, e, MaskBankCard(d));
    return true;
  }
  return false;
}

}  // namespace

void PersonalInfoFamily(const FieldScan& scan, FieldFindings& emit) {
  const auto& stream = scan.stream;
  const size_t n = stream.size();
  auto alnum_at = [&](size_t i) { return i < n && IsAsciiAlnum(stream[i].cp); };
  for (size_t i = 0; i < n;) {
    if (!IsDigit(stream[i].cp) || (i > 0 && alnum_at(i - 1))) {
      ++i;
      continue;
    }
    DigitRun run = ReadDigitRun(stream, i);
    size_t next = run.end;
    if (alnum_at(run.end)) {  // part of a longer code
      while (next < n && (IsAsciiAlnum(stream[next].cp))) ++next;
      i = next;
      continue;
    }
    if (!ClassifyDigits(scan, emit, run, 0, run.digits.size()) && run.group_starts.size() > 1) {
      run.group_starts.push_back(run.digits.size());
      for (size_t g = 0; g + 1 < run.group_starts.size(); ++g)
        ClassifyDigits(scan, emit, run, run.group_starts[g], run.group_starts[g + 1]);
    }
    i = next;
  }
}

// ---- 4. Dates ----

namespace {

// Reads a number of 1-2 ASCII digits or a short Chinese numeral ending just before end_excl.
bool ReadNumberBack(const std::vector<Unit>& stream, size_t end_excl, size_t* start, int* value) {
  size_t k = end_excl;
  while (k > 0 && IsDigit(stream[k - 1].cp) && end_excl - k < 3) --k;
  if (k < end_excl) {
    if (end_excl - k > 2 || (k > 0 && IsAsciiAlnum(stream[k - 1].cp))) return false;
    *start = k;
    *value = DigitsValue(stream, k, end_excl);
    return true;
  }
  while (k > 0 && ChineseDigit(stream[k - 1].cp) >= 0 && end_excl - k < 4) --k;
  if (k == end_excl || end_excl - k > 3 || (k > 0 && ChineseDigit(stream[k - 1].cp) >= 0))
    return false;
  std::u32string s;
  for (size_t x = k; x < end_excl; ++x) s.push_back(stream[x].cp);
  int v = ChineseNumber(s);
  if (v < 0) return false;
  *start = k;
  *value = v;
  return true;
}

// Reads a number of 1-2 ASCII digits or a short Chinese numeral starting at from.
bool ReadNumberForward(const std::vector<Unit>& stream, size_t from, size_t* end, int* value) {
  const size_t n = stream.size();
  size_t k = from;
  while (k < n && IsDigit(stream[k].cp) && k - from < 3) ++k;
  if (k > from) {
    if (k - from > 2) return false;
    *end = k;
    *value = DigitsValue(stream, from, k);
    return true;
  }
  std::u32string s;
  while (k < n && ChineseDigit(stream[k].cp) >= 0 && k - from < 4) s.push_back(stream[k++].cp);
  int v = ChineseNumber(s);
  if (v < 0) return false;
  *end = k;
  *value = v;
  return true;
}

// [YYYY年]M月[D日|号], the month and day in ASCII or Chinese numerals.
void ChineseDates(const FieldScan& scan, FieldFindings& emit) {
  const auto& stream = scan.stream;
  const size_t n = stream.size();
  for (size_t i = 0; i < n; ++i) {
    if (stream[i].cp != U'月') continue;
    size_t mstart;
    int month;
    if (!ReadNumberBack(stream, i, &mstart, &month)) continue;
    size_t start = mstart;
    int year = 0;
    if (mstart >= 5 && stream[mstart - 1].cp == U'年') {
      size_t k = mstart - 1;
      size_t ys = k;
      while (ys > 0 && IsDigit(stream[ys - 1].cp)) --ys;
      if (k - ys == 4 && !(ys > 0 && IsAsciiAlnum(stream[ys - 1].cp))) {
        year = DigitsValue(stream, ys, k);
        start = ys;
      }
    }
    if (month < 1 || month > 12) {
      emit.Emit("date", "invalid_month", stream[start].begin, stream[i].end, "");
      continue;
    }
    size_t dend;
    int day;
    if (ReadNumberForward(stream, i + 1, &dend, &day) && dend < n &&
        (stream[dend].cp == U'日' || stream[dend].cp == U'号') && !IsValidDate(year, month, day)) {
      emit.Emit("date", "invalid_day", stream[start].begin, stream[dend].end, "");
    }
  }
}

// YYYY-MM-DD and YYYY/MM/DD (one separator throughout, month and day of 1-2 digits).
void NumericDates(const FieldScan& scan, FieldFindings& emit) {
  const auto& stream = scan.stream;
  const size_t n = stream.size();
  for (size_t i = 0; i + 7 < n; ++i) {
    if (!IsDigit(stream[i].cp) || (i > 0 && IsAsciiAlnum(stream[i - 1].cp))) continue;
    size_t k = i;
    while (k < n && IsDigit(stream[k].cp)) ++k;
    if (k - i != 4 || k >= n || (stream[k].cp != '-' && stream[k].cp != '/')) continue;
    char32_t sep = stream[k].cp;
    size_t m1 = k + 1, m2 = m1;
    while (m2 < n && IsDigit(stream[m2].cp)) ++m2;
    if (m2 - m1 < 1 || m2 - m1 > 2 || m2 >= n || stream[m2].cp != sep) continue;
    size_t d1 = m2 + 1, d2 = d1;
    while (d2 < n && IsDigit(stream[d2].cp)) ++d2;
    if (d2 - d1 < 1 || d2 - d1 > 2 ||
        (d2 < n && (IsAsciiAlnum(stream[d2].cp) || stream[d2].cp == sep)))
      continue;
    int y = DigitsValue(stream, i, k), mo = DigitsValue(stream, m1, m2),
        d = DigitsValue(stream, d1, d2);
    if (!IsValidDate(y, mo, d))
      emit.Emit("date", mo < 1 || mo > 12 ? "invalid_month" : "invalid_day", stream[i].begin,
                stream[d2 - 1].end, "");
    i = d2 - 1;
  }
}

}  // namespace

void DatesFamily(const FieldScan& scan, FieldFindings& emit) {
  ChineseDates(scan, emit);
  NumericDates(scan, emit);
}

// ---- 5. Percentages ----

namespace {

// The number written in stream[k, i) (digits with at most one '.').
double DecimalValue(const std::vector<Unit>& stream, size_t k, size_t i) {
  double v = 0, scale = 0;
  for (size_t x = k; x < i; ++x) {
    if (stream[x].cp == '.') {
      scale = 1;
      continue;
    }
    if (scale > 0) {
      scale /= 10;
      v += (stream[x].cp - '0') * scale;
    } else {
      v = v * 10 + (stream[x].cp - '0');
    }
  }
  return v;
}

// Whether a share word ends at most 30 units before stream index k, in the same clause.
bool AfterShareWord(const FieldScan& scan, size_t k) {
  bool after_share = false;
  for (const Span& s : scan.hits.shares) {
    size_t share_end = scan.mt.unit[s.e - 1];
    if (share_end >= k || k - share_end > 30) continue;
    bool same_clause = true;
    for (size_t x = share_end + 1; x < k && same_clause; ++x)
      same_clause = !IsClauseEnd(scan.stream[x].cp);
    after_share = after_share || same_clause;
  }
  return after_share;
}

}  // namespace

void PercentagesFamily(const FieldScan& scan, FieldFindings& emit) {
  const auto& stream = scan.stream;
  const size_t n = stream.size();
  for (size_t i = 0; i < n; ++i) {
    if (stream[i].cp != '%') continue;
    size_t k = i;
    bool dot = false;
    while (k > 0 && (IsDigit(stream[k - 1].cp) || (stream[k - 1].cp == '.' && !dot))) {
      if (stream[k - 1].cp == '.') dot = true;
      --k;
    }
    if (k == i || !IsDigit(stream[k].cp)) continue;
    if (DecimalValue(stream, k, i) <= 100) continue;
    if (AfterShareWord(scan, k))
      emit.Emit("number", "impossible_percentage", stream[k].begin, stream[i].end, "");
  }
}

// ---- 6. Links ----

namespace {

// Host names: lower-case ASCII letters, digits, '-' and '.'.
bool HostCharsValid(const std::string& host) {
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

// No control characters or spaces anywhere in the URL (IRIs may hold non-ASCII).
bool UrlCharsValid(const std::string& u) {
  return std::all_of(u.begin(), u.end(), [](unsigned char c) { return c > 0x20 && c != 0x7F; });
}

// Extracts the host of an http://, https:// or www. URL (lower case, port removed); false if
// the URL is malformed.
bool ParseHost(const std::string& u, const std::string& lower, bool http, bool https,
               std::string* out) {
  size_t host_at = http ? 7 : https ? 8 : 0;
  size_t host_end = lower.find_first_of("/?#", host_at);
  std::string host =
      lower.substr(host_at, host_end == std::string::npos ? std::string::npos : host_end - host_at);
  bool ok = !host.empty() && host.find('@') == std::string::npos;
  size_t port = host.rfind(':');
  if (ok && port != std::string::npos) {
    std::string p = host.substr(port + 1);
    ok = !p.empty() && p.size() <= 5 &&
         std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
    host = host.substr(0, port);
  }
  ok = ok && host.find('.') != std::string::npos && host.front() != '.' && host.back() != '.' &&
       host.find("..") == std::string::npos;
  ok = ok && HostCharsValid(host) && UrlCharsValid(u);
  *out = std::move(host);
  return ok;
}

bool IsListedDomain(const RuleSet& rules, const std::string& host) {
  return std::any_of(
      rules.link_domains.begin(), rules.link_domains.end(), [&](const std::string& d) {
        return host == d ||
               (host.size() > d.size() && host.compare(host.size() - d.size(), d.size(), d) == 0 &&
                host[host.size() - d.size() - 1] == '.');
      });
}

void CheckLink(const FieldScan& scan, FieldFindings& emit, const LinkRef& l) {
  const std::string& u = l.url;
  std::string lower = u;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  bool http = lower.rfind("http://", 0) == 0, https = lower.rfind("https://", 0) == 0;
  bool www = lower.rfind("www.", 0) == 0;
  size_t colon = lower.find(':');
  size_t slash = lower.find_first_of("/?#");
  bool has_scheme = colon != std::string::npos && (slash == std::string::npos || colon < slash);
  if (!http && !https && !www) {
    if (!has_scheme) return;  // a relative link to the site itself
    std::string scheme = lower.substr(0, colon);
    if (scheme == "mailto" || scheme == "tel") return;
    // A picture or video the editor's upload button placed in the body (`media:<sha-256>`): the
    // piece's own media, checked as media, not a link (issue 15).
    if (scheme == "media" && lower.size() == 6 + 64 &&
        std::all_of(lower.begin() + 6, lower.end(),
                    [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
      return;
    emit.Emit("link", "malformed", l.begin, l.end, "");
    return;
  }
  std::string host;
  if (!ParseHost(u, lower, http, https, &host)) {
    emit.Emit("link", "malformed", l.begin, l.end, "");
    return;
  }
  if (http) emit.Emit("link", "insecure", l.begin, l.end, "https://" + u.substr(7));
  if (!IsListedDomain(scan.rules, host)) emit.Emit("link", "unlisted_domain", l.begin, l.end, "");
}

}  // namespace

void LinksFamily(const FieldScan& scan, FieldFindings& emit) {
  for (const LinkRef& l : scan.prose.links) CheckLink(scan, emit, l);
}

}  // namespace gd::checks
