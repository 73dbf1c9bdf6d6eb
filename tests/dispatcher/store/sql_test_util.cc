#include "tests/dispatcher/store/sql_test_util.h"

#include <SQLiteCpp/SQLiteCpp.h>

namespace gd::testing {

void ExecSql(const std::filesystem::path& path, const std::string& sql) {
  SQLite::Database db(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.setBusyTimeout(5000);
  db.exec(sql);
}

std::string QuerySql(const std::filesystem::path& path, const std::string& sql) {
  SQLite::Database db(path.string(), SQLite::OPEN_READONLY);
  db.setBusyTimeout(5000);
  SQLite::Statement q(db, sql);
  if (!q.executeStep()) return "";
  return q.getColumn(0).getString();
}

}  // namespace gd::testing
