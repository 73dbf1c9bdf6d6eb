// Status and StatusOr: expected failures as values.
//
// Each code carries what a caller should do about it (see docs/style.md §3):
//   kInvalidArgument   the input is wrong; do not retry (HTTP 400 / 422)
//   kNotFound          no such thing (404)
//   kFailedPrecondition wrong state, stale version; do not retry until state changes (409)
//   kAborted           lost a race; re-read and try again (409)
//   kPermissionDenied  forbidden (403); kUnauthenticated (401)
//   kResourceExhausted rate limited or quota (429)
//   kUnavailable / kDeadlineExceeded  transient; retry the call (503 / 504)
//   kTooLarge          request or file over a limit (413)
//   kLocked            account locked (423)
//   kInternal          a bug or an environment failure (500)
// `reason` optionally overrides the machine code the HTTP layer reports (e.g. "check_failed",
// "password_expired"); `details` carries structured data for the client.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace gd {

enum class Code {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kFailedPrecondition,
  kAborted,
  kAlreadyExists,
  kPermissionDenied,
  kUnauthenticated,
  kResourceExhausted,
  kUnavailable,
  kDeadlineExceeded,
  kTooLarge,
  kLocked,
  kInternal,
};

const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message, std::string reason = {},
         nlohmann::json details = nlohmann::json::object())
      : code_(code),
        message_(std::move(message)),
        reason_(std::move(reason)),
        details_(std::move(details)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& reason() const { return reason_; }
  const nlohmann::json& details() const { return details_; }
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::string reason_;
  nlohmann::json details_ = nlohmann::json::object();
};

inline Status InvalidArgument(std::string msg, std::string reason = {},
                              nlohmann::json details = nlohmann::json::object()) {
  return Status(Code::kInvalidArgument, std::move(msg), std::move(reason), std::move(details));
}
inline Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
inline Status FailedPrecondition(std::string msg, std::string reason = {},
                                 nlohmann::json details = nlohmann::json::object()) {
  return Status(Code::kFailedPrecondition, std::move(msg), std::move(reason), std::move(details));
}
inline Status PermissionDenied(std::string msg, std::string reason = {}) {
  return Status(Code::kPermissionDenied, std::move(msg), std::move(reason));
}
inline Status Unauthenticated(std::string msg) {
  return Status(Code::kUnauthenticated, std::move(msg));
}
inline Status Unavailable(std::string msg) { return Status(Code::kUnavailable, std::move(msg)); }
inline Status Internal(std::string msg) { return Status(Code::kInternal, std::move(msg)); }

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  StatusOr(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace gd

#define GD_CONCAT_INNER(a, b) a##b
#define GD_CONCAT(a, b) GD_CONCAT_INNER(a, b)

// Returns the status from the enclosing function if `expr` is not ok.
#define GD_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::gd::Status gd_status_ = (expr);        \
    if (!gd_status_.ok()) return gd_status_; \
  } while (0)

#define GD_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()

// `GD_ASSIGN_OR_RETURN(auto x, Foo());`
#define GD_ASSIGN_OR_RETURN(lhs, expr) \
  GD_ASSIGN_OR_RETURN_IMPL(GD_CONCAT(gd_statusor_, __LINE__), lhs, expr)
