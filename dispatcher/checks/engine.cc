#include "dispatcher/checks/engine.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "dispatcher/checks/markdown_walker.h"
#include "dispatcher/checks/matcher.h"
#include "dispatcher/checks/pii.h"
#include "dispatcher/checks/rules.h"
#include "dispatcher/checks/text_stream.h"
#include "dispatcher/core/utf8.h"

namespace gd::checks {

namespace {

// Which list a dictionary pattern belongs to.
enum class Fam : uint8_t {
  kSecret,
  kSensitive,
  kExpression,
  kTypo,
  kLeaderName,
  kLeaderTitle,
  kShareWord
};
constexpr int kTermFamilies = 4;  // kSecret..kTypo
enum class Role : uint8_t { kTerm, kException };

struct PatternInfo {
  Fam fam;
  Role role;
  uint32_t entry;
};

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

}  // namespace

struct CheckEngine::Impl {
  RuleSet rules;
  Normalizer norm;
  std::shared_ptr<const Matcher> matcher;
  std::vector<PatternInfo> info;
  std::vector<std::string> titles;                   // leader title id -> title
  std::vector<std::vector<uint32_t>> leader_titles;  // leader -> title ids

  const std::vector<TermRule>& TermList(int fam) const {
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

  Status Compile();
  void RunField(std::string_view field, std::string_view text, bool markdown,
                std::vector<Finding>* out) const;
};

Status CheckEngine::Impl::Compile() {
  norm = Normalizer(rules.variants);
  Matcher::Builder b;
  auto add = [&](const std::string& term, const std::string& where, Fam fam, Role role,
                 uint32_t entry) -> Status {
    std::u32string t = NormalizeTerm(term, norm);
    if (t.empty() || t.find(U'\0') != std::u32string::npos)
      return InvalidArgument("规则 " + where + "：词条 “" + term + "” 规范化后为空或含过长的分隔");
    b.Add(t);
    info.push_back({fam, role, entry});
    return Status::Ok();
  };
  for (int f = 0; f < kTermFamilies; ++f) {
    const auto& list = TermList(f);
    for (uint32_t i = 0; i < list.size(); ++i) {
      GD_RETURN_IF_ERROR(add(list[i].term, list[i].where, static_cast<Fam>(f), Role::kTerm, i));
      for (const auto& ex : list[i].exceptions) {
        if (NormalizeTerm(ex, norm).find(NormalizeTerm(list[i].term, norm)) == std::u32string::npos)
          return InvalidArgument("规则 " + list[i].where + "：例外 “" + ex + "” 不包含词条 “" +
                                 list[i].term + "”");
        GD_RETURN_IF_ERROR(add(ex, list[i].where, static_cast<Fam>(f), Role::kException, i));
      }
    }
  }
  std::map<std::string, uint32_t> title_ids;
  for (uint32_t i = 0; i < rules.leaders.size(); ++i) {
    const LeaderRule& l = rules.leaders[i];
    GD_RETURN_IF_ERROR(add(l.name, "leaders.tsv", Fam::kLeaderName, Role::kTerm, i));
    leader_titles.emplace_back();
    for (const auto& t : l.titles) {
      auto [it, inserted] = title_ids.try_emplace(t, static_cast<uint32_t>(titles.size()));
      if (inserted) {
        titles.push_back(t);
        GD_RETURN_IF_ERROR(add(t, "leaders.tsv", Fam::kLeaderTitle, Role::kTerm, it->second));
      }
      leader_titles.back().push_back(it->second);
    }
  }
  for (uint32_t i = 0; i < rules.share_words.size(); ++i)
    GD_RETURN_IF_ERROR(
        add(rules.share_words[i], "share_words.txt", Fam::kShareWord, Role::kTerm, i));
  matcher = b.Build();
  return Status::Ok();
}

namespace {

// Collects findings of one field; offsets in bytes of the field.
class FieldFindings {
 public:
  FieldFindings(const RuleSet& rules, std::string_view field, std::string_view text,
                std::vector<Finding>* out)
      : rules_(rules), field_(field), text_(text), out_(out) {}

