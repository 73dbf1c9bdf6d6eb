// Channel accounts. Every function runs inside a Store::Write/Read call and takes its Tx.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "dispatcher/core/status.h"
#include "dispatcher/model/channel_account.h"
#include "dispatcher/store/db.h"

namespace gd::channel_repo {

StatusOr<int64_t> InsertChannel(Tx& tx, const ChannelAccountRow& c);
// Every field but id/created_at; kNotFound when there is no such account.
Status UpdateChannel(Tx& tx, const ChannelAccountRow& c);
StatusOr<std::optional<ChannelAccountRow>> GetChannel(Tx& tx, int64_t id);
StatusOr<std::vector<ChannelAccountRow>> ListChannels(Tx& tx);

}  // namespace gd::channel_repo
