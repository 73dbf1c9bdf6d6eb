#include "dispatcher/store/audit_repo.h"

#include "dispatcher/core/crypto.h"
#include "dispatcher/core/log.h"
#include "dispatcher/store/sql.h"
#include "dispatcher/store/tables.h"

namespace gd::audit_repo {
namespace {

using tables::kAudit;

constexpr const char* kGenesis = "0000000000000000000000000000000000000000000000000000000000000000";

std::string AuditMaterial(const AuditEntry& e) {
  return std::to_string(e.id) + "|" + std::to_string(e.at) + "|" + std::to_string(e.actor_id) +
         "|" + e.action + "|" + e.entity + "|" + std::to_string(e.entity_id) + "|" +
         e.detail.dump() + "|" + e.prev_hash;
}

std::string HeadMac(const HmacSha256Key& key, int64_t id, const std::string& hash) {
  return key.Hex("head|" + std::to_string(id) + "|" + hash);
}

}  // namespace

Status Audit(Tx& tx, int64_t actor_id, const std::string& action, const std::string& entity,
             int64_t entity_id, const Json& detail) {
  const HmacSha256Key& key = TxAccess::AuditKey(tx);
  AuditEntry e;
  e.at = tx.now();
  e.actor_id = actor_id;
  e.action = action;
  e.entity = entity;
  e.entity_id = entity_id;
  e.detail = detail;
  {
    CachedStatement last = tx.Prepare("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1");
    if (last->executeStep()) {
      e.id = last->getColumn("id").getInt64() + 1;
      e.prev_hash = last->getColumn("hash").getString();
    } else {
      e.id = 1;
      e.prev_hash = kGenesis;
    }
  }
  e.hash = key.Hex(AuditMaterial(e));
  sql::InsertRow(tx, kAudit, e);
  Json head = {{"id", e.id}, {"mac", HeadMac(key, e.id, e.hash)}};
  return tx.PutMeta("audit_head", head.dump());
}

StatusOr<std::vector<AuditEntry>> ListAudit(Tx& tx, std::optional<int64_t> ticket_id,
                                            std::optional<int64_t> user_id,
                                            std::optional<TimeMs> from, std::optional<TimeMs> to,
                                            int page, int per_page, int64_t* total) {
  std::string where = " WHERE 1=1";
  if (ticket_id) where += " AND entity='ticket' AND entity_id=" + std::to_string(*ticket_id);
  if (user_id) where += " AND actor_id=" + std::to_string(*user_id);
  if (from) where += " AND at>=" + std::to_string(*from);
  if (to) where += " AND at<" + std::to_string(*to);
  SQLite::Database& db = TxAccess::Db(tx);
  *total = db.execAndGet("SELECT COUNT(*) FROM audit_log" + where).getInt64();
  SQLite::Statement q(db,
                      kAudit.SelectFrom(where + " ORDER BY id DESC LIMIT :limit OFFSET :offset"));
  q.bind(":limit", per_page);
  q.bind(":offset", static_cast<int64_t>(page - 1) * per_page);
  return kAudit.ReadAll(q);
}

AuditVerdict Verify(Tx& tx) {
  const HmacSha256Key& key = TxAccess::AuditKey(tx);
  AuditVerdict v;
  try {
    SQLite::Statement q(TxAccess::Db(tx), kAudit.SelectFrom("ORDER BY id"));
    std::string prev = kGenesis;
    int64_t prev_id = 0;
    while (q.executeStep()) {
      AuditEntry e = kAudit.Read(q);
      ++v.rows;
      auto fail = [&](std::string why) {
        v.ok = false;
        v.broken_id = e.id;
        v.problem = std::move(why);
        return v;
      };
      if (e.id != prev_id + 1)
        return fail("第 " + std::to_string(prev_id + 1) + " 条之后缺少记录（序号不连续）");
      if (e.prev_hash != prev)
        return fail("第 " + std::to_string(e.id) +
                    " 条的前序哈希与上一条不符（记录被删除、插入或改动）");
      if (e.detail.is_discarded()) return fail("第 " + std::to_string(e.id) + " 条内容格式被破坏");
      if (!ConstantTimeEqual(key.Hex(AuditMaterial(e)), e.hash))
        return fail("第 " + std::to_string(e.id) + " 条内容与其哈希不符（记录被改动）");
      prev = e.hash;
      prev_id = e.id;
    }
    // The head kept in meta catches rows removed from the end.
    auto head_text = tx.GetMeta("audit_head");
    if (!head_text.ok()) throw std::runtime_error(head_text.status().ToString());
    if (*head_text) {
      Json head = Json::parse(**head_text);
      if (head.value("id", int64_t{0}) != prev_id ||
          head.value("mac", "") != HeadMac(key, prev_id, prev)) {
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

}  // namespace gd::audit_repo
