// Freshness of columns and channel accounts (art. 4; 国办秘函〔2019〕19号 indicators).
//
// Thresholds are data (policies/freshness.json). Counting is in calendar days by the date in
// China Standard Time: the day of the last publication is day 0, and holidays and weekends
// count like any other day (the national indicators look at the 2 weeks / 6 months before the
// check, not at working days). A column or account is
//   overdue   when more than threshold_days days have passed,
//   due_soon  when more than threshold_days - due_soon_days have passed,
//   blank     when it is configured (or exists) but nothing was ever published in it,
//   ok        otherwise.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/core/clock.h"
#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"

namespace gd {

struct FreshnessRule {
  std::vector<std::string> names;     // exact column names
  std::vector<std::string> contains;  // or a column name containing one of these
  int threshold_days = 30;
  std::string basis;  // where the threshold comes from (shown to people)
};

class FreshnessPolicy {
 public:
  // Parses and validates; errors name the file and the field path.
  static StatusOr<FreshnessPolicy> Load(const std::filesystem::path& file);
  static StatusOr<FreshnessPolicy> Parse(const std::string& text, const std::string& origin);

  // The rule for a portal column: the first matching rule, else the default (art. 4).
  const FreshnessRule& RuleForColumn(const std::string& column) const;
  // Columns every unit (but the city office) is expected to keep, then the unit's own.
  std::vector<std::string> ColumnsFor(const std::string& unit_name,
                                      const std::string& unit_kind) const;
  bool MonitorsAccountKind(const std::string& kind) const;
  const FreshnessRule& account_rule() const { return account_; }
  int due_soon_days() const { return due_soon_days_; }

 private:
  int due_soon_days_ = 3;
  FreshnessRule column_default_;
  std::vector<FreshnessRule> column_rules_;
  FreshnessRule account_;
  std::vector<std::string> account_kinds_;
  std::vector<std::string> default_columns_;
  std::map<std::string, std::vector<std::string>> unit_columns_;  // by unit name
};

enum class FreshnessStatus { kOk, kDueSoon, kOverdue, kBlank };
std::string_view FreshnessStatusKey(FreshnessStatus s);
std::string_view FreshnessStatusLabel(FreshnessStatus s);  // 正常 / 即将超期 / 已超期 / 空白

// The status of something last published at `last` (0 = never) on `now`.
FreshnessStatus EvaluateFreshness(TimeMs last, TimeMs now, int threshold_days, int due_soon_days);
// Calendar days (CST dates) from `last` to `now`.
int64_t CalendarDaysBetween(TimeMs last, TimeMs now);

}  // namespace gd
