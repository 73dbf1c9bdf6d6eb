#include "dispatcher/http/decode.h"

#include <httplib.h>

#include <set>

#include "dispatcher/core/time_util.h"
#include "dispatcher/core/utf8.h"

namespace gd {
namespace {

const char* kTimeFormat = "时间格式应为 2026-11-29T09:30:00+08:00";

const Json& EmptyObject() {
  static const Json* kEmpty = new Json(Json::object());
  return *kEmpty;
}

std::string RangeReason(int64_t min, int64_t max) {
  return "应为 " + std::to_string(min) + " 至 " + std::to_string(max) + " 的整数";
}

std::string OneOfReason(std::initializer_list<std::string_view> allowed) {
  std::string s = "应为 ";
  size_t i = 0;
  for (auto a : allowed) {
    if (i > 0) s += i + 1 == allowed.size() ? " 或 " : "、";
    s += a;
    ++i;
  }
  return s;
}

// An integer JSON value in [min, max]; the reason when it is not.
std::optional<std::string> CheckInt(const Json& v, int64_t min, int64_t max, int64_t* out) {
  if (!v.is_number_integer()) return "应为整数";
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(max) || static_cast<int64_t>(u) < min)
      return RangeReason(min, max);
    *out = static_cast<int64_t>(u);
    return std::nullopt;
  }
  int64_t i = v.get<int64_t>();
  if (i < min || i > max) return RangeReason(min, max);
  *out = i;
  return std::nullopt;
}

Status BadQuery(const std::string& key, const std::string& reason) {
  return InvalidArgument("查询参数 " + key + " " + reason, "bad_request",
                         {{"fields", {{key, reason}}}});
}

