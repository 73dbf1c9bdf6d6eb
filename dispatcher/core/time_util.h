// RFC 3339 formatting and parsing; China Standard Time (UTC+8) calendar helpers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "dispatcher/core/clock.h"

namespace gd {

inline constexpr int kCstOffsetSeconds = 8 * 3600;

// "2026-11-29T09:30:00+08:00" (seconds precision) in the given offset.
std::string FormatRfc3339(TimeMs t, int offset_seconds = kCstOffsetSeconds);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)"; nullopt if malformed.
std::optional<TimeMs> ParseRfc3339(std::string_view s);

struct CivilDate {
  int year = 1970, month = 1, day = 1;
  bool operator==(const CivilDate&) const = default;
  auto operator<=>(const CivilDate&) const = default;
};

// Days since 1970-01-01 for a civil date, and back (proleptic Gregorian).
int64_t DaysFromCivil(CivilDate d);
CivilDate CivilFromDays(int64_t days);
// The date in UTC+8 at instant t.
CivilDate CstDate(TimeMs t);
// "YYYY-MM-DD" <-> CivilDate.
std::string FormatDate(CivilDate d);
std::optional<CivilDate> ParseDate(std::string_view s);
// 0 = Monday ... 6 = Sunday.
int Weekday(CivilDate d);
// The instant of 00:00 of the date in UTC+8.
TimeMs CstMidnight(CivilDate d);

}  // namespace gd
