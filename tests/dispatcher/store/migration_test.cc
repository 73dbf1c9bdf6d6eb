// One migration list, run by Store::Open: a new database gets every table (the records module's
// included), and a database left by the code before it (schema version 2, the records tables
// created by the records module and versioned by meta "records_schema") opens, keeps its rows
// and upgrades.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "dispatcher/core/clock.h"
#include "dispatcher/store/db.h"
#include "dispatcher/store/records_repo.h"
#include "dispatcher/store/schema.h"
#include "dispatcher/store/ticket_repo.h"
#include "dispatcher/store/user_repo.h"
#include "tests/dispatcher/store/sql_test_util.h"

namespace gd {
namespace {

namespace fs = std::filesystem;
using testing::ExecSql;
using testing::QuerySql;

// The records tables as RecordsService::Init created them before they joined the migration
// list (records_store.cc's migration 1, verbatim), and the key it versioned them by.
constexpr const char* kOldRecordsTables = R"sql(
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
INSERT INTO meta (key, value) VALUES ('records_schema', '1');
)sql";

// Rows as the old code wrote them: a unit, a user, a published ticket; a filing, a rescan run.
constexpr const char* kOldCoreRows = R"sql(
INSERT INTO units (id, name, kind, created_at) VALUES (1, '办公室', 'office', 1000);
INSERT INTO users (id, username, name, unit_id, roles, password_hash, password_changed_at,
  created_at) VALUES (1, 'editor', '编辑', 1, '["editor"]', 'x', 1000, 1000);
INSERT INTO tickets (id, unit_id, author_id, category, state, version, round, content_hash,
  current_role, created_at, updated_at, published_at)
  VALUES (7, 1, 1, 'work_news', 'published', 1, 1, 'h', '', 1000, 2000, 2000);
)sql";
constexpr const char* kOldRecordsRows = R"sql(
INSERT INTO archive_filings (unit_id, month, filed_by, filed_at, records, csv_sha256)
  VALUES (1, '2026-11', 1, 3000, 4, 'abc');
INSERT INTO rescan_runs (at, actor_id, cause, checker_version, previous_version, scanned, flagged)
  VALUES (4000, 0, 'startup', 'v2', 'v1', 1, 0);
)sql";

class MigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gd_migration_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = dir_ / "old.db";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The database as the code before the one migration list left it: the store's migrations 1
  // and 2 (unchanged since), schema version 2, then (when `records`) the records module's
  // tables and key.
  void LayOutOldDatabase(bool records) {
    const auto migrations = schema::Migrations();
    ASSERT_GE(migrations.size(), 2u);
    ExecSql(path_, "PRAGMA journal_mode=WAL");
    ExecSql(path_, std::string("BEGIN;") + migrations[0] + migrations[1] +
                       "PRAGMA user_version=2; COMMIT;");
    ExecSql(path_, kOldCoreRows);
    if (!records) return;
    ExecSql(path_, kOldRecordsTables);
    ExecSql(path_, kOldRecordsRows);
  }

  std::unique_ptr<Store> Open() {
    auto s = Store::Open(path_, "audit-key", clock_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  FakeClock clock_{1'800'000'000'000};
  fs::path dir_;
  fs::path path_;
};

TEST_F(MigrationTest, NewDatabaseHasTheRecordsTablesWithoutTheRecordsModule) {
  auto store = Open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->SchemaVersion(), static_cast<int>(schema::Migrations().size()));
  Status st = store->Write([](Tx& tx) -> Status {
    GD_RETURN_IF_ERROR(records_repo::InsertFiling(tx, {0, 1, "2026-12", 1, 5000, 0, "d"}).status());
    GD_ASSIGN_OR_RETURN(auto filings, records_repo::ListFilings(tx, "2026-12"));
    EXPECT_EQ(filings.size(), 1u);
    GD_ASSIGN_OR_RETURN(auto run, records_repo::LatestRescanRun(tx));
    EXPECT_FALSE(run.has_value());
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST_F(MigrationTest, DatabaseOfTheOldRecordsModuleOpensKeepsItsRowsAndUpgrades) {
  LayOutOldDatabase(/*records=*/true);
  auto store = Open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->SchemaVersion(), static_cast<int>(schema::Migrations().size()));
  Status st = store->Write([](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto key, tx.GetMeta("records_schema"));
    EXPECT_FALSE(key.has_value()) << "the retired version key is removed";
    GD_ASSIGN_OR_RETURN(auto t, ticket_repo::GetTicket(tx, 7));
    EXPECT_TRUE(t.has_value());
    EXPECT_EQ(t.value_or(Ticket{}).state, TicketState::kPublished);
    GD_ASSIGN_OR_RETURN(auto u, user_repo::GetUserByName(tx, "editor"));
    EXPECT_TRUE(u.has_value());
    GD_ASSIGN_OR_RETURN(auto filings, records_repo::ListFilings(tx, "2026-11"));
    EXPECT_EQ(filings.size(), 1u);
    EXPECT_EQ(filings.empty() ? "" : filings[0].csv_sha256, "abc");
    GD_ASSIGN_OR_RETURN(auto run, records_repo::LatestRescanRun(tx));
    EXPECT_TRUE(run.has_value());
    EXPECT_EQ(run.value_or(RescanRun{}).trigger, "startup");
    // The filing's uniqueness survived the upgrade.
    auto again = records_repo::InsertFiling(tx, {0, 1, "2026-11", 1, 5000, 0, "d"});
    EXPECT_EQ(again.status().code(), Code::kAlreadyExists);
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  // A new ticket id stays above the old rows'.
  EXPECT_GT(store->ReserveTicketId(), 7);
  store.reset();
  EXPECT_EQ(QuerySql(path_, "SELECT COUNT(*) FROM meta WHERE key='records_schema'"), "0");
}

TEST_F(MigrationTest, OldDatabaseWithoutTheRecordsTablesGetsThem) {
  // Store::Open alone (no RecordsService::Init) used to leave these tables out.
  LayOutOldDatabase(/*records=*/false);
  auto store = Open();
  ASSERT_TRUE(store);
  Status st = store->Write([](Tx& tx) -> Status {
    GD_RETURN_IF_ERROR(records_repo::InsertCorrection(tx, 7, 8, 1));
    GD_ASSIGN_OR_RETURN(int64_t c, records_repo::CorrectionOf(tx, 7));
    EXPECT_EQ(c, 8);
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST_F(MigrationTest, ReopeningIsANoOp) {
  LayOutOldDatabase(/*records=*/true);
  ASSERT_TRUE(Open());
  auto store = Open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->SchemaVersion(), static_cast<int>(schema::Migrations().size()));
}

TEST_F(MigrationTest, NewerDatabaseIsRefused) {
  ExecSql(path_, "PRAGMA user_version=99");
  auto s = Store::Open(path_, "audit-key", clock_);
  EXPECT_EQ(s.status().code(), Code::kFailedPrecondition);
}

}  // namespace
}  // namespace gd
