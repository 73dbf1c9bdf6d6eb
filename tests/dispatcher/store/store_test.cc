// Store::Write under concurrency: group commit keeps each write's all-or-nothing result, the
// audit chain's order, and commits several queued writes together.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>
#include <vector>

#include "dispatcher/model/audit.h"
#include "dispatcher/model/ticket.h"
#include "dispatcher/model/user.h"
#include "dispatcher/store/audit_repo.h"
#include "dispatcher/store/db.h"
#include "dispatcher/store/ticket_repo.h"
#include "dispatcher/store/user_repo.h"

namespace gd {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class StoreWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gd_store_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = Store::Open(dir_ / "t.db", "audit-key", clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // Inserts a unit and its audit row in one write.
  Status AddUnit(const std::string& name) {
    return store_->Write([&](Tx& tx) -> Status {
      GD_ASSIGN_OR_RETURN(int64_t id, user_repo::InsertUnit(tx, {0, name, "department", 0}));
      return audit_repo::Audit(tx, 1, "unit.create", "unit", id, {{"name", name}});
    });
  }
  std::vector<std::string> UnitNames() {
    std::vector<std::string> out;
    EXPECT_TRUE(store_
                    ->Read([&](Tx& tx) -> Status {
                      GD_ASSIGN_OR_RETURN(auto units, user_repo::ListUnits(tx));
                      for (const auto& u : units) out.push_back(u.name);
                      return Status::Ok();
                    })
                    .ok());
    return out;
  }

  // Runs `first` as a write that holds the connection until `others` have all started (and,
  // given the pause, queued for the connection), so they share its transaction.
  void Queued(const std::function<Status(Tx&)>& first, std::vector<std::function<void()>> others) {
    // The first write outlasts the default batch age by far; the batch must stay open for
    // the queued writers however slowly a loaded machine lets them run.
    store_->set_max_batch_age(std::chrono::seconds(60));
    std::atomic<bool> in_first{false};
    std::thread holder([&] {
      Status st = store_->Write([&](Tx& tx) -> Status {
        in_first = true;
        std::this_thread::sleep_for(1000ms);  // the others block on the connection meanwhile
        return first(tx);
      });
      EXPECT_TRUE(st.ok()) << st.ToString();
    });
    while (!in_first) std::this_thread::yield();
    std::vector<std::thread> threads;
    for (auto& f : others) threads.emplace_back(f);
    holder.join();
    for (auto& t : threads) t.join();
  }

  FakeClock clock_{1'800'000'000'000};
  fs::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreWriteTest, QueuedWritesShareOneCommit) {
  const auto before = store_->write_stats();
  std::vector<std::function<void()>> others;
  for (int i = 0; i < 3; ++i)
    others.push_back([this, i] { EXPECT_TRUE(AddUnit("queued" + std::to_string(i)).ok()); });
  Queued(
      [](Tx& tx) -> Status {
        GD_ASSIGN_OR_RETURN(int64_t id, user_repo::InsertUnit(tx, {0, "first", "department", 0}));
        return audit_repo::Audit(tx, 1, "unit.create", "unit", id, Json::object());
      },
      std::move(others));
  const auto after = store_->write_stats();
  EXPECT_EQ(after.writes - before.writes, 4);
  EXPECT_LT(after.commits - before.commits, 4);  // at least two of them shared a commit
  EXPECT_EQ(UnitNames().size(), 4u);
  AuditVerdict v = store_->VerifyAudit();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.rows, 4);
}

TEST_F(StoreWriteTest, FailedWriteInASharedTransactionLeavesNothingAndOthersCommit) {
  std::vector<std::function<void()>> others;
  others.push_back([this] {
    Status st = store_->Write([](Tx& tx) -> Status {
      GD_RETURN_IF_ERROR(user_repo::InsertUnit(tx, {0, "refused", "department", 0}).status());
      GD_RETURN_IF_ERROR(audit_repo::Audit(tx, 1, "unit.create", "unit", 99, Json::object()));
      return InvalidArgument("refused on purpose");
    });
    EXPECT_EQ(st.code(), Code::kInvalidArgument);
  });
  others.push_back([this] {
    EXPECT_THROW(store_->Write([](Tx& tx) -> Status {
      (void)user_repo::InsertUnit(tx, {0, "thrown", "department", 0});
      throw std::runtime_error("boom");
    }),
                 std::runtime_error);
  });
  others.push_back([this] { EXPECT_TRUE(AddUnit("kept").ok()); });
  Queued(
      [](Tx& tx) -> Status {
        return user_repo::InsertUnit(tx, {0, "first", "department", 0}).status();
      },
      std::move(others));
  auto names = UnitNames();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"first", "kept"}));
  AuditVerdict v = store_->VerifyAudit();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.rows, 1);  // only the kept write's audit row
}

TEST_F(StoreWriteTest, ConcurrentWritersKeepEveryWriteAndTheAuditChain) {
  constexpr int kThreads = 8, kEach = 100;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i)
        if (!AddUnit("u" + std::to_string(t) + "-" + std::to_string(i)).ok()) ++failures;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(UnitNames().size(), static_cast<size_t>(kThreads * kEach));
  AuditVerdict v = store_->VerifyAudit();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.rows, kThreads * kEach);
  const auto stats = store_->write_stats();
  EXPECT_EQ(stats.writes, kThreads * kEach);
  EXPECT_LE(stats.commits, stats.writes);
}

TEST_F(StoreWriteTest, TicketIdsAreReservedOnceAndStayAboveExplicitOnes) {
  const int64_t a = store_->ReserveTicketId();
  const int64_t b = store_->ReserveTicketId();
  EXPECT_LT(a, b);
  int64_t inserted = 0;
  ASSERT_TRUE(
      store_
          ->Write([&](Tx& tx) -> Status {
            GD_ASSIGN_OR_RETURN(int64_t unit, user_repo::InsertUnit(tx, {0, "u", "department", 0}));
            User u;
            u.username = "editor";
            u.name = "editor";
            u.unit_id = unit;
            u.password_hash = "x";
            GD_ASSIGN_OR_RETURN(int64_t user, user_repo::InsertUser(tx, u));
            Ticket t;
            t.unit_id = unit;
            t.author_id = user;
            t.version = 1;
            t.content_hash = "h";
            t.id = b + 10;  // explicit
            GD_RETURN_IF_ERROR(ticket_repo::InsertTicket(tx, t).status());
            t.id = 0;  // takes a reserved one
            GD_ASSIGN_OR_RETURN(inserted, ticket_repo::InsertTicket(tx, t));
            return Status::Ok();
          })
          .ok());
  EXPECT_GT(inserted, b + 10);
  EXPECT_GT(store_->ReserveTicketId(), inserted);
}

TEST_F(StoreWriteTest, CheckpointCopiesTheWalBackAndRestartStartsItOver) {
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(AddUnit("unit " + std::to_string(i)).ok());
  // A checkpoint sees the WAL (a fresh connection used to answer -1: not in WAL mode yet).
  auto pages = store_->Checkpoint();
  ASSERT_TRUE(pages.ok()) << pages.status().ToString();
  EXPECT_GE(*pages, 50);
  auto again = store_->Checkpoint(/*restart=*/true);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_GE(*again, *pages);
  // The next write starts the WAL from its beginning instead of appending to it.
  ASSERT_TRUE(AddUnit("after the restart").ok());
  auto after = store_->Checkpoint();
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_LT(*after, 10);
  EXPECT_EQ(UnitNames().size(), 51u);
}

}  // namespace
}  // namespace gd
