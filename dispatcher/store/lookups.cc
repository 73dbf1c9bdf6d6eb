#include "dispatcher/store/lookups.h"

#include <SQLiteCpp/SQLiteCpp.h>

namespace gd::lookups {

StatusOr<std::vector<int64_t>> MediaIdsBySha(Tx& tx, const std::string& sha256) {
  CachedStatement stmt = tx.Prepare("SELECT id FROM media WHERE sha256=? ORDER BY id");
  SQLite::Statement& q = *stmt;
  q.bind(1, sha256);
  std::vector<int64_t> ids;
  while (q.executeStep()) ids.push_back(q.getColumn(0).getInt64());
  return ids;
}

Status EraseMeta(Tx& tx, const std::string& key) {
  CachedStatement stmt = tx.Prepare("DELETE FROM meta WHERE key=?");
  SQLite::Statement& q = *stmt;
  q.bind(1, key);
  q.exec();
  return Status::Ok();
}

}  // namespace gd::lookups
