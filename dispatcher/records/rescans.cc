// The records service's rescans (art. 16): what was published is checked again when the check
// dictionaries change, new findings are listed per unit, and a correction ticket can be opened
// from one. The rest of the service is records_service.cc.
#include <set>

#include "dispatcher/core/log.h"
#include "dispatcher/model/content_codec.h"
#include "dispatcher/records/records_internal.h"
#include "dispatcher/records/records_service.h"
#include "dispatcher/store/audit_repo.h"
#include "dispatcher/store/records_repo.h"
#include "dispatcher/store/ticket_repo.h"
#include "dispatcher/store/user_repo.h"

namespace gd {
namespace {

using records_internal::Iso;
using records_internal::SeesEveryUnit;
using records_internal::TimeOrNull;

bool NewSince(const Json& finding, const std::set<std::string>& before) {
  const std::string sev = finding.value("severity", "");
  if (sev != "block" && sev != "warn") return false;
  return !before.count(finding.value("id", ""));
}

}  // namespace

StatusOr<Json> RecordsService::Rescan(int64_t actor_id, const std::string& cause) {
  struct Item {
    PublishedTicket t;
    Content content;
    std::set<std::string> before;  // finding ids seen at submission or publication
  };
  std::vector<Item> work;
  std::string previous;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto prev, tx.GetMeta(kRescanVersionKey));
    previous = prev.value_or("");
    GD_ASSIGN_OR_RETURN(auto published, records_repo::ListPublishedTickets(tx));
    for (const auto& p : published) {
      GD_ASSIGN_OR_RETURN(auto ver, ticket_repo::GetVersion(tx, p.ticket_id, p.version));
      if (!ver) continue;
      Item it{p, ver->content, {}};
      GD_ASSIGN_OR_RETURN(auto runs, ticket_repo::ListCheckRuns(tx, p.ticket_id));
      for (const auto& r : runs) {
        if (r.version != p.version || r.stage == "rescan") continue;
        for (const auto& f : r.findings) it.before.insert(f.value("id", ""));
      }
      work.push_back(std::move(it));
    }
    return Status::Ok();
  }));
  // The checks run outside the store lock: they are pure and may take a while.
  const std::string version = checker_.version();
  std::vector<std::pair<const Item*, Json>> flagged;  // item, all findings
  std::vector<Json> fresh;                            // the new findings, parallel to flagged
  for (const auto& it : work) {
    const Content& c = it.content;
    Json findings = checker_.Run({c.category, c.title, c.summary, c.body, c.source});
    Json now_firing = Json::array();
    for (const auto& f : findings)
      if (NewSince(f, it.before)) now_firing.push_back(f);
    if (!now_firing.empty()) {
      flagged.push_back({&it, findings});
      fresh.push_back(std::move(now_firing));
    }
  }
  RescanRun run;
  run.actor_id = actor_id;
  run.trigger = cause;
  run.checker_version = version;
  run.previous_version = previous;
  run.scanned = static_cast<int64_t>(work.size());
  run.flagged = static_cast<int64_t>(flagged.size());
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    run.at = tx.now();
    GD_ASSIGN_OR_RETURN(run.id, records_repo::InsertRescanRun(tx, run));
    for (size_t i = 0; i < flagged.size(); ++i) {
      const Item& it = *flagged[i].first;
      GD_RETURN_IF_ERROR(records_repo::InsertRescanFlag(
                             tx, {0, run.id, it.t.ticket_id, it.t.unit_id, it.t.version, fresh[i]})
                             .status());
      GD_RETURN_IF_ERROR(ticket_repo::InsertCheckRun(
          tx, {0, it.t.ticket_id, it.t.version, "rescan", flagged[i].second, tx.now()}));
    }
    GD_RETURN_IF_ERROR(tx.PutMeta(kRescanVersionKey, version));
    return audit_repo::Audit(tx, actor_id, "rescan.run", "rescan", run.id,
                             {{"cause", cause},
                              {"checker_version", version},
                              {"previous_version", previous},
                              {"scanned", run.scanned},
                              {"flagged", run.flagged}});
  }));
  log::Info("rescan {} ({}): {} published pieces, {} flagged, dictionary {}", run.id, cause,
            run.scanned, run.flagged, version.substr(0, 12));
  return Json{{"id", run.id},
              {"at", Iso(run.at)},
              {"cause", cause},
              {"checker_version", version},
              {"previous_version", previous},
              {"scanned", run.scanned},
              {"flagged", run.flagged}};
}

StatusOr<bool> RecordsService::RescanIfVersionChanged() {
  std::optional<std::string> last;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(last, tx.GetMeta(kRescanVersionKey));
    return Status::Ok();
  }));
  if (last && *last == checker_.version()) return false;
  GD_RETURN_IF_ERROR(Rescan(0, "startup").status());
  return true;
}

