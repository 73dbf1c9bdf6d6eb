#include "dispatcher/store/store.h"

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <unordered_map>

#include "dispatcher/core/crypto.h"
#include "dispatcher/core/log.h"
#include "dispatcher/model/content_codec.h"

namespace gd {
namespace {

// Migrations keyed by PRAGMA user_version: entry i moves the schema from version i to i+1.
const char* const kMigrations[] = {
    // 1: the spine
    R"sql(
CREATE TABLE units (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE users (
  id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  unit_id INTEGER NOT NULL REFERENCES units(id), roles TEXT NOT NULL,
  password_hash TEXT NOT NULL, password_changed_at INTEGER NOT NULL,
  must_change_password INTEGER NOT NULL DEFAULT 0, disabled INTEGER NOT NULL DEFAULT 0,
  failed_count INTEGER NOT NULL DEFAULT 0, first_failed_at INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
CREATE TABLE personnel_log (
  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor_id INTEGER NOT NULL, user_id INTEGER NOT NULL,
  unit_id INTEGER NOT NULL, change TEXT NOT NULL);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE tickets (
  id INTEGER PRIMARY KEY, unit_id INTEGER NOT NULL REFERENCES units(id),
  author_id INTEGER NOT NULL REFERENCES users(id), category TEXT NOT NULL, state TEXT NOT NULL,
  version INTEGER NOT NULL, round INTEGER NOT NULL DEFAULT 0, content_hash TEXT NOT NULL,
  current_step INTEGER, current_role TEXT NOT NULL DEFAULT '', submitted_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, row_version INTEGER NOT NULL DEFAULT 1);
CREATE INDEX tickets_unit_state ON tickets(unit_id, state);
CREATE INDEX tickets_author ON tickets(author_id);
CREATE TABLE ticket_versions (
  ticket_id INTEGER NOT NULL REFERENCES tickets(id), version INTEGER NOT NULL,
  content TEXT NOT NULL, content_hash TEXT NOT NULL, renderings TEXT NOT NULL,
  created_by INTEGER NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (ticket_id, version));
CREATE TABLE decisions (
  id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL REFERENCES tickets(id), version INTEGER NOT NULL,
  round INTEGER NOT NULL, step INTEGER NOT NULL, role TEXT NOT NULL, user_id INTEGER NOT NULL,
  decision TEXT NOT NULL, comment TEXT NOT NULL, checklist TEXT NOT NULL, acknowledged TEXT NOT NULL,
  content_hash TEXT NOT NULL, decided_at INTEGER NOT NULL, signature TEXT NOT NULL);
CREATE INDEX decisions_ticket ON decisions(ticket_id);
CREATE TABLE check_runs (
  id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL, version INTEGER NOT NULL, stage TEXT NOT NULL,
  findings TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE INDEX check_runs_ticket ON check_runs(ticket_id);
CREATE TABLE media (
  id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, kind TEXT NOT NULL, mime TEXT NOT NULL,
  size INTEGER NOT NULL, filename TEXT NOT NULL, uploaded_by INTEGER NOT NULL, unit_id INTEGER NOT NULL,
  width INTEGER NOT NULL DEFAULT 0, height INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
CREATE INDEX media_sha ON media(sha256);
CREATE TABLE channel_accounts (
  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, unit_id INTEGER NOT NULL,
  base_url TEXT NOT NULL, settings TEXT NOT NULL, secrets_sealed TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor_id INTEGER NOT NULL, action TEXT NOT NULL,
  entity TEXT NOT NULL, entity_id INTEGER NOT NULL, detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql",
    // 2: dispatch (outbox), attempts, withdrawals
    R"sql(
ALTER TABLE tickets ADD COLUMN published_at INTEGER NOT NULL DEFAULT 0;
CREATE TABLE dispatches (
  id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL REFERENCES tickets(id), version INTEGER NOT NULL,
  account_id INTEGER NOT NULL REFERENCES channel_accounts(id), kind TEXT NOT NULL, state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, rendering TEXT NOT NULL, progress TEXT NOT NULL DEFAULT '{}',
  remote_id TEXT NOT NULL DEFAULT '', remote_url TEXT NOT NULL DEFAULT '',
  last_error TEXT NOT NULL DEFAULT '', error_reason TEXT NOT NULL DEFAULT '',
  not_before INTEGER NOT NULL DEFAULT 0, lease_until INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT NOT NULL DEFAULT '', published_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, UNIQUE (ticket_id, version, account_id));
CREATE INDEX dispatches_due ON dispatches(state, not_before);
CREATE INDEX dispatches_account ON dispatches(account_id, state);
CREATE TABLE dispatch_attempts (
  id INTEGER PRIMARY KEY, dispatch_id INTEGER NOT NULL REFERENCES dispatches(id), action TEXT NOT NULL,
  started_at INTEGER NOT NULL, finished_at INTEGER NOT NULL DEFAULT 0, outcome TEXT NOT NULL DEFAULT 'unknown',
  error TEXT NOT NULL DEFAULT '');
CREATE INDEX dispatch_attempts_dispatch ON dispatch_attempts(dispatch_id);
CREATE TABLE withdrawals (
  id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL REFERENCES tickets(id), requested_by INTEGER NOT NULL,
  reason TEXT NOT NULL, account_ids TEXT NOT NULL, state TEXT NOT NULL, decided_by INTEGER NOT NULL DEFAULT 0,
  decided_at INTEGER NOT NULL DEFAULT 0, comment TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL);
CREATE INDEX withdrawals_ticket ON withdrawals(ticket_id);
)sql",
};

constexpr const char* kGenesis = "0000000000000000000000000000000000000000000000000000000000000000";

// SQLiteCpp throws; this is its edge.
template <typename F>
auto Guard(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const SQLite::Exception& e) {
    log::Error("sqlite: {}", e.what());
    if (e.getErrorCode() == SQLITE_CONSTRAINT)
      return Status(Code::kAlreadyExists, "数据冲突（记录已存在或违反约束）");
    if (e.getErrorCode() == SQLITE_BUSY) return Unavailable("数据库忙，请稍后重试");
    return Internal("数据库错误");
  } catch (const Json::exception& e) {
    log::Error("json in store: {}", e.what());
    return Internal("数据库中的数据格式错误");
  }
}

std::string RolesToText(const std::vector<Role>& roles) {
  Json a = Json::array();
  for (Role r : roles) a.push_back(std::string(RoleKey(r)));
  return a.dump();
}

std::vector<Role> RolesFromText(const std::string& text) {
  std::vector<Role> out;
  for (const auto& v : Json::parse(text))
    if (auto r = ParseRole(v.get<std::string>())) out.push_back(*r);
  return out;
}

std::string AuditMaterial(const AuditEntry& e) {
  return std::to_string(e.id) + "|" + std::to_string(e.at) + "|" + std::to_string(e.actor_id) +
         "|" + e.action + "|" + e.entity + "|" + std::to_string(e.entity_id) + "|" +
         e.detail.dump() + "|" + e.prev_hash;
}

User ReadUser(SQLite::Statement& q) {
  User u;
  u.id = q.getColumn(0).getInt64();
  u.username = q.getColumn(1).getString();
  u.name = q.getColumn(2).getString();
  u.unit_id = q.getColumn(3).getInt64();
  u.roles = RolesFromText(q.getColumn(4).getString());
  u.password_hash = q.getColumn(5).getString();
  u.password_changed_at = q.getColumn(6).getInt64();
  u.must_change_password = q.getColumn(7).getInt() != 0;
  u.disabled = q.getColumn(8).getInt() != 0;
  u.failed_count = q.getColumn(9).getInt();
  u.first_failed_at = q.getColumn(10).getInt64();
  u.locked_until = q.getColumn(11).getInt64();
  u.created_at = q.getColumn(12).getInt64();
  return u;
}
constexpr const char* kUserCols =
    "id, username, name, unit_id, roles, password_hash, password_changed_at, must_change_password, "
    "disabled, failed_count, first_failed_at, locked_until, created_at";

Ticket ReadTicket(SQLite::Statement& q) {
  Ticket t;
  t.id = q.getColumn(0).getInt64();
  t.unit_id = q.getColumn(1).getInt64();
  t.author_id = q.getColumn(2).getInt64();
  t.category = ParseCategory(q.getColumn(3).getString()).value_or(Category::kWorkNews);
  t.state = ParseTicketState(q.getColumn(4).getString()).value_or(TicketState::kDraft);
  t.version = q.getColumn(5).getInt();
  t.round = q.getColumn(6).getInt();
  t.content_hash = q.getColumn(7).getString();
  if (!q.getColumn(8).isNull()) t.current_step = q.getColumn(8).getInt();
  t.current_role = q.getColumn(9).getString();
  t.submitted_at = q.getColumn(10).getInt64();
  t.created_at = q.getColumn(11).getInt64();
  t.updated_at = q.getColumn(12).getInt64();
  t.row_version = q.getColumn(13).getInt64();
  t.published_at = q.getColumn(14).getInt64();
  return t;
}
constexpr const char* kTicketCols =
    "id, unit_id, author_id, category, state, version, round, content_hash, current_step, "
    "current_role, submitted_at, created_at, updated_at, row_version, published_at";

}  // namespace

// One connection and the statements prepared on it; used by one thread at a time.
struct StoreConn {
  struct Entry {
    std::unique_ptr<SQLite::Statement> stmt;
    bool busy = false;
  };
  std::unique_ptr<SQLite::Database> db;
  // Declared after `db`, so destroyed (finalized) before the connection closes.
  std::unordered_map<std::string, Entry> stmts;
};

namespace {

// Runs a statement without results (BEGIN, COMMIT, SAVEPOINT, ...) prepared once per connection.
void ExecCached(StoreConn& conn, const char* sql) {
  StoreConn::Entry& e = conn.stmts[sql];
  if (!e.stmt) e.stmt = std::make_unique<SQLite::Statement>(*conn.db, sql);
  e.stmt->tryReset();
  e.stmt->exec();
  e.stmt->tryReset();
}

// Rolls back whatever transaction is open on `conn`; never throws.
void RollbackQuietly(StoreConn& conn) {
  if (sqlite3_get_autocommit(conn.db->getHandle())) return;
  try {
    ExecCached(conn, "ROLLBACK");
  } catch (const SQLite::Exception& e) {
    log::Error("sqlite: rollback: {}", e.what());
  }
}

}  // namespace

CachedStatement::CachedStatement(SQLite::Statement* stmt, bool* busy,
                                 std::unique_ptr<SQLite::Statement> owned)
    : stmt_(stmt), busy_(busy), owned_(std::move(owned)) {}

CachedStatement::~CachedStatement() {
  // A statement left mid-result would keep its read transaction (and snapshot) open.
  stmt_->tryReset();
  try {
    stmt_->clearBindings();
  } catch (const SQLite::Exception& e) {
    log::Error("sqlite: clear bindings: {}", e.what());
  }
  if (busy_) *busy_ = false;
}

Store::Store(std::unique_ptr<StoreConn> writer, std::filesystem::path path, std::string audit_key,
             const Clock& clock)
    : writer_(std::move(writer)), path_(std::move(path)), audit_key_(audit_key), clock_(clock) {}

Store::~Store() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    CommitOpenLocked();
  }
  if (commits_.load() > 0)
    log::Info("store: {} writes in {} commits", writes_kept_.load(), commits_.load());
  if (checkpointer_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(ckpt_mu_);
      ckpt_stopping_ = true;
    }
    ckpt_cv_.notify_all();
    checkpointer_.join();
  }
}

int Store::OnWalCommit(void* store, sqlite3*, const char*, int pages) {
  if (pages >= kCheckpointPages) {
    Store* s = static_cast<Store*>(store);
    {
      std::lock_guard<std::mutex> lock(s->ckpt_mu_);
      s->ckpt_wanted_ = true;
    }
    s->ckpt_cv_.notify_one();
  }
  return SQLITE_OK;
}

void Store::StartCheckpointer() {
  // Replaces SQLite's automatic checkpoint on the writer (sqlite3_wal_hook overrides it).
  sqlite3_wal_hook(writer_->db->getHandle(), &Store::OnWalCommit, this);
  checkpointer_ = std::thread([this] { CheckpointLoop(); });
}

void Store::CheckpointLoop() {
  std::unique_lock<std::mutex> lock(ckpt_mu_);
  for (;;) {
    ckpt_cv_.wait(lock, [&] { return ckpt_wanted_ || ckpt_stopping_; });
    if (ckpt_stopping_) return;
    ckpt_wanted_ = false;
    lock.unlock();
    auto done = Checkpoint();
    if (!done.ok()) log::Error("sqlite: checkpoint: {}", done.status().ToString());
    lock.lock();
  }
}

namespace {
constexpr int kRestartWaitMs = 50;  // how long a RESTART checkpoint waits for readers
}  // namespace

StatusOr<int> Store::Checkpoint(bool restart) {
  std::lock_guard<std::mutex> run(ckpt_run_mu_);
  if (!ckpt_db_) {
    GD_RETURN_IF_ERROR(Guard([&]() -> Status {
      auto db = std::make_unique<SQLite::Database>(path_.string(), SQLite::OPEN_READWRITE);
      db->setBusyTimeout(5000);
      // A connection opens the WAL when it first reads the database; a checkpoint before that
      // does nothing and still answers SQLITE_OK (with -1 pages).
      db->exec("SELECT count(*) FROM sqlite_schema");
      ckpt_db_ = std::move(db);
      return Status::Ok();
    }));
  }
  sqlite3* db = ckpt_db_->getHandle();
  int log_pages = -1;
  int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_pages, nullptr);
  if (rc == SQLITE_OK && (restart || log_pages >= kRestartPages)) {
    // Most of the WAL was copied back just now without blocking anyone; the rest is copied with
    // the writers held off, and RESTART waits for readers of older snapshots to finish, but not
    // long: a long read (an archive export) must not hold the writers up. SQLITE_BUSY then, and
    // the next checkpoint tries again.
    std::lock_guard<std::mutex> writers(mu_);
    CommitOpenLocked();
    sqlite3_busy_timeout(db, kRestartWaitMs);
    rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
    sqlite3_busy_timeout(db, 5000);
  }
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) return Internal(sqlite3_errstr(rc));
  return log_pages;
}

