#include "dispatcher/store/records_repo.h"

#include "dispatcher/store/sql.h"
#include "dispatcher/store/tables.h"

namespace gd::records_repo {
namespace {

using tables::kCorrections;
using tables::kDecisions;
using tables::kDispatches;
using tables::kFilings;
using tables::kPersonnel;
using tables::kRescanFlags;
using tables::kRescanRuns;
using tables::kTickets;

// Flags with their correction ticket (0 when none), as the column after the flag's own.
const std::string& FlagSelect() {
  static const std::string& query =
      sql::Immortal("SELECT " + kRescanFlags.Select("f") +
                    ", COALESCE(c.correction_ticket_id, 0) FROM rescan_flags f "
                    "LEFT JOIN corrections c ON c.ticket_id = f.ticket_id ");
  return query;
}

std::vector<RescanFlag> ReadFlags(SQLite::Statement& q) {
  std::vector<RescanFlag> out;
  while (q.executeStep()) {
    RescanFlag f = kRescanFlags.Read(q);
    f.correction_ticket_id = q.getColumn(kRescanFlags.width()).getInt64();
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace

StatusOr<std::vector<Decision>> ListUnitDecisions(Tx& tx, int64_t unit_id, TimeMs from, TimeMs to) {
  static const std::string& query =
      sql::Immortal("SELECT " + kDecisions.Select("d") +
                    " FROM decisions d JOIN tickets t ON t.id = d.ticket_id "
                    "WHERE t.unit_id = :unit_id AND d.decided_at >= :from AND d.decided_at < :to "
                    "ORDER BY d.decided_at, d.id");
  return sql::All(tx, kDecisions, query, ":unit_id", unit_id, ":from", from, ":to", to);
}

StatusOr<std::vector<DispatchLink>> ListPublishedDispatches(Tx& tx, int64_t ticket_id) {
  static const std::string& query = sql::Immortal(
      kDispatches.SelectFrom("WHERE ticket_id = :ticket_id AND published_at > 0 ORDER BY id"));
  std::vector<DispatchLink> out;
  for (const Dispatch& d : sql::All(tx, kDispatches, query, ":ticket_id", ticket_id))
    out.push_back(
        {d.ticket_id, d.version, d.account_id, d.kind, d.state, d.remote_url, d.published_at});
  return out;
}

StatusOr<int64_t> InsertFiling(Tx& tx, const FilingRow& f) {
  int64_t id = 0;
  GD_RETURN_IF_ERROR(sql::ConstraintAware([&] { id = sql::InsertRow(tx, kFilings, f); },
                                          "该单位本月的审核记录已报送"));
  return id;
}

StatusOr<std::vector<FilingRow>> ListFilings(Tx& tx, const std::string& month) {
  static const std::string& query =
      sql::Immortal(kFilings.SelectFrom("WHERE month = :month ORDER BY unit_id"));
  return sql::All(tx, kFilings, query, ":month", month);
}

StatusOr<std::vector<ColumnLastPublished>> LastPublishedByColumn(Tx& tx) {
  SQLite::Statement q(TxAccess::Db(tx),
                      "SELECT t.unit_id AS unit_id, json_extract(v.content, '$.column') AS col, "
                      "MAX(t.published_at) AS last FROM tickets t JOIN ticket_versions v "
                      "ON v.ticket_id = t.id AND v.version = t.version "
                      "WHERE t.state = 'published' AND t.published_at > 0 "
                      "GROUP BY t.unit_id, col ORDER BY t.unit_id, col");
  std::vector<ColumnLastPublished> out;
  while (q.executeStep()) {
    if (q.getColumn("col").isNull()) continue;
    std::string col = q.getColumn("col").getString();
    if (col.empty()) continue;
    out.push_back({q.getColumn("unit_id").getInt64(), col, q.getColumn("last").getInt64()});
  }
  return out;
}

StatusOr<std::map<int64_t, TimeMs>> LastPublishedByAccount(Tx& tx) {
  SQLite::Statement q(TxAccess::Db(tx),
                      "SELECT account_id, MAX(published_at) AS last FROM dispatches "
                      "WHERE state = 'published' AND published_at > 0 GROUP BY account_id");
  std::map<int64_t, TimeMs> out;
  while (q.executeStep())
    out[q.getColumn("account_id").getInt64()] = q.getColumn("last").getInt64();
  return out;
}

StatusOr<std::vector<PersonnelRow>> ListPersonnelRows(Tx& tx, std::optional<int64_t> unit_id) {
  static const std::string& all = sql::Immortal(kPersonnel.SelectFrom("ORDER BY id"));
  static const std::string& of_unit = sql::Immortal(kPersonnel.SelectFrom(
      "WHERE unit_id = :unit_id OR json_extract(change, '$.unit_before') = :unit_id ORDER BY id"));
  CachedStatement q = tx.Prepare(unit_id ? of_unit : all);
  if (unit_id) q->bind(":unit_id", *unit_id);
  return kPersonnel.ReadAll(*q);
}

StatusOr<std::vector<PublishedTicket>> ListPublishedTickets(Tx& tx) {
  static const std::string& query =
      sql::Immortal(kTickets.SelectFrom("WHERE state = 'published' ORDER BY id"));
  std::vector<PublishedTicket> out;
  for (const Ticket& t : sql::All(tx, kTickets, query))
    out.push_back({t.id, t.unit_id, t.version, t.published_at});
  return out;
}

StatusOr<int64_t> InsertRescanRun(Tx& tx, const RescanRun& r) {
  return sql::InsertRow(tx, kRescanRuns, r);
}

StatusOr<std::optional<RescanRun>> LatestRescanRun(Tx& tx) {
  static const std::string& query =
      sql::Immortal(kRescanRuns.SelectFrom("ORDER BY id DESC LIMIT 1"));
  return sql::One(tx, kRescanRuns, query);
}

StatusOr<int64_t> InsertRescanFlag(Tx& tx, const RescanFlag& f) {
  return sql::InsertRow(tx, kRescanFlags, f);
}

StatusOr<std::vector<RescanFlag>> ListRescanFlags(Tx& tx, int64_t run_id,
                                                  std::optional<int64_t> unit_id) {
  static const std::string& all =
      sql::Immortal(FlagSelect() + "WHERE f.run_id = :run_id ORDER BY f.ticket_id");
  static const std::string& of_unit = sql::Immortal(
      FlagSelect() + "WHERE f.run_id = :run_id AND f.unit_id = :unit_id ORDER BY f.ticket_id");
  CachedStatement q = tx.Prepare(unit_id ? of_unit : all);
  q->bind(":run_id", run_id);
  if (unit_id) q->bind(":unit_id", *unit_id);
  return ReadFlags(*q);
}

StatusOr<std::optional<RescanFlag>> LatestFlagOf(Tx& tx, int64_t ticket_id) {
  static const std::string& query =
      sql::Immortal(FlagSelect() + "WHERE f.ticket_id = :ticket_id ORDER BY f.id DESC LIMIT 1");
  CachedStatement q = tx.Prepare(query);
  q->bind(":ticket_id", ticket_id);
  std::vector<RescanFlag> flags = ReadFlags(*q);
  if (flags.empty()) return std::optional<RescanFlag>();
  return std::optional<RescanFlag>(std::move(flags.front()));
}

StatusOr<int64_t> CorrectionOf(Tx& tx, int64_t ticket_id) {
  CachedStatement q =
      tx.Prepare("SELECT correction_ticket_id FROM corrections WHERE ticket_id = :ticket_id");
  q->bind(":ticket_id", ticket_id);
  if (!q->executeStep()) return int64_t{0};
  return q->getColumn("correction_ticket_id").getInt64();
}

Status InsertCorrection(Tx& tx, int64_t ticket_id, int64_t correction_ticket_id,
                        int64_t created_by) {
  return sql::ConstraintAware(
      [&] {
        sql::InsertRow(tx, kCorrections, {ticket_id, correction_ticket_id, created_by, 0});
      },
      "该稿件已有更正工单");
}

}  // namespace gd::records_repo
