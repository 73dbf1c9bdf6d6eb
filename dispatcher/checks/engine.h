// The automated checks (对标监测, art. 6, 7, 11, 12, 16): every rule family over one content
// version. Rules come from policies/checks (formats in its README.md); the engine compiles them
// into one shared automaton at load time.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"
#include "dispatcher/model/content.h"

namespace gd::checks {

struct Finding {
  std::string id;        // "rule:field:start" (":kind" appended if two share it); stable in a run
  std::string rule;      // secret_marking, sensitive_word, expression, typo, pii, missing_source,
                         // date, number, link
  std::string kind;      // id_card, mobile, bank_card, the term category, …
  std::string severity;  // "block" | "warn"
  std::string field;     // "body" | "title" | "summary" | "source"
  // Byte and code-point offsets into that field, spanning exactly the matched text.
  size_t start = 0, end = 0, char_start = 0, char_end = 0;
  std::string text, message /* Chinese */, suggestion;
  bool overridable = true;  // false for secret_marking and other non-overridable blocks
};

// docs/api.md §3.5 shape; "field" only when not "body".
Json FindingToJson(const Finding& f);
Json FindingsToJson(const std::vector<Finding>& findings);  // {"findings": [...]}
bool AnyBlocking(const std::vector<Finding>& findings);

struct CheckInput {
  Category category = Category::kWorkNews;
  std::string_view title, summary, body /* Markdown */, source;
};

class CheckEngine {
 public:
  // Loads and validates every rule file under `dir` (e.g. <repo>/policies/checks). A bad file
  // is kInvalidArgument naming the file and the line or field.
  static StatusOr<std::shared_ptr<const CheckEngine>> Load(const std::filesystem::path& dir);

  // Runs every family over the input. Thread-safe; findings sorted by field (title, summary,
  // body, source) then start. Invalid UTF-8 is tolerated (malformed bytes match nothing).
  std::vector<Finding> Run(const CheckInput& in) const;

  // SHA-256 over the loaded rule files: a different value means published content needs a
  // rescan (art. 16).
  const std::string& version() const;

  struct Stats {
    size_t patterns = 0, states = 0, memory_bytes = 0;
  };
  Stats stats() const;

  ~CheckEngine();
  CheckEngine(const CheckEngine&) = delete;
  CheckEngine& operator=(const CheckEngine&) = delete;

  struct Impl;

 private:
  explicit CheckEngine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gd::checks
