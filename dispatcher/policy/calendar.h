// The official working-day calendar (国务院办公厅节假日安排): weekends, holidays, make-up workdays.
#pragma once

#include <filesystem>
#include <set>
#include <string>

#include "dispatcher/core/status.h"
#include "dispatcher/core/time_util.h"

namespace gd {

class WorkCalendar {
 public:
  // Loads every *.json under `dir` (format of policies/calendar/cn-2026.json).
  static StatusOr<WorkCalendar> LoadDir(const std::filesystem::path& dir);
  // Adds one year's file; errors name the file and field.
  Status AddYearJson(const std::string& text, const std::string& origin);

  bool IsWorkingDay(CivilDate d) const;
  // The `n`-th working day strictly after `d` (n >= 1).
  CivilDate AddWorkingDays(CivilDate d, int n) const;
  // Whether any calendar covers `year` (outside covered years only weekends count).
  bool Covers(int year) const { return years_.count(year) > 0; }

 private:
  std::set<int64_t> holidays_;  // days since epoch
  std::set<int64_t> makeup_;
  std::set<int> years_;
};

}  // namespace gd
