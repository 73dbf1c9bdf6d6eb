// The schema, as one list of migrations run by Store::Open (store/*.cc only).
#pragma once

#include <span>

namespace gd::schema {

// Entry i moves a database from PRAGMA user_version i to i+1; each runs in its own transaction.
std::span<const char* const> Migrations();

}  // namespace gd::schema
