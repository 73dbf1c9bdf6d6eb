#include "dispatcher/store/ticket_repo.h"

#include "dispatcher/model/content_codec.h"
#include "dispatcher/store/sql.h"
#include "dispatcher/store/tables.h"

namespace gd::ticket_repo {
namespace {

using tables::kCheckRuns;
using tables::kDecisions;
using tables::kTickets;
using tables::kVersions;
using tables::StoredVersion;

StatusOr<TicketVersion> Parse(const StoredVersion& s) {
  TicketVersion v;
  v.ticket_id = s.ticket_id;
  v.version = s.version;
  GD_ASSIGN_OR_RETURN(v.content, ContentFromJson(Json::parse(s.content)));
  v.content_hash = s.content_hash;
  v.renderings = Json::parse(s.renderings);
  v.created_by = s.created_by;
  v.created_at = s.created_at;
  return v;
}

StatusOr<std::optional<TicketVersion>> ReadVersion(SQLite::Statement& q) {
  std::optional<StoredVersion> s = kVersions.ReadOne(q);
  if (!s) return std::optional<TicketVersion>();
  GD_ASSIGN_OR_RETURN(TicketVersion v, Parse(*s));
  return std::optional<TicketVersion>(std::move(v));
}

}  // namespace

StatusOr<int64_t> InsertTicket(Tx& tx, const Ticket& t) {
  Ticket row = t;
  row.id = t.id > 0 ? t.id : TxAccess::ReserveTicketId(tx);
  TxAccess::NoteTicketId(tx, row.id);  // keep the reservations above every id in the table
  sql::InsertRow(tx, kTickets, row);
  return row.id;
}

Status UpdateTicket(Tx& tx, const Ticket& t) {
  static const std::string& query =
      sql::Immortal(kTickets.UpdateSql("row_version=row_version+1", "row_version=:row_version"));
  CachedStatement q = tx.Prepare(query);
  kTickets.BindUpdate(*q, t, tx.now());
  q->bind(":row_version", t.row_version);
  if (q->exec() != 1) return Status(Code::kAborted, "工单已被他人修改，请刷新后重试", "conflict");
  return Status::Ok();
}

StatusOr<std::optional<Ticket>> GetTicket(Tx& tx, int64_t id) {
  return sql::ByKey(tx, kTickets, id);
}

StatusOr<std::vector<Ticket>> ListTickets(Tx& tx, const TicketFilter& f, int64_t* total) {
  std::string where = "WHERE 1=1";
  std::vector<std::string> binds;
  auto add = [&](const std::string& clause, const std::string& value) {
    where += " AND " + clause;
    binds.push_back(value);
  };
  if (f.state) add("state=?", *f.state);
  if (f.category) add("category=?", *f.category);
  if (f.unit_id) where += " AND unit_id=" + std::to_string(*f.unit_id);
  if (f.visible_unit) where += " AND unit_id=" + std::to_string(*f.visible_unit);
  if (f.author_id) where += " AND author_id=" + std::to_string(*f.author_id);
  if (f.awaiting_roles) {
    where += " AND state='in_review' AND current_role IN (''";
    for (const auto& r : *f.awaiting_roles) {
      where += ",?";
      binds.push_back(r);
    }
    where += ")";
    if (f.awaiting_user) {
      std::string u = std::to_string(*f.awaiting_user);
      where += " AND author_id<>" + u +
               " AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.ticket_id=tickets.id AND "
               "d.version=tickets.version AND d.round=tickets.round AND d.user_id=" +
               u + ")";
    }
  }
  SQLite::Database& db = TxAccess::Db(tx);
  // The filter's values, in the order their `?` were added to `where`.
  auto bind_filter = [&](SQLite::Statement& q) {
    int i = 0;
    for (const auto& b : binds) q.bind(++i, b);
  };
  {
    SQLite::Statement c(db, "SELECT COUNT(*) AS n FROM tickets " + where);
    bind_filter(c);
    c.executeStep();
    *total = c.getColumn("n").getInt64();
  }
  SQLite::Statement q(
      db, kTickets.SelectFrom(where +
                              " ORDER BY updated_at DESC, id DESC LIMIT :limit OFFSET :offset"));
  bind_filter(q);
  q.bind(":limit", f.per_page);
  q.bind(":offset", static_cast<int64_t>(f.page - 1) * f.per_page);
  return kTickets.ReadAll(q);
}

Status InsertVersion(Tx& tx, const TicketVersion& v) {
  return InsertVersionText(tx, v.ticket_id, v.version, ContentToJson(v.content).dump(),
                           v.content_hash, v.renderings.dump(), v.created_by);
}

Status InsertVersionText(Tx& tx, int64_t ticket_id, int version, const std::string& content_json,
                         const std::string& content_hash, const std::string& renderings_json,
                         int64_t created_by) {
  sql::InsertRow(tx, kVersions,
                 {ticket_id, version, content_json, content_hash, renderings_json, created_by, 0});
  return Status::Ok();
}

StatusOr<std::optional<TicketVersion>> GetVersion(Tx& tx, int64_t ticket_id, int version) {
  static const std::string& query =
      sql::Immortal(kVersions.SelectFrom("WHERE ticket_id=:ticket_id AND version=:version"));
  CachedStatement q = tx.Prepare(query);
  q->bind(":ticket_id", ticket_id);
  q->bind(":version", version);
  return ReadVersion(*q);
}

StatusOr<std::optional<TicketVersion>> GetVersionContent(Tx& tx, int64_t ticket_id, int version) {
  static const std::string& query =
      sql::Immortal("SELECT " + kVersions.Select({}, {{"renderings", "'null'"}}) +
                    " FROM ticket_versions WHERE ticket_id=:ticket_id AND "
                    "version=:version");
  CachedStatement q = tx.Prepare(query);
  q->bind(":ticket_id", ticket_id);
  q->bind(":version", version);
  return ReadVersion(*q);
}

StatusOr<std::vector<TicketVersion>> ListVersions(Tx& tx, int64_t ticket_id) {
  static const std::string& query =
      sql::Immortal(kVersions.SelectFrom("WHERE ticket_id=:ticket_id ORDER BY version"));
  std::vector<TicketVersion> out;
  for (const StoredVersion& s : sql::All(tx, kVersions, query, ":ticket_id", ticket_id)) {
    GD_ASSIGN_OR_RETURN(TicketVersion v, Parse(s));
    out.push_back(std::move(v));
  }
  return out;
}

StatusOr<int64_t> InsertDecision(Tx& tx, const Decision& d) {
  return sql::InsertRow(tx, kDecisions, d);
}

StatusOr<std::vector<Decision>> ListDecisions(Tx& tx, int64_t ticket_id) {
  static const std::string& query =
      sql::Immortal(kDecisions.SelectFrom("WHERE ticket_id=:ticket_id ORDER BY id"));
  return sql::All(tx, kDecisions, query, ":ticket_id", ticket_id);
}

Status InsertCheckRun(Tx& tx, const CheckRun& r) {
  sql::InsertRow(tx, kCheckRuns, r);
  return Status::Ok();
}

StatusOr<std::vector<CheckRun>> ListCheckRuns(Tx& tx, int64_t ticket_id) {
  static const std::string& query =
      sql::Immortal(kCheckRuns.SelectFrom("WHERE ticket_id=:ticket_id ORDER BY id"));
  return sql::All(tx, kCheckRuns, query, ":ticket_id", ticket_id);
}

}  // namespace gd::ticket_repo
