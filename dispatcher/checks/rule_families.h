// The rule families of the check engine (对标监测), private to dispatcher/checks.
//
// The engine prepares one field (prose, normalised stream, match text, one dictionary scan)
// into a FieldScan, then runs every entry of kRuleFamilies over it in order; each family reads
// the scan and emits its findings. Adding a family is one function and one line in the table.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dispatcher/checks/engine.h"
#include "dispatcher/checks/matcher.h"
#include "dispatcher/checks/rules.h"
#include "dispatcher/checks/text_stream.h"

namespace gd::checks {

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
inline constexpr int kTermFamilies = 4;  // kSecret..kTypo
enum class Role : uint8_t { kTerm, kException };

struct PatternInfo {
  Fam fam;
  Role role;
  uint32_t entry;
};

// The term list of a term family (0 <= fam < kTermFamilies).
const std::vector<TermRule>& TermList(const RuleSet& rules, int fam);

// Collects findings of one field; offsets in bytes of the field.
class FieldFindings {
 public:
  FieldFindings(const RuleSet& rules, std::string_view field, std::string_view text,
                std::vector<Finding>* out)
      : rules_(rules), field_(field), text_(text), out_(out) {}

  // Appends a finding of family `rule` (a key of rules.families) over text[begin, end).
  void Emit(const std::string& rule, const std::string& kind, size_t begin, size_t end,
            const std::string& suggestion, const std::string& severity_override = {},
            const std::string& category = {});

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

// What the one dictionary scan of a field found, split by list. Leader names and titles are
// already reduced to leftmost-longest matches.
struct DictionaryHits {
  std::vector<Matcher::Match> terms[kTermFamilies], exceptions[kTermFamilies];
  std::vector<Matcher::Match> names, titles;
  std::vector<Span> shares;
};

// One field prepared for the rule families. References point into the engine and into
// RunField's locals; a FieldScan lives only while the field is checked.
struct FieldScan {
  const RuleSet& rules;
  const std::vector<PatternInfo>& info;                     // pattern id -> list and entry
  const std::vector<std::vector<uint32_t>>& leader_titles;  // leader -> title ids
  const ProseText& prose;
  const std::vector<Unit>& stream;
  const MatchText& mt;
  DictionaryHits hits;

  // Byte offsets in the field of match-text positions b (first) and e (one past the last).
  size_t ByteBegin(size_t b) const { return stream[mt.unit[b]].begin; }
  size_t ByteEnd(size_t e) const { return stream[mt.unit[e - 1]].end; }
};

// A rule family: reads the scan, emits its findings. Must not keep references past the call.
using RuleFamily = void (*)(const FieldScan& scan, FieldFindings& emit);

// 1. Dictionary terms (secret markings, sensitive words, expressions, typos) minus exceptions.
void DictionaryTermsFamily(const FieldScan& scan, FieldFindings& emit);
// 2. Leaders: a title directly before a name it does not belong to; listings out of order.
void LeadersFamily(const FieldScan& scan, FieldFindings& emit);
// 3. Personal information: ID card, mobile and bank card numbers in digit runs.
void PersonalInfoFamily(const FieldScan& scan, FieldFindings& emit);
// 4. Dates that do not exist: [YYYY年]M月[D日|号] and YYYY-MM-DD / YYYY/MM/DD.
void DatesFamily(const FieldScan& scan, FieldFindings& emit);
// 5. Percentages above 100% after a share word (占比, 合格率…) in the same clause.
void PercentagesFamily(const FieldScan& scan, FieldFindings& emit);
// 6. Links: malformed, insecure (http://), or to a domain not on the list.
void LinksFamily(const FieldScan& scan, FieldFindings& emit);

// Every family, in the order their findings are emitted (ties in the final sort keep it).
inline constexpr RuleFamily kRuleFamilies[] = {
    DictionaryTermsFamily, LeadersFamily,     PersonalInfoFamily,
    DatesFamily,           PercentagesFamily, LinksFamily,
};

}  // namespace gd::checks
