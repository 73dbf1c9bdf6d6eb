#include "dispatcher/store/records_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

namespace gd {
namespace {

// The records tables' own migrations, keyed by meta "records_schema": entry i moves i -> i+1.
const char* const kRecordsMigrations[] = {
    R"sql(
CREATE TABLE IF NOT EXISTS archive_filings (
  id INTEGER PRIMARY KEY, unit_id INTEGER NOT NULL, month TEXT NOT NULL,
  filed_by INTEGER NOT NULL, filed_at INTEGER NOT NULL, records INTEGER NOT NULL,
  csv_sha256 TEXT NOT NULL, UNIQUE (unit_id, month));
CREATE TABLE IF NOT EXISTS rescan_runs (
  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor_id INTEGER NOT NULL, cause TEXT NOT NULL,
  checker_version TEXT NOT NULL, previous_version TEXT NOT NULL, scanned INTEGER NOT NULL,
  flagged INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS rescan_flags (
  id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, ticket_id INTEGER NOT NULL,
  unit_id INTEGER NOT NULL, version INTEGER NOT NULL, findings TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS rescan_flags_run ON rescan_flags(run_id);
CREATE INDEX IF NOT EXISTS rescan_flags_ticket ON rescan_flags(ticket_id);
CREATE TABLE IF NOT EXISTS corrections (
  ticket_id INTEGER PRIMARY KEY, correction_ticket_id INTEGER NOT NULL,
  created_by INTEGER NOT NULL, created_at INTEGER NOT NULL);
)sql",
};

constexpr const char* kSchemaKey = "records_schema";

Status ConstraintAware(const std::function<void()>& fn, const char* conflict_message) {
  try {
    fn();
  } catch (const SQLite::Exception& e) {
    if (e.getErrorCode() == SQLITE_CONSTRAINT)
      return Status(Code::kAlreadyExists, conflict_message, "conflict");
    throw;
  }
  return Status::Ok();
}

}  // namespace

Status EnsureRecordsSchema(Tx& tx) {
  GD_ASSIGN_OR_RETURN(auto current, tx.GetMeta(kSchemaKey));
  int v = current ? std::stoi(*current) : 0;
  const int latest = static_cast<int>(std::size(kRecordsMigrations));
  if (v > latest)
    return FailedPrecondition("记录模块数据版本 " + std::to_string(v) + " 高于程序支持的版本 " +
                              std::to_string(latest));
  for (; v < latest; ++v) tx.db().exec(kRecordsMigrations[v]);
  return tx.PutMeta(kSchemaKey, std::to_string(latest));
}

StatusOr<std::vector<Decision>> ListUnitDecisions(Tx& tx, int64_t unit_id, TimeMs from, TimeMs to) {
  SQLite::Statement q(
      tx.db(),
      "SELECT d.id, d.ticket_id, d.version, d.round, d.step, d.role, d.user_id, d.decision, "
      "d.comment, d.checklist, d.acknowledged, d.content_hash, d.decided_at, d.signature "
      "FROM decisions d JOIN tickets t ON t.id = d.ticket_id "
      "WHERE t.unit_id = ? AND d.decided_at >= ? AND d.decided_at < ? "
      "ORDER BY d.decided_at, d.id");
  q.bind(1, unit_id);
  q.bind(2, from);
  q.bind(3, to);
  std::vector<Decision> out;
  while (q.executeStep()) {
    Decision d;
    d.id = q.getColumn(0).getInt64();
    d.ticket_id = q.getColumn(1).getInt64();
    d.version = q.getColumn(2).getInt();
    d.round = q.getColumn(3).getInt();
    d.step = q.getColumn(4).getInt();
    d.role = q.getColumn(5).getString();
    d.user_id = q.getColumn(6).getInt64();
    d.decision = q.getColumn(7).getString();
    d.comment = q.getColumn(8).getString();
    d.checklist = Json::parse(q.getColumn(9).getString());
    d.acknowledged = Json::parse(q.getColumn(10).getString());
    d.content_hash = q.getColumn(11).getString();
    d.decided_at = q.getColumn(12).getInt64();
    d.signature = q.getColumn(13).getString();
    out.push_back(std::move(d));
  }
  return out;
}

StatusOr<std::vector<DispatchLink>> ListPublishedDispatches(Tx& tx, int64_t ticket_id) {
  SQLite::Statement q(
      tx.db(),
      "SELECT ticket_id, version, account_id, kind, state, remote_url, published_at "
      "FROM dispatches WHERE ticket_id = ? AND published_at > 0 ORDER BY id");
  q.bind(1, ticket_id);
  std::vector<DispatchLink> out;
  while (q.executeStep())
    out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt(), q.getColumn(2).getInt64(),
                   q.getColumn(3).getString(), q.getColumn(4).getString(),
                   q.getColumn(5).getString(), q.getColumn(6).getInt64()});
  return out;
}

