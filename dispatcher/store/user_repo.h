// Units, users, the personnel register (art. 8) and sessions. Every function runs inside a
// Store::Write/Read call and takes its Tx.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"
#include "dispatcher/model/user.h"
#include "dispatcher/store/db.h"

namespace gd::user_repo {

// Units
StatusOr<int64_t> InsertUnit(Tx& tx, const Unit& u);
StatusOr<std::vector<Unit>> ListUnits(Tx& tx);
StatusOr<std::optional<Unit>> GetUnit(Tx& tx, int64_t id);

// Users
StatusOr<int64_t> InsertUser(Tx& tx, const User& u);
Status UpdateUser(Tx& tx, const User& u);  // every field but id/created_at
StatusOr<std::optional<User>> GetUser(Tx& tx, int64_t id);
StatusOr<std::optional<User>> GetUserByName(Tx& tx, const std::string& username);
// Only the display name ("" when there is no such user).
StatusOr<std::string> GetUserDisplayName(Tx& tx, int64_t id);
StatusOr<std::vector<User>> ListUsers(Tx& tx, std::optional<int64_t> unit_id);
StatusOr<int64_t> CountUsers(Tx& tx);
// Personnel register: who changed whom, how.
Status AppendPersonnel(Tx& tx, int64_t actor_id, int64_t user_id, int64_t unit_id,
                       const Json& change);
// Rows recorded under the unit (all when empty), oldest first, as JSON objects.
StatusOr<Json> ListPersonnel(Tx& tx, std::optional<int64_t> unit_id);

// Sessions
Status InsertSession(Tx& tx, const Session& s);
StatusOr<std::optional<Session>> GetSession(Tx& tx, const std::string& token_hash);
// The session with its user and the user's unit, in one query (authentication, every request).
StatusOr<std::optional<SessionAuth>> GetSessionAuth(Tx& tx, const std::string& token_hash);
Status TouchSession(Tx& tx, const std::string& token_hash, TimeMs last_seen, TimeMs expires_at);
Status DeleteSession(Tx& tx, const std::string& token_hash);
Status DeleteUserSessions(Tx& tx, int64_t user_id);
// Every session of the user but the one with `keep_token_hash` (a password change).
Status DeleteOtherSessions(Tx& tx, int64_t user_id, const std::string& keep_token_hash);

}  // namespace gd::user_repo
