#include "dispatcher/records/freshness.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "dispatcher/core/time_util.h"

namespace gd {
namespace {

Status Bad(const std::string& origin, const std::string& what) {
  return InvalidArgument(origin + ": " + what);
}

StatusOr<std::vector<std::string>> Strings(const Json& j, const std::string& where,
                                           const std::string& origin) {
  std::vector<std::string> out;
  if (j.is_null()) return out;
  if (!j.is_array()) return Bad(origin, where + " 应为字符串数组");
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_string() || j[i].get<std::string>().empty())
      return Bad(origin, where + "[" + std::to_string(i) + "] 应为非空字符串");
    out.push_back(j[i].get<std::string>());
  }
  return out;
}

StatusOr<FreshnessRule> ParseRule(const Json& j, const std::string& where,
                                  const std::string& origin) {
  if (!j.is_object()) return Bad(origin, where + " 应为对象");
  FreshnessRule r;
  if (!j.contains("threshold_days") || !j["threshold_days"].is_number_integer())
    return Bad(origin, where + ".threshold_days 应为整数");
  r.threshold_days = j["threshold_days"].get<int>();
  if (r.threshold_days < 1 || r.threshold_days > 3660)
    return Bad(origin, where + ".threshold_days 应在 1–3660 之间");
  GD_ASSIGN_OR_RETURN(r.names, Strings(j.value("names", Json()), where + ".names", origin));
  GD_ASSIGN_OR_RETURN(r.contains,
                      Strings(j.value("contains", Json()), where + ".contains", origin));
  if (j.contains("basis") && !j["basis"].is_string())
    return Bad(origin, where + ".basis 应为字符串");
  r.basis = j.value("basis", "");
  return r;
}

}  // namespace

StatusOr<FreshnessPolicy> FreshnessPolicy::Load(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return InvalidArgument("无法读取更新时效策略文件 " + file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return Parse(ss.str(), file.string());
}

StatusOr<FreshnessPolicy> FreshnessPolicy::Parse(const std::string& text,
                                                 const std::string& origin) {
  auto parsed = ParseJson(text);
  if (!parsed.ok()) return Bad(origin, parsed.status().message());
  const Json& j = *parsed;
  if (!j.is_object()) return Bad(origin, "应为 JSON 对象");
  FreshnessPolicy p;
  if (j.value("counting", "calendar_days") != "calendar_days")
    return Bad(origin, "counting 目前只支持 calendar_days（按自然日计算）");
  if (j.contains("due_soon_days")) {
    if (!j["due_soon_days"].is_number_integer() || j["due_soon_days"].get<int>() < 0)
      return Bad(origin, "due_soon_days 应为非负整数");
    p.due_soon_days_ = j["due_soon_days"].get<int>();
  }
  if (!j.contains("column_default")) return Bad(origin, "column_default 缺失");
  GD_ASSIGN_OR_RETURN(p.column_default_, ParseRule(j["column_default"], "column_default", origin));
  const Json rules = j.value("column_rules", Json::array());
  if (!rules.is_array()) return Bad(origin, "column_rules 应为数组");
  for (size_t i = 0; i < rules.size(); ++i) {
    std::string where = "column_rules[" + std::to_string(i) + "]";
    GD_ASSIGN_OR_RETURN(FreshnessRule r, ParseRule(rules[i], where, origin));
    if (r.names.empty() && r.contains.empty())
      return Bad(origin, where + " 须有 names 或 contains");
    p.column_rules_.push_back(std::move(r));
  }
  if (!j.contains("account")) return Bad(origin, "account 缺失");
  GD_ASSIGN_OR_RETURN(p.account_, ParseRule(j["account"], "account", origin));
  GD_ASSIGN_OR_RETURN(p.account_kinds_,
                      Strings(j["account"].value("kinds", Json()), "account.kinds", origin));
  GD_ASSIGN_OR_RETURN(p.default_columns_,
                      Strings(j.value("default_columns", Json()), "default_columns", origin));
  const Json units = j.value("unit_columns", Json::object());
  if (!units.is_object()) return Bad(origin, "unit_columns 应为对象（单位名称 → 栏目列表）");
  for (auto& [name, cols] : units.items()) {
    GD_ASSIGN_OR_RETURN(p.unit_columns_[name], Strings(cols, "unit_columns." + name, origin));
  }
  return p;
}

const FreshnessRule& FreshnessPolicy::RuleForColumn(const std::string& column) const {
  for (const auto& r : column_rules_)
    for (const auto& n : r.names)
      if (n == column) return r;
  for (const auto& r : column_rules_)
    for (const auto& part : r.contains)
      if (column.find(part) != std::string::npos) return r;
  return column_default_;
}

std::vector<std::string> FreshnessPolicy::ColumnsFor(const std::string& unit_name,
                                                     const std::string& unit_kind) const {
  std::vector<std::string> out;
  auto add = [&](const std::string& c) {
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  };
  if (unit_kind != "office")
    for (const auto& c : default_columns_) add(c);
  auto it = unit_columns_.find(unit_name);
  if (it != unit_columns_.end())
    for (const auto& c : it->second) add(c);
  return out;
}

bool FreshnessPolicy::MonitorsAccountKind(const std::string& kind) const {
  return std::find(account_kinds_.begin(), account_kinds_.end(), kind) != account_kinds_.end();
}

std::string_view FreshnessStatusKey(FreshnessStatus s) {
  switch (s) {
    case FreshnessStatus::kOk:
      return "ok";
    case FreshnessStatus::kDueSoon:
      return "due_soon";
    case FreshnessStatus::kOverdue:
      return "overdue";
    case FreshnessStatus::kBlank:
      return "blank";
  }
  return "ok";
}

std::string_view FreshnessStatusLabel(FreshnessStatus s) {
  switch (s) {
    case FreshnessStatus::kOk:
      return "正常";
    case FreshnessStatus::kDueSoon:
      return "即将超期";
    case FreshnessStatus::kOverdue:
      return "已超期";
    case FreshnessStatus::kBlank:
      return "空白";
  }
  return "正常";
}

int64_t CalendarDaysBetween(TimeMs last, TimeMs now) {
  return DaysFromCivil(CstDate(now)) - DaysFromCivil(CstDate(last));
}

FreshnessStatus EvaluateFreshness(TimeMs last, TimeMs now, int threshold_days, int due_soon_days) {
  if (last <= 0) return FreshnessStatus::kBlank;
  int64_t days = CalendarDaysBetween(last, now);
  if (days > threshold_days) return FreshnessStatus::kOverdue;
  if (days > threshold_days - due_soon_days) return FreshnessStatus::kDueSoon;
  return FreshnessStatus::kOk;
}

}  // namespace gd
