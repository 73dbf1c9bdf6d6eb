// gMock matchers that test errors by their code, not by the Chinese text a person reads.
//
//   EXPECT_THAT(store.Load(x), IsOk());
//   EXPECT_THAT(Parse(bad), StatusIs(Code::kInvalidArgument));
//   EXPECT_THAT(Decide(...), StatusIs(Code::kInvalidArgument, "check_failed"));  // with reason
//   EXPECT_THAT(h.Call("POST", path, token, body), ApiError(409, "conflict"));
//
// IsOk and StatusIs take a gd::Status or any gd::StatusOr<T>. ApiError takes any answer with an
// int `status` and a string `body` (the harness's Resp, the raw client's RawResponse) and checks
// the HTTP status and the error body's `error.code` ({"error":{"code","message","details"}},
// docs/api.md §1); an answer without that error object never matches. On a mismatch each
// prints what it got: the whole Status, or the status line and the body.
//
// A test that asserts on a message's words does so only where the words are the behaviour (a
// platform's code quoted to the operator, the file and field a bad configuration names), and
// says so in a comment.
#pragma once

#include <gmock/gmock.h>

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "dispatcher/core/status.h"

namespace gd {

// gtest prints these in failure messages.
inline void PrintTo(Code code, std::ostream* os) { *os << CodeName(code); }
inline void PrintTo(const Status& s, std::ostream* os) { *os << s.ToString(); }
template <typename T>
void PrintTo(const StatusOr<T>& s, std::ostream* os) {
  if (s.ok()) {
    *os << "ok: " << ::testing::PrintToString(*s);
  } else {
    *os << s.status().ToString();
  }
}

namespace matchers_internal {

inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const StatusOr<T>& s) {
  return s.status();
}

// The error code of an API answer's body, or "" when the body is no error answer.
inline std::string ApiCodeOf(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("error") || !j["error"].is_object()) return "";
  const nlohmann::json& code = j["error"]["code"];
  return code.is_string() ? code.get<std::string>() : "";
}

inline std::string Shorten(const std::string& body) {
  constexpr size_t kMax = 400;
  return body.size() <= kMax ? body : body.substr(0, kMax) + "…";
}

}  // namespace matchers_internal

MATCHER(IsOk, negation ? "is an error" : "is ok") {
  const Status& s = matchers_internal::StatusOf(arg);
  if (!s.ok()) *result_listener << "whose status is " << s.ToString();
  return s.ok();
}

MATCHER_P(StatusIs, code,
          std::string(negation ? "has a status code other than " : "has status code ") +
              CodeName(code)) {
  const Status& s = matchers_internal::StatusOf(arg);
  *result_listener << "whose status is " << s.ToString();
  return s.code() == code;
}

// The code and the machine reason (Status::reason(), e.g. "check_failed", "password_expired").
MATCHER_P2(StatusIs, code, reason,
           std::string(negation ? "has a status other than " : "has status ") + CodeName(code) +
               "(" + std::string(reason) + ")") {
  const Status& s = matchers_internal::StatusOf(arg);
  *result_listener << "whose status is " << s.ToString();
  return s.code() == code && s.reason() == std::string(reason);
}

// An API error answer: the HTTP status and the body's error.code.
MATCHER_P2(ApiError, http_status, code,
           std::string(negation ? "is not the API error " : "is the API error ") +
               std::to_string(http_status) + " " + std::string(code)) {
  const std::string got = matchers_internal::ApiCodeOf(arg.body);
  *result_listener << "whose answer is " << arg.status << " "
                   << (got.empty() ? "(no error code)" : got) << ": "
                   << matchers_internal::Shorten(arg.body);
  return arg.status == http_status && !got.empty() && got == std::string(code);
}

}  // namespace gd
