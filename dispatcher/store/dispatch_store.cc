#include "dispatcher/store/dispatch_store.h"

#include <SQLiteCpp/SQLiteCpp.h>

namespace gd::dispatch_sql {
namespace {

constexpr const char* kCols =
    "id, ticket_id, version, account_id, kind, state, attempts, rendering, progress, remote_id, "
    "remote_url, last_error, error_reason, not_before, lease_until, lease_owner, published_at, "
    "created_at, updated_at";

Dispatch Read(SQLite::Statement& q) {
  Dispatch d;
  d.id = q.getColumn(0).getInt64();
  d.ticket_id = q.getColumn(1).getInt64();
  d.version = q.getColumn(2).getInt();
  d.account_id = q.getColumn(3).getInt64();
  d.kind = q.getColumn(4).getString();
  d.state = q.getColumn(5).getString();
  d.attempts = q.getColumn(6).getInt();
  d.rendering = Json::parse(q.getColumn(7).getString());
  d.progress = Json::parse(q.getColumn(8).getString());
  d.remote_id = q.getColumn(9).getString();
  d.remote_url = q.getColumn(10).getString();
  d.last_error = q.getColumn(11).getString();
  d.error_reason = q.getColumn(12).getString();
  d.not_before = q.getColumn(13).getInt64();
  d.lease_until = q.getColumn(14).getInt64();
  d.lease_owner = q.getColumn(15).getString();
  d.published_at = q.getColumn(16).getInt64();
  d.created_at = q.getColumn(17).getInt64();
  d.updated_at = q.getColumn(18).getInt64();
  return d;
}

Withdrawal ReadW(SQLite::Statement& q) {
  Withdrawal w;
  w.id = q.getColumn(0).getInt64();
  w.ticket_id = q.getColumn(1).getInt64();
  w.requested_by = q.getColumn(2).getInt64();
  w.reason = q.getColumn(3).getString();
  w.account_ids = Json::parse(q.getColumn(4).getString());
  w.state = q.getColumn(5).getString();
  w.decided_by = q.getColumn(6).getInt64();
  w.decided_at = q.getColumn(7).getInt64();
  w.comment = q.getColumn(8).getString();
  w.created_at = q.getColumn(9).getInt64();
  return w;
}
constexpr const char* kWCols =
    "id, ticket_id, requested_by, reason, account_ids, state, decided_by, decided_at, comment, "
    "created_at";

// Work a worker may pick up now.
constexpr const char* kClaimable =
    "state IN ('pending','sending','awaiting','withdrawing') AND lease_until <= :now AND "
    "(kind = 'portal' OR state = 'withdrawing' OR NOT EXISTS (SELECT 1 FROM dispatches p WHERE "
    "p.ticket_id = d.ticket_id AND p.version = d.version AND p.kind = 'portal' AND "
    "p.state NOT IN ('published','withdrawing','withdrawn')))";

}  // namespace

Status Insert(Tx& tx, Dispatch& d) {
  SQLite::Statement q(
      tx.db(),
      "INSERT INTO dispatches (ticket_id, version, account_id, kind, state, attempts, "
      "rendering, progress, not_before, created_at, updated_at) "
      "VALUES (?,?,?,?,?,0,?,?,?,?,?)");
  q.bind(1, d.ticket_id);
  q.bind(2, d.version);
  q.bind(3, d.account_id);
  q.bind(4, d.kind);
  q.bind(5, d.state);
  q.bind(6, d.rendering.dump());
  q.bind(7, d.progress.dump());
  q.bind(8, d.not_before);
  q.bind(9, tx.now());
  q.bind(10, tx.now());
  q.exec();
  d.id = tx.db().getLastInsertRowid();
  d.created_at = d.updated_at = tx.now();
  return Status::Ok();
}

StatusOr<std::optional<Dispatch>> Get(Tx& tx, int64_t id) {
  SQLite::Statement q(tx.db(), std::string("SELECT ") + kCols + " FROM dispatches WHERE id=?");
  q.bind(1, id);
  if (!q.executeStep()) return std::optional<Dispatch>();
  return std::optional<Dispatch>(Read(q));
}

StatusOr<std::vector<Dispatch>> ForTicket(Tx& tx, int64_t ticket_id) {
  CachedStatement stmt = tx.Prepare(std::string("SELECT ") + kCols +
                                    " FROM dispatches WHERE ticket_id=? ORDER BY version, id");
  SQLite::Statement& q = *stmt;
  q.bind(1, ticket_id);
  std::vector<Dispatch> out;
  while (q.executeStep()) out.push_back(Read(q));
  return out;
}

Status Update(Tx& tx, const Dispatch& d, const std::string& owner) {
  std::string sql =
      "UPDATE dispatches SET state=?, attempts=?, progress=?, remote_id=?, remote_url=?, "
      "last_error=?, error_reason=?, not_before=?, lease_until=?, lease_owner=?, published_at=?, "
      "updated_at=? WHERE id=?";
  if (!owner.empty()) sql += " AND lease_owner=?";
  SQLite::Statement q(tx.db(), sql);
  q.bind(1, d.state);
  q.bind(2, d.attempts);
  q.bind(3, d.progress.dump());
  q.bind(4, d.remote_id);
  q.bind(5, d.remote_url);
  q.bind(6, d.last_error);
  q.bind(7, d.error_reason);
  q.bind(8, d.not_before);
  q.bind(9, d.lease_until);
  q.bind(10, d.lease_owner);
  q.bind(11, d.published_at);
  q.bind(12, tx.now());
  q.bind(13, d.id);
  if (!owner.empty()) q.bind(14, owner);
  if (q.exec() != 1) return Status(Code::kAborted, "发布任务已被其他进程接管", "conflict");
  return Status::Ok();
}

StatusOr<std::vector<Dispatch>> ClaimDue(Tx& tx, const std::string& owner, TimeMs lease_until,
                                         int limit) {
  SQLite::Statement q(tx.db(), std::string("SELECT ") + kCols + " FROM dispatches d WHERE " +
                                   kClaimable +
                                   " AND not_before <= :now ORDER BY not_before, id LIMIT :limit");
  q.bind(":now", tx.now());
  q.bind(":limit", limit);
  std::vector<Dispatch> out;
  while (q.executeStep()) out.push_back(Read(q));
  SQLite::Statement lease(tx.db(), "UPDATE dispatches SET lease_owner=?, lease_until=? WHERE id=?");
  for (auto& d : out) {
    lease.bind(1, owner);
    lease.bind(2, lease_until);
    lease.bind(3, d.id);
    lease.exec();
    lease.reset();
    d.lease_owner = owner;
    d.lease_until = lease_until;
  }
  return out;
}

StatusOr<std::optional<TimeMs>> NextDue(Tx& tx) {
  SQLite::Statement q(
      tx.db(), std::string("SELECT MIN(MAX(not_before, lease_until)) FROM dispatches d WHERE "
                           "state IN ('pending','sending','awaiting','withdrawing')"));
  if (!q.executeStep() || q.getColumn(0).isNull()) return std::optional<TimeMs>();
  return std::optional<TimeMs>(q.getColumn(0).getInt64());
}

StatusOr<int64_t> BeginAttempt(Tx& tx, int64_t dispatch_id, const std::string& action) {
  SQLite::Statement q(
      tx.db(), "INSERT INTO dispatch_attempts (dispatch_id, action, started_at) VALUES (?,?,?)");
  q.bind(1, dispatch_id);
  q.bind(2, action);
  q.bind(3, tx.now());
  q.exec();
  return tx.db().getLastInsertRowid();
}

Status EndAttempt(Tx& tx, int64_t attempt_id, const std::string& outcome,
                  const std::string& error) {
  SQLite::Statement q(tx.db(),
                      "UPDATE dispatch_attempts SET finished_at=?, outcome=?, error=? WHERE id=?");
  q.bind(1, tx.now());
  q.bind(2, outcome);
  q.bind(3, error);
  q.bind(4, attempt_id);
  q.exec();
  return Status::Ok();
}

StatusOr<std::vector<std::tuple<std::string, std::string, int64_t>>> CountByKindState(Tx& tx) {
  SQLite::Statement q(tx.db(), "SELECT kind, state, COUNT(*) FROM dispatches GROUP BY kind, state");
  std::vector<std::tuple<std::string, std::string, int64_t>> out;
  while (q.executeStep())
    out.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getString(),
                     q.getColumn(2).getInt64());
  return out;
}