StatusOr<std::unique_ptr<Store>> Store::Open(const std::filesystem::path& path,
                                             std::string audit_key, const Clock& clock) {
  std::unique_ptr<Store> store;
  Status st = Guard([&]() -> Status {
    auto conn = std::make_unique<StoreConn>();
    conn->db = std::make_unique<SQLite::Database>(path.string(),
                                                  SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    SQLite::Database& db = *conn->db;
    db.setBusyTimeout(5000);
    db.exec("PRAGMA journal_mode=WAL");
    db.exec("PRAGMA synchronous=NORMAL");
    db.exec("PRAGMA foreign_keys=ON");
    store.reset(new Store(std::move(conn), path, std::move(audit_key), clock));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  GD_RETURN_IF_ERROR(store->Migrate());
  GD_RETURN_IF_ERROR(Guard([&]() -> Status {
    store->next_ticket_id_ =
        store->writer_->db->execAndGet("SELECT COALESCE(MAX(id), 0) + 1 FROM tickets").getInt64();
    return Status::Ok();
  }));
  store->StartCheckpointer();
  return store;
}

int64_t Store::ReserveTicketId() { return next_ticket_id_.fetch_add(1); }

int Store::SchemaVersion() {
  std::lock_guard<std::mutex> lock(mu_);
  CommitOpenLocked();
  return writer_->db->execAndGet("PRAGMA user_version").getInt();
}

Status Store::Migrate() {
  std::lock_guard<std::mutex> lock(mu_);
  CommitOpenLocked();
  SQLite::Database& db = *writer_->db;
  return Guard([&]() -> Status {
    int v = db.execAndGet("PRAGMA user_version").getInt();
    const int latest = static_cast<int>(std::size(kMigrations));
    if (v > latest)
      return FailedPrecondition("数据库版本 " + std::to_string(v) + " 高于程序支持的版本 " +
                                std::to_string(latest));
    for (; v < latest; ++v) {
      SQLite::Transaction tx(db);
      db.exec(kMigrations[v]);
      db.exec("PRAGMA user_version=" + std::to_string(v + 1));
      tx.commit();
      log::Info("database migrated to schema version {}", v + 1);
    }
    return Status::Ok();
  });
}

Status Store::Write(const std::function<Status(Tx&)>& fn) {
  waiting_writers_.fetch_add(1);
  std::unique_lock<std::mutex> lock(mu_);
  waiting_writers_.fetch_sub(1);
  StoreConn& conn = *writer_;
  // Join the open transaction or begin one; each write runs in its own savepoint.
  Status st = Guard([&]() -> Status {
    if (!open_batch_) {
      ExecCached(conn, "BEGIN IMMEDIATE");
      open_batch_ = std::make_shared<Batch>();
      open_writes_ = 0;
      open_since_ = std::chrono::steady_clock::now();
    }
    ExecCached(conn, "SAVEPOINT gd_write");
    return Status::Ok();
  });
  if (!st.ok()) {
    // Could not begin (or open the savepoint): end the transaction, failing its writes.
    if (open_batch_) CommitOpenLocked();
    return st;
  }
  std::shared_ptr<Batch> batch = open_batch_;
  ++open_writes_;
  std::exception_ptr thrown;
  try {
    st = Guard([&]() -> Status {
      Tx tx(this, &conn, clock_.Now());
      return fn(tx);
    });
  } catch (...) {
    thrown = std::current_exception();
    st = Internal("数据库写入中断");
  }
  const bool keep = st.ok();
  if (sqlite3_get_autocommit(conn.db->getHandle())) {
    // SQLite rolled the whole transaction back itself (I/O error, disk full, ...): every write
    // in it is lost, the earlier ones of this batch included.
    log::Error("sqlite: write transaction rolled back by the database");
    {
      std::lock_guard<std::mutex> bl(batch_mu_);
      batch->done = true;
      batch->status = Internal("数据库错误");
    }
    batch_cv_.notify_all();
    open_batch_.reset();
    if (thrown) std::rethrow_exception(thrown);
    return keep ? Internal("数据库错误") : st;
  }
  Status ended = Guard([&]() -> Status {
    if (!keep) ExecCached(conn, "ROLLBACK TO gd_write");
    ExecCached(conn, "RELEASE gd_write");
    return Status::Ok();
  });
  if (!ended.ok()) {
    // The savepoint could not be ended: give up the whole transaction.
    RollbackQuietly(conn);
    {
      std::lock_guard<std::mutex> bl(batch_mu_);
      batch->done = true;
      batch->status = ended;
    }
    batch_cv_.notify_all();
    open_batch_.reset();
    if (thrown) std::rethrow_exception(thrown);
    return keep ? ended : st;
  }
  // Commit now unless other writers are already queued for the connection (they will share
  // this transaction, the last of them commits), within the batch limits.
  if (waiting_writers_.load() == 0 || open_writes_ >= kMaxBatchWrites ||
      std::chrono::steady_clock::now() - open_since_ >= kMaxBatchAge)
    CommitOpenLocked();
  lock.unlock();
  if (thrown) std::rethrow_exception(thrown);
  if (!keep) return st;  // rolled back to its savepoint: nothing of it to wait for
  writes_kept_.fetch_add(1);
  std::unique_lock<std::mutex> bl(batch_mu_);
  batch_cv_.wait(bl, [&] { return batch->done; });
  return batch->status.ok() ? st : batch->status;
}

void Store::CommitOpenLocked() {
  if (!open_batch_) return;
  Status st = Guard([&]() -> Status {
    ExecCached(*writer_, "COMMIT");
    return Status::Ok();
  });
  if (!st.ok())
    RollbackQuietly(*writer_);
  else
    commits_.fetch_add(1);
  {
    std::lock_guard<std::mutex> bl(batch_mu_);
    open_batch_->done = true;
    open_batch_->status = st;
  }
  batch_cv_.notify_all();
  open_batch_.reset();
}

StoreConn* Store::AcquireReader() {
  std::unique_lock<std::mutex> lock(readers_mu_);
  readers_cv_.wait(lock, [&] { return !idle_readers_.empty() || readers_.size() < kMaxReaders; });
  if (!idle_readers_.empty()) {
    StoreConn* conn = idle_readers_.back();
    idle_readers_.pop_back();
    return conn;
  }
  // Opened here, under the pool lock: rare (at most kMaxReaders times) and quick.
  auto conn = std::make_unique<StoreConn>();
  conn->db = std::make_unique<SQLite::Database>(path_.string(), SQLite::OPEN_READWRITE);
  conn->db->setBusyTimeout(5000);
  conn->db->exec("PRAGMA query_only=ON");  // Read() never writes
  readers_.push_back(std::move(conn));
  return readers_.back().get();
}

void Store::ReleaseReader(StoreConn* conn) {
  {
    std::lock_guard<std::mutex> lock(readers_mu_);
    if (sqlite3_get_autocommit(conn->db->getHandle())) {
      idle_readers_.push_back(conn);
    } else {
      // Still inside a transaction the rollback could not end: do not hand it out again.
      log::Error("sqlite: read connection left in a transaction; closing it");
      for (auto it = readers_.begin(); it != readers_.end(); ++it)
        if (it->get() == conn) {
          readers_.erase(it);
          break;
        }
    }
  }
  readers_cv_.notify_one();
}

Status Store::Read(const std::function<Status(Tx&)>& fn) {
  StoreConn* conn = nullptr;
  Status opened = Guard([&]() -> Status {
    conn = AcquireReader();
    return Status::Ok();
  });
  if (!opened.ok()) return opened;
  struct Release {
    Store* store;
    StoreConn* conn;
    ~Release() { store->ReleaseReader(conn); }
  } release{this, conn};
  return Guard([&]() -> Status {
    ExecCached(*conn, "BEGIN");
    struct End {
      StoreConn* conn;
      ~End() { RollbackQuietly(*conn); }  // a read-only transaction: rollback = commit
    } end{conn};
    Tx tx(this, conn, clock_.Now());
    return fn(tx);
  });
}

Status Store::Backup(const std::filesystem::path& dest) {
  std::lock_guard<std::mutex> lock(mu_);
  CommitOpenLocked();
  return Guard([&]() -> Status {
    std::error_code ec;
    std::filesystem::remove(dest, ec);
    SQLite::Database out(dest.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    SQLite::Backup backup(out, *writer_->db);
    backup.executeStep(-1);
    return Status::Ok();
  });
}

AuditVerdict Store::VerifyAudit() {
  std::lock_guard<std::mutex> lock(mu_);
  CommitOpenLocked();
  AuditVerdict v;
  try {
    SQLite::Statement q(
        *writer_->db,
        "SELECT id, at, actor_id, action, entity, entity_id, detail, prev_hash, hash "
        "FROM audit_log ORDER BY id");
    std::string prev = kGenesis;
    int64_t prev_id = 0;
    while (q.executeStep()) {
      AuditEntry e;
      e.id = q.getColumn(0).getInt64();
      e.at = q.getColumn(1).getInt64();
      e.actor_id = q.getColumn(2).getInt64();
      e.action = q.getColumn(3).getString();
      e.entity = q.getColumn(4).getString();
      e.entity_id = q.getColumn(5).getInt64();
      std::string detail_text = q.getColumn(6).getString();
      e.prev_hash = q.getColumn(7).getString();
      e.hash = q.getColumn(8).getString();
      ++v.rows;
      auto fail = [&](std::string why) {
        v.ok = false;
        v.broken_id = e.id;
        v.problem = std::move(why);
      };
      if (e.id != prev_id + 1) {
        fail("第 " + std::to_string(prev_id + 1) + " 条之后缺少记录（序号不连续）");
        return v;
      }
      if (e.prev_hash != prev) {
        fail("第 " + std::to_string(e.id) + " 条的前序哈希与上一条不符（记录被删除、插入或改动）");
        return v;
      }
      try {
        e.detail = Json::parse(detail_text);
      } catch (const Json::exception&) {
        fail("第 " + std::to_string(e.id) + " 条内容格式被破坏");
        return v;
      }
      if (!ConstantTimeEqual(audit_key_.Hex(AuditMaterial(e)), e.hash)) {
        fail("第 " + std::to_string(e.id) + " 条内容与其哈希不符（记录被改动）");
        return v;
      }
      prev = e.hash;
      prev_id = e.id;
    }
    // The head kept in meta catches rows removed from the end.
    SQLite::Statement h(*writer_->db, "SELECT value FROM meta WHERE key='audit_head'");
    if (h.executeStep()) {
      Json head = Json::parse(h.getColumn(0).getString());
      std::string want = audit_key_.Hex("head|" + std::to_string(prev_id) + "|" + prev);
      if (head.value("id", int64_t{0}) != prev_id || head.value("mac", "") != want) {
        v.ok = false;
        v.broken_id = prev_id + 1;
        v.problem = "审计日志末尾的记录被删除（链尾与登记的链头不符）";
      }
    } else if (prev_id != 0) {
      v.ok = false;
      v.broken_id = prev_id;
      v.problem = "审计日志链头登记缺失";
    }
  } catch (const std::exception& e) {
    log::Error("audit verify: {}", e.what());
    v.ok = false;
    v.problem = "读取审计日志失败";
  }
  return v;
}

// ---- Tx ----

SQLite::Database& Tx::db() { return *conn_->db; }

bool Tx::writing() const { return conn_ == s_->writer_.get(); }

CachedStatement Tx::Prepare(const std::string& sql) {
  StoreConn::Entry& e = conn_->stmts[sql];
  if (!e.stmt) e.stmt = std::make_unique<SQLite::Statement>(*conn_->db, sql);
  if (e.busy) {
    // The same SQL is still being stepped by a caller up the stack: use a one-off statement.
    auto own = std::make_unique<SQLite::Statement>(*conn_->db, sql);
    SQLite::Statement* raw = own.get();
    return CachedStatement(raw, nullptr, std::move(own));
  }
  e.busy = true;
  return CachedStatement(e.stmt.get(), &e.busy, nullptr);
}

Status Tx::Audit(int64_t actor_id, const std::string& action, const std::string& entity,
                 int64_t entity_id, const Json& detail) {
  AuditEntry e;
  e.at = now_;
  e.actor_id = actor_id;
  e.action = action;
  e.entity = entity;
  e.entity_id = entity_id;
  e.detail = detail;
  CachedStatement last_stmt = Prepare("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1");
  SQLite::Statement& last = *last_stmt;
  if (last.executeStep()) {
    e.id = last.getColumn(0).getInt64() + 1;
    e.prev_hash = last.getColumn(1).getString();
  } else {
    e.id = 1;
    e.prev_hash = kGenesis;
  }
  e.hash = s_->audit_key_.Hex(AuditMaterial(e));
  CachedStatement ins_stmt = Prepare(
      "INSERT INTO audit_log (id, at, actor_id, action, entity, entity_id, detail, "
      "prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)");
  SQLite::Statement& ins = *ins_stmt;
  ins.bind(1, e.id);
  ins.bind(2, e.at);
  ins.bind(3, e.actor_id);
  ins.bind(4, e.action);
  ins.bind(5, e.entity);
  ins.bind(6, e.entity_id);
  ins.bind(7, e.detail.dump());
  ins.bind(8, e.prev_hash);
  ins.bind(9, e.hash);
  ins.exec();
  Json head = {{"id", e.id},
               {"mac", s_->audit_key_.Hex("head|" + std::to_string(e.id) + "|" + e.hash)}};
  return PutMeta("audit_head", head.dump());
}

StatusOr<std::vector<AuditEntry>> Tx::ListAudit(std::optional<int64_t> ticket_id,
                                                std::optional<int64_t> user_id,
                                                std::optional<TimeMs> from,
                                                std::optional<TimeMs> to, int page, int per_page,
                                                int64_t* total) {
  std::string where = " WHERE 1=1";
  if (ticket_id) where += " AND entity='ticket' AND entity_id=" + std::to_string(*ticket_id);
  if (user_id) where += " AND actor_id=" + std::to_string(*user_id);
  if (from) where += " AND at>=" + std::to_string(*from);
  if (to) where += " AND at<" + std::to_string(*to);
  SQLite::Database& db = *conn_->db;
  *total = db.execAndGet("SELECT COUNT(*) FROM audit_log" + where).getInt64();
  SQLite::Statement q(db,
                      "SELECT id, at, actor_id, action, entity, entity_id, detail, prev_hash, hash "
                      "FROM audit_log" +
                          where + " ORDER BY id DESC LIMIT ? OFFSET ?");
  q.bind(1, per_page);
  q.bind(2, static_cast<int64_t>(page - 1) * per_page);
  std::vector<AuditEntry> out;
  while (q.executeStep()) {
    AuditEntry e;
    e.id = q.getColumn(0).getInt64();
    e.at = q.getColumn(1).getInt64();
    e.actor_id = q.getColumn(2).getInt64();
    e.action = q.getColumn(3).getString();
    e.entity = q.getColumn(4).getString();
    e.entity_id = q.getColumn(5).getInt64();
    e.detail = Json::parse(q.getColumn(6).getString(), nullptr, false);
    e.prev_hash = q.getColumn(7).getString();
    e.hash = q.getColumn(8).getString();
    out.push_back(std::move(e));
  }
  return out;
}

StatusOr<int64_t> Tx::InsertUnit(const Unit& u) {
  CachedStatement q_stmt = Prepare("INSERT INTO units (name, kind, created_at) VALUES (?,?,?)");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, u.name);
  q.bind(2, u.kind);
  q.bind(3, now_);
  q.exec();
  return conn_->db->getLastInsertRowid();
}

StatusOr<std::vector<Unit>> Tx::ListUnits() {
  CachedStatement q_stmt = Prepare("SELECT id, name, kind, created_at FROM units ORDER BY id");
  SQLite::Statement& q = *q_stmt;
  std::vector<Unit> out;
  while (q.executeStep())
    out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(),
                   q.getColumn(2).getString(), q.getColumn(3).getInt64()});
  return out;
}

StatusOr<std::optional<Unit>> Tx::GetUnit(int64_t id) {
  CachedStatement q_stmt = Prepare("SELECT id, name, kind, created_at FROM units WHERE id=?");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, id);
  if (!q.executeStep()) return std::optional<Unit>();
  return std::optional<Unit>(Unit{q.getColumn(0).getInt64(), q.getColumn(1).getString(),
                                  q.getColumn(2).getString(), q.getColumn(3).getInt64()});
}

