// The review service's read side: a ticket as the console shows it (its chain of steps, the
// names beside ids, the history), lists and previews. The write side is review_service.cc.
#include <algorithm>
#include <map>
#include <string>

#include "dispatcher/core/time_util.h"
#include "dispatcher/model/content_codec.h"
#include "dispatcher/review/review_service.h"
#include "dispatcher/store/audit_repo.h"
#include "dispatcher/store/channel_repo.h"
#include "dispatcher/store/dispatch_repo.h"
#include "dispatcher/store/ticket_repo.h"
#include "dispatcher/store/user_repo.h"

namespace gd {
namespace {

std::string Iso(TimeMs t) { return FormatRfc3339(t); }

// The display name of a user id, for the *_name fields beside ids a person reads ("" for 0 —
// the system — or an unknown id). Looks each id up once per answer.
class UserNames {
 public:
  explicit UserNames(Tx& tx) : tx_(tx) {}
  const std::string& operator()(int64_t id) {
    auto it = names_.find(id);
    if (it != names_.end()) return it->second;
    std::string name;
    if (id != 0) {
      auto u = user_repo::GetUser(tx_, id);
      if (u.ok() && u->has_value()) name = (*u)->name;
    }
    return names_.emplace(id, std::move(name)).first->second;
  }

 private:
  Tx& tx_;
  std::map<int64_t, std::string> names_;
};

// Sets `field` to the user's name when there is one.
void PutName(Json& j, const char* field, UserNames& names, int64_t id) {
  const std::string& name = names(id);
  if (!name.empty()) j[field] = name;
}

void PutName(Json& j, const char* field, const std::map<int64_t, std::string>& names, int64_t id) {
  auto it = names.find(id);
  if (it != names.end() && !it->second.empty()) j[field] = it->second;
}

// Adds the display name of `id` to `names` (nothing for 0, the system; "" if unknown).
void AddName(Tx& tx, std::map<int64_t, std::string>& names, int64_t id) {
  if (id == 0 || names.count(id)) return;
  auto name = user_repo::GetUserDisplayName(tx, id);
  names.emplace(id, name.ok() ? *name : "");
}

// A decision of the ticket's current version and round (the ones its chain shows).
bool Shown(const Ticket& t, const Decision& d) {
  return t.round != 0 && d.version == t.version && d.round == t.round;
}

}  // namespace

StatusOr<ChainView> ReviewService::ReadChain(Tx& tx, const Ticket& t) const {
  GD_ASSIGN_OR_RETURN(auto ver, Version(tx, t.id, t.version, false));
  GD_ASSIGN_OR_RETURN(auto all, ticket_repo::ListDecisions(tx, t.id));
  std::map<int64_t, std::string> names;
  for (const auto& d : all)
    if (Shown(t, d)) AddName(tx, names, d.user_id);
  return BuildChain(t, ver->content.out_of_scope, all, &names);
}

ChainView ReviewService::BuildChain(const Ticket& t, bool out_of_scope,
                                    const std::vector<Decision>& all,
                                    const std::map<int64_t, std::string>* names, bool full) const {
  ChainView v;
  v.steps = policy_.ChainFor(t.category, out_of_scope);
  std::vector<const Decision*> by_step(v.steps.size(), nullptr);
  std::vector<bool> valid(v.steps.size(), false);  // the signature of by_step[i] verifies
  for (const auto& d : all) {
    if (d.version != t.version || d.round != t.round || t.round == 0) continue;
    if (d.step < 0 || static_cast<size_t>(d.step) >= v.steps.size()) continue;
    if (full) {
      valid[d.step] = ConstantTimeEqual(SignDecision(d), d.signature);
      if (!valid[d.step]) v.signatures_valid = false;
    }
    by_step[d.step] = &d;
  }
  bool all_approved = true;
  for (size_t i = 0; i < v.steps.size(); ++i) {
    const Decision* d = by_step[i];
    if (d) {
      v.decisions.push_back(*d);
      if (d->decision != "approve") all_approved = false;
    } else {
      all_approved = false;
    }
    if (!full) continue;
    Json s = {
        {"index", i}, {"role", std::string(RoleKey(v.steps[i].role))}, {"label", v.steps[i].label}};
    if (d) {
      s["state"] = d->decision == "approve" ? "approved" : "rejected";
      s["decided_by"] = d->user_id;
      if (names) PutName(s, "decided_by_name", *names, d->user_id);
      s["decided_at"] = Iso(d->decided_at);
      s["comment"] = d->comment;
      s["signature_valid"] = static_cast<bool>(valid[i]);
    } else {
      bool current = t.state == TicketState::kInReview && t.current_step &&
                     static_cast<size_t>(*t.current_step) == i;
      s["state"] = current ? "pending" : "waiting";
    }
    v.steps_json.push_back(std::move(s));
  }
  v.current_step = t.state == TicketState::kInReview ? t.current_step : std::nullopt;
  v.complete = all_approved && t.round > 0;
  return v;
}

StatusOr<TicketData> ReviewService::LoadTicketData(
    Tx& tx, const Ticket& t, std::shared_ptr<const VersionInfo> version) const {
  TicketData d;
  d.ticket = t;
  if (!version || version->ticket_id != t.id || version->version != t.version) {
    GD_ASSIGN_OR_RETURN(version, Version(tx, t.id, t.version, false));
  }
  d.version = std::move(version);
  GD_ASSIGN_OR_RETURN(d.decisions, ticket_repo::ListDecisions(tx, t.id));
  for (const auto& ch : d.version->content.channels) {
    auto acct = channel_repo::GetChannel(tx, ch.account_id);
    d.names.push_back(acct.ok() && acct->has_value() ? std::optional<std::string>((*acct)->name)
                                                     : std::nullopt);
  }
  GD_ASSIGN_OR_RETURN(d.dispatches, dispatch_repo::ForTicket(tx, t.id));
  GD_ASSIGN_OR_RETURN(d.withdrawals, dispatch_repo::WithdrawalsForTicket(tx, t.id));
  for (const auto& x : d.decisions)
    if (Shown(t, x)) AddName(tx, d.user_names, x.user_id);
  for (const auto& w : d.withdrawals) {
    AddName(tx, d.user_names, w.requested_by);
    AddName(tx, d.user_names, w.decided_by);
  }
  AddName(tx, d.user_names, t.author_id);
  auto unit = user_repo::GetUnit(tx, t.unit_id);
  if (unit.ok() && unit->has_value()) d.unit_name = (*unit)->name;
  return d;
}

Json ReviewService::TicketDataJson(const TicketData& d) const {
  const Ticket& t = d.ticket;
  const Content& c = d.version->content;
  ChainView chain = BuildChain(t, c.out_of_scope, d.decisions, &d.user_names);
  Json j = ContentToJson(c);
  Json channels = Json::array();
  for (size_t i = 0; i < c.channels.size(); ++i) {
    const auto& ch = c.channels[i];
    Json cj = {{"account_id", ch.account_id}, {"kind", ch.kind}, {"options", ch.options}};
    if (i < d.names.size() && d.names[i]) cj["name"] = *d.names[i];
    channels.push_back(std::move(cj));
  }
  j["channels"] = channels;
  j["id"] = t.id;
  j["unit_id"] = t.unit_id;
  j["author_id"] = t.author_id;
  j["state"] = std::string(TicketStateKey(t.state));
  j["state_label"] = std::string(TicketStateLabel(t.state));
  j["category_label"] = std::string(CategoryLabel(t.category));
  j["version"] = t.version;
  j["content_hash"] = t.content_hash;
  j["steps"] = std::move(chain.steps_json);
  j["current_step"] = chain.current_step ? Json(*chain.current_step) : Json();
  j["chain_complete"] = chain.complete;
  j["signatures_valid"] = chain.signatures_valid;
  j["created_at"] = Iso(t.created_at);
  j["updated_at"] = Iso(t.updated_at);
  j["submitted_at"] = t.submitted_at ? Json(Iso(t.submitted_at)) : Json();
  j["published_at"] = t.published_at ? Json(Iso(t.published_at)) : Json();
  Json dj = Json::array();
  for (const auto& x : d.dispatches) {
    if (x.version != t.version) continue;
    std::string name;
    for (const auto& ch : channels)
      if (ch.value("account_id", int64_t{0}) == x.account_id) name = ch.value("name", "");
    dj.push_back({{"account_id", x.account_id},
                  {"name", name},
                  {"kind", x.kind},
                  {"state", x.state},
                  {"attempts", x.attempts},
                  {"remote_id", x.remote_id.empty() ? Json() : Json(x.remote_id)},
                  {"remote_url", x.remote_url.empty() ? Json() : Json(x.remote_url)},
                  {"last_error", x.last_error.empty() ? Json() : Json(x.last_error)},
                  {"error_reason", x.error_reason.empty() ? Json() : Json(x.error_reason)}});
  }
  j["dispatches"] = std::move(dj);
  Json wj = Json::array();
  for (const auto& w : d.withdrawals) {
    Json one = {{"id", w.id},
                {"state", w.state},
                {"reason", w.reason},
                {"requested_by", w.requested_by},
                {"account_ids", w.account_ids},
                {"comment", w.comment},
                {"created_at", Iso(w.created_at)},
                {"decided_at", w.decided_at ? Json(Iso(w.decided_at)) : Json()}};
    PutName(one, "requested_by_name", d.user_names, w.requested_by);
    if (w.decided_by != 0) {
      one["decided_by"] = w.decided_by;
      PutName(one, "decided_by_name", d.user_names, w.decided_by);
    }
    wj.push_back(std::move(one));
  }
  j["withdrawals"] = std::move(wj);
  PutName(j, "author_name", d.user_names, t.author_id);
  if (d.unit_name) j["unit_name"] = *d.unit_name;
  return j;
}

StatusOr<Json> ReviewService::TicketJson(Tx& tx, const Ticket& t) const {
  GD_ASSIGN_OR_RETURN(TicketData d, LoadTicketData(tx, t));
  return TicketDataJson(d);
}

StatusOr<Json> ReviewService::Get(const AuthContext& who, int64_t id) {
  Json out;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(Ticket t, Load(tx, who, id));
    GD_ASSIGN_OR_RETURN(out, TicketJson(tx, t));
    return Status::Ok();
  }));
  return out;
}

