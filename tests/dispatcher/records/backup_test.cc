// Backups: `dispatcher backup` (Store::Backup) under concurrent write load, and the restore
// procedure of docs/backup-restore.md followed step by step.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "dispatcher/app/app.h"
#include "dispatcher/core/crypto.h"
#include "dispatcher/http/routes/requests.h"
#include "dispatcher/model/content_codec.h"
#include "dispatcher/store/ticket_repo.h"
#include "dispatcher/store/user_repo.h"

namespace gd::testing {
namespace {

namespace fs = std::filesystem;
constexpr const char* kPassword = "Backup@Test2026!";

fs::path TempDir() {
  char tmpl[] = "/tmp/gd_backup_test_XXXXXX";
  return mkdtemp(tmpl);
}

std::unique_ptr<App> OpenApp(const fs::path& data, bool start) {
  AppConfig cfg;
  cfg.data_dir = data;
  cfg.port = 0;
  cfg.admin_password = kPassword;
  cfg.web_dir = data / "no-web";
  cfg.threads = 4;
  cfg.run_dispatch = false;
  auto app = App::Create(cfg);
  EXPECT_TRUE(app.ok()) << app.status().ToString();
  if (!app.ok()) return nullptr;
  if (start) {
    EXPECT_TRUE((*app)->Start().ok());
  }
  return std::move(app).value();
}

struct Seeded {
  AuthContext editor;
  int64_t channel = 0;
};

Seeded Seed(App& app) {
  Seeded s;
  AuthContext admin;
  EXPECT_TRUE(app.store()
                  .Read([&](Tx& tx) -> Status {
                    admin.user = **user_repo::GetUserByName(tx, "admin");
                    return Status::Ok();
                  })
                  .ok());
  auto unit = app.accounts().CreateUnit(admin, "市应急管理局", "department");
  EXPECT_TRUE(unit.ok());
  auto op = app.accounts().AddUserDirect("op", "孙运维", admin.user.unit_id, {Role::kOperator},
                                         kPassword, false);
  auto ed =
      app.accounts().AddUserDirect("ed", "李信息员", unit->id, {Role::kEditor}, kPassword, false);
  EXPECT_TRUE(op.ok() && ed.ok());
  AuthContext opc;
  opc.user = *op;
  auto ch = app.channels().Create(
      opc, *DecodeChannelCreate({{"kind", "portal"},
                                 {"name", "门户"},
                                 {"unit_id", unit->id},
                                 {"settings", {{"mode", "builtin"}, {"site_name", "XX市"}}}}));
  EXPECT_TRUE(ch.ok()) << ch.status().ToString();
  s.editor.user = *ed;
  s.editor.unit = *unit;
  s.channel = (*ch)["id"];
  return s;
}

Json Body(int64_t channel, int n) {
  return {{"category", "work_news"},
          {"title", "备份压力测试稿件 " + std::to_string(n)},
          {"body", "正文。"},
          {"column", "工作动态"},
          {"channels", {{{"account_id", channel}}}}};
}

// Copies the backup into a fresh data directory the way docs/backup-restore.md says.
fs::path Restore(const fs::path& backup, const fs::path& old_data) {
  fs::path fresh = TempDir() / "data";
  fs::create_directories(fresh / "keys");
  fs::copy_file(backup, fresh / "dispatcher.db");
  fs::copy_file(old_data / "keys" / "master.key", fresh / "keys" / "master.key");
  fs::permissions(fresh / "keys" / "master.key", fs::perms::owner_read | fs::perms::owner_write);
  return fresh;
}

TEST(Backup, UnderConcurrentWritesIsConsistentAndHasEveryCommittedTicket) {
  fs::path dir = TempDir();
  auto app = OpenApp(dir / "data", true);
  ASSERT_TRUE(app);
  Seeded s = Seed(*app);

  std::mutex mu;
  std::vector<int64_t> committed;  // ids whose Create returned success, in completion order
  std::atomic<bool> stop{false};
  std::atomic<int> counter{0}, failures{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&] {
      while (!stop.load()) {
        auto t = app->review().Create(s.editor,
                                      *ContentFromRequest(Body(s.channel, counter.fetch_add(1))));
        if (!t.ok()) {
          failures.fetch_add(1);
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        committed.push_back((*t)["id"]);
      }
    });
  }
  auto committed_count = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return committed.size();
  };
  while (committed_count() < 40) std::this_thread::yield();

