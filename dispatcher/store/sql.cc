#include "dispatcher/store/sql.h"

#include <sqlite3.h>

namespace gd::sql {

Status ConstraintAware(const std::function<void()>& fn, const char* conflict_message) {
  try {
    fn();
  } catch (const SQLite::Exception& e) {
    if (e.getErrorCode() == SQLITE_CONSTRAINT)
      return Status(Code::kAlreadyExists, conflict_message, "conflict");
    throw;
  }
  return Status::Ok();
}

}  // namespace gd::sql