StatusOr<int64_t> Tx::InsertUser(const User& u) {
  CachedStatement q_stmt = Prepare(
      "INSERT INTO users (username, name, unit_id, roles, password_hash, "
      "password_changed_at, must_change_password, disabled, created_at) "
      "VALUES (?,?,?,?,?,?,?,?,?)");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, u.username);
  q.bind(2, u.name);
  q.bind(3, u.unit_id);
  q.bind(4, RolesToText(u.roles));
  q.bind(5, u.password_hash);
  q.bind(6, u.password_changed_at);
  q.bind(7, u.must_change_password ? 1 : 0);
  q.bind(8, u.disabled ? 1 : 0);
  q.bind(9, now_);
  q.exec();
  return conn_->db->getLastInsertRowid();
}

Status Tx::UpdateUser(const User& u) {
  CachedStatement q_stmt = Prepare(
      "UPDATE users SET username=?, name=?, unit_id=?, roles=?, password_hash=?, "
      "password_changed_at=?, must_change_password=?, disabled=?, failed_count=?, "
      "first_failed_at=?, locked_until=? WHERE id=?");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, u.username);
  q.bind(2, u.name);
  q.bind(3, u.unit_id);
  q.bind(4, RolesToText(u.roles));
  q.bind(5, u.password_hash);
  q.bind(6, u.password_changed_at);
  q.bind(7, u.must_change_password ? 1 : 0);
  q.bind(8, u.disabled ? 1 : 0);
  q.bind(9, u.failed_count);
  q.bind(10, u.first_failed_at);
  q.bind(11, u.locked_until);
  q.bind(12, u.id);
  if (q.exec() != 1) return NotFound("用户不存在");
  return Status::Ok();
}