  std::vector<int64_t> before;
  {
    std::lock_guard<std::mutex> lock(mu);
    before = committed;  // every creation that returned before the backup started
  }
  fs::path backup = dir / "backup.db";
  Status st = app->store().Backup(backup);
  ASSERT_TRUE(st.ok()) << st.ToString();
  size_t during = committed_count();
  while (committed_count() < during + 20) std::this_thread::yield();  // load continues after
  stop = true;
  for (auto& t : writers) t.join();
  EXPECT_EQ(failures.load(), 0);

  // The copy opens on its own, its audit chain verifies, and nothing committed is missing.
  auto key = LoadMasterKey(dir / "data", "");
  ASSERT_TRUE(key.ok());
  FakeClock clock(0);
  auto copy = Store::Open(backup, HmacSha256Raw(*key, "audit-chain"), clock);
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  AuditVerdict v = (*copy)->VerifyAudit();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_GT(v.rows, static_cast<int64_t>(before.size()));
  std::set<int64_t> present;
  ASSERT_TRUE((*copy)
                  ->Read([&](Tx& tx) -> Status {
                    for (int64_t id : before) {
                      GD_ASSIGN_OR_RETURN(auto t, ticket_repo::GetTicket(tx, id));
                      GD_ASSIGN_OR_RETURN(auto ver, ticket_repo::GetVersion(tx, id, 1));
                      if (t && ver) present.insert(id);
                    }
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(present.size(), before.size());
  app->Stop();
}

TEST(Backup, RestoreProcedureFromTheDocs) {
  fs::path dir = TempDir();
  fs::path data = dir / "data";
  std::vector<int64_t> ids;
  fs::path backup = dir / "dispatcher-backup.db";
  {
    auto app = OpenApp(data, true);
    ASSERT_TRUE(app);
    Seeded s = Seed(*app);
    for (int i = 0; i < 5; ++i) {
      auto t = app->review().Create(s.editor, *ContentFromRequest(Body(s.channel, i)));
      ASSERT_TRUE(t.ok());
      ids.push_back((*t)["id"]);
    }
    // Step 1 of the docs: `dispatcher backup --out FILE` while the server runs.
    ASSERT_TRUE(app->store().Backup(backup).ok());
    // Step 2: stop the server.
    app->Stop();
  }
  // Steps 3-4: a fresh data directory with the backup as dispatcher.db and the same key.
  fs::path fresh = Restore(backup, data);
  // Step 5: start, and `dispatcher audit verify`.
  auto app = OpenApp(fresh, true);
  ASSERT_TRUE(app);
  AuditVerdict v = app->store().VerifyAudit();
  EXPECT_TRUE(v.ok) << v.problem;
  // Step 6: the tickets are there, and the restored server signs people in.
  AuthContext editor;
  ASSERT_TRUE(app->store()
                  .Read([&](Tx& tx) -> Status {
                    editor.user = **user_repo::GetUserByName(tx, "ed");
                    return Status::Ok();
                  })
                  .ok());
  for (int64_t id : ids) {
    auto t = app->review().Get(editor, id);
    ASSERT_TRUE(t.ok()) << id << ": " << t.status().ToString();
    EXPECT_EQ((*t)["state"], "draft");
  }
  auto login = app->accounts().Login("ed", kPassword, "127.0.0.1");
  EXPECT_TRUE(login.ok()) << login.status().ToString();

  // Without the key the restored database cannot be verified: the key is part of the backup.
  fs::path keyless = TempDir() / "data";
  fs::create_directories(keyless);
  fs::copy_file(backup, keyless / "dispatcher.db");
  auto wrong = OpenApp(keyless, false);
  ASSERT_TRUE(wrong);
  EXPECT_FALSE(wrong->store().VerifyAudit().ok);
}

}  // namespace
}  // namespace gd::testing
