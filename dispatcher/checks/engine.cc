#include "dispatcher/checks/engine.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "dispatcher/checks/markdown_walker.h"
#include "dispatcher/checks/matcher.h"
#include "dispatcher/checks/rule_families.h"
#include "dispatcher/checks/rules.h"
#include "dispatcher/checks/text_stream.h"
#include "dispatcher/core/utf8.h"

namespace gd::checks {

struct CheckEngine::Impl {
  RuleSet rules;
  Normalizer norm;
  std::shared_ptr<const Matcher> matcher;
  std::vector<PatternInfo> info;
  std::vector<std::string> titles;                   // leader title id -> title
  std::vector<std::vector<uint32_t>> leader_titles;  // leader -> title ids

  Status Compile();
  DictionaryHits ScanDictionary(const MatchText& mt) const;
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
    const auto& list = TermList(rules, f);
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

DictionaryHits CheckEngine::Impl::ScanDictionary(const MatchText& mt) const {
  DictionaryHits hits;
  matcher->ScanAll(mt.cps, [&](uint32_t p, size_t b, size_t e) {
    const PatternInfo& pi = info[p];
    Matcher::Match m{p, b, e};
    switch (pi.fam) {
      case Fam::kLeaderName:
        hits.names.push_back(m);
        break;
      case Fam::kLeaderTitle:
        hits.titles.push_back(m);
        break;
      case Fam::kShareWord:
        hits.shares.push_back({b, e, pi.entry});
        break;
      default: {
        int f = static_cast<int>(pi.fam);
        (pi.role == Role::kTerm ? hits.terms[f] : hits.exceptions[f]).push_back(m);
      }
    }
  });
  hits.names = Matcher::SelectLeftmostLongest(std::move(hits.names));
  hits.titles = Matcher::SelectLeftmostLongest(std::move(hits.titles));
  return hits;
}

void CheckEngine::Impl::RunField(std::string_view field, std::string_view text, bool markdown,
                                 std::vector<Finding>* out) const {
  ProseText prose = markdown ? WalkMarkdown(text) : PlainProse(text);
  std::vector<Unit> stream = BuildStream(text, prose, norm);
  MatchText mt = BuildMatchText(stream);
  const FieldScan scan{rules, info, leader_titles, prose, stream, mt, ScanDictionary(mt)};
  FieldFindings emit(rules, field, text, out);
  for (RuleFamily family : kRuleFamilies) family(scan, emit);
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
