#include "dispatcher/policy/calendar.h"

#include <gtest/gtest.h>

#include "tests/support/status_matchers.h"

namespace gd {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

WorkCalendar Official() {
  auto cal = WorkCalendar::LoadDir(std::filesystem::path(GD_SOURCE_DIR) / "policies" / "calendar");
  EXPECT_TRUE(cal.ok()) << cal.status().ToString();
  return *cal;
}

TEST(WorkCalendar, HolidaysWeekendsAndMakeUpDays) {
  WorkCalendar cal = Official();
  EXPECT_TRUE(cal.Covers(2026));
  EXPECT_FALSE(cal.IsWorkingDay({2026, 10, 1}));  // 国庆节
  EXPECT_FALSE(cal.IsWorkingDay({2026, 10, 7}));
  EXPECT_TRUE(cal.IsWorkingDay({2026, 10, 10}));   // Saturday, make-up workday
  EXPECT_FALSE(cal.IsWorkingDay({2026, 11, 28}));  // ordinary Saturday
  EXPECT_TRUE(cal.IsWorkingDay({2026, 11, 30}));   // Monday
  EXPECT_TRUE(cal.IsWorkingDay({2026, 2, 14}));    // Saturday before 春节, make-up
  EXPECT_FALSE(cal.IsWorkingDay({2026, 2, 16}));   // 春节
}

TEST(WorkCalendar, AddWorkingDays) {
  WorkCalendar cal = Official();
  EXPECT_EQ(cal.AddWorkingDays({2026, 11, 23}, 3), (CivilDate{2026, 11, 26}));
  EXPECT_EQ(cal.AddWorkingDays({2026, 11, 26}, 3), (CivilDate{2026, 12, 1}));  // over a weekend
  EXPECT_EQ(cal.AddWorkingDays({2026, 9, 29}, 3), (CivilDate{2026, 10, 9}));   // over 国庆节
  EXPECT_EQ(cal.AddWorkingDays({2026, 10, 8}, 3),
            (CivilDate{2026, 10, 12}));  // make-up Saturday counts
  EXPECT_EQ(cal.AddWorkingDays({2026, 2, 13}, 1), (CivilDate{2026, 2, 14}));
}

TEST(WorkCalendar, BadFilesNameTheField) {
  WorkCalendar cal;
  Status s =
      cal.AddYearJson(R"({"year": 2027, "holidays": [["2027-02-30", "2027-03-01"]]})", "x.json");
  EXPECT_THAT(s, StatusIs(Code::kInvalidArgument));
  // The text is the behaviour: whoever edits the calendar file reads which file and field.
  EXPECT_THAT(s.message(), AllOf(HasSubstr("x.json"), HasSubstr("holidays[0][0]")));
  EXPECT_THAT(cal.AddYearJson("{", "y.json"), StatusIs(Code::kInvalidArgument));
}

}  // namespace
}  // namespace gd