StatusOr<int64_t> InsertFiling(Tx& tx, const FilingRow& f) {
  GD_RETURN_IF_ERROR(ConstraintAware(
      [&] {
        SQLite::Statement q(tx.db(),
                            "INSERT INTO archive_filings (unit_id, month, filed_by, filed_at, "
                            "records, csv_sha256) VALUES (?,?,?,?,?,?)");
        q.bind(1, f.unit_id);
        q.bind(2, f.month);
        q.bind(3, f.filed_by);
        q.bind(4, f.filed_at);
        q.bind(5, f.records);
        q.bind(6, f.csv_sha256);
        q.exec();
      },
      "该单位本月的审核记录已报送"));
  return tx.db().getLastInsertRowid();
}

StatusOr<std::vector<FilingRow>> ListFilings(Tx& tx, const std::string& month) {
  SQLite::Statement q(tx.db(),
                      "SELECT id, unit_id, month, filed_by, filed_at, records, csv_sha256 "
                      "FROM archive_filings WHERE month = ? ORDER BY unit_id");
  q.bind(1, month);
  std::vector<FilingRow> out;
  while (q.executeStep())
    out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getString(),
                   q.getColumn(3).getInt64(), q.getColumn(4).getInt64(), q.getColumn(5).getInt64(),
                   q.getColumn(6).getString()});
  return out;
}

StatusOr<std::vector<ColumnLastPublished>> LastPublishedByColumn(Tx& tx) {
  SQLite::Statement q(tx.db(),
                      "SELECT t.unit_id, json_extract(v.content, '$.column') AS col, "
                      "MAX(t.published_at) FROM tickets t JOIN ticket_versions v "
                      "ON v.ticket_id = t.id AND v.version = t.version "
                      "WHERE t.state = 'published' AND t.published_at > 0 "
                      "GROUP BY t.unit_id, col ORDER BY t.unit_id, col");
  std::vector<ColumnLastPublished> out;
  while (q.executeStep()) {
    if (q.getColumn(1).isNull()) continue;
    std::string col = q.getColumn(1).getString();
    if (col.empty()) continue;
    out.push_back({q.getColumn(0).getInt64(), col, q.getColumn(2).getInt64()});
  }
  return out;
}

StatusOr<std::map<int64_t, TimeMs>> LastPublishedByAccount(Tx& tx) {
  SQLite::Statement q(tx.db(),
                      "SELECT account_id, MAX(published_at) FROM dispatches "
                      "WHERE state = 'published' AND published_at > 0 GROUP BY account_id");
  std::map<int64_t, TimeMs> out;
  while (q.executeStep()) out[q.getColumn(0).getInt64()] = q.getColumn(1).getInt64();
  return out;
}

StatusOr<std::vector<PersonnelRow>> ListPersonnelRows(Tx& tx, std::optional<int64_t> unit_id) {
  std::string sql = "SELECT id, at, actor_id, user_id, unit_id, change FROM personnel_log";
  if (unit_id) sql += " WHERE unit_id = ?1 OR json_extract(change, '$.unit_before') = ?1";
  sql += " ORDER BY id";
  SQLite::Statement q(tx.db(), sql);
  if (unit_id) q.bind(1, *unit_id);
  std::vector<PersonnelRow> out;
  while (q.executeStep())
    out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(),
                   q.getColumn(3).getInt64(), q.getColumn(4).getInt64(),
                   Json::parse(q.getColumn(5).getString())});
  return out;
}

StatusOr<std::vector<PublishedTicket>> ListPublishedTickets(Tx& tx) {
  SQLite::Statement q(tx.db(),
                      "SELECT id, unit_id, version, published_at FROM tickets "
                      "WHERE state = 'published' ORDER BY id");
  std::vector<PublishedTicket> out;
  while (q.executeStep())
    out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getInt(),
                   q.getColumn(3).getInt64()});
  return out;
}

