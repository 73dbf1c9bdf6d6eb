#include "dispatcher/store/db.h"

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <unordered_map>

#include "dispatcher/core/crypto.h"
#include "dispatcher/core/log.h"
#include "dispatcher/store/audit_repo.h"
#include "dispatcher/store/schema.h"
#include "dispatcher/store/sql.h"

namespace gd {
namespace {

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
  } catch (const sql::RowError& e) {
    log::Error("row in store: {}", e.what());
    return Internal("数据库中的数据格式错误");
  }
}

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

void Store::NoteTicketId(int64_t id) {
  int64_t next = next_ticket_id_.load();
  while (next <= id && !next_ticket_id_.compare_exchange_weak(next, id + 1)) {
  }
}

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
    const auto migrations = schema::Migrations();
    const int latest = static_cast<int>(migrations.size());
    if (v > latest)
      return FailedPrecondition("数据库版本 " + std::to_string(v) + " 高于程序支持的版本 " +
                                std::to_string(latest));
    for (; v < latest; ++v) {
      SQLite::Transaction tx(db);
      db.exec(migrations[v]);
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
      std::chrono::steady_clock::now() - open_since_ >= max_batch_age_)
    CommitOpenLocked();
  lock.unlock();
  if (thrown) std::rethrow_exception(thrown);
  if (!keep) return st;  // rolled back to its savepoint: nothing of it to wait for
  writes_kept_.fetch_add(1);
  std::unique_lock<std::mutex> bl(batch_mu_);
  batch_cv_.wait(bl, [&] { return batch->done; });
  return batch->status.ok() ? st : batch->status;
}

void Store::set_max_batch_age(std::chrono::microseconds age) {
  std::lock_guard<std::mutex> lock(mu_);
  max_batch_age_ = age;
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
  Tx tx(this, writer_.get(), clock_.Now());
  return audit_repo::Verify(tx);
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

Status Tx::PutMeta(const std::string& key, const std::string& value) {
  CachedStatement q = Prepare(
      "INSERT INTO meta (key, value) VALUES (:key, :value) ON CONFLICT(key) DO UPDATE SET "
      "value=excluded.value");
  q->bind(":key", key);
  q->bind(":value", value);
  q->exec();
  return Status::Ok();
}

StatusOr<std::optional<std::string>> Tx::GetMeta(const std::string& key) {
  CachedStatement q = Prepare("SELECT value FROM meta WHERE key=:key");
  q->bind(":key", key);
  if (!q->executeStep()) return std::optional<std::string>();
  return std::optional<std::string>(q->getColumn("value").getString());
}

Status Tx::EraseMeta(const std::string& key) {
  CachedStatement q = Prepare("DELETE FROM meta WHERE key=:key");
  q->bind(":key", key);
  q->exec();
  return Status::Ok();
}

}  // namespace gd