StatusOr<Json> ReviewService::List(const AuthContext& who, const TicketQuery& q) {
  TicketFilter f;
  f.state = q.state;
  f.category = q.category;
  f.unit_id = q.unit_id;
  f.page = std::max(1, q.page);
  f.per_page = std::clamp(q.per_page, 1, 200);
  if (!who.user.CityWide()) f.visible_unit = who.user.unit_id;
  if (q.mine) f.author_id = who.user.id;
  if (q.awaiting_me) {
    std::vector<std::string> roles;
    for (Role r : who.user.roles) roles.push_back(std::string(RoleKey(r)));
    f.awaiting_roles = roles;
    f.awaiting_user = who.user.id;
    // Unit reviewers and leaders see their own unit; the office sees every unit's office steps.
    if (!who.user.Has(Role::kOffice)) f.visible_unit = who.user.unit_id;
  }
  Json items = Json::array();
  int64_t total = 0;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto tickets, ticket_repo::ListTickets(tx, f, &total));
    for (const auto& t : tickets) {
      GD_ASSIGN_OR_RETURN(Json j, TicketJson(tx, t));
      j.erase("body");
      items.push_back(std::move(j));
    }
    return Status::Ok();
  }));
  return Json{{"items", items}, {"total", total}};
}

StatusOr<Json> ReviewService::Previews(const AuthContext& who, int64_t id) {
  Json out;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(Ticket t, Load(tx, who, id));
    GD_ASSIGN_OR_RETURN(auto ver, ticket_repo::GetVersion(tx, t.id, t.version));
    out = {{"channels", ver->renderings}, {"content_hash", t.content_hash}, {"version", t.version}};
    return Status::Ok();
  }));
  return out;
}