StatusOr<int64_t> InsertRescanRun(Tx& tx, const RescanRun& r) {
  SQLite::Statement q(tx.db(),
                      "INSERT INTO rescan_runs (at, actor_id, cause, checker_version, "
                      "previous_version, scanned, flagged) VALUES (?,?,?,?,?,?,?)");
  q.bind(1, r.at);
  q.bind(2, r.actor_id);
  q.bind(3, r.trigger);
  q.bind(4, r.checker_version);
  q.bind(5, r.previous_version);
  q.bind(6, r.scanned);
  q.bind(7, r.flagged);
  q.exec();
  return tx.db().getLastInsertRowid();
}

StatusOr<std::optional<RescanRun>> LatestRescanRun(Tx& tx) {
  SQLite::Statement q(tx.db(),
                      "SELECT id, at, actor_id, cause, checker_version, previous_version, scanned, "
                      "flagged FROM rescan_runs ORDER BY id DESC LIMIT 1");
  if (!q.executeStep()) return std::optional<RescanRun>();
  return std::optional<RescanRun>(RescanRun{q.getColumn(0).getInt64(), q.getColumn(1).getInt64(),
                                            q.getColumn(2).getInt64(), q.getColumn(3).getString(),
                                            q.getColumn(4).getString(), q.getColumn(5).getString(),
                                            q.getColumn(6).getInt64(), q.getColumn(7).getInt64()});
}

StatusOr<int64_t> InsertRescanFlag(Tx& tx, const RescanFlag& f) {
  SQLite::Statement q(tx.db(),
                      "INSERT INTO rescan_flags (run_id, ticket_id, unit_id, version, findings) "
                      "VALUES (?,?,?,?,?)");
  q.bind(1, f.run_id);
  q.bind(2, f.ticket_id);
  q.bind(3, f.unit_id);
  q.bind(4, f.version);
  q.bind(5, f.findings.dump());
  q.exec();
  return tx.db().getLastInsertRowid();
}

namespace {
constexpr const char* kFlagSelect =
    "SELECT f.id, f.run_id, f.ticket_id, f.unit_id, f.version, f.findings, "
    "COALESCE(c.correction_ticket_id, 0) FROM rescan_flags f "
    "LEFT JOIN corrections c ON c.ticket_id = f.ticket_id ";

RescanFlag ReadFlag(SQLite::Statement& q) {
  return {q.getColumn(0).getInt64(), q.getColumn(1).getInt64(),
          q.getColumn(2).getInt64(), q.getColumn(3).getInt64(),
          q.getColumn(4).getInt(),   Json::parse(q.getColumn(5).getString()),
          q.getColumn(6).getInt64()};
}
}  // namespace

StatusOr<std::vector<RescanFlag>> ListRescanFlags(Tx& tx, int64_t run_id,
                                                  std::optional<int64_t> unit_id) {
  std::string sql = std::string(kFlagSelect) + "WHERE f.run_id = ?";
  if (unit_id) sql += " AND f.unit_id = ?";
  sql += " ORDER BY f.ticket_id";
  SQLite::Statement q(tx.db(), sql);
  q.bind(1, run_id);
  if (unit_id) q.bind(2, *unit_id);
  std::vector<RescanFlag> out;
  while (q.executeStep()) out.push_back(ReadFlag(q));
  return out;
}

StatusOr<std::optional<RescanFlag>> LatestFlagOf(Tx& tx, int64_t ticket_id) {
  SQLite::Statement q(
      tx.db(), std::string(kFlagSelect) + "WHERE f.ticket_id = ? ORDER BY f.id DESC LIMIT 1");
  q.bind(1, ticket_id);
  if (!q.executeStep()) return std::optional<RescanFlag>();
  return std::optional<RescanFlag>(ReadFlag(q));
}

StatusOr<int64_t> CorrectionOf(Tx& tx, int64_t ticket_id) {
  SQLite::Statement q(tx.db(), "SELECT correction_ticket_id FROM corrections WHERE ticket_id = ?");
  q.bind(1, ticket_id);
  if (!q.executeStep()) return int64_t{0};
  return q.getColumn(0).getInt64();
}

Status InsertCorrection(Tx& tx, int64_t ticket_id, int64_t correction_ticket_id,
                        int64_t created_by) {
  return ConstraintAware(
      [&] {
        SQLite::Statement q(tx.db(),
                            "INSERT INTO corrections (ticket_id, correction_ticket_id, created_by, "
                            "created_at) VALUES (?,?,?,?)");
        q.bind(1, ticket_id);
        q.bind(2, correction_ticket_id);
        q.bind(3, created_by);
        q.bind(4, tx.now());
        q.exec();
      },
      "该稿件已有更正工单");
}

}  // namespace gd
