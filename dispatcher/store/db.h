// The store's transaction engine: the only code that opens SQLite (WAL, through SQLiteCpp).
// The tables are read and written by the repositories next to it (ticket_repo.h, user_repo.h,
// audit_repo.h, channel_repo.h, media_repo.h, dispatch_repo.h, records_repo.h), each a set of
// functions taking the Tx of the Store::Write/Read call they run in; the schema is the one
// migration list in schema.cc, run by Store::Open.
//
// Threading: every public method is thread-safe. Writes happen inside Write(), on the one
// writer connection under a mutex, one after another: the function passed in gets a Tx inside
// a savepoint of an IMMEDIATE transaction, and its changes are kept only if it returns an ok
// Status (otherwise rolled back to the savepoint: nothing half-written). Write returns once the
// transaction holding those changes has committed. Group commit: when other writers are already
// waiting for the connection, the transaction stays open for them and the last one commits, so
// a burst of writes shares one commit; a lone writer commits at once. Audit rows are appended
// through the same Tx (audit_repo::Audit), so a change and its audit record land together or
// not at all.
// Read() runs on one of a small pool of query-only connections, each used by one thread at a
// time, inside a DEFERRED transaction: WAL lets these readers run alongside each other and the
// writer, and each sees a consistent snapshot of everything committed before it started.
// Each connection keeps its prepared statements (Tx::Prepare) for its lifetime.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "dispatcher/core/clock.h"
#include "dispatcher/core/crypto.h"
#include "dispatcher/core/status.h"
#include "dispatcher/model/audit.h"

