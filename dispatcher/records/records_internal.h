// Small helpers the records service's files share (not part of its interface).
#pragma once

#include <string>

#include "dispatcher/accounts/account_service.h"
#include "dispatcher/core/json_util.h"
#include "dispatcher/core/time_util.h"

namespace gd::records_internal {

inline std::string Iso(TimeMs t) { return FormatRfc3339(t); }
// An RFC 3339 time, or null for 0 (never).
inline Json TimeOrNull(TimeMs t) { return t > 0 ? Json(Iso(t)) : Json(); }
// The office, the auditors and the administrators read every unit's records.
inline bool SeesEveryUnit(const AuthContext& who) {
  return who.user.Has(Role::kOffice) || who.user.Has(Role::kAuditor) || who.user.Has(Role::kAdmin);
}

}  // namespace gd::records_internal