StatusOr<std::optional<User>> Tx::GetUser(int64_t id) {
  CachedStatement q_stmt = Prepare(std::string("SELECT ") + kUserCols + " FROM users WHERE id=?");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, id);
  if (!q.executeStep()) return std::optional<User>();
  return std::optional<User>(ReadUser(q));
}

StatusOr<std::optional<User>> Tx::GetUserByName(const std::string& username) {
  CachedStatement q_stmt =
      Prepare(std::string("SELECT ") + kUserCols + " FROM users WHERE username=?");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, username);
  if (!q.executeStep()) return std::optional<User>();
  return std::optional<User>(ReadUser(q));
}

StatusOr<std::string> Tx::GetUserDisplayName(int64_t id) {
  CachedStatement q_stmt = Prepare("SELECT name FROM users WHERE id=?");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, id);
  if (!q.executeStep()) return std::string();
  return q.getColumn(0).getString();
}

StatusOr<std::vector<User>> Tx::ListUsers(std::optional<int64_t> unit_id) {
  std::string sql = std::string("SELECT ") + kUserCols + " FROM users";
  if (unit_id) sql += " WHERE unit_id=" + std::to_string(*unit_id);
  sql += " ORDER BY id";
  SQLite::Statement q(*conn_->db, sql);
  std::vector<User> out;
  while (q.executeStep()) out.push_back(ReadUser(q));
  return out;
}

