// The rule files under policies/checks, parsed and validated (formats: policies/checks/README.md).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "dispatcher/core/status.h"

namespace gd::checks {

struct FamilyConfig {
  std::string severity = "warn";  // "block" | "warn"
  bool overridable = true;
  std::map<std::string, std::string> messages;  // by kind; "default" for any other kind
  // The message template for `kind`, with {text}, {suggestion} and {category} placeholders.
  const std::string& Message(const std::string& kind) const;
};

// One dictionary line: a term that fires, what to write instead, and the longer words that
// contain it but must not fire (机密 / 机密性).
struct TermRule {
  std::string term;
  std::string replacement;  // suggestion; may be empty
  std::string kind;         // term category ("gambling", "outdated_name", …)
  std::string severity;     // empty: the family's
  std::vector<std::string> exceptions;
  std::string where;  // "file:line" for messages
};

struct LeaderRule {
  std::string name;
  std::vector<std::string> titles;
  int rank = 0;  // smaller ranks are listed first
};

struct RuleSet {
  std::map<std::string, FamilyConfig> families;
  std::vector<TermRule> secret_markings, sensitive_words, expressions, typos;
  std::vector<LeaderRule> leaders;
  std::unordered_set<std::string> id_regions;  // "11", "1101", and "11*" when cities are listed
  std::vector<std::string> link_domains;       // lower case
  std::vector<std::string> share_words;
  std::unordered_map<char32_t, char32_t> variants;  // traditional -> simplified
  std::vector<std::string> files;                   // loaded file names
  std::string version;  // SHA-256 over the names and contents of the loaded files
};

// Reads every rule file in `dir`. Unknown files (other than *.md and dot files) are errors, so
// a misnamed dictionary does not silently stop working. Errors name the file and line.
StatusOr<RuleSet> LoadRuleSet(const std::filesystem::path& dir);

inline const char* const kFamilies[] = {
    "secret_marking", "sensitive_word", "expression", "typo", "pii",
    "missing_source", "date",           "number",     "link"};

}  // namespace gd::checks
