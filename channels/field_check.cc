#include "channels/field_check.h"

#include "dispatcher/core/utf8.h"

namespace gd::channels {
namespace {

bool InRange(const Field& f, const Json& v) {
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    return u <= static_cast<uint64_t>(f.max) && (f.min <= 0 || u >= static_cast<uint64_t>(f.min));
  }
  return v.is_number_integer() && v.get<int64_t>() >= f.min && v.get<int64_t>() <= f.max;
}

std::optional<std::string> StringProblem(const Field& f, const Json& v) {
  if (!v.is_string()) return f.label + "应为字符串";
  const std::string& s = v.get_ref<const std::string&>();
  if (!IsValidUtf8(s)) return f.label + "不是有效的 UTF-8 文本";
  if (CodePointCount(s) > static_cast<size_t>(f.max_chars))
    return f.label + "不超过 " + std::to_string(f.max_chars) + " 字";
  if (f.type != FieldType::kSelect) return std::nullopt;
  std::string names;
  for (const FieldChoice& c : f.choices) {
    if (c.value == s) return std::nullopt;
    names += (names.empty() ? "" : " 或 ") + c.value;
  }
  return f.label + "应为 " + names;
}

}  // namespace

std::optional<std::string> FieldValueProblem(const Field& f, const Json& v) {
  switch (f.type) {
    case FieldType::kInteger:
      if (InRange(f, v)) return std::nullopt;
      return f.label + "应为 " + std::to_string(f.min) + " 至 " + std::to_string(f.max) + " 的整数";
    case FieldType::kBoolean:
      if (v.is_boolean()) return std::nullopt;
      return f.label + "应为 true 或 false";
    case FieldType::kObject:
      if (v.is_object()) return std::nullopt;
      return f.label + "应为对象";
    case FieldType::kMedia:
      if (v.is_number_integer() || (v.is_string() && v.get_ref<const std::string&>().size() <= 128))
        return std::nullopt;
      return f.label + "应为素材编号";
    default:
      return StringProblem(f, v);
  }
}

}  // namespace gd::channels
