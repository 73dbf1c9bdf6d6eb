// Small queries kept out of store.h (included nearly everywhere): media rows by content, and
// removing a meta value. Every function runs inside a Store::Read/Write call and takes its Tx.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dispatcher/core/status.h"
#include "dispatcher/store/store.h"

namespace gd::lookups {

// Ids of every media row with this SHA-256 (one per upload), oldest first.
StatusOr<std::vector<int64_t>> MediaIdsBySha(Tx& tx, const std::string& sha256);

// Removes the meta value `key`; absent is not an error. Inside Store::Write only.
Status EraseMeta(Tx& tx, const std::string& key);

}  // namespace gd::lookups
