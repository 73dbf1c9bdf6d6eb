// Validators for personal information (PIPL; 个人信息): pure functions over ASCII digit strings.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>

namespace gd::checks {

// ISO 7064 MOD 11-2 check character of the first 17 digits of a resident ID number.
char IdCheckChar(std::string_view first17);

// The parts of an 18-character resident ID number (GB 11643) that can be validated.
struct IdCardCheck {
  bool shape = false;       // 17 digits + digit or X
  bool region = false;      // known region code prefix
  bool birth_date = false;  // a real date between 1900-01-01 and 2099-12-31
  bool check_digit = false;
  bool valid() const { return shape && region && birth_date && check_digit; }
  // Looks like an ID number apart from the check digit (so not a bank card either).
  bool plausible() const { return shape && region && birth_date; }
};

// `regions` holds 2-, 4- or 6-digit region code prefixes; a number's region is known when its
// 2-digit province prefix is listed and, if any 4-digit code of that province is listed, its
// 4-digit prefix is listed too.
IdCardCheck CheckIdCard(std::string_view digits, const std::unordered_set<std::string>& regions);

// Mainland mobile numbers: 11 digits, 1[3-9]…
bool IsMobileNumber(std::string_view digits);
bool LuhnValid(std::string_view digits);
// Bank card numbers: 16-19 digits, issuer digit 3-6, Luhn.
bool IsBankCardNumber(std::string_view digits);

bool IsValidDate(int year, int month, int day);  // year 0 = unknown (29 Feb allowed)

// Masked forms (the suggestion of a pii finding).
std::string MaskMobile(std::string_view digits);    // 138****1234
std::string MaskIdCard(std::string_view digits);    // 35*************123
std::string MaskBankCard(std::string_view digits);  // 6222***********1234

}  // namespace gd::checks
