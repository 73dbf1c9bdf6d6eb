// The audit log's hash chain finds any altered, inserted or deleted row (art. 15, 16).
#include <gtest/gtest.h>

#include "api_harness.h"
#include "dispatcher/core/crypto.h"
#include "tests/dispatcher/store/sql_test_util.h"

namespace gd::testing {
namespace {

// Each case works on a copy of the live database, so the shared server is untouched.
class AuditTamper : public ::testing::Test {
 protected:
  Harness& h = Harness::Get();
  std::filesystem::path copy;
  std::unique_ptr<Store> store;
  FakeClock clock{0};

  void SetUp() override {
    // Make sure there is a history to tamper with.
    Json t = h.Create("editor_a", h.TicketBody("work_news", {h.portal_a}));
    h.Submit("editor_a", t["id"]);
    copy = h.dir /
           ("audit_copy_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".db");
    ASSERT_TRUE(h.app->store().Backup(copy).ok());
    ASSERT_TRUE(h.app->store().VerifyAudit().ok);
  }
  // Reopens the copy with the server's audit key.
  AuditVerdict Verify() {
    std::string key;
    auto master = LoadMasterKey(h.dir / "data", "");
    key = HmacSha256Raw(*master, "audit-chain");
    auto s = Store::Open(copy, key, clock);
    EXPECT_TRUE(s.ok());
    return (*s)->VerifyAudit();
  }
  void Exec(const std::string& sql) { ExecSql(copy, sql); }
  int64_t Rows() { return std::stoll(QuerySql(copy, "SELECT COUNT(*) FROM audit_log")); }
};

TEST_F(AuditTamper, IntactCopyVerifies) {
  AuditVerdict v = Verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.rows, Rows());
}

TEST_F(AuditTamper, EditedRowIsFound) {
  Exec("UPDATE audit_log SET detail='{\"title\":\"改过\"}' WHERE id=5");
  AuditVerdict v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_id, 5);
}

TEST_F(AuditTamper, EditedActorIsFound) {
  Exec("UPDATE audit_log SET actor_id=actor_id+1 WHERE id=7");
  AuditVerdict v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_id, 7);
}

TEST_F(AuditTamper, DeletedRowIsFound) {
  Exec("DELETE FROM audit_log WHERE id=6");
  AuditVerdict v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_id, 7) << "the row after the gap is where the chain breaks";
}

TEST_F(AuditTamper, DeletedRowRenumberedIsStillFound) {
  // Delete row 6 and shift the later ids down to hide the gap: the chain still breaks at 6.
  Exec("DELETE FROM audit_log WHERE id=6; UPDATE audit_log SET id=id-1 WHERE id>6");
  AuditVerdict v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_id, 6);
}

TEST_F(AuditTamper, DeletedTailIsFound) {
  int64_t last = Rows();
  Exec("DELETE FROM audit_log WHERE id=" + std::to_string(last));
  AuditVerdict v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_id, last);
}

TEST_F(AuditTamper, InsertedRowIsFound) {
  // Insert a forged row between 3 and 4 by moving the later rows up.
  Exec(
      "UPDATE audit_log SET id=id+100000 WHERE id>3; UPDATE audit_log SET id=id-100000+1 WHERE "
      "id>100000;"
      "INSERT INTO audit_log (id, at, actor_id, action, entity, entity_id, detail, prev_hash, "
      "hash) "
      "SELECT 4, at, 1, 'login', 'user', 1, '{}', hash, hash FROM audit_log WHERE id=3");
  AuditVerdict v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_id, 4);
}

TEST_F(AuditTamper, AppendedForgedRowIsFound) {
  int64_t last = Rows();
  Exec(
      "INSERT INTO audit_log (id, at, actor_id, action, entity, entity_id, detail, prev_hash, "
      "hash) "
      "SELECT id+1, at, 1, 'ticket.decision', 'ticket', 1, '{}', hash, hash FROM audit_log WHERE "
      "id=" +
      std::to_string(last));
  AuditVerdict v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_id, last + 1);
}

TEST(AuditVerifyApi, ReportsOkWithRowCount) {
  Harness& h = Harness::Get();
  Resp r = h.Call("GET", "/api/audit/verify", h.Token("auditor"));
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.json["ok"].get<bool>());
  EXPECT_GT(r.json["rows"].get<int64_t>(), 10);
  Resp list = h.Call("GET", "/api/audit?per_page=5", h.Token("office"));
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json["items"].size(), 5u);
  EXPECT_EQ(h.Call("GET", "/api/audit", h.Token("editor_a")).status, 403);
}

}  // namespace
}  // namespace gd::testing