// Parses a decimal integer of at most 18 digits (no sign); nullopt otherwise.
std::optional<int64_t> ParseDecimal(std::string_view s) {
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  int64_t v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

void FieldErrors::Add(const std::string& path, const std::string& reason) {
  if (!fields_.contains(path)) fields_[path] = reason;
}

Status FieldErrors::ToStatus() const {
  if (fields_.empty()) return Status::Ok();
  std::string message;
  if (fields_.size() == 1) {
    message = "字段 " + fields_.begin().key() + " " + fields_.begin()->get<std::string>();
  } else {
    message = "请求内容有 " + std::to_string(fields_.size()) + " 处填写有误，请检查标注的字段";
  }
  return InvalidArgument(std::move(message), "invalid", {{"fields", fields_}});
}

JsonReader::JsonReader(const Json& value, std::string path, FieldErrors& errors)
    : path_(std::move(path)), errors_(&errors) {
  if (value.is_null())
    value_ = &EmptyObject();
  else if (value.is_object())
    value_ = &value;
  else
    errors.Add(path_.empty() ? "body" : path_, "应为对象");
}

std::string JsonReader::PathOf(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void JsonReader::Fail(std::string_view key, const std::string& reason) const {
  errors_->Add(PathOf(key), reason);
}

bool JsonReader::Has(std::string_view key) const {
  if (!value_) return false;
  auto it = value_->find(key);
  return it != value_->end() && !it->is_null();
}

const Json* JsonReader::Field(std::string_view key, bool required) const {
  if (!value_) return nullptr;
  auto it = value_->find(key);
  if (it == value_->end() || it->is_null()) {
    if (required) Fail(key, "必填");
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> JsonReader::String(std::string_view key, StringRule rule) const {
  const Json* v = Field(key, rule.required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    Fail(key, "应为字符串");
    return std::nullopt;
  }
  const std::string& s = v->get_ref<const std::string&>();
  if (rule.non_blank && s.find_first_not_of(" \t\r\n") == std::string::npos) {
    Fail(key, rule.required ? "不能为空" : "不能只含空白");
    return std::nullopt;
  }
  if (CodePointCount(s) > rule.max_chars) {
    Fail(key, "超过 " + std::to_string(rule.max_chars) + " 字的上限");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> JsonReader::OneOf(std::string_view key,
                                             std::initializer_list<std::string_view> allowed,
                                             bool required) const {
  const Json* v = Field(key, required);
  if (!v) return std::nullopt;
  if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    for (auto a : allowed)
      if (s == a) return s;
  }
  Fail(key, OneOfReason(allowed));
  return std::nullopt;
}

std::optional<int64_t> JsonReader::Int(std::string_view key, int64_t min, int64_t max,
                                       bool required) const {
  const Json* v = Field(key, required);
  if (!v) return std::nullopt;
  int64_t out = 0;
  if (auto reason = CheckInt(*v, min, max, &out)) {
    Fail(key, *reason);
    return std::nullopt;
  }
  return out;
}

std::optional<int64_t> JsonReader::Id(std::string_view key, bool required) const {
  return Int(key, 1, kMaxApiId, required);
}

std::optional<bool> JsonReader::Bool(std::string_view key, bool required) const {
  const Json* v = Field(key, required);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    Fail(key, "应为 true 或 false");
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<TimeMs> JsonReader::Time(std::string_view key, bool required) const {
  const Json* v = Field(key, required);
  if (!v) return std::nullopt;
  std::optional<TimeMs> t;
  if (v->is_string() && v->get_ref<const std::string&>().size() <= 64)
    t = ParseRfc3339(v->get_ref<const std::string&>());
  if (!t) Fail(key, kTimeFormat);
  return t;
}

std::optional<JsonReader> JsonReader::Object(std::string_view key, bool required) const {
  const Json* v = Field(key, required);
  if (!v) return std::nullopt;
  JsonReader r(*v, PathOf(key), *errors_);
  if (!r.is_object()) return std::nullopt;
  return r;
}

std::optional<std::vector<std::pair<const Json*, std::string>>> JsonReader::Array(
    std::string_view key, size_t max_items, bool required) const {
  const Json* v = Field(key, required);
  if (!v) return std::nullopt;
  if (!v->is_array() || v->size() > max_items) {
    Fail(key, "应为不超过 " + std::to_string(max_items) + " 项的数组");
    return std::nullopt;
  }
  std::vector<std::pair<const Json*, std::string>> out;
  out.reserve(v->size());
  for (size_t i = 0; i < v->size(); ++i)
    out.push_back({&(*v)[i], PathOf(key) + "[" + std::to_string(i) + "]"});
  return out;
}

std::optional<std::vector<int64_t>> JsonReader::IdArray(std::string_view key, size_t max_items,
                                                        bool required) const {
  auto items = Array(key, max_items, required);
  if (!items) return std::nullopt;
  std::vector<int64_t> out;
  std::set<int64_t> seen;
  bool ok = true;
  for (const auto& [v, path] : *items) {
    int64_t id = 0;
    if (auto reason = CheckInt(*v, 1, kMaxApiId, &id)) {
      errors_->Add(path, *reason);
      ok = false;
    } else if (!seen.insert(id).second) {
      errors_->Add(path, "重复");
      ok = false;
    } else {
      out.push_back(id);
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::map<std::string, bool>> JsonReader::BoolMap(std::string_view key,
                                                               size_t max_keys,
                                                               bool required) const {
  const Json* v = Field(key, required);
  if (!v) return std::nullopt;
  if (!v->is_object() || v->size() > max_keys) {
    Fail(key, "应为不超过 " + std::to_string(max_keys) + " 项的对象");
    return std::nullopt;
  }
  std::map<std::string, bool> out;
  bool ok = true;
  for (auto it = v->begin(); it != v->end(); ++it) {
    std::string path = PathOf(key) + "." + it.key();
    if (CodePointCount(it.key()) > 64) {
      errors_->Add(PathOf(key), "项名超过 64 字的上限");
      ok = false;
    } else if (!it->is_boolean()) {
      errors_->Add(path, "应为 true 或 false");
      ok = false;
    } else {
      out[it.key()] = it->get<bool>();
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<Json> JsonReader::FreeObject(std::string_view key, size_t max_keys,
                                           bool required) const {
  const Json* v = Field(key, required);
  if (!v) return std::nullopt;
  if (!v->is_object() || v->size() > max_keys) {
    Fail(key, "应为不超过 " + std::to_string(max_keys) + " 项的对象");
    return std::nullopt;
  }
  return *v;
}

Status RequireObjectBody(const Json& body) {
  if (body.is_null() || body.is_object()) return Status::Ok();
  return InvalidArgument("请求体应为 JSON 对象", "bad_request");
}

StatusOr<int64_t> PathId(const ApiRequest& r, size_t i, const char* what) {
  if (i >= r.params.size()) return NotFound(what);
  std::optional<int64_t> id = ParseDecimal(r.params[i]);
  if (!id || *id < 1 || *id > kMaxApiId) return NotFound(what);
  return *id;
}

StatusOr<std::optional<int64_t>> QueryInt(const ApiRequest& r, const std::string& key, int64_t min,
                                          int64_t max) {
  std::string v = r.Query(key);
  if (v.empty()) return std::optional<int64_t>();
  std::optional<int64_t> n = ParseDecimal(v);
  if (!n) return BadQuery(key, "应为整数");
  if (*n < min || *n > max) return BadQuery(key, RangeReason(min, max));
  return n;
}

StatusOr<std::optional<int64_t>> QueryId(const ApiRequest& r, const std::string& key) {
  return QueryInt(r, key, 1, kMaxApiId);
}

StatusOr<bool> QueryFlag(const ApiRequest& r, const std::string& key) {
  std::string v = r.Query(key);
  if (v.empty() || v == "0" || v == "false") return false;
  if (v == "1" || v == "true") return true;
  return BadQuery(key, "应为 1 或 0");
}

StatusOr<std::optional<TimeMs>> QueryTime(const ApiRequest& r, const std::string& key) {
  std::string v = r.Query(key);
  if (v.empty()) return std::optional<TimeMs>();
  std::optional<TimeMs> t;
  if (v.size() <= 64) t = ParseRfc3339(v);
  if (!t) return BadQuery(key, kTimeFormat);
  return t;
}

StatusOr<std::string> QueryOneOf(const ApiRequest& r, const std::string& key,
                                 std::initializer_list<std::string_view> allowed,
                                 const std::string& fallback) {
  std::string v = r.Query(key);
  if (v.empty()) return fallback;
  for (auto a : allowed)
    if (v == a) return v;
  return BadQuery(key, OneOfReason(allowed));
}

StatusOr<std::optional<std::string>> QueryString(const ApiRequest& r, const std::string& key,
                                                 size_t max_chars) {
  std::string v = r.Query(key);
  if (v.empty()) return std::optional<std::string>();
  if (!IsValidUtf8(v) || CodePointCount(v) > max_chars)
    return BadQuery(key, "超过 " + std::to_string(max_chars) + " 字的上限或编码无效");
  return std::optional<std::string>(v);
}

}  // namespace gd
