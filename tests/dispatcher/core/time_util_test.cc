#include "dispatcher/core/time_util.h"

#include <gtest/gtest.h>

namespace gd {
namespace {

TEST(TimeUtil, Rfc3339RoundTrip) {
  auto t = ParseRfc3339("2026-11-29T09:30:00+08:00");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatRfc3339(*t), "2026-11-29T09:30:00+08:00");
  EXPECT_EQ(FormatRfc3339(*t, 0), "2026-11-29T01:30:00+00:00");
  EXPECT_EQ(*ParseRfc3339("2026-11-29T01:30:00Z"), *t);
  EXPECT_EQ(*ParseRfc3339("2026-11-29T01:30:00.250Z"), *t + 250);
}

TEST(TimeUtil, RejectsMalformed) {
  for (const char* s :
       {"", "2026-11-29", "2026-02-30T00:00:00Z", "2026-11-29T25:00:00Z", "2026-11-29T09:30:00",
        "2026-11-29T09:30:00+0800", "2026-11-29T09:30:00Zx"}) {
    EXPECT_FALSE(ParseRfc3339(s).has_value()) << s;
  }
}

TEST(TimeUtil, CivilDates) {
  EXPECT_EQ(Weekday(CivilDate{2026, 11, 29}), 6);  // Sunday
  EXPECT_EQ(Weekday(CivilDate{1970, 1, 1}), 3);    // Thursday
  EXPECT_EQ(CivilFromDays(DaysFromCivil({2024, 2, 29})), (CivilDate{2024, 2, 29}));
  // 23:30 UTC is the next day in China.
  EXPECT_EQ(CstDate(*ParseRfc3339("2026-12-31T23:30:00Z")), (CivilDate{2027, 1, 1}));
  EXPECT_EQ(FormatRfc3339(CstMidnight({2026, 10, 1})), "2026-10-01T00:00:00+08:00");
}

}  // namespace
}  // namespace gd
