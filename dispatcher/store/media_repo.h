// Uploaded media. Every function runs inside a Store::Write/Read call and takes its Tx.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/core/status.h"
#include "dispatcher/model/media.h"
#include "dispatcher/store/db.h"

namespace gd::media_repo {

StatusOr<int64_t> InsertMedia(Tx& tx, const MediaRow& m);
StatusOr<std::optional<MediaRow>> GetMedia(Tx& tx, int64_t id);
// The oldest row with this SHA-256.
StatusOr<std::optional<MediaRow>> GetMediaBySha(Tx& tx, const std::string& sha256);
// Ids of every media row with this SHA-256 (one per upload), oldest first.
StatusOr<std::vector<int64_t>> MediaIdsBySha(Tx& tx, const std::string& sha256);

}  // namespace gd::media_repo
