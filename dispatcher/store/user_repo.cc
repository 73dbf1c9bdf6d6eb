#include "dispatcher/store/user_repo.h"

#include "dispatcher/store/sql.h"
#include "dispatcher/store/tables.h"

namespace gd::user_repo {
namespace {

using tables::kPersonnel;
using tables::kSessions;
using tables::kUnits;
using tables::kUsers;

}  // namespace

StatusOr<int64_t> InsertUnit(Tx& tx, const Unit& u) { return sql::InsertRow(tx, kUnits, u); }

StatusOr<std::vector<Unit>> ListUnits(Tx& tx) {
  static const std::string& query = sql::Immortal(kUnits.SelectFrom("ORDER BY id"));
  return sql::All(tx, kUnits, query);
}

StatusOr<std::optional<Unit>> GetUnit(Tx& tx, int64_t id) { return sql::ByKey(tx, kUnits, id); }

StatusOr<int64_t> InsertUser(Tx& tx, const User& u) { return sql::InsertRow(tx, kUsers, u); }

Status UpdateUser(Tx& tx, const User& u) {
  if (sql::UpdateRow(tx, kUsers, u) != 1) return NotFound("用户不存在");
  return Status::Ok();
}

StatusOr<std::optional<User>> GetUser(Tx& tx, int64_t id) { return sql::ByKey(tx, kUsers, id); }

StatusOr<std::optional<User>> GetUserByName(Tx& tx, const std::string& username) {
  static const std::string& query = sql::Immortal(kUsers.SelectFrom("WHERE username=:username"));
  return sql::One(tx, kUsers, query, ":username", username);
}

StatusOr<std::string> GetUserDisplayName(Tx& tx, int64_t id) {
  CachedStatement q = tx.Prepare("SELECT name FROM users WHERE id=:id");
  q->bind(":id", id);
  if (!q->executeStep()) return std::string();
  return q->getColumn("name").getString();
}

StatusOr<std::vector<User>> ListUsers(Tx& tx, std::optional<int64_t> unit_id) {
  static const std::string& all = sql::Immortal(kUsers.SelectFrom("ORDER BY id"));
  static const std::string& of_unit =
      sql::Immortal(kUsers.SelectFrom("WHERE unit_id=:unit_id ORDER BY id"));
  CachedStatement q = tx.Prepare(unit_id ? of_unit : all);
  if (unit_id) q->bind(":unit_id", *unit_id);
  return kUsers.ReadAll(*q);
}

StatusOr<int64_t> CountUsers(Tx& tx) {
  return TxAccess::Db(tx).execAndGet("SELECT COUNT(*) FROM users").getInt64();
}

Status AppendPersonnel(Tx& tx, int64_t actor_id, int64_t user_id, int64_t unit_id,
                       const Json& change) {
  sql::InsertRow(tx, kPersonnel, {0, 0, actor_id, user_id, unit_id, change});
  return Status::Ok();
}

StatusOr<Json> ListPersonnel(Tx& tx, std::optional<int64_t> unit_id) {
  static const std::string& all = sql::Immortal(kPersonnel.SelectFrom("ORDER BY id"));
  static const std::string& of_unit =
      sql::Immortal(kPersonnel.SelectFrom("WHERE unit_id=:unit_id ORDER BY id"));
  CachedStatement q = tx.Prepare(unit_id ? of_unit : all);
  if (unit_id) q->bind(":unit_id", *unit_id);
  Json out = Json::array();
  for (PersonnelRow& r : kPersonnel.ReadAll(*q))
    out.push_back({{"id", r.id},
                   {"at", r.at},
                   {"actor_id", r.actor_id},
                   {"user_id", r.user_id},
                   {"unit_id", r.unit_id},
                   {"change", std::move(r.change)}});
  return out;
}

Status InsertSession(Tx& tx, const Session& s) {
  sql::InsertRow(tx, kSessions, s);
  return Status::Ok();
}

StatusOr<std::optional<Session>> GetSession(Tx& tx, const std::string& token_hash) {
  return sql::ByKey(tx, kSessions, token_hash);
}

StatusOr<std::optional<SessionAuth>> GetSessionAuth(Tx& tx, const std::string& token_hash) {
  static const std::string& query = sql::Immortal(
      "SELECT " + kUsers.Select("u") + ", " + kSessions.Select("s") + ", " + kUnits.Select("n") +
      " FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN units n ON n.id = u.unit_id "
      "WHERE s.token_hash=:token_hash");
  CachedStatement q = tx.Prepare(query);
  q->bind(":token_hash", token_hash);
  if (!q->executeStep()) return std::optional<SessionAuth>();
  SessionAuth a;
  a.user = kUsers.Read(*q);
  const int session_at = kUsers.width();
  a.session = kSessions.Read(*q, session_at);
  const int unit_at = session_at + kSessions.width();
  if (!q->getColumn(unit_at).isNull()) a.unit = kUnits.Read(*q, unit_at);
  return std::optional<SessionAuth>(std::move(a));
}

Status TouchSession(Tx& tx, const std::string& token_hash, TimeMs last_seen, TimeMs expires_at) {
  Session s;
  s.token_hash = token_hash;
  s.last_seen_at = last_seen;
  s.expires_at = expires_at;
  sql::UpdateRow(tx, kSessions, s);
  return Status::Ok();
}

Status DeleteSession(Tx& tx, const std::string& token_hash) {
  CachedStatement q = tx.Prepare("DELETE FROM sessions WHERE token_hash=:token_hash");
  q->bind(":token_hash", token_hash);
  q->exec();
  return Status::Ok();
}

Status DeleteUserSessions(Tx& tx, int64_t user_id) {
  CachedStatement q = tx.Prepare("DELETE FROM sessions WHERE user_id=:user_id");
  q->bind(":user_id", user_id);
  q->exec();
  return Status::Ok();
}

Status DeleteOtherSessions(Tx& tx, int64_t user_id, const std::string& keep_token_hash) {
  CachedStatement q =
      tx.Prepare("DELETE FROM sessions WHERE user_id=:user_id AND token_hash<>:keep");
  q->bind(":user_id", user_id);
  q->bind(":keep", keep_token_hash);
  q->exec();
  return Status::Ok();
}

}  // namespace gd::user_repo
