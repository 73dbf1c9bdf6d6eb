#include "dispatcher/model/content.h"

#include <array>

namespace gd {
namespace {
struct CategoryInfo {
  Category c;
  std::string_view key, label;
};
constexpr std::array<CategoryInfo, 6> kCategories{{
    {Category::kWorkNews, "work_news", "工作动态"},
    {Category::kAnnouncement, "announcement", "公示公告"},
    {Category::kPolicyDocument, "policy_document", "政策文件"},
    {Category::kKeyArea, "key_area", "重点领域"},
    {Category::kInteractive, "interactive", "互动"},
    {Category::kReposted, "reposted", "转载"},
}};
}  // namespace

std::string_view CategoryKey(Category c) {
  for (const auto& i : kCategories)
    if (i.c == c) return i.key;
  return "work_news";
}

std::string_view CategoryLabel(Category c) {
  for (const auto& i : kCategories)
    if (i.c == c) return i.label;
  return "";
}

std::optional<Category> ParseCategory(std::string_view key) {
  for (const auto& i : kCategories)
    if (i.key == key) return i.c;
  return std::nullopt;
}

}  // namespace gd
