#include "dispatcher/store/dispatch_repo.h"

#include "dispatcher/store/sql.h"
#include "dispatcher/store/tables.h"

namespace gd::dispatch_repo {
namespace {

using tables::kAttempts;
using tables::kDispatches;
using tables::kWithdrawals;

// Work a worker may pick up now.
constexpr const char* kClaimable =
    "state IN ('pending','sending','awaiting','withdrawing') AND lease_until <= :now AND "
    "(kind = :lead OR state = 'withdrawing' OR NOT EXISTS (SELECT 1 FROM dispatches p WHERE "
    "p.ticket_id = d.ticket_id AND p.version = d.version AND p.kind = :lead AND "
    "p.state NOT IN ('published','withdrawing','withdrawn')))";

}  // namespace

Status Insert(Tx& tx, Dispatch& d) {
  d.id = sql::InsertRow(tx, kDispatches, d);
  d.created_at = d.updated_at = tx.now();
  return Status::Ok();
}

StatusOr<std::optional<Dispatch>> Get(Tx& tx, int64_t id) {
  return sql::ByKey(tx, kDispatches, id);
}

StatusOr<std::vector<Dispatch>> ForTicket(Tx& tx, int64_t ticket_id) {
  static const std::string& query =
      sql::Immortal(kDispatches.SelectFrom("WHERE ticket_id=:ticket_id ORDER BY version, id"));
  return sql::All(tx, kDispatches, query, ":ticket_id", ticket_id);
}

Status Update(Tx& tx, const Dispatch& d, const std::string& owner) {
  static const std::string& owned = sql::Immortal(kDispatches.UpdateSql({}, "lease_owner=:owner"));
  CachedStatement q = tx.Prepare(owner.empty() ? kDispatches.update_sql() : owned);
  kDispatches.BindUpdate(*q, d, tx.now());
  if (!owner.empty()) q->bind(":owner", owner);
  if (q->exec() != 1) return Status(Code::kAborted, "发布任务已被其他进程接管", "conflict");
  return Status::Ok();
}

StatusOr<std::vector<Dispatch>> ClaimDue(Tx& tx, const std::string& owner, TimeMs lease_until,
                                         int limit, const std::string& lead_kind) {
  static const std::string& query =
      sql::Immortal("SELECT " + kDispatches.Select() + " FROM dispatches d WHERE " + kClaimable +
                    " AND not_before <= :now ORDER BY not_before, id LIMIT :limit");
  std::vector<Dispatch> out;
  {
    CachedStatement q = tx.Prepare(query);
    q->bind(":now", tx.now());
    q->bind(":limit", limit);
    q->bind(":lead", lead_kind);
    out = kDispatches.ReadAll(*q);
  }
  for (auto& d : out) {
    CachedStatement lease = tx.Prepare(
        "UPDATE dispatches SET lease_owner=:owner, lease_until=:lease_until WHERE id=:id");
    lease->bind(":owner", owner);
    lease->bind(":lease_until", lease_until);
    lease->bind(":id", d.id);
    lease->exec();
    d.lease_owner = owner;
    d.lease_until = lease_until;
  }
  return out;
}

Status ReleaseAllLeases(Tx& tx) {
  CachedStatement q =
      tx.Prepare("UPDATE dispatches SET lease_until=0, lease_owner='' WHERE lease_owner<>''");
  q->exec();
  return Status::Ok();
}

StatusOr<int> WakeAwaiting(Tx& tx, int64_t account_id, const std::string& key,
                           const std::string& job_id, TimeMs now) {
  CachedStatement q = tx.Prepare(
      "UPDATE dispatches SET not_before=? WHERE account_id=? AND state='awaiting' AND "
      "not_before>? AND lease_until<=? AND CAST(json_extract(progress, ?) AS TEXT)=?");
  q->bind(1, static_cast<int64_t>(now));
  q->bind(2, account_id);
  q->bind(3, static_cast<int64_t>(now));
  q->bind(4, static_cast<int64_t>(now));
  q->bind(5, "$.\"" + key + "\"");
  q->bind(6, job_id);
  return q->exec();
}

StatusOr<int> WakeHeld(Tx& tx, int64_t account_id, const std::string& reason, TimeMs now) {
  CachedStatement q = tx.Prepare(
      "UPDATE dispatches SET not_before=? WHERE account_id=? AND state='pending' AND "
      "error_reason=? AND not_before>? AND lease_until<=?");
  q->bind(1, static_cast<int64_t>(now));
  q->bind(2, account_id);
  q->bind(3, reason);
  q->bind(4, static_cast<int64_t>(now));
  q->bind(5, static_cast<int64_t>(now));
  return q->exec();
}

StatusOr<std::optional<TimeMs>> NextDue(Tx& tx) {
  CachedStatement q = tx.Prepare(
      "SELECT MIN(MAX(not_before, lease_until)) AS due FROM dispatches d WHERE "
      "state IN ('pending','sending','awaiting','withdrawing')");
  if (!q->executeStep() || q->getColumn("due").isNull()) return std::optional<TimeMs>();
  return std::optional<TimeMs>(q->getColumn("due").getInt64());
}

StatusOr<int64_t> BeginAttempt(Tx& tx, int64_t dispatch_id, const std::string& action) {
  DispatchAttempt a;
  a.dispatch_id = dispatch_id;
  a.action = action;
  return sql::InsertRow(tx, kAttempts, a);
}

Status EndAttempt(Tx& tx, int64_t attempt_id, const std::string& outcome,
                  const std::string& error) {
  sql::UpdateRow(tx, kAttempts,
                 DispatchAttempt{.id = attempt_id,
                                 .dispatch_id = 0,
                                 .action = {},
                                 .started_at = 0,
                                 .finished_at = 0,
                                 .outcome = outcome,
                                 .error = error});
  return Status::Ok();
}

StatusOr<std::vector<std::tuple<std::string, std::string, int64_t>>> CountByKindState(Tx& tx) {
  CachedStatement q =
      tx.Prepare("SELECT kind, state, COUNT(*) AS n FROM dispatches GROUP BY kind, state");
  std::vector<std::tuple<std::string, std::string, int64_t>> out;
  while (q->executeStep())
    out.emplace_back(q->getColumn("kind").getString(), q->getColumn("state").getString(),
                     q->getColumn("n").getInt64());
  return out;
}

StatusOr<std::vector<Dispatch>> PublishedBuiltinPortal(Tx& tx, const std::string& portal_kind) {
  static const std::string& query = sql::Immortal(kDispatches.SelectFrom(
      "WHERE kind=:kind AND state='published' AND json_extract(progress, '$.builtin') = 1 "
      "ORDER BY published_at DESC"));
  return sql::All(tx, kDispatches, query, ":kind", portal_kind);
}

StatusOr<int64_t> InsertWithdrawal(Tx& tx, const Withdrawal& w) {
  return sql::InsertRow(tx, kWithdrawals, w);
}

StatusOr<std::vector<Withdrawal>> WithdrawalsForTicket(Tx& tx, int64_t ticket_id) {
  static const std::string& query =
      sql::Immortal(kWithdrawals.SelectFrom("WHERE ticket_id=:ticket_id ORDER BY id"));
  return sql::All(tx, kWithdrawals, query, ":ticket_id", ticket_id);
}

StatusOr<std::optional<Withdrawal>> GetWithdrawal(Tx& tx, int64_t id) {
  return sql::ByKey(tx, kWithdrawals, id);
}

StatusOr<std::vector<Withdrawal>> PendingWithdrawals(Tx& tx) {
  static const std::string& query =
      sql::Immortal(kWithdrawals.SelectFrom("WHERE state='pending' ORDER BY id"));
  return sql::All(tx, kWithdrawals, query);
}

Status UpdateWithdrawal(Tx& tx, const Withdrawal& w) {
  sql::UpdateRow(tx, kWithdrawals, w);
  return Status::Ok();
}

}  // namespace gd::dispatch_repo