StatusOr<std::vector<Dispatch>> PublishedBuiltinPortal(Tx& tx) {
  SQLite::Statement q(tx.db(),
                      std::string("SELECT ") + kCols +
                          " FROM dispatches d WHERE kind='portal' AND state='published' AND "
                          "json_extract(progress, '$.builtin') = 1 ORDER BY published_at DESC");
  std::vector<Dispatch> out;
  while (q.executeStep()) out.push_back(Read(q));
  return out;
}

StatusOr<int64_t> InsertWithdrawal(Tx& tx, const Withdrawal& w) {
  SQLite::Statement q(
      tx.db(),
      "INSERT INTO withdrawals (ticket_id, requested_by, reason, account_ids, state, "
      "created_at) VALUES (?,?,?,?,?,?)");
  q.bind(1, w.ticket_id);
  q.bind(2, w.requested_by);
  q.bind(3, w.reason);
  q.bind(4, w.account_ids.dump());
  q.bind(5, w.state);
  q.bind(6, tx.now());
  q.exec();
  return tx.db().getLastInsertRowid();
}

StatusOr<std::optional<Withdrawal>> GetWithdrawal(Tx& tx, int64_t id) {
  SQLite::Statement q(tx.db(), std::string("SELECT ") + kWCols + " FROM withdrawals WHERE id=?");
  q.bind(1, id);
  if (!q.executeStep()) return std::optional<Withdrawal>();
  return std::optional<Withdrawal>(ReadW(q));
}

StatusOr<std::vector<Withdrawal>> WithdrawalsForTicket(Tx& tx, int64_t ticket_id) {
  CachedStatement stmt = tx.Prepare(std::string("SELECT ") + kWCols +
                                    " FROM withdrawals WHERE ticket_id=? ORDER BY id");
  SQLite::Statement& q = *stmt;
  q.bind(1, ticket_id);
  std::vector<Withdrawal> out;
  while (q.executeStep()) out.push_back(ReadW(q));
  return out;
}

StatusOr<std::vector<Withdrawal>> PendingWithdrawals(Tx& tx) {
  SQLite::Statement q(tx.db(), std::string("SELECT ") + kWCols +
                                   " FROM withdrawals WHERE state='pending' ORDER BY id");
  std::vector<Withdrawal> out;
  while (q.executeStep()) out.push_back(ReadW(q));
  return out;
}

Status UpdateWithdrawal(Tx& tx, const Withdrawal& w) {
  SQLite::Statement q(
      tx.db(), "UPDATE withdrawals SET state=?, decided_by=?, decided_at=?, comment=? WHERE id=?");
  q.bind(1, w.state);
  q.bind(2, w.decided_by);
  q.bind(3, w.decided_at);
  q.bind(4, w.comment);
  q.bind(5, w.id);
  q.exec();
  return Status::Ok();
}

}  // namespace gd::dispatch_sql
