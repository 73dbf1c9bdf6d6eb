#include "dispatcher/checks/pii.h"

#include <gtest/gtest.h>

namespace gd::checks {
namespace {

const std::unordered_set<std::string> kRegions = {"11", "33", "44", "44*", "4403"};

TEST(PiiTest, IdCheckDigit) {
  // GB 11643 worked example.
  EXPECT_EQ(IdCheckChar("11010519491231002"), 'X');
  auto r = CheckIdCard("11010519491231002X", kRegions);
  EXPECT_TRUE(r.valid());
  r = CheckIdCard("110105194912310021", kRegions);
  EXPECT_FALSE(r.check_digit);
  EXPECT_TRUE(r.plausible());
  EXPECT_FALSE(r.valid());
}

TEST(PiiTest, IdRegionAndBirthDate) {
  std::string s17 = "99010519491231002";
  EXPECT_FALSE(CheckIdCard(s17 + IdCheckChar(s17), kRegions).region);
  s17 = "44030519900230002";  // 30 Feb
  EXPECT_FALSE(CheckIdCard(s17 + IdCheckChar(s17), kRegions).birth_date);
  s17 = "44010519900101002";  // Guangdong lists cities; 4401 is not in this set
  EXPECT_FALSE(CheckIdCard(s17 + IdCheckChar(s17), kRegions).region);
  s17 = "44030519900101002";
  EXPECT_TRUE(CheckIdCard(s17 + IdCheckChar(s17), kRegions).valid());
  EXPECT_FALSE(CheckIdCard("4403051990010100", kRegions).shape);
}

TEST(PiiTest, MobileAndCards) {
  EXPECT_TRUE(IsMobileNumber("13812345678"));
  EXPECT_FALSE(IsMobileNumber("12812345678"));
  EXPECT_FALSE(IsMobileNumber("1381234567"));
  EXPECT_TRUE(LuhnValid("4111111111111111"));
  EXPECT_FALSE(LuhnValid("4111111111111112"));
  EXPECT_TRUE(IsBankCardNumber("4111111111111111"));
  EXPECT_FALSE(IsBankCardNumber("411111111111116"));  // 15 digits
}

TEST(PiiTest, Masks) {
  EXPECT_EQ(MaskMobile("13812341234"), "138****1234");
  EXPECT_EQ(MaskIdCard("35010519491231002X"), "35*************02X");
  EXPECT_EQ(MaskBankCard("6222021234567890123"), "6222***********0123");
}

TEST(PiiTest, Dates) {
  EXPECT_TRUE(IsValidDate(0, 2, 29));
  EXPECT_FALSE(IsValidDate(2023, 2, 29));
  EXPECT_TRUE(IsValidDate(2000, 2, 29));
  EXPECT_FALSE(IsValidDate(1900, 2, 29));
  EXPECT_FALSE(IsValidDate(2024, 4, 31));
  EXPECT_FALSE(IsValidDate(2024, 13, 1));
  EXPECT_FALSE(IsValidDate(2024, 1, 0));
}

}  // namespace
}  // namespace gd::checks
