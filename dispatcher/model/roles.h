// Roles (docs/architecture.md §1). A user holds one or more.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gd {

enum class Role {
  kEditor,           // 信息员
  kUnitReviewer,     // 单位办公室 / 股室审核 (初审)
  kDeputyLeader,     // 分管领导 (复审)
  kPrincipalLeader,  // 主要领导 (终审)
  kSiteManager,      // 网站信息管理人员
  kOffice,           // 市政务公开办
  kOperator,         // 运维人员
  kAuditor,          // 督查室
  kAdmin,            // 系统管理员
};

std::string_view RoleKey(Role r);
std::string_view RoleLabel(Role r);
std::optional<Role> ParseRole(std::string_view key);
const std::vector<Role>& AllRoles();
// office, auditor and admin see every unit.
bool IsCityWide(Role r);

}  // namespace gd
