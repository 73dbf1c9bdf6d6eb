#include "dispatcher/checks/pii.h"

namespace gd::checks {

namespace {
bool AllDigits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}
int Num(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}
}  // namespace

char IdCheckChar(std::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kChars[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (size_t i = 0; i < 17 && i < first17.size(); ++i) sum += (first17[i] - '0') * kWeights[i];
  return kChars[sum % 11];
}

bool IsValidDate(int year, int month, int day) {
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (day > kDays[month - 1]) return false;
  if (month == 2 && day == 29 && year != 0) {
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (!leap) return false;
  }
  return true;
}

IdCardCheck CheckIdCard(std::string_view d, const std::unordered_set<std::string>& regions) {
  IdCardCheck r;
  if (d.size() != 18 || !AllDigits(d.substr(0, 17))) return r;
  char last = d[17];
  if (!((last >= '0' && last <= '9') || last == 'X' || last == 'x')) return r;
  r.shape = true;
  std::string province(d.substr(0, 2));
  if (regions.count(province)) {
    // A province with a city list must match one of its cities.
    bool has_cities = regions.count(province + "*") > 0;
    r.region = !has_cities || regions.count(std::string(d.substr(0, 4))) > 0;
  }
  int year = Num(d.substr(6, 4)), month = Num(d.substr(10, 2)), day = Num(d.substr(12, 2));
  r.birth_date = year >= 1900 && year <= 2099 && IsValidDate(year, month, day);
  char want = IdCheckChar(d.substr(0, 17));
  r.check_digit = (last == 'x' ? 'X' : last) == want;
  return r;
}

bool IsMobileNumber(std::string_view d) {
  return d.size() == 11 && AllDigits(d) && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

bool LuhnValid(std::string_view d) {
  if (d.empty() || !AllDigits(d)) return false;
  int sum = 0;
  bool dbl = false;
  for (size_t i = d.size(); i-- > 0;) {
    int v = d[i] - '0';
    if (dbl) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
    dbl = !dbl;
  }
  return sum % 10 == 0;
}

bool IsBankCardNumber(std::string_view d) {
  return d.size() >= 16 && d.size() <= 19 && AllDigits(d) && d[0] >= '3' && d[0] <= '6' &&
         LuhnValid(d);
}

std::string MaskMobile(std::string_view d) {
  return std::string(d.substr(0, 3)) + "****" + std::string(d.substr(d.size() - 4));
}

std::string MaskIdCard(std::string_view d) {
  return std::string(d.substr(0, 2)) + std::string(d.size() - 5, '*') +
         std::string(d.substr(d.size() - 3));
}

std::string MaskBankCard(std::string_view d) {
  return std::string(d.substr(0, 4)) + std::string(d.size() - 8, '*') +
         std::string(d.substr(d.size() - 4));
}

}  // namespace gd::checks
