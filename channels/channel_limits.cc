#include "channels/channel_limits.h"

#include <fstream>
#include <sstream>

namespace gd::channels {

Status LimitsSection::Int(std::string_view field, int64_t* out) const {
  const Json* v = Find(field);
  if (v == nullptr) return Status::Ok();  // the default stands
  if (!v->is_number_integer() || v->get<int64_t>() <= 0) return Error(field, "应为正整数");
  *out = v->get<int64_t>();
  return Status::Ok();
}

Status LimitsSection::Strings(std::string_view field, std::vector<std::string>* out) const {
  const Json* v = Find(field);
  if (v == nullptr) return Status::Ok();
  if (!v->is_array() || v->empty()) return Error(field, "应为非空字符串数组");
  std::vector<std::string> list;
  for (const Json& item : *v) {
    if (!item.is_string() || item.get<std::string>().empty())
      return Error(field, "应为非空字符串数组");
    list.push_back(item.get<std::string>());
  }
  *out = std::move(list);
  return Status::Ok();
}

const Json* LimitsSection::Find(std::string_view field) const {
  if (section_ == nullptr || !section_->is_object()) return nullptr;
  auto f = section_->find(field);
  return f == section_->end() ? nullptr : &*f;
}

Status LimitsSection::Error(std::string_view field, std::string_view what) const {
  return InvalidArgument(file_ + "：字段 " + name_ + "." + std::string(field) + " " +
                         std::string(what));
}

LimitsSection ChannelLimits::Section(std::string_view kind) const {
  auto it = doc.find(kind);
  return LimitsSection(it == doc.end() ? nullptr : &*it, file, std::string(kind));
}

StatusOr<ChannelLimits> ParseChannelLimits(const Json& doc, const std::string& file) {
  if (!doc.is_object()) return InvalidArgument(file + "：应为 JSON 对象");
  for (const auto& [kind, section] : doc.items()) {
    if (kind.starts_with("_")) continue;  // comments
    if (!section.is_object()) return InvalidArgument(file + "：字段 " + kind + " 应为对象");
  }
  ChannelLimits l;
  l.doc = doc;
  l.file = file;
  return l;
}

StatusOr<ChannelLimits> LoadChannelLimits(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return InvalidArgument("无法读取渠道限制文件 " + file.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  auto doc = ParseJson(ss.str());
  if (!doc.ok()) return InvalidArgument(file.string() + "：" + doc.status().message());
  return ParseChannelLimits(*doc, file.string());
}

}  // namespace gd::channels
