#include "dispatcher/model/roles.h"

#include <array>

namespace gd {
namespace {
struct RoleInfo {
  Role role;
  std::string_view key, label;
};
constexpr std::array<RoleInfo, 9> kRoles{{
    {Role::kEditor, "editor", "信息员"},
    {Role::kUnitReviewer, "unit_reviewer", "单位初审"},
    {Role::kDeputyLeader, "deputy_leader", "分管领导"},
    {Role::kPrincipalLeader, "principal_leader", "主要领导"},
    {Role::kSiteManager, "site_manager", "网站信息管理员"},
    {Role::kOffice, "office", "市政务公开办"},
    {Role::kOperator, "operator", "运维人员"},
    {Role::kAuditor, "auditor", "督查室"},
    {Role::kAdmin, "admin", "系统管理员"},
}};
}  // namespace

std::string_view RoleKey(Role r) {
  for (const auto& i : kRoles)
    if (i.role == r) return i.key;
  return "";
}
std::string_view RoleLabel(Role r) {
  for (const auto& i : kRoles)
    if (i.role == r) return i.label;
  return "";
}
std::optional<Role> ParseRole(std::string_view key) {
  for (const auto& i : kRoles)
    if (i.key == key) return i.role;
  return std::nullopt;
}
const std::vector<Role>& AllRoles() {
  static const std::vector<Role> all = [] {
    std::vector<Role> v;
    for (const auto& i : kRoles) v.push_back(i.role);
    return v;
  }();
  return all;
}
bool IsCityWide(Role r) { return r == Role::kOffice || r == Role::kAuditor || r == Role::kAdmin; }

}  // namespace gd