StatusOr<int64_t> Tx::CountUsers() {
  return conn_->db->execAndGet("SELECT COUNT(*) FROM users").getInt64();
}

Status Tx::AppendPersonnel(int64_t actor_id, int64_t user_id, int64_t unit_id, const Json& change) {
  CachedStatement q_stmt = Prepare(
      "INSERT INTO personnel_log (at, actor_id, user_id, unit_id, change) "
      "VALUES (?,?,?,?,?)");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, now_);
  q.bind(2, actor_id);
  q.bind(3, user_id);
  q.bind(4, unit_id);
  q.bind(5, change.dump());
  q.exec();
  return Status::Ok();
}

StatusOr<Json> Tx::ListPersonnel(std::optional<int64_t> unit_id) {
  std::string sql = "SELECT id, at, actor_id, user_id, unit_id, change FROM personnel_log";
  if (unit_id) sql += " WHERE unit_id=" + std::to_string(*unit_id);
  sql += " ORDER BY id";
  SQLite::Statement q(*conn_->db, sql);
  Json out = Json::array();
  while (q.executeStep()) {
    out.push_back({{"id", q.getColumn(0).getInt64()},
                   {"at", q.getColumn(1).getInt64()},
                   {"actor_id", q.getColumn(2).getInt64()},
                   {"user_id", q.getColumn(3).getInt64()},
                   {"unit_id", q.getColumn(4).getInt64()},
                   {"change", Json::parse(q.getColumn(5).getString())}});
  }
  return out;
}

