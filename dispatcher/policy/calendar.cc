#include "dispatcher/policy/calendar.h"

#include <fstream>
#include <sstream>

#include "dispatcher/core/json_util.h"

namespace gd {

StatusOr<WorkCalendar> WorkCalendar::LoadDir(const std::filesystem::path& dir) {
  WorkCalendar cal;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    GD_RETURN_IF_ERROR(cal.AddYearJson(ss.str(), entry.path().string()));
  }
  if (ec) return InvalidArgument("无法读取节假日目录 " + dir.string() + ": " + ec.message());
  return cal;
}

Status WorkCalendar::AddYearJson(const std::string& text, const std::string& origin) {
  auto parsed = ParseJson(text);
  if (!parsed.ok()) return InvalidArgument(origin + ": " + parsed.status().message());
  const Json& j = *parsed;
  if (!j.is_object() || !j.contains("year") || !j["year"].is_number_integer())
    return InvalidArgument(origin + ": 缺少 year");
  auto date = [&](const Json& v, const std::string& where) -> StatusOr<CivilDate> {
    if (!v.is_string()) return InvalidArgument(origin + ": " + where + " 应为日期字符串");
    auto d = ParseDate(v.get<std::string>());
    if (!d) return InvalidArgument(origin + ": " + where + " 日期无效");
    return *d;
  };
  const Json& hol = j.value("holidays", Json::array());
  for (size_t i = 0; i < hol.size(); ++i) {
    std::string where = "holidays[" + std::to_string(i) + "]";
    if (!hol[i].is_array() || hol[i].size() < 2)
      return InvalidArgument(origin + ": " + where + " 格式错误");
    GD_ASSIGN_OR_RETURN(CivilDate from, date(hol[i][0], where + "[0]"));
    GD_ASSIGN_OR_RETURN(CivilDate to, date(hol[i][1], where + "[1]"));
    if (to < from) return InvalidArgument(origin + ": " + where + " 结束早于开始");
    for (int64_t d = DaysFromCivil(from); d <= DaysFromCivil(to); ++d) holidays_.insert(d);
  }
  const Json& mk = j.value("makeup_workdays", Json::array());
  for (size_t i = 0; i < mk.size(); ++i) {
    GD_ASSIGN_OR_RETURN(CivilDate d, date(mk[i], "makeup_workdays[" + std::to_string(i) + "]"));
    makeup_.insert(DaysFromCivil(d));
  }
  years_.insert(j["year"].get<int>());
  return Status::Ok();
}

bool WorkCalendar::IsWorkingDay(CivilDate d) const {
  int64_t days = DaysFromCivil(d);
  if (makeup_.count(days)) return true;
  if (holidays_.count(days)) return false;
  return Weekday(d) < 5;
}

CivilDate WorkCalendar::AddWorkingDays(CivilDate d, int n) const {
  int64_t days = DaysFromCivil(d);
  int found = 0;
  while (found < n) {
    ++days;
    if (IsWorkingDay(CivilFromDays(days))) ++found;
  }
  return CivilFromDays(days);
}

}  // namespace gd