  void Emit(const std::string& rule, const std::string& kind, size_t begin, size_t end,
            const std::string& suggestion, const std::string& severity_override = {},
            const std::string& category = {}) {
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

 private:
  const RuleSet& rules_;
  std::string_view field_;
  std::string_view text_;
  std::vector<Finding>* out_;
};

struct Span {
  size_t b, e;  // indices in the match text
  uint32_t entry;
};

}  // namespace

void CheckEngine::Impl::RunField(std::string_view field, std::string_view text, bool markdown,
                                 std::vector<Finding>* out) const {
  ProseText prose = markdown ? WalkMarkdown(text) : PlainProse(text);
  std::vector<Unit> stream = BuildStream(text, prose, norm);
  MatchText mt = BuildMatchText(stream);
  FieldFindings emit(rules, field, text, out);
  auto byte_begin = [&](size_t b) { return stream[mt.unit[b]].begin; };
  auto byte_end = [&](size_t e) { return stream[mt.unit[e - 1]].end; };

  // 1. Dictionary families: one scan for every list.
  std::vector<Matcher::Match> terms[kTermFamilies], exceptions[kTermFamilies];
  std::vector<Matcher::Match> names, titles_found;
  std::vector<Span> shares;
  matcher->ScanAll(mt.cps, [&](uint32_t p, size_t b, size_t e) {
    const PatternInfo& pi = info[p];
    Matcher::Match m{p, b, e};
    switch (pi.fam) {
      case Fam::kLeaderName:
        names.push_back(m);
        break;
      case Fam::kLeaderTitle:
        titles_found.push_back(m);
        break;
      case Fam::kShareWord:
        shares.push_back({b, e, pi.entry});
        break;
      default: {
        int f = static_cast<int>(pi.fam);
        (pi.role == Role::kTerm ? terms[f] : exceptions[f]).push_back(m);
      }
    }
  });
  for (int f = 0; f < kTermFamilies; ++f) {
    std::vector<Matcher::Match> kept;
    for (const auto& m : terms[f]) {
      uint32_t entry = info[m.pattern].entry;
      bool excepted = std::any_of(exceptions[f].begin(), exceptions[f].end(), [&](const auto& x) {
        return info[x.pattern].entry == entry && x.begin <= m.begin && x.end >= m.end;
      });
      if (!excepted) kept.push_back(m);
    }
    for (const auto& m : Matcher::SelectLeftmostLongest(std::move(kept))) {
      const TermRule& r = TermList(f)[info[m.pattern].entry];
      emit.Emit(kTermRuleNames[f], r.kind, byte_begin(m.begin), byte_end(m.end), r.replacement,
                r.severity, r.kind);
    }
  }

  // 2. Leaders: a title directly before a name it does not belong to, and listings out of order.
  names = Matcher::SelectLeftmostLongest(std::move(names));
  titles_found = Matcher::SelectLeftmostLongest(std::move(titles_found));
  for (const auto& n : names) {
    uint32_t leader = info[n.pattern].entry;
    for (const auto& t : titles_found) {
      if (t.end != n.begin) continue;
      uint32_t title = info[t.pattern].entry;
      const auto& own = leader_titles[leader];
      if (std::find(own.begin(), own.end(), title) != own.end()) continue;
      emit.Emit("expression", "leader_title", byte_begin(t.begin), byte_end(n.end),
                rules.leaders[leader].titles[0] + rules.leaders[leader].name);
    }
  }
  auto listing_gap = [&](size_t b, size_t e) {
    if (e - b > 24) return false;
    for (size_t i = b; i < e;) {
      auto covered = std::find_if(titles_found.begin(), titles_found.end(),
                                  [&](const auto& t) { return t.begin == i; });
      if (covered != titles_found.end() && covered->end <= e) {
        i = covered->end;
        continue;
      }
      if (i + 1 < e && mt.cps[i] == U'同' && mt.cps[i + 1] == U'志') {
        i += 2;
        continue;
      }
      char32_t c = mt.cps[i];
      if (c != U'、' && c != U'，' && c != ',' && c != U'和' && c != U'与' && c != U'及' &&
          c != ' ')
        return false;
      ++i;
    }
    return true;
  };
  for (size_t i = 0; i < names.size();) {
    size_t j = i + 1;
    while (j < names.size() && listing_gap(names[j - 1].end, names[j].begin)) ++j;
    bool ordered = true;
    for (size_t k = i + 1; k < j; ++k)
      ordered = ordered && rules.leaders[info[names[k - 1].pattern].entry].rank <=
                               rules.leaders[info[names[k].pattern].entry].rank;
    if (!ordered) {
      std::vector<uint32_t> ls;
      for (size_t k = i; k < j; ++k) ls.push_back(info[names[k].pattern].entry);
      std::stable_sort(ls.begin(), ls.end(), [&](uint32_t a, uint32_t b) {
        return rules.leaders[a].rank < rules.leaders[b].rank;
      });
      std::string suggestion;
      for (uint32_t l : ls) suggestion += (suggestion.empty() ? "" : "、") + rules.leaders[l].name;
      emit.Emit("expression", "leader_order", byte_begin(names[i].begin),
                byte_end(names[j - 1].end), suggestion);
    }
    i = j;
  }

  // 3. Personal information: digit runs (single spaces or hyphens allowed inside).
  const size_t n = stream.size();
  auto alnum_at = [&](size_t i) { return i < n && IsAsciiAlnum(stream[i].cp); };
  for (size_t i = 0; i < n;) {
    if (!IsDigit(stream[i].cp) || (i > 0 && alnum_at(i - 1))) {
      ++i;
      continue;
    }
    // digits[k] and their stream index; groups split at separators.
    std::string digits;
    std::vector<size_t> at;
    std::vector<size_t> group_starts{0};
    size_t j = i;
    while (j < n) {
      char32_t c = stream[j].cp;
      if (IsDigit(c)) {
        digits.push_back(static_cast<char>(c));
        at.push_back(j);
        ++j;
      } else if (c == 'x' && digits.size() == 17) {
        digits.push_back('X');
        at.push_back(j);
        ++j;
        break;
      } else if ((c == ' ' || c == '-') && j + 1 < n && IsDigit(stream[j + 1].cp)) {
        group_starts.push_back(digits.size());
        ++j;
      } else {
        break;
      }
    }
    size_t next = j;
    if (alnum_at(j)) {  // part of a longer code
      while (next < n && (IsAsciiAlnum(stream[next].cp))) ++next;
      i = next;
      continue;
    }
    auto classify = [&](size_t from, size_t to) -> bool {
      std::string_view d(digits.data() + from, to - from);
      size_t b = stream[at[from]].begin, e = stream[at[to - 1]].end;
      if (d.size() == 18) {
        IdCardCheck id = CheckIdCard(d, rules.id_regions);
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
    };
    if (!classify(0, digits.size()) && group_starts.size() > 1) {
      group_starts.push_back(digits.size());
      for (size_t g = 0; g + 1 < group_starts.size(); ++g)
        classify(group_starts[g], group_starts[g + 1]);
    }
    i = next;
  }

  // 4. Dates: [YYYY年]M月[D日|号] with ASCII or Chinese numerals, and YYYY-MM-DD / YYYY/MM/DD.
  auto read_back = [&](size_t end_excl, size_t* start, int* value) -> bool {
    size_t k = end_excl;
    while (k > 0 && IsDigit(stream[k - 1].cp) && end_excl - k < 3) --k;
    if (k < end_excl) {
      if (end_excl - k > 2 || (k > 0 && IsAsciiAlnum(stream[k - 1].cp))) return false;
      int v = 0;
      for (size_t x = k; x < end_excl; ++x) v = v * 10 + static_cast<int>(stream[x].cp - '0');
      *start = k;
      *value = v;
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
  };
  auto read_forward = [&](size_t from, size_t* end, int* value) -> bool {
    size_t k = from;
    while (k < n && IsDigit(stream[k].cp) && k - from < 3) ++k;
    if (k > from) {
      if (k - from > 2) return false;
      int v = 0;
      for (size_t x = from; x < k; ++x) v = v * 10 + static_cast<int>(stream[x].cp - '0');
      *end = k;
      *value = v;
      return true;
    }
    std::u32string s;
    while (k < n && ChineseDigit(stream[k].cp) >= 0 && k - from < 4) s.push_back(stream[k++].cp);
    int v = ChineseNumber(s);
    if (v < 0) return false;
    *end = k;
    *value = v;
    return true;
  };
  for (size_t i = 0; i < n; ++i) {
    if (stream[i].cp != U'月') continue;
    size_t mstart;
    int month;
    if (!read_back(i, &mstart, &month)) continue;
    size_t start = mstart;
    int year = 0;
    if (mstart >= 5 && stream[mstart - 1].cp == U'年') {
      size_t k = mstart - 1;
      size_t ys = k;
      while (ys > 0 && IsDigit(stream[ys - 1].cp)) --ys;
      if (k - ys == 4 && !(ys > 0 && IsAsciiAlnum(stream[ys - 1].cp))) {
        for (size_t x = ys; x < k; ++x) year = year * 10 + static_cast<int>(stream[x].cp - '0');
        start = ys;
      }
    }
    if (month < 1 || month > 12) {
      emit.Emit("date", "invalid_month", stream[start].begin, stream[i].end, "");
      continue;
    }
    size_t dend;
    int day;
    if (read_forward(i + 1, &dend, &day) && dend < n &&
        (stream[dend].cp == U'日' || stream[dend].cp == U'号') && !IsValidDate(year, month, day)) {
      emit.Emit("date", "invalid_day", stream[start].begin, stream[dend].end, "");
    }
  }
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
    auto num = [&](size_t a, size_t b) {
      int v = 0;
      for (size_t x = a; x < b; ++x) v = v * 10 + static_cast<int>(stream[x].cp - '0');
      return v;
    };
    int y = num(i, k), mo = num(m1, m2), d = num(d1, d2);
    if (!IsValidDate(y, mo, d))
      emit.Emit("date", mo < 1 || mo > 12 ? "invalid_month" : "invalid_day", stream[i].begin,
                stream[d2 - 1].end, "");
    i = d2 - 1;
  }

  // 5. Percentages above 100% after a share word (占比, 合格率…) in the same clause.
  for (size_t i = 0; i < n; ++i) {
    if (stream[i].cp != '%') continue;
    size_t k = i;
    bool dot = false;
    while (k > 0 && (IsDigit(stream[k - 1].cp) || (stream[k - 1].cp == '.' && !dot))) {
      if (stream[k - 1].cp == '.') dot = true;
      --k;
    }
    if (k == i || !IsDigit(stream[k].cp)) continue;
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
    if (v <= 100) continue;
    bool after_share = false;
    for (const Span& s : shares) {
      size_t share_end = mt.unit[s.e - 1];
      if (share_end >= k || k - share_end > 30) continue;
      bool same_clause = true;
      for (size_t x = share_end + 1; x < k && same_clause; ++x)
        same_clause = !IsClauseEnd(stream[x].cp);
      after_share = after_share || same_clause;
    }
    if (after_share)
      emit.Emit("number", "impossible_percentage", stream[k].begin, stream[i].end, "");
  }

  // 6. Links.
  for (const LinkRef& l : prose.links) {
    std::string u = l.url;
    std::string lower = u;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    bool http = lower.rfind("http://", 0) == 0, https = lower.rfind("https://", 0) == 0;
    bool www = lower.rfind("www.", 0) == 0;
    size_t colon = lower.find(':');
    size_t slash = lower.find_first_of("/?#");
    bool has_scheme = colon != std::string::npos && (slash == std::string::npos || colon < slash);
    if (!http && !https && !www) {
      if (!has_scheme) continue;  // a relative link to the site itself
      std::string scheme = lower.substr(0, colon);
      if (scheme == "mailto" || scheme == "tel") continue;
      emit.Emit("link", "malformed", l.begin, l.end, "");
      continue;
    }
    size_t host_at = http ? 7 : https ? 8 : 0;
    size_t host_end = lower.find_first_of("/?#", host_at);
    std::string host = lower.substr(
        host_at, host_end == std::string::npos ? std::string::npos : host_end - host_at);
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
    for (char c : host)
      ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.');
    for (unsigned char c : u) ok = ok && c > 0x20 && c != 0x7F;  // IRIs may hold non-ASCII
    if (!ok) {
      emit.Emit("link", "malformed", l.begin, l.end, "");
      continue;
    }
    if (http) emit.Emit("link", "insecure", l.begin, l.end, "https://" + u.substr(7));
    bool listed = std::any_of(
        rules.link_domains.begin(), rules.link_domains.end(), [&](const std::string& d) {
          return host == d || (host.size() > d.size() &&
                               host.compare(host.size() - d.size(), d.size(), d) == 0 &&
                               host[host.size() - d.size() - 1] == '.');
        });
    if (!listed) emit.Emit("link", "unlisted_domain", l.begin, l.end, "");
  }
}

CheckEngine::CheckEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CheckEngine::~CheckEngine() = default;

StatusOr<std::shared_ptr<const CheckEngine>> CheckEngine::Load(const std::filesystem::path& dir) {
  auto impl = std::make_unique<Impl>();
  GD_ASSIGN_OR_RETURN(impl->rules, LoadRuleSet(dir));
  GD_RETURN_IF_ERROR(impl->Compile());
  return std::shared_ptr<const CheckEngine>(new CheckEngine(std::move(impl)));
}

const std::string& CheckEngine::version() const { return impl_->rules.version; }

CheckEngine::Stats CheckEngine::stats() const {
  return {impl_->matcher->pattern_count(), impl_->matcher->state_count(),
          impl_->matcher->MemoryBytes()};
}

std::vector<Finding> CheckEngine::Run(const CheckInput& in) const {
  std::vector<Finding> out;
  struct Field {
    const char* name;
    std::string_view text;
    bool markdown;
  };
  const Field fields[] = {
      {"title", in.title, false},
      {"summary", in.summary, false},
      {"body", in.body, true},
      {"source", in.source, false},
  };
  for (int fi = 0; fi < 4; ++fi) {
    const Field& f = fields[fi];
    size_t first = out.size();
    impl_->RunField(f.name, f.text, f.markdown, &out);
    if (fi == 3 && in.category == Category::kReposted) {
      bool blank = std::all_of(f.text.begin(), f.text.end(), [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
      });
      if (blank) {
        FieldFindings(impl_->rules, f.name, f.text, &out)
            .Emit("missing_source", "missing", 0, 0, "注明信息来源（原发布单位或媒体名称）");
        out.back().text.clear();
      }
    }
    std::stable_sort(out.begin() + first, out.end(), [](const Finding& a, const Finding& b) {
      if (a.start != b.start) return a.start < b.start;
      if (a.end != b.end) return a.end < b.end;
      return a.rule < b.rule;
    });
    // Code-point offsets in one forward pass over the sorted starts (ends follow their starts).
    size_t cursor_byte = 0, cursor_cp = 0;
    auto cp_at = [&](size_t byte) {
      if (byte < cursor_byte) {
        cursor_byte = 0;
        cursor_cp = 0;
      }
      cursor_cp += CodePointCount(f.text.substr(cursor_byte, byte - cursor_byte));
      cursor_byte = byte;
      return cursor_cp;
    };
    std::set<std::string> used;
    for (size_t k = first; k < out.size(); ++k) {
      Finding& x = out[k];
      x.char_start = cp_at(x.start);
      x.char_end = x.char_start + CodePointCount(f.text.substr(x.start, x.end - x.start));
      const std::string base = x.rule + ":" + x.field + ":" + std::to_string(x.start);
      std::string id = base;
      for (int dup = 1; !used.insert(id).second; ++dup)
        id = base + ":" + x.kind + (dup > 1 ? ":" + std::to_string(dup) : "");
      x.id = id;
    }
  }
  return out;
}

Json FindingToJson(const Finding& f) {
  Json j = {{"id", f.id},
            {"rule", f.rule},
            {"kind", f.kind},
            {"severity", f.severity},
            {"start", f.start},
            {"end", f.end},
            {"char_start", f.char_start},
            {"char_end", f.char_end},
            {"text", f.text},
            {"message", f.message},
            {"suggestion", f.suggestion},
            {"overridable", f.overridable}};
  if (f.field != "body") j["field"] = f.field;
  return j;
}

Json FindingsToJson(const std::vector<Finding>& findings) {
  Json arr = Json::array();
  for (const auto& f : findings) arr.push_back(FindingToJson(f));
  return Json{{"findings", arr}};
}

bool AnyBlocking(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.severity == "block"; });
}

}  // namespace gd::checks