Status Tx::InsertSession(const Session& s) {
  CachedStatement q_stmt = Prepare(
      "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, "
      "last_seen_at) VALUES (?,?,?,?,?,?)");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, s.token_hash);
  q.bind(2, s.user_id);
  q.bind(3, s.csrf_token);
  q.bind(4, s.created_at);
  q.bind(5, s.expires_at);
  q.bind(6, s.last_seen_at);
  q.exec();
  return Status::Ok();
}

StatusOr<std::optional<Session>> Tx::GetSession(const std::string& token_hash) {
  CachedStatement q_stmt = Prepare(
      "SELECT token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at "
      "FROM sessions WHERE token_hash=?");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, token_hash);
  if (!q.executeStep()) return std::optional<Session>();
  return std::optional<Session>(Session{q.getColumn(0).getString(), q.getColumn(1).getInt64(),
                                        q.getColumn(2).getString(), q.getColumn(3).getInt64(),
                                        q.getColumn(4).getInt64(), q.getColumn(5).getInt64()});
}

StatusOr<std::optional<SessionAuth>> Tx::GetSessionAuth(const std::string& token_hash) {
  CachedStatement q_stmt = Prepare(
      "SELECT u.id, u.username, u.name, u.unit_id, u.roles, u.password_hash, "
      "u.password_changed_at, u.must_change_password, u.disabled, u.failed_count, "
      "u.first_failed_at, u.locked_until, u.created_at, "
      "s.token_hash, s.user_id, s.csrf_token, s.created_at, s.expires_at, s.last_seen_at, "
      "n.id, n.name, n.kind, n.created_at "
      "FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN units n ON n.id = u.unit_id "
      "WHERE s.token_hash=?");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, token_hash);
  if (!q.executeStep()) return std::optional<SessionAuth>();
  SessionAuth a;
  a.user = ReadUser(q);
  a.session =
      Session{q.getColumn(13).getString(), q.getColumn(14).getInt64(), q.getColumn(15).getString(),
              q.getColumn(16).getInt64(),  q.getColumn(17).getInt64(), q.getColumn(18).getInt64()};
  if (!q.getColumn(19).isNull())
    a.unit = Unit{q.getColumn(19).getInt64(), q.getColumn(20).getString(),
                  q.getColumn(21).getString(), q.getColumn(22).getInt64()};
  return std::optional<SessionAuth>(std::move(a));
}

Status Tx::TouchSession(const std::string& token_hash, TimeMs last_seen, TimeMs expires_at) {
  CachedStatement q_stmt =
      Prepare("UPDATE sessions SET last_seen_at=?, expires_at=? WHERE token_hash=?");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, last_seen);
  q.bind(2, expires_at);
  q.bind(3, token_hash);
  q.exec();
  return Status::Ok();
}

Status Tx::DeleteSession(const std::string& token_hash) {
  CachedStatement q_stmt = Prepare("DELETE FROM sessions WHERE token_hash=?");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, token_hash);
  q.exec();
  return Status::Ok();
}

Status Tx::DeleteUserSessions(int64_t user_id) {
  CachedStatement q_stmt = Prepare("DELETE FROM sessions WHERE user_id=?");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, user_id);
  q.exec();
  return Status::Ok();
}

Status Tx::DeleteOtherSessions(int64_t user_id, const std::string& keep_token_hash) {
  CachedStatement q_stmt = Prepare("DELETE FROM sessions WHERE user_id=? AND token_hash<>?");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, user_id);
  q.bind(2, keep_token_hash);
  q.exec();
  return Status::Ok();
}

StatusOr<int64_t> Tx::InsertTicket(const Ticket& t) {
  const int64_t id = t.id > 0 ? t.id : s_->ReserveTicketId();
  // Keep the reservations above every id in the table.
  int64_t next = s_->next_ticket_id_.load();
  while (next <= id && !s_->next_ticket_id_.compare_exchange_weak(next, id + 1)) {
  }
  CachedStatement q_stmt = Prepare(
      "INSERT INTO tickets (unit_id, author_id, category, state, version, round, "
      "content_hash, current_step, current_role, submitted_at, created_at, updated_at, "
      "row_version, id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,1,?)");
  SQLite::Statement& q = *q_stmt;
  q.bind(13, id);
  q.bind(1, t.unit_id);
  q.bind(2, t.author_id);
  q.bind(3, std::string(CategoryKey(t.category)));
  q.bind(4, std::string(TicketStateKey(t.state)));
  q.bind(5, t.version);
  q.bind(6, t.round);
  q.bind(7, t.content_hash);
  if (t.current_step)
    q.bind(8, *t.current_step);
  else
    q.bind(8);
  q.bind(9, t.current_role);
  q.bind(10, t.submitted_at);
  q.bind(11, now_);
  q.bind(12, now_);
  q.exec();
  return id;
}

Status Tx::UpdateTicket(const Ticket& t) {
  CachedStatement q_stmt = Prepare(
      "UPDATE tickets SET category=?, state=?, version=?, round=?, content_hash=?, "
      "current_step=?, current_role=?, submitted_at=?, updated_at=?, published_at=?, "
      "row_version=row_version+1 WHERE id=? AND row_version=?");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, std::string(CategoryKey(t.category)));
  q.bind(2, std::string(TicketStateKey(t.state)));
  q.bind(3, t.version);
  q.bind(4, t.round);
  q.bind(5, t.content_hash);
  if (t.current_step)
    q.bind(6, *t.current_step);
  else
    q.bind(6);
  q.bind(7, t.current_role);
  q.bind(8, t.submitted_at);
  q.bind(9, now_);
  q.bind(10, t.published_at);
  q.bind(11, t.id);
  q.bind(12, t.row_version);
  if (q.exec() != 1) return Status(Code::kAborted, "工单已被他人修改，请刷新后重试", "conflict");
  return Status::Ok();
}

