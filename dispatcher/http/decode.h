// Decoding requests into typed values at the edge (docs/api.md §1).
//
// Route files turn the JSON body, the path ids and the query parameters into a typed request
// struct with these helpers, and services take those structs: JSON from a client is read here
// and in the content codec only. What the client gets back:
//  - a body that is not a JSON object, malformed JSON, a query parameter of the wrong type:
//    400 bad_request (details.fields names the parameter);
//  - a body field of the wrong type, out of range, too long, or missing: 422 invalid with
//    details.fields {"path.to[0].field": "中文原因"}, every bad field at once;
//  - a path id that no object can have (0, over 2^53 - 1): 404 not_found.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dispatcher/core/clock.h"
#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"
#include "dispatcher/http/route.h"

namespace gd {

// The largest id the API hands out or accepts: 2^53 - 1, the largest integer a JavaScript
// client holds exactly.
inline constexpr int64_t kMaxApiId = (int64_t{1} << 53) - 1;

// Field errors found while decoding one request.
class FieldErrors {
 public:
  // Records `reason` for `path`; the first reason given for a path is kept.
  void Add(const std::string& path, const std::string& reason);
  bool empty() const { return fields_.empty(); }
  // Ok when nothing was recorded; else kInvalidArgument with reason "invalid" and
  // details.fields, whose message names the field when there is one.
  Status ToStatus() const;

 private:
  Json fields_ = Json::object();
};

// Rules for a string field. Lengths count Unicode code points.
struct StringRule {
  bool required = false;   // absent or null is an error ("必填")
  bool non_blank = false;  // only whitespace counts as missing
  size_t max_chars = 1000;
};

// Reads the fields of one JSON object, recording errors under the object's path. A reader
// over null reads as an empty object; over anything else that is not an object, it records
// one error at its own path and every read answers nullopt. Absent and null fields read as
// nullopt (an error when required). Readers keep a pointer to the JSON: it must outlive them.
class JsonReader {
 public:
  JsonReader(const Json& value, std::string path, FieldErrors& errors);

  // Present and not null.
  bool Has(std::string_view key) const;

  std::optional<std::string> String(std::string_view key, StringRule rule = {}) const;
  // One of `allowed` (a string).
  std::optional<std::string> OneOf(std::string_view key,
                                   std::initializer_list<std::string_view> allowed,
                                   bool required = false) const;
  // An integer in [min, max] (JSON numbers with a fraction or exponent are refused).
  std::optional<int64_t> Int(std::string_view key, int64_t min, int64_t max,
                             bool required = false) const;
  // An id: an integer in [1, kMaxApiId].
  std::optional<int64_t> Id(std::string_view key, bool required = false) const;
  std::optional<bool> Bool(std::string_view key, bool required = false) const;
  // An RFC 3339 time with offset.
  std::optional<TimeMs> Time(std::string_view key, bool required = false) const;
  // A nested object; nullopt when absent (an error when required) or not an object.
  std::optional<JsonReader> Object(std::string_view key, bool required = false) const;
  // The elements of an array of at most `max_items`, each with its path ("key[3]"); nullopt
  // when absent (an error when required) or not such an array.
  std::optional<std::vector<std::pair<const Json*, std::string>>> Array(
      std::string_view key, size_t max_items, bool required = false) const;
  // An array of distinct ids.
  std::optional<std::vector<int64_t>> IdArray(std::string_view key, size_t max_items,
                                              bool required = false) const;
  // An object of booleans (e.g. the decision checklist), at most `max_keys` keys of at most
  // 64 characters each.
  std::optional<std::map<std::string, bool>> BoolMap(std::string_view key, size_t max_keys,
                                                     bool required = false) const;
  // An object kept as JSON for a codec that validates it further (channel settings and
  // options): at most `max_keys` keys. Nesting is already bounded by the parser.
  std::optional<Json> FreeObject(std::string_view key, size_t max_keys = 64,
                                 bool required = false) const;

  // The reader's own value, and the path of one of its fields.
  bool is_object() const { return value_ != nullptr; }
  std::string PathOf(std::string_view key) const;
  FieldErrors& errors() const { return *errors_; }

 private:
  // The field's value, or null when absent; records "必填" when required and missing.
  const Json* Field(std::string_view key, bool required) const;
  void Fail(std::string_view key, const std::string& reason) const;

  const Json* value_ = nullptr;  // the object; null when the value was not one
  std::string path_;
  FieldErrors* errors_;
};

// Checks that a request body is an object (or absent, read as {}): otherwise 400 bad_request.
Status RequireObjectBody(const Json& body);

// The i-th path capture as an id. A capture no id can equal (0, or over kMaxApiId) answers
// 404 with `what` ("工单不存在").
StatusOr<int64_t> PathId(const ApiRequest& r, size_t i, const char* what);

// Query parameters. Absent or empty reads as nullopt / the default; a value of the wrong type or
// range answers 400 bad_request naming the parameter.
StatusOr<std::optional<int64_t>> QueryInt(const ApiRequest& r, const std::string& key, int64_t min,
                                          int64_t max);
StatusOr<std::optional<int64_t>> QueryId(const ApiRequest& r, const std::string& key);
// "1" or "true" → true; "0" or "false" → false.
StatusOr<bool> QueryFlag(const ApiRequest& r, const std::string& key);
StatusOr<std::optional<TimeMs>> QueryTime(const ApiRequest& r, const std::string& key);
// One of `allowed`, or `fallback` when absent.
StatusOr<std::string> QueryOneOf(const ApiRequest& r, const std::string& key,
                                 std::initializer_list<std::string_view> allowed,
                                 const std::string& fallback);
// A string of at most `max_chars` code points, or nullopt when absent or empty.
StatusOr<std::optional<std::string>> QueryString(const ApiRequest& r, const std::string& key,
                                                 size_t max_chars);

}  // namespace gd
