#include "dispatcher/policy/review_policy.h"

#include <fstream>
#include <sstream>

#include "dispatcher/core/json_util.h"

namespace gd {
namespace {
StatusOr<ReviewStep> ParseStep(const Json& j, const std::string& where) {
  if (!j.is_object() || !j.contains("role") || !j["role"].is_string())
    return InvalidArgument(where + ".role 缺失");
  auto role = ParseRole(j["role"].get<std::string>());
  if (!role) return InvalidArgument(where + ".role 未知角色 " + j["role"].get<std::string>());
  if (!j.contains("label") || !j["label"].is_string())
    return InvalidArgument(where + ".label 缺失");
  return ReviewStep{*role, j["label"].get<std::string>()};
}
}  // namespace

StatusOr<ReviewPolicy> ReviewPolicy::Load(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return InvalidArgument("无法读取审核策略文件 " + file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return Parse(ss.str(), file.string());
}

StatusOr<ReviewPolicy> ReviewPolicy::Parse(const std::string& text, const std::string& origin) {
  auto parsed = ParseJson(text);
  if (!parsed.ok()) return InvalidArgument(origin + ": " + parsed.status().message());
  const Json& j = *parsed;
  ReviewPolicy p;
  auto err = [&](const Status& s) { return InvalidArgument(origin + ": " + s.message()); };
  if (!j.contains("chains") || !j["chains"].is_object()) return err(InvalidArgument("chains 缺失"));
  for (auto& [key, steps] : j["chains"].items()) {
    auto cat = ParseCategory(key);
    if (!cat) return err(InvalidArgument("chains." + key + " 未知类别"));
    if (!steps.is_array() || steps.empty())
      return err(InvalidArgument("chains." + key + " 应为非空数组"));
    std::vector<ReviewStep> chain;
    for (size_t i = 0; i < steps.size(); ++i) {
      auto step = ParseStep(steps[i], "chains." + key + "[" + std::to_string(i) + "]");
      if (!step.ok()) return err(step.status());
      chain.push_back(*step);
    }
    p.chains_[*cat] = std::move(chain);
  }
  for (Category c : {Category::kWorkNews, Category::kAnnouncement, Category::kPolicyDocument,
                     Category::kKeyArea, Category::kInteractive, Category::kReposted}) {
    if (!p.chains_.count(c))
      return err(InvalidArgument("chains." + std::string(CategoryKey(c)) + " 缺失"));
  }
  if (j.contains("out_of_scope")) {
    const Json& o = j["out_of_scope"];
    auto step = ParseStep(o.value("step", Json()), "out_of_scope.step");
    if (!step.ok()) return err(step.status());
    p.oos_step_ = *step;
    p.oos_days_ = o.value("min_working_days", 3);
  }
  if (!j.contains("checklist") || !j["checklist"].is_array() || j["checklist"].empty())
    return err(InvalidArgument("checklist 缺失"));
  for (size_t i = 0; i < j["checklist"].size(); ++i) {
    const Json& it = j["checklist"][i];
    if (!it.is_object() || !it.contains("key") || !it["key"].is_string() || !it.contains("label"))
      return err(InvalidArgument("checklist[" + std::to_string(i) + "] 格式错误"));
    p.checklist_.push_back({it["key"].get<std::string>(), it["label"].get<std::string>()});
  }
  return p;
}

std::vector<ReviewStep> ReviewPolicy::ChainFor(Category c, bool out_of_scope) const {
  std::vector<ReviewStep> chain = chains_.at(c);
  if (out_of_scope) chain.push_back(oos_step_);
  return chain;
}

}  // namespace gd
