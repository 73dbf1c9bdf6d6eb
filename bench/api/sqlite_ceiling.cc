// The store's ceiling: the rows one lifecycle writes (ticket, version, check run, decisions,
// chained audit rows and the audit head), inserted with prepared statements into a database
// with the dispatcher's own schema and pragmas, one IMMEDIATE transaction per lifecycle step,
// as the store does. No HTTP, no JSON, no rendering, no checks, no HMAC.
#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>

#include "bench/api/bench.h"

namespace bench {
namespace {

class Db {
 public:
  Db(const std::string& path, int flags) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK)
      throw std::runtime_error("open " + path + ": " + sqlite3_errmsg(db_));
  }
  ~Db() { sqlite3_close_v2(db_); }
  void Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error(sql.substr(0, 60) + ": " + msg);
    }
  }
  sqlite3* get() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

class Stmt {
 public:
  Stmt(Db& db, const std::string& sql) : db_(db.get()) {
    if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &st_, nullptr) !=
        SQLITE_OK)
      throw std::runtime_error("prepare " + sql.substr(0, 60) + ": " + sqlite3_errmsg(db_));
  }
  ~Stmt() { sqlite3_finalize(st_); }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(st_, i, v);
    return *this;
  }
  Stmt& Bind(int i, const std::string& v) {
    sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindNull(int i) {
    sqlite3_bind_null(st_, i);
    return *this;
  }
  // Runs to completion; returns true if a row was produced first.
  bool Step() {
    int rc = sqlite3_step(st_);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
      throw std::runtime_error(std::string("step: ") + sqlite3_errmsg(db_));
    return rc == SQLITE_ROW;
  }
  void Run() {
    while (Step()) {
    }
    sqlite3_reset(st_);
  }
  int64_t Int(int col) { return sqlite3_column_int64(st_, col); }
  std::string Text(int col) {
    const unsigned char* t = sqlite3_column_text(st_, col);
    return t ? std::string(reinterpret_cast<const char*>(t),
                           static_cast<size_t>(sqlite3_column_bytes(st_, col)))
             : std::string();
  }
  void Reset() { sqlite3_reset(st_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
};

std::string One(Db& db, const std::string& sql, const std::string& fallback) {
  Stmt q(db, sql);
  std::string v = q.Step() ? q.Text(0) : fallback;
  q.Reset();
  return v;
}

}  // namespace

SqliteCeiling RunSqliteCeiling(const std::string& source_db, const std::string& dir,
                               double seconds) {
  // Schema and representative payloads from the dispatcher's own database.
  std::vector<std::string> schema;
  std::string content, renderings, findings, checklist, acks, comment, detail_create, detail_submit,
      detail_decision, head;
  {
    Db src(source_db, SQLITE_OPEN_READONLY);
    Stmt q(src,
           "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
           "ORDER BY rowid");
    while (q.Step()) schema.push_back(q.Text(0));
    q.Reset();
    content = One(src, "SELECT content FROM ticket_versions ORDER BY rowid DESC LIMIT 1", "{}");
    renderings =
        One(src, "SELECT renderings FROM ticket_versions ORDER BY rowid DESC LIMIT 1", "[]");
    findings = One(src, "SELECT findings FROM check_runs ORDER BY id DESC LIMIT 1", "[]");
    checklist = One(src, "SELECT checklist FROM decisions ORDER BY id DESC LIMIT 1", "{}");
    acks = One(src, "SELECT acknowledged FROM decisions ORDER BY id DESC LIMIT 1", "[]");
    comment = One(src, "SELECT comment FROM decisions ORDER BY id DESC LIMIT 1", "");
    detail_create = One(
        src, "SELECT detail FROM audit_log WHERE action='ticket.create' ORDER BY id DESC LIMIT 1",
        "{}");
    detail_submit = One(
        src, "SELECT detail FROM audit_log WHERE action='ticket.submit' ORDER BY id DESC LIMIT 1",
        "{}");
    detail_decision = One(
        src, "SELECT detail FROM audit_log WHERE action='ticket.decision' ORDER BY id DESC LIMIT 1",
        "{}");
    head = One(src, "SELECT value FROM meta WHERE key='audit_head'", "{}");
  }

  std::filesystem::create_directories(dir);
  std::string path = dir + "/ceiling.db";
  std::filesystem::remove(path);
  Db db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  db.Exec("PRAGMA journal_mode=WAL");
  db.Exec("PRAGMA synchronous=NORMAL");
  db.Exec("PRAGMA foreign_keys=ON");
  db.Exec("BEGIN");
  for (const auto& s : schema) db.Exec(s);
  db.Exec("INSERT INTO units (id, name, kind, created_at) VALUES (1, 'u', 'department', 0)");
  db.Exec(
      "INSERT INTO users (id, username, name, unit_id, roles, password_hash, "
      "password_changed_at, created_at) VALUES (1,'e','e',1,'[]','x',0,0),"
      "(2,'r','r',1,'[]','x',0,0),(3,'d','d',1,'[]','x',0,0)");
  db.Exec("COMMIT");

  const std::string hash(64, 'a');
  const std::string sig(64, 'b');
  Stmt begin(db, "BEGIN IMMEDIATE"), commit(db, "COMMIT");
  Stmt ins_ticket(db,
                  "INSERT INTO tickets (unit_id, author_id, category, state, version, round, "
                  "content_hash, current_step, current_role, submitted_at, created_at, "
                  "updated_at, row_version) VALUES (1,1,'work_news','draft',1,0,'pending',NULL,"
                  "'',0,?,?,1)");
  Stmt upd_ticket(db,
                  "UPDATE tickets SET category='work_news', state=?, version=1, round=?, "
                  "content_hash=?, current_step=?, current_role=?, submitted_at=?, updated_at=?, "
                  "published_at=0, row_version=row_version+1 WHERE id=? AND row_version=?");
  Stmt ins_version(db,
                   "INSERT INTO ticket_versions (ticket_id, version, content, content_hash, "
                   "renderings, created_by, created_at) VALUES (?,1,?,?,?,1,?)");
  Stmt ins_check(db,
                 "INSERT INTO check_runs (ticket_id, version, stage, findings, created_at) "
                 "VALUES (?,1,'submit',?,?)");
  Stmt ins_decision(db,
                    "INSERT INTO decisions (ticket_id, version, round, step, role, user_id, "
                    "decision, comment, checklist, acknowledged, content_hash, decided_at, "
                    "signature) VALUES (?,1,1,?,?,?,'approve',?,?,?,?,?,?)");
  Stmt last_audit(db, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1");
  Stmt ins_audit(db,
                 "INSERT INTO audit_log (id, at, actor_id, action, entity, entity_id, detail, "
                 "prev_hash, hash) VALUES (?,?,?,?,'ticket',?,?,?,?)");
  Stmt put_head(db,
                "INSERT INTO meta (key, value) VALUES ('audit_head',?) ON CONFLICT(key) DO "
                "UPDATE SET value=excluded.value");

  auto audit = [&](int64_t actor, const std::string& action, int64_t ticket,
                   const std::string& detail, int64_t now) {
    int64_t id = 1;
    std::string prev(64, '0');
    if (last_audit.Step()) {
      id = last_audit.Int(0) + 1;
      prev = last_audit.Text(1);
    }
    last_audit.Reset();
    ins_audit.Bind(1, id).Bind(2, now).Bind(3, actor).Bind(4, action).Bind(5, ticket);
    ins_audit.Bind(6, detail).Bind(7, prev).Bind(8, hash).Run();
    put_head.Bind(1, head).Run();
  };
  auto update = [&](int64_t id, int64_t row_version, const std::string& state, int64_t round,
                    int64_t step, const std::string& role, int64_t now) {
    upd_ticket.Bind(1, state).Bind(2, round).Bind(3, hash);
    if (step >= 0)
      upd_ticket.Bind(4, step);
    else
      upd_ticket.BindNull(4);
    upd_ticket.Bind(5, role).Bind(6, round ? now : 0).Bind(7, now).Bind(8, id);
    upd_ticket.Bind(9, row_version).Run();
    if (sqlite3_changes(db.get()) != 1) throw std::runtime_error("ticket update lost");
  };

  int64_t lifecycles = 0;
  const uint64_t start = NowNs();
  const uint64_t end = start + static_cast<uint64_t>(seconds * 1e9);
  while (NowNs() < end) {
    const int64_t now = static_cast<int64_t>(NowNs() / 1000000);
    // create
    begin.Run();
    ins_ticket.Bind(1, now).Bind(2, now).Run();
    const int64_t id = sqlite3_last_insert_rowid(db.get());
    update(id, 1, "draft", 0, -1, "", now);
    ins_version.Bind(1, id).Bind(2, content).Bind(3, hash).Bind(4, renderings).Bind(5, now).Run();
    audit(1, "ticket.create", id, detail_create, now);
    commit.Run();
    // submit
    begin.Run();
    ins_check.Bind(1, id).Bind(2, findings).Bind(3, now).Run();
    update(id, 2, "in_review", 1, 0, "unit_reviewer", now);
    audit(1, "ticket.submit", id, detail_submit, now);
    commit.Run();
    // two approvals
    const char* roles[] = {"unit_reviewer", "deputy_leader"};
    for (int step = 0; step < 2; ++step) {
      begin.Run();
      ins_decision.Bind(1, id).Bind(2, step).Bind(3, std::string(roles[step])).Bind(4, 2 + step);
      ins_decision.Bind(5, comment).Bind(6, checklist).Bind(7, acks).Bind(8, hash);
      ins_decision.Bind(9, now).Bind(10, sig).Run();
      if (step == 0)
        update(id, 3, "in_review", 1, 1, "deputy_leader", now);
      else
        update(id, 4, "approved", 1, -1, "", now);
      audit(2 + step, "ticket.decision", id, detail_decision, now);
      commit.Run();
    }
    ++lifecycles;
  }
  SqliteCeiling r;
  r.seconds = static_cast<double>(NowNs() - start) / 1e9;
  r.lifecycles_per_s = static_cast<double>(lifecycles) / r.seconds;
  r.transactions_per_s = r.lifecycles_per_s * 4;
  return r;
}

}  // namespace bench
