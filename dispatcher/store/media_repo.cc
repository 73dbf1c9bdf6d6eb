#include "dispatcher/store/media_repo.h"

#include "dispatcher/store/sql.h"
#include "dispatcher/store/tables.h"

namespace gd::media_repo {

using tables::kMedia;

StatusOr<int64_t> InsertMedia(Tx& tx, const MediaRow& m) { return sql::InsertRow(tx, kMedia, m); }

StatusOr<std::optional<MediaRow>> GetMedia(Tx& tx, int64_t id) {
  return sql::ByKey(tx, kMedia, id);
}

StatusOr<std::optional<MediaRow>> GetMediaBySha(Tx& tx, const std::string& sha256) {
  static const std::string& query =
      sql::Immortal(kMedia.SelectFrom("WHERE sha256=:sha256 ORDER BY id LIMIT 1"));
  return sql::One(tx, kMedia, query, ":sha256", sha256);
}

StatusOr<std::vector<int64_t>> MediaIdsBySha(Tx& tx, const std::string& sha256) {
  CachedStatement q = tx.Prepare("SELECT id FROM media WHERE sha256=:sha256 ORDER BY id");
  q->bind(":sha256", sha256);
  std::vector<int64_t> ids;
  while (q->executeStep()) ids.push_back(q->getColumn("id").getInt64());
  return ids;
}

}  // namespace gd::media_repo