struct sqlite3;

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace gd {

class Tx;
class TxAccess;
struct StoreConn;

// A prepared statement borrowed from a connection's cache for one use: reset and unbound
// when it goes out of scope. Valid only inside the Store::Write/Read call that made it.
class CachedStatement {
 public:
  ~CachedStatement();
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;
  SQLite::Statement& operator*() const { return *stmt_; }
  SQLite::Statement* operator->() const { return stmt_; }

 private:
  friend class Tx;
  CachedStatement(SQLite::Statement* stmt, bool* busy, std::unique_ptr<SQLite::Statement> owned);
  SQLite::Statement* stmt_;
  bool* busy_;                                // the cache entry's in-use flag, or null
  std::unique_ptr<SQLite::Statement> owned_;  // set when the cached one was already in use
};

class Store {
 public:
  // Opens (creating if needed) the database at `path` and migrates it to the latest schema.
  // `audit_key` keys the HMAC chain of the audit log.
  static StatusOr<std::unique_ptr<Store>> Open(const std::filesystem::path& path,
                                               std::string audit_key, const Clock& clock);
  ~Store();

  Status Write(const std::function<Status(Tx&)>& fn);
  // A ticket id for a ticket about to be created, handed out once (ids of creations that fail
  // later are not reused). Lets a caller render with the final id before its write.
  // ticket_repo::InsertTicket without an id takes one from here too.
  int64_t ReserveTicketId();
  // Runs `fn` on a query-only connection in a read transaction (a consistent snapshot of
  // what was committed when it started); concurrent with other reads and with Write. `fn`
  // must not write: the connection refuses it.
  Status Read(const std::function<Status(Tx&)>& fn);

  // Writes that kept their changes and the commits that made them durable (commits < writes
  // when writes shared a transaction).
  struct WriteStats {
    int64_t writes = 0;
    int64_t commits = 0;
  };
  WriteStats write_stats() const { return {writes_kept_.load(), commits_.load()}; }
  // How long a shared transaction may stay open for queued writers (default kMaxBatchAge,
  // counted from its first write). Tests that hold the connection on purpose raise it so the
  // batch they build does not depend on how fast a loaded machine schedules the queued writers.
  void set_max_batch_age(std::chrono::microseconds age);

  // Copies the WAL back into the database file now, on the calling thread (the checkpoint
  // thread calls it whenever the WAL holds kCheckpointPages pages): a PASSIVE checkpoint, which
  // blocks no one, then, if `restart` or the WAL holds kRestartPages pages, a RESTART checkpoint
  // with the writers held off, after which the next write starts the WAL from its beginning.
  // Returns the WAL's size in pages before the checkpoint. Thread-safe.
  StatusOr<int> Checkpoint(bool restart = false);

  // Online backup (SQLite backup API) to `dest`, consistent while the server runs.
  Status Backup(const std::filesystem::path& dest);
  AuditVerdict VerifyAudit();
  int SchemaVersion();

 private:
  Store(std::unique_ptr<StoreConn> writer, std::filesystem::path path, std::string audit_key,
        const Clock& clock);
  Status Migrate();
  // Keeps the ids ReserveTicketId hands out above `id` (a ticket inserted with its own id).
  void NoteTicketId(int64_t id);
  StoreConn* AcquireReader();
  void ReleaseReader(StoreConn* conn);
  // Commits the open group-commit transaction, if any, and wakes its writers. Needs mu_.
  void CommitOpenLocked();
  // Checkpoints run on their own thread and connection (PASSIVE: they never block a writer),
  // asked for by the writer's WAL hook once the log holds kCheckpointPages pages, instead of
  // SQLite's automatic checkpoint, which runs inside the commit that crosses the threshold and
  // holds the write lock through its two fsyncs. Under steady writes the WAL never starts over
  // by itself (a write must begin with every frame copied back, and writes follow each other
  // without a gap), so past kRestartPages Checkpoint() makes that gap once.
  void StartCheckpointer();
  void CheckpointLoop();
  static int OnWalCommit(void* store, sqlite3* db, const char* name, int pages);

  static constexpr size_t kMaxReaders = 4;
  // A shared transaction commits after this many writes or this long, waiting writers or not.
  static constexpr int kMaxBatchWrites = 32;
  static constexpr std::chrono::microseconds kMaxBatchAge{2000};
  std::chrono::microseconds max_batch_age_ = kMaxBatchAge;  // guarded by mu_
  // Each checkpoint syncs the WAL and the database file, and those fsyncs stall the writer's
  // appends to the WAL: 8,000 pages (32 MB) make them an eighth as frequent as SQLite's 1,000
  // (throughput +15 % under the API benchmark).
  static constexpr int kCheckpointPages = 8000;
  static constexpr int kRestartPages = 16384;  // 64 MB of WAL with 4 KB pages

  // One open write transaction shared by several Write calls (group commit).
  struct Batch {
    bool done = false;  // guarded by batch_mu_
    Status status;      // of the COMMIT; guarded by batch_mu_
  };

  std::unique_ptr<StoreConn> writer_;  // guarded by mu_
  std::filesystem::path path_;
  HmacSha256Key audit_key_;
  const Clock& clock_;
  std::mutex mu_;
  std::shared_ptr<Batch> open_batch_;  // guarded by mu_: set while a write transaction is open
  int open_writes_ = 0;                // guarded by mu_
  std::chrono::steady_clock::time_point open_since_;  // guarded by mu_
  std::atomic<int> waiting_writers_{0};               // Write calls blocked on mu_
  std::mutex batch_mu_;
  std::condition_variable batch_cv_;
  std::atomic<int64_t> next_ticket_id_{1};
  std::atomic<int64_t> writes_kept_{0};
  std::atomic<int64_t> commits_{0};
  std::mutex ckpt_mu_;
  std::condition_variable ckpt_cv_;
  bool ckpt_wanted_ = false;    // guarded by ckpt_mu_
  bool ckpt_stopping_ = false;  // guarded by ckpt_mu_
  std::thread checkpointer_;
  std::mutex ckpt_run_mu_;                     // one Checkpoint() at a time; before mu_
  std::unique_ptr<SQLite::Database> ckpt_db_;  // guarded by ckpt_run_mu_; opened on first use
  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<StoreConn>> readers_;  // guarded by readers_mu_
  std::vector<StoreConn*> idle_readers_;             // guarded by readers_mu_
  friend class Tx;
  friend class TxAccess;
};

// One transaction, handed to the function passed to Store::Write/Read; only valid during that
// call. The repositories (store/*_repo.h) read and write the tables through it.
class Tx {
 public:
  TimeMs now() const { return now_; }
  // True inside Store::Write (its changes may still roll back), false inside Store::Read.
  bool writing() const;
  // A statement for `sql` from this connection's cache, prepared on first use (store/*.cc
  // only: SQLiteCpp is private to the store). Use it for fixed SQL texts; SQL built with
  // values in it belongs in a one-off statement, or the cache would grow with every value.
  CachedStatement Prepare(const std::string& sql);

  // Small key/value settings (e.g. cached tokens, sealed).
  Status PutMeta(const std::string& key, const std::string& value);
  StatusOr<std::optional<std::string>> GetMeta(const std::string& key);
  // Removes the meta value `key`; absent is not an error. Inside Store::Write only.
  Status EraseMeta(const std::string& key);

 private:
  friend class Store;
  friend class TxAccess;  // store/sql.h: the connection, for the repositories
  Tx(Store* store, StoreConn* conn, TimeMs now) : s_(store), conn_(conn), now_(now) {}
  SQLite::Database& db();
  Store* s_;
  StoreConn* conn_;
  TimeMs now_;
};

}  // namespace gd