StatusOr<std::optional<Ticket>> Tx::GetTicket(int64_t id) {
  CachedStatement q_stmt =
      Prepare(std::string("SELECT ") + kTicketCols + " FROM tickets WHERE id=?");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, id);
  if (!q.executeStep()) return std::optional<Ticket>();
  return std::optional<Ticket>(ReadTicket(q));
}

StatusOr<std::vector<Ticket>> Tx::ListTickets(const TicketFilter& f, int64_t* total) {
  std::string where = " WHERE 1=1";
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
  SQLite::Database& db = *conn_->db;
  {
    SQLite::Statement c(db, "SELECT COUNT(*) FROM tickets" + where);
    for (size_t i = 0; i < binds.size(); ++i) c.bind(static_cast<int>(i + 1), binds[i]);
    c.executeStep();
    *total = c.getColumn(0).getInt64();
  }
  SQLite::Statement q(db, std::string("SELECT ") + kTicketCols + " FROM tickets" + where +
                              " ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?");
  int i = 1;
  for (const auto& b : binds) q.bind(i++, b);
  q.bind(i++, f.per_page);
  q.bind(i++, static_cast<int64_t>(f.page - 1) * f.per_page);
  std::vector<Ticket> out;
  while (q.executeStep()) out.push_back(ReadTicket(q));
  return out;
}

Status Tx::InsertVersion(const TicketVersion& v) {
  CachedStatement q_stmt = Prepare(
      "INSERT INTO ticket_versions (ticket_id, version, content, content_hash, "
      "renderings, created_by, created_at) VALUES (?,?,?,?,?,?,?)");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, v.ticket_id);
  q.bind(2, v.version);
  q.bind(3, ContentToJson(v.content).dump());
  q.bind(4, v.content_hash);
  q.bind(5, v.renderings.dump());
  q.bind(6, v.created_by);
  q.bind(7, now_);
  q.exec();
  return Status::Ok();
}

Status Tx::InsertVersionText(int64_t ticket_id, int version, const std::string& content_json,
                             const std::string& content_hash, const std::string& renderings_json,
                             int64_t created_by) {
  CachedStatement q_stmt = Prepare(
      "INSERT INTO ticket_versions (ticket_id, version, content, content_hash, "
      "renderings, created_by, created_at) VALUES (?,?,?,?,?,?,?)");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, ticket_id);
  q.bind(2, version);
  q.bind(3, content_json);
  q.bind(4, content_hash);
  q.bind(5, renderings_json);
  q.bind(6, created_by);
  q.bind(7, now_);
  q.exec();
  return Status::Ok();
}

namespace {
StatusOr<TicketVersion> ReadVersion(SQLite::Statement& q) {
  TicketVersion v;
  v.ticket_id = q.getColumn(0).getInt64();
  v.version = q.getColumn(1).getInt();
  auto content = ContentFromJson(Json::parse(q.getColumn(2).getString()));
  if (!content.ok()) return content.status();
  v.content = std::move(content).value();
  v.content_hash = q.getColumn(3).getString();
  v.renderings = Json::parse(q.getColumn(4).getString());
  v.created_by = q.getColumn(5).getInt64();
  v.created_at = q.getColumn(6).getInt64();
  return v;
}
}  // namespace

StatusOr<std::optional<TicketVersion>> Tx::GetVersion(int64_t ticket_id, int version) {
  CachedStatement q_stmt = Prepare(
      "SELECT ticket_id, version, content, content_hash, renderings, created_by, "
      "created_at FROM ticket_versions WHERE ticket_id=? AND version=?");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, ticket_id);
  q.bind(2, version);
  if (!q.executeStep()) return std::optional<TicketVersion>();
  GD_ASSIGN_OR_RETURN(TicketVersion v, ReadVersion(q));
  return std::optional<TicketVersion>(std::move(v));
}

StatusOr<std::optional<TicketVersion>> Tx::GetVersionContent(int64_t ticket_id, int version) {
  CachedStatement q_stmt = Prepare(
      "SELECT ticket_id, version, content, content_hash, 'null', created_by, "
      "created_at FROM ticket_versions WHERE ticket_id=? AND version=?");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, ticket_id);
  q.bind(2, version);
  if (!q.executeStep()) return std::optional<TicketVersion>();
  GD_ASSIGN_OR_RETURN(TicketVersion v, ReadVersion(q));
  return std::optional<TicketVersion>(std::move(v));
}

StatusOr<std::vector<TicketVersion>> Tx::ListVersions(int64_t ticket_id) {
  CachedStatement q_stmt = Prepare(
      "SELECT ticket_id, version, content, content_hash, renderings, created_by, "
      "created_at FROM ticket_versions WHERE ticket_id=? ORDER BY version");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, ticket_id);
  std::vector<TicketVersion> out;
  while (q.executeStep()) {
    GD_ASSIGN_OR_RETURN(TicketVersion v, ReadVersion(q));
    out.push_back(std::move(v));
  }
  return out;
}

StatusOr<int64_t> Tx::InsertDecision(const Decision& d) {
  CachedStatement q_stmt = Prepare(
      "INSERT INTO decisions (ticket_id, version, round, step, role, user_id, decision, "
      "comment, checklist, acknowledged, content_hash, decided_at, signature) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, d.ticket_id);
  q.bind(2, d.version);
  q.bind(3, d.round);
  q.bind(4, d.step);
  q.bind(5, d.role);
  q.bind(6, d.user_id);
  q.bind(7, d.decision);
  q.bind(8, d.comment);
  q.bind(9, d.checklist.dump());
  q.bind(10, d.acknowledged.dump());
  q.bind(11, d.content_hash);
  q.bind(12, d.decided_at);
  q.bind(13, d.signature);
  q.exec();
  return conn_->db->getLastInsertRowid();
}

StatusOr<std::vector<Decision>> Tx::ListDecisions(int64_t ticket_id) {
  CachedStatement q_stmt = Prepare(
      "SELECT id, ticket_id, version, round, step, role, user_id, decision, comment, "
      "checklist, acknowledged, content_hash, decided_at, signature FROM decisions "
      "WHERE ticket_id=? ORDER BY id");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, ticket_id);
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

Status Tx::InsertCheckRun(const CheckRun& r) {
  CachedStatement q_stmt = Prepare(
      "INSERT INTO check_runs (ticket_id, version, stage, findings, created_at) "
      "VALUES (?,?,?,?,?)");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, r.ticket_id);
  q.bind(2, r.version);
  q.bind(3, r.stage);
  q.bind(4, r.findings.dump());
  q.bind(5, now_);
  q.exec();
  return Status::Ok();
}

