// Review chains by category (art. 10) and the checklist (art. 11), loaded from
// policies/review.json.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "dispatcher/core/status.h"
#include "dispatcher/model/content.h"
#include "dispatcher/model/roles.h"

namespace gd {

struct ReviewStep {
  Role role;
  std::string label;  // 初审, 复审, 终审, 审定 ...
};

struct ChecklistItem {
  std::string key;    // "secrets", ...
  std::string label;  // Chinese question
};

class ReviewPolicy {
 public:
  // Parses and validates; errors name the file and the field path.
  static StatusOr<ReviewPolicy> Load(const std::filesystem::path& file);
  static StatusOr<ReviewPolicy> Parse(const std::string& text, const std::string& origin);

  // The chain for a piece: the category's steps, plus the office step when out of scope.
  std::vector<ReviewStep> ChainFor(Category c, bool out_of_scope) const;
  const std::vector<ChecklistItem>& checklist() const { return checklist_; }
  int out_of_scope_min_working_days() const { return oos_days_; }

 private:
  std::map<Category, std::vector<ReviewStep>> chains_;
  ReviewStep oos_step_{Role::kOffice, "审定"};
  int oos_days_ = 3;
  std::vector<ChecklistItem> checklist_;
};

}  // namespace gd
