#include "dispatcher/core/json_util.h"

#include "dispatcher/core/json_depth.h"
#include "dispatcher/core/utf8.h"

namespace gd {

bool JsonDepthWithin(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

StatusOr<Json> ParseJsonWithin(std::string_view text, int max_depth) {
  if (!IsValidUtf8(text)) return InvalidArgument("请求内容不是有效的 UTF-8 编码", "bad_request");
  if (!JsonDepthWithin(text, max_depth))
    return InvalidArgument("JSON 嵌套层数超过上限（" + std::to_string(max_depth) + " 层）",
                           "bad_request", {{"max_depth", max_depth}});
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    return InvalidArgument("JSON 格式错误（位置 " + std::to_string(e.byte) + "）", "bad_request");
  } catch (const Json::exception&) {
    // out_of_range: a number no double can hold (1e999), found by the router fuzz target.
    return InvalidArgument("JSON 中的数值超出范围", "bad_request");
  }
}

StatusOr<Json> ParseJson(std::string_view text) { return ParseJsonWithin(text, kMaxJsonDepth); }

std::string DumpJson(const Json& j, int indent) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

StatusOr<std::string> GetString(const Json& obj, const char* field, bool required) {
  if (!obj.is_object()) return InvalidArgument("请求体应为 JSON 对象", "bad_request");
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) {
    if (required)
      return InvalidArgument(std::string("缺少字段 ") + field, "invalid",
                             {{"fields", {{field, "必填"}}}});
    return std::string();
  }
  if (!it->is_string())
    return InvalidArgument(std::string("字段 ") + field + " 应为字符串", "invalid",
                           {{"fields", {{field, "应为字符串"}}}});
  return it->get<std::string>();
}

StatusOr<int64_t> GetInt(const Json& obj, const char* field) {
  if (!obj.is_object()) return InvalidArgument("请求体应为 JSON 对象", "bad_request");
  auto it = obj.find(field);
  if (it == obj.end() || !it->is_number_integer())
    return InvalidArgument(std::string("字段 ") + field + " 应为整数", "invalid",
                           {{"fields", {{field, "应为整数"}}}});
  return it->get<int64_t>();
}

bool GetBool(const Json& obj, const char* field, bool fallback) {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(field);
  if (it == obj.end() || !it->is_boolean()) return fallback;
  return it->get<bool>();
}

}  // namespace gd