StatusOr<std::vector<CheckRun>> Tx::ListCheckRuns(int64_t ticket_id) {
  CachedStatement q_stmt = Prepare(
      "SELECT id, ticket_id, version, stage, findings, created_at FROM check_runs "
      "WHERE ticket_id=? ORDER BY id");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, ticket_id);
  std::vector<CheckRun> out;
  while (q.executeStep())
    out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getInt(),
                   q.getColumn(3).getString(), Json::parse(q.getColumn(4).getString()),
                   q.getColumn(5).getInt64()});
  return out;
}

namespace {
MediaRow ReadMedia(SQLite::Statement& q) {
  MediaRow m;
  m.id = q.getColumn(0).getInt64();
  m.sha256 = q.getColumn(1).getString();
  m.kind = q.getColumn(2).getString();
  m.mime = q.getColumn(3).getString();
  m.size = q.getColumn(4).getInt64();
  m.filename = q.getColumn(5).getString();
  m.uploaded_by = q.getColumn(6).getInt64();
  m.unit_id = q.getColumn(7).getInt64();
  m.width = q.getColumn(8).getInt();
  m.height = q.getColumn(9).getInt();
  m.created_at = q.getColumn(10).getInt64();
  return m;
}
constexpr const char* kMediaCols =
    "id, sha256, kind, mime, size, filename, uploaded_by, unit_id, width, height, created_at";
}  // namespace

StatusOr<int64_t> Tx::InsertMedia(const MediaRow& m) {
  CachedStatement q_stmt = Prepare(
      "INSERT INTO media (sha256, kind, mime, size, filename, uploaded_by, unit_id, "
      "width, height, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, m.sha256);
  q.bind(2, m.kind);
  q.bind(3, m.mime);
  q.bind(4, m.size);
  q.bind(5, m.filename);
  q.bind(6, m.uploaded_by);
  q.bind(7, m.unit_id);
  q.bind(8, m.width);
  q.bind(9, m.height);
  q.bind(10, now_);
  q.exec();
  return conn_->db->getLastInsertRowid();
}

StatusOr<std::optional<MediaRow>> Tx::GetMedia(int64_t id) {
  CachedStatement q_stmt = Prepare(std::string("SELECT ") + kMediaCols + " FROM media WHERE id=?");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, id);
  if (!q.executeStep()) return std::optional<MediaRow>();
  return std::optional<MediaRow>(ReadMedia(q));
}

StatusOr<std::optional<MediaRow>> Tx::GetMediaBySha(const std::string& sha256) {
  CachedStatement q_stmt = Prepare(std::string("SELECT ") + kMediaCols +
                                   " FROM media WHERE sha256=? ORDER BY id LIMIT 1");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, sha256);
  if (!q.executeStep()) return std::optional<MediaRow>();
  return std::optional<MediaRow>(ReadMedia(q));
}

namespace {
ChannelAccountRow ReadChannel(SQLite::Statement& q) {
  ChannelAccountRow c;
  c.id = q.getColumn(0).getInt64();
  c.kind = q.getColumn(1).getString();
  c.name = q.getColumn(2).getString();
  c.unit_id = q.getColumn(3).getInt64();
  c.base_url = q.getColumn(4).getString();
  c.settings = Json::parse(q.getColumn(5).getString());
  c.secrets_sealed = q.getColumn(6).getString();
  c.disabled = q.getColumn(7).getInt() != 0;
  c.created_at = q.getColumn(8).getInt64();
  c.updated_at = q.getColumn(9).getInt64();
  return c;
}
constexpr const char* kChannelCols =
    "id, kind, name, unit_id, base_url, settings, secrets_sealed, disabled, created_at, updated_at";
}  // namespace

StatusOr<int64_t> Tx::InsertChannel(const ChannelAccountRow& c) {
  CachedStatement q_stmt = Prepare(
      "INSERT INTO channel_accounts (kind, name, unit_id, base_url, settings, "
      "secrets_sealed, disabled, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, c.kind);
  q.bind(2, c.name);
  q.bind(3, c.unit_id);
  q.bind(4, c.base_url);
  q.bind(5, c.settings.dump());
  q.bind(6, c.secrets_sealed);
  q.bind(7, c.disabled ? 1 : 0);
  q.bind(8, now_);
  q.bind(9, now_);
  q.exec();
  return conn_->db->getLastInsertRowid();
}

Status Tx::UpdateChannel(const ChannelAccountRow& c) {
  CachedStatement q_stmt = Prepare(
      "UPDATE channel_accounts SET kind=?, name=?, unit_id=?, base_url=?, settings=?, "
      "secrets_sealed=?, disabled=?, updated_at=? WHERE id=?");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, c.kind);
  q.bind(2, c.name);
  q.bind(3, c.unit_id);
  q.bind(4, c.base_url);
  q.bind(5, c.settings.dump());
  q.bind(6, c.secrets_sealed);
  q.bind(7, c.disabled ? 1 : 0);
  q.bind(8, now_);
  q.bind(9, c.id);
  if (q.exec() != 1) return NotFound("渠道账号不存在");
  return Status::Ok();
}

StatusOr<std::optional<ChannelAccountRow>> Tx::GetChannel(int64_t id) {
  CachedStatement q_stmt =
      Prepare(std::string("SELECT ") + kChannelCols + " FROM channel_accounts WHERE id=?");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, id);
  if (!q.executeStep()) return std::optional<ChannelAccountRow>();
  return std::optional<ChannelAccountRow>(ReadChannel(q));
}

StatusOr<std::vector<ChannelAccountRow>> Tx::ListChannels() {
  CachedStatement q_stmt =
      Prepare(std::string("SELECT ") + kChannelCols + " FROM channel_accounts ORDER BY id");
  SQLite::Statement& q = *q_stmt;
  std::vector<ChannelAccountRow> out;
  while (q.executeStep()) out.push_back(ReadChannel(q));
  return out;
}

Status Tx::PutMeta(const std::string& key, const std::string& value) {
  CachedStatement q_stmt = Prepare(
      "INSERT INTO meta (key, value) VALUES (?,?) ON CONFLICT(key) DO UPDATE SET "
      "value=excluded.value");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, key);
  q.bind(2, value);
  q.exec();
  return Status::Ok();
}

StatusOr<std::optional<std::string>> Tx::GetMeta(const std::string& key) {
  CachedStatement q_stmt = Prepare("SELECT value FROM meta WHERE key=?");
  SQLite::Statement& q = *q_stmt;
  q.bind(1, key);
  if (!q.executeStep()) return std::optional<std::string>();
  return std::optional<std::string>(q.getColumn(0).getString());
}

}  // namespace gd
