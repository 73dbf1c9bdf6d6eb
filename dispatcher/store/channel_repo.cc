#include "dispatcher/store/channel_repo.h"

#include "dispatcher/store/sql.h"
#include "dispatcher/store/tables.h"

namespace gd::channel_repo {

using tables::kChannels;

StatusOr<int64_t> InsertChannel(Tx& tx, const ChannelAccountRow& c) {
  return sql::InsertRow(tx, kChannels, c);
}

Status UpdateChannel(Tx& tx, const ChannelAccountRow& c) {
  if (sql::UpdateRow(tx, kChannels, c) != 1) return NotFound("渠道账号不存在");
  return Status::Ok();
}

StatusOr<std::optional<ChannelAccountRow>> GetChannel(Tx& tx, int64_t id) {
  return sql::ByKey(tx, kChannels, id);
}

StatusOr<std::vector<ChannelAccountRow>> ListChannels(Tx& tx) {
  static const std::string& query = sql::Immortal(kChannels.SelectFrom("ORDER BY id"));
  return sql::All(tx, kChannels, query);
}

}  // namespace gd::channel_repo