StatusOr<Json> ReviewService::History(const AuthContext& who, int64_t id) {
  Json events = Json::array();
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(Ticket t, Load(tx, who, id));
    GD_ASSIGN_OR_RETURN(auto versions, ticket_repo::ListVersions(tx, t.id));
    GD_ASSIGN_OR_RETURN(auto decisions, ticket_repo::ListDecisions(tx, t.id));
    GD_ASSIGN_OR_RETURN(auto runs, ticket_repo::ListCheckRuns(tx, t.id));
    int64_t total = 0;
    GD_ASSIGN_OR_RETURN(auto audit, audit_repo::ListAudit(tx, t.id, std::nullopt, std::nullopt,
                                                          std::nullopt, 1, 1000, &total));
    std::vector<std::pair<std::pair<TimeMs, int>, Json>> all;
    int seq = 0;
    UserNames names(tx);
    for (const auto& v : versions) {
      Json c = ContentToJson(v.content);
      all.push_back({{v.created_at, seq++},
                     {{"type", "version"},
                      {"at", Iso(v.created_at)},
                      {"version", v.version},
                      {"content_hash", v.content_hash},
                      {"by", v.created_by},
                      {"content", c}}});
    }
    for (const auto& d : decisions) {
      all.push_back({{d.decided_at, seq++},
                     {{"type", "decision"},
                      {"at", Iso(d.decided_at)},
                      {"version", d.version},
                      {"round", d.round},
                      {"step", d.step},
                      {"role", d.role},
                      {"by", d.user_id},
                      {"decision", d.decision},
                      {"comment", d.comment},
                      {"checklist", d.checklist},
                      {"acknowledged_warnings", d.acknowledged},
                      {"content_hash", d.content_hash},
                      {"void", d.version != t.version || d.round != t.round},
                      {"signature_valid", ConstantTimeEqual(SignDecision(d), d.signature)}}});
    }
    for (const auto& r : runs)
      all.push_back({{r.created_at, seq++},
                     {{"type", "check_run"},
                      {"at", Iso(r.created_at)},
                      {"version", r.version},
                      {"stage", r.stage},
                      {"findings", r.findings}}});
    for (auto it = audit.rbegin(); it != audit.rend(); ++it) {
      const auto& a = *it;
      if (a.action == "ticket.create" || a.action == "ticket.edit" || a.action == "ticket.decision")
        continue;  // already shown as versions and decisions
      all.push_back({{a.at, seq++},
                     {{"type", "event"},
                      {"at", Iso(a.at)},
                      {"action", a.action},
                      {"by", a.actor_id},
                      {"detail", a.detail}}});
    }
    std::stable_sort(all.begin(), all.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [k, e] : all) {
      if (e.contains("by")) PutName(e, "by_name", names, e["by"].get<int64_t>());
      events.push_back(std::move(e));
    }
    return Status::Ok();
  }));
  return Json{{"items", events}};
}

}  // namespace gd