StatusOr<Json> RecordsService::Rescans(const AuthContext& who, std::optional<int64_t> unit_id) {
  if (!SeesEveryUnit(who)) {
    if (unit_id && *unit_id != who.user.unit_id)
      return PermissionDenied("只能查看本单位的复查结果");
    unit_id = who.user.unit_id;
  }
  Json out = {{"checker_version", checker_.version()}, {"run", nullptr}, {"items", Json::array()}};
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto run, records_repo::LatestRescanRun(tx));
    if (!run) return Status::Ok();
    out["run"] = {{"id", run->id},
                  {"at", Iso(run->at)},
                  {"cause", run->trigger},
                  {"checker_version", run->checker_version},
                  {"previous_version", run->previous_version},
                  {"scanned", run->scanned},
                  {"flagged", run->flagged}};
    out["stale"] = run->checker_version != checker_.version();
    GD_ASSIGN_OR_RETURN(auto flags, records_repo::ListRescanFlags(tx, run->id, unit_id));
    std::map<int64_t, std::string> unit_names;
    GD_ASSIGN_OR_RETURN(auto units, user_repo::ListUnits(tx));
    for (const auto& u : units) unit_names[u.id] = u.name;
    for (const auto& f : flags) {
      GD_ASSIGN_OR_RETURN(auto t, ticket_repo::GetTicket(tx, f.ticket_id));
      GD_ASSIGN_OR_RETURN(auto ver, ticket_repo::GetVersion(tx, f.ticket_id, f.version));
      if (!t || !ver) continue;
      out["items"].push_back({{"ticket_id", f.ticket_id},
                              {"unit_id", f.unit_id},
                              {"unit_name", unit_names[f.unit_id]},
                              {"title", ver->content.title},
                              {"category", std::string(CategoryKey(ver->content.category))},
                              {"category_label", std::string(CategoryLabel(ver->content.category))},
                              {"column", ver->content.column},
                              {"version", f.version},
                              {"state", std::string(TicketStateKey(t->state))},
                              {"published_at", TimeOrNull(t->published_at)},
                              {"findings", f.findings},
                              {"finding_count", f.findings.size()},
                              {"correction_ticket_id",
                               f.correction_ticket_id ? Json(f.correction_ticket_id) : Json()}});
    }
    return Status::Ok();
  }));
  out["total"] = out["items"].size();
  return out;
}

StatusOr<Json> RecordsService::OpenCorrection(const AuthContext& who, int64_t ticket_id) {
  if (!who.user.Has(Role::kEditor)) return PermissionDenied("只有信息员可以起草更正工单");
  Content draft;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto t, ticket_repo::GetTicket(tx, ticket_id));
    if (!t) return NotFound("工单不存在");
    if (t->unit_id != who.user.unit_id) return PermissionDenied("只能更正本单位发布的信息");
    GD_ASSIGN_OR_RETURN(auto flag, records_repo::LatestFlagOf(tx, ticket_id));
    if (!flag) return NotFound("该稿件不在复查发现的问题清单中");
    GD_ASSIGN_OR_RETURN(int64_t existing, records_repo::CorrectionOf(tx, ticket_id));
    if (existing)
      return FailedPrecondition("该稿件已有更正工单 #" + std::to_string(existing), "conflict",
                                {{"correction_ticket_id", existing}});
    GD_ASSIGN_OR_RETURN(auto ver, ticket_repo::GetVersion(tx, ticket_id, flag->version));
    if (!ver) return Internal("工单版本缺失");
    const Content& c = ver->content;
    // The published piece as an unresolved request (ids and options only), titled as a
    // correction; the review service resolves it like any new ticket.
    draft.category = c.category;
    draft.title = "【更正】" + c.title;
    draft.summary = c.summary;
    draft.body = c.body;
    draft.source = c.source;
    draft.column = c.column;
    for (const auto& m : c.media) {
      MediaRef ref;
      ref.media_id = m.media_id;
      ref.role = m.role;
      draft.media.push_back(std::move(ref));
    }
    for (const auto& ch : c.channels) draft.channels.push_back({ch.account_id, "", ch.options});
    return Status::Ok();
  }));
  GD_ASSIGN_OR_RETURN(Json created, review_.Create(who, draft));
  const int64_t correction_id = created.value("id", int64_t{0});
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    GD_RETURN_IF_ERROR(records_repo::InsertCorrection(tx, ticket_id, correction_id, who.user.id));
    return audit_repo::Audit(tx, who.user.id, "rescan.correction", "ticket", ticket_id,
                             {{"correction_ticket_id", correction_id}});
  }));
  created["corrects_ticket_id"] = ticket_id;
  return created;
}

}  // namespace gd
