#include "dispatcher/records/records_service.h"

#include <algorithm>
#include <map>
#include <set>

#include "dispatcher/core/crypto.h"
#include "dispatcher/core/log.h"
#include "dispatcher/core/time_util.h"
#include "dispatcher/model/content_codec.h"
#include "dispatcher/records/records_internal.h"
#include "dispatcher/store/audit_repo.h"
#include "dispatcher/store/channel_repo.h"
#include "dispatcher/store/records_repo.h"
#include "dispatcher/store/ticket_repo.h"
#include "dispatcher/store/user_repo.h"

namespace gd {

// ---- Month ----

std::string Month::Key() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", year, month);
  return buf;
}
std::string Month::Label() const {
  return std::to_string(year) + "年" + std::to_string(month) + "月";
}
TimeMs Month::Start() const { return CstMidnight({year, month, 1}); }
TimeMs Month::End() const { return Next().Start(); }
Month Month::Next() const { return month == 12 ? Month{year + 1, 1} : Month{year, month + 1}; }
Month Month::Previous() const { return month == 1 ? Month{year - 1, 12} : Month{year, month - 1}; }

StatusOr<Month> ParseMonth(const std::string& text, const std::string& field) {
  auto bad = [&] {
    return InvalidArgument(field + " 应为 YYYY-MM 格式的月份，如 2026-10", "invalid",
                           {{"fields", {{field, "格式应为 YYYY-MM"}}}});
  };
  if (text.size() != 7 || text[4] != '-') return bad();
  for (size_t i : {0, 1, 2, 3, 5, 6})
    if (text[i] < '0' || text[i] > '9') return bad();
  Month m{std::stoi(text.substr(0, 4)), std::stoi(text.substr(5, 2))};
  if (m.month < 1 || m.month > 12 || m.year < 2000 || m.year > 2200) return bad();
  return m;
}

Month MonthOf(TimeMs t) {
  CivilDate d = CstDate(t);
  return {d.year, d.month};
}

namespace {

using records_internal::Iso;
using records_internal::SeesEveryUnit;
using records_internal::TimeOrNull;

// "2026-10-12 09:30" in CST: how people write times on paper.
std::string Human(TimeMs t) {
  std::string s = FormatRfc3339(t);  // 2026-10-12T09:30:00+08:00
  return s.substr(0, 10) + " " + s.substr(11, 5);
}

// Short headers for the nine checklist items of art. 11 (by key); the policy's label otherwise.
std::string ShortChecklistHeader(const ChecklistItem& item) {
  static const std::map<std::string, std::string> kShort = {
      {"secrets", "涉密"}, {"compliance", "合规"}, {"promotion", "宣传"},
      {"typos", "文字"},   {"statistics", "数据"}, {"sensitive", "敏感"},
      {"timing", "时机"},  {"harm", "危害"},       {"other", "其他"}};
  auto it = kShort.find(item.key);
  return it != kShort.end() ? it->second : item.label;
}

bool IsLeaderOf(const AuthContext& who, int64_t unit_id) {
  return who.user.unit_id == unit_id &&
         (who.user.Has(Role::kDeputyLeader) || who.user.Has(Role::kPrincipalLeader));
}

std::string RoleList(const Json& keys) {
  std::string out;
  if (!keys.is_array()) return out;
  for (const auto& k : keys) {
    if (!k.is_string()) continue;
    auto r = ParseRole(k.get<std::string>());
    if (!out.empty()) out += "、";
    out += r ? std::string(RoleLabel(*r)) : k.get<std::string>();
  }
  return out.empty() ? "无" : out;
}

// A personnel_log change in words.
std::string DescribeChange(const Json& c, const std::map<int64_t, std::string>& unit_names) {
  auto unit = [&](const Json& id) {
    if (!id.is_number_integer()) return std::string("（未知单位）");
    auto it = unit_names.find(id.get<int64_t>());
    return it != unit_names.end() ? it->second : "单位 " + std::to_string(id.get<int64_t>());
  };
  std::vector<std::string> parts;
  std::string action = c.value("action", "");
  if (action == "create") {
    parts.push_back("新增人员，角色：" + RoleList(c.value("roles", Json::array())));
  } else {
    if (c.contains("roles"))
      parts.push_back("角色由「" + RoleList(c.value("roles_before", Json::array())) + "」调整为「" +
                      RoleList(c["roles"]) + "」");
    if (c.contains("unit_id"))
      parts.push_back("所在单位由「" + unit(c.value("unit_before", Json())) + "」调整为「" +
                      unit(c["unit_id"]) + "」");
    if (c.contains("name"))
      parts.push_back("姓名由「" + c.value("name_before", "") + "」改为「" + c.value("name", "") +
                      "」");
    if (c.contains("disabled") && c["disabled"].is_boolean())
      parts.push_back(c["disabled"].get<bool>() ? "停用账号" : "启用账号");
    if (c.value("password_reset", false)) parts.push_back("重置密码");
    if (parts.empty()) parts.push_back("信息更新");
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "；") + p;
  return out;
}

}  // namespace

RecordsService::RecordsService(Store& store, const Clock& clock, const ReviewPolicy& policy,
                               const ContentChecker& checker, ReviewService& review,
                               FreshnessPolicy freshness, std::filesystem::path tmp_dir)
    : store_(store),
      clock_(clock),
      policy_(policy),
      checker_(checker),
      review_(review),
      freshness_(std::move(freshness)),
      tmp_dir_(std::move(tmp_dir)) {}

Status RecordsService::Init() {
  return Status::Ok();  // the records tables come with the store's migrations
}

// ---- Archive ----

StatusOr<ArchiveData> RecordsService::Archive(const AuthContext& who, int64_t unit_id,
                                              const std::string& month_text) {
  if (!SeesEveryUnit(who) && !IsLeaderOf(who, unit_id))
    return PermissionDenied("只能查看本单位的审核记录");
  GD_ASSIGN_OR_RETURN(Month month, ParseMonth(month_text));
  return BuildArchive(unit_id, month);
}

StatusOr<ArchiveData> RecordsService::BuildArchive(int64_t unit_id, const Month& month) {
  ArchiveData a;
  a.unit_id = unit_id;
  a.sheet.month = month.Key();
  a.sheet.month_label = month.Label();
  a.sheet.generated_at = Human(clock_.Now());
  for (const auto& item : policy_.checklist())
    a.sheet.checklist_headers.push_back(ShortChecklistHeader(item));
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto unit, user_repo::GetUnit(tx, unit_id));
    if (!unit) return NotFound("单位不存在");
    a.sheet.unit_name = unit->name;
    GD_ASSIGN_OR_RETURN(auto decisions,
                        records_repo::ListUnitDecisions(tx, unit_id, month.Start(), month.End()));
    std::map<int64_t, std::string> user_names, account_names;
    std::map<int64_t, Ticket> tickets;
    std::map<int64_t, std::vector<DispatchLink>> links;
    for (const Decision& d : decisions) {
      if (!tickets.count(d.ticket_id)) {
        GD_ASSIGN_OR_RETURN(auto t, ticket_repo::GetTicket(tx, d.ticket_id));
        if (!t) return Internal("审核记录对应的工单缺失");
        tickets[d.ticket_id] = *t;
        GD_ASSIGN_OR_RETURN(links[d.ticket_id],
                            records_repo::ListPublishedDispatches(tx, d.ticket_id));
      }
      const Ticket& t = tickets[d.ticket_id];
      GD_ASSIGN_OR_RETURN(auto ver, ticket_repo::GetVersion(tx, d.ticket_id, d.version));
      if (!ver) return Internal("审核记录对应的工单版本缺失");
      const Content& c = ver->content;
      if (!user_names.count(d.user_id)) {
        GD_ASSIGN_OR_RETURN(auto u, user_repo::GetUser(tx, d.user_id));
        user_names[d.user_id] = u ? u->name : "用户 " + std::to_string(d.user_id);
      }
      std::string channels;
      Json channels_json = Json::array();
      for (const auto& ch : c.channels) {
        if (!account_names.count(ch.account_id)) {
          GD_ASSIGN_OR_RETURN(auto acct, channel_repo::GetChannel(tx, ch.account_id));
          account_names[ch.account_id] =
              acct ? acct->name : "账号 " + std::to_string(ch.account_id);
        }
        channels += (channels.empty() ? "" : "、") + account_names[ch.account_id];
        channels_json.push_back({{"account_id", ch.account_id},
                                 {"kind", ch.kind},
                                 {"name", account_names[ch.account_id]}});
      }
      auto chain = policy_.ChainFor(c.category, c.out_of_scope);
      std::string step_label = d.step >= 0 && static_cast<size_t>(d.step) < chain.size()
                                   ? chain[d.step].label
                                   : "第" + std::to_string(d.step + 1) + "步";
      // Publish time and links of the version this decision was about.
      TimeMs published = 0;
      std::string link_text;
      Json links_json = Json::array();
      for (const auto& l : links[d.ticket_id]) {
        if (l.version != d.version) continue;
        if (published == 0 || l.published_at < published) published = l.published_at;
        if (!l.remote_url.empty()) {
          link_text += (link_text.empty() ? "" : "\n") + l.remote_url;
          links_json.push_back({{"account_id", l.account_id},
                                {"kind", l.kind},
                                {"state", l.state},
                                {"url", l.remote_url},
                                {"published_at", Iso(l.published_at)}});
        }
      }
      const bool superseded = d.version != t.version || d.round != t.round;
      ArchiveRow row;
      row.ticket_id = d.ticket_id;
      row.version = d.version;
      row.title = c.title;
      row.category = std::string(CategoryLabel(c.category));
      row.column = c.column;
      row.channels = channels;
      row.step = step_label;
      row.reviewer = user_names[d.user_id];
      row.decision = d.decision == "approve" ? "通过" : "退回";
      row.decided_at = Human(d.decided_at);
      Json checklist = Json::array();
      for (const auto& item : policy_.checklist()) {
        auto it = d.checklist.find(item.key);
        bool checked = it != d.checklist.end() && it->is_boolean() && it->get<bool>();
        row.checklist.push_back(checked ? "√" : "×");
        checklist.push_back({{"key", item.key}, {"label", item.label}, {"checked", checked}});
      }
      row.comment = d.comment;
      row.published_at = published ? Human(published) : "";
      row.links = link_text;
      if (superseded) row.note = "其后稿件已修改或撤回重审，本意见针对旧版本";
      a.items.push_back({{"decision_id", d.id},
                         {"ticket_id", d.ticket_id},
                         {"version", d.version},
                         {"round", d.round},
                         {"title", c.title},
                         {"category", std::string(CategoryKey(c.category))},
                         {"category_label", row.category},
                         {"column", c.column},
                         {"channels", channels_json},
                         {"step", d.step},
                         {"step_label", step_label},
                         {"role", d.role},
                         {"reviewer_id", d.user_id},
                         {"reviewer_name", row.reviewer},
                         {"decision", d.decision},
                         {"decision_label", row.decision},
                         {"decided_at", Iso(d.decided_at)},
                         {"checklist", checklist},
                         {"comment", d.comment},
                         {"published_at", TimeOrNull(published)},
                         {"links", links_json},
                         {"superseded", superseded}});
      a.sheet.rows.push_back(std::move(row));
    }
    return Status::Ok();
  }));
  return a;
}

StatusOr<std::string> RecordsService::ArchiveXlsxBytes(const ArchiveData& a) const {
  std::error_code ec;
  std::filesystem::create_directories(tmp_dir_, ec);
  return ArchiveXlsx(a.sheet, tmp_dir_.string());
}

StatusOr<Json> RecordsService::File(const AuthContext& who, const FilingRequest& request) {
  const int64_t unit_id = request.unit_id;
  GD_ASSIGN_OR_RETURN(Month month, ParseMonth(request.month));
  const bool unit_role = who.user.Has(Role::kDeputyLeader) ||
                         who.user.Has(Role::kPrincipalLeader) || who.user.Has(Role::kSiteManager);
  if (!unit_role || who.user.unit_id != unit_id)
    return PermissionDenied("只能由本单位领导或网站信息管理员报送本单位的审核记录");
  if (clock_.Now() < month.End())
    return FailedPrecondition(month.Label() + "尚未结束，月末之后才能报送", "conflict");
  GD_ASSIGN_OR_RETURN(ArchiveData a, BuildArchive(unit_id, month));
  FilingRow f;
  f.unit_id = unit_id;
  f.month = month.Key();
  f.filed_by = who.user.id;
  f.records = static_cast<int64_t>(a.sheet.rows.size());
  f.csv_sha256 = Sha256Hex(ArchiveCsv(a.sheet));
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    f.filed_at = tx.now();
    GD_ASSIGN_OR_RETURN(f.id, records_repo::InsertFiling(tx, f));
    return audit_repo::Audit(
        tx, who.user.id, "archive.file", "unit", unit_id,
        {{"month", f.month}, {"records", f.records}, {"csv_sha256", f.csv_sha256}});
  }));
  return Json{{"id", f.id},
              {"unit_id", unit_id},
              {"unit_name", a.sheet.unit_name},
              {"month", f.month},
              {"filed_by", who.user.id},
              {"filed_by_name", who.user.name},
              {"filed_at", Iso(f.filed_at)},
              {"records", f.records},
              {"csv_sha256", f.csv_sha256}};
}

StatusOr<Json> RecordsService::Filings(const std::string& month_text) {
  const TimeMs now = clock_.Now();
  Month month = MonthOf(now).Previous();
  if (!month_text.empty()) {
    GD_ASSIGN_OR_RETURN(month, ParseMonth(month_text));
  }
  // Due by the end of the 25th of the following month (art. 10-3: 每月25日前报).
  const Month next = month.Next();
  const CivilDate due_date{next.year, next.month, 25};
  const TimeMs deadline = CstMidnight(due_date) + 24LL * 3600 * 1000;
  Json items = Json::array();
  int filed = 0, pending = 0, overdue = 0;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto units, user_repo::ListUnits(tx));
    GD_ASSIGN_OR_RETURN(auto filings, records_repo::ListFilings(tx, month.Key()));
    std::map<int64_t, FilingRow> by_unit;
    for (const auto& f : filings) by_unit[f.unit_id] = f;
    for (const auto& u : units) {
      if (u.kind == "office") continue;
      Json item = {{"unit_id", u.id}, {"unit_name", u.name}, {"unit_kind", u.kind}};
      auto it = by_unit.find(u.id);
      if (it != by_unit.end()) {
        const FilingRow& f = it->second;
        GD_ASSIGN_OR_RETURN(auto by, user_repo::GetUser(tx, f.filed_by));
        item["status"] = "filed";
        item["status_label"] = f.filed_at < deadline ? "已报送" : "已报送（逾期）";
        item["late"] = f.filed_at >= deadline;
        item["filed_at"] = Iso(f.filed_at);
        item["filed_by"] = f.filed_by;
        item["filed_by_name"] = by ? by->name : "";
        item["records"] = f.records;
        item["csv_sha256"] = f.csv_sha256;
        ++filed;
      } else if (now >= deadline) {
        item["status"] = "overdue";
        item["status_label"] = "逾期未报送";
        item["filed_at"] = nullptr;
        ++overdue;
      } else {
        item["status"] = "not_filed";
        item["status_label"] = "未报送";
        item["filed_at"] = nullptr;
        ++pending;
      }
      items.push_back(std::move(item));
    }
    return Status::Ok();
  }));
  return Json{{"month", month.Key()},
              {"month_label", month.Label()},
              {"due_date", FormatDate(due_date)},
              {"items", items},
              {"total", items.size()},
              {"summary", {{"filed", filed}, {"not_filed", pending}, {"overdue", overdue}}}};
}

// ---- Freshness ----

StatusOr<Json> RecordsService::Freshness() {
  const TimeMs now = clock_.Now();
  const int soon = freshness_.due_soon_days();
  Json items = Json::array();
  std::map<std::string, int> counts;
  auto item = [&](int64_t unit_id, const std::string& unit_name, const std::string& kind,
                  const std::string& name, TimeMs last, const FreshnessRule& rule) {
    FreshnessStatus st = EvaluateFreshness(last, now, rule.threshold_days, soon);
    Json j = {{"unit_id", unit_id},
              {"unit_name", unit_name},
              {"kind", kind},
              {"name", name},
              {"last_published_at", TimeOrNull(last)},
              {"threshold_days", rule.threshold_days},
              {"status", std::string(FreshnessStatusKey(st))},
              {"status_label", std::string(FreshnessStatusLabel(st))},
              {"basis", rule.basis}};
    if (last > 0) {
      j["days_since"] = CalendarDaysBetween(last, now);
      j["due_date"] = FormatDate(CivilFromDays(DaysFromCivil(CstDate(last)) + rule.threshold_days));
    } else {
      j["days_since"] = nullptr;
      j["due_date"] = nullptr;
    }
    ++counts[std::string(FreshnessStatusKey(st))];
    return j;
  };
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto units, user_repo::ListUnits(tx));
    GD_ASSIGN_OR_RETURN(auto columns, records_repo::LastPublishedByColumn(tx));
    GD_ASSIGN_OR_RETURN(auto accounts_last, records_repo::LastPublishedByAccount(tx));
    GD_ASSIGN_OR_RETURN(auto channels, channel_repo::ListChannels(tx));
    std::map<int64_t, std::string> unit_names;
    for (const auto& u : units) {
      unit_names[u.id] = u.name;
      std::vector<std::pair<std::string, TimeMs>> cols;
      for (const auto& name : freshness_.ColumnsFor(u.name, u.kind)) cols.push_back({name, 0});
      for (const auto& c : columns) {
        if (c.unit_id != u.id) continue;
        auto it = std::find_if(cols.begin(), cols.end(),
                               [&](const auto& p) { return p.first == c.column; });
        if (it == cols.end())
          cols.push_back({c.column, c.last_published_at});
        else
          it->second = c.last_published_at;
      }
      for (const auto& [name, last] : cols) {
        Json j = item(u.id, u.name, "column", name, last, freshness_.RuleForColumn(name));
        items.push_back(std::move(j));
      }
    }
    for (const auto& ch : channels) {
      if (ch.disabled || !freshness_.MonitorsAccountKind(ch.kind)) continue;
      auto it = accounts_last.find(ch.id);
      TimeMs last = it != accounts_last.end() ? it->second : 0;
      std::string unit_name = ch.unit_id == 0 ? "全市" : unit_names[ch.unit_id];
      Json j = item(ch.unit_id, unit_name, "account", ch.name, last, freshness_.account_rule());
      j["account_id"] = ch.id;
      j["account_kind"] = ch.kind;
      items.push_back(std::move(j));
    }
    return Status::Ok();
  }));
  Json summary = Json::object();
  for (const char* k : {"ok", "due_soon", "overdue", "blank"}) summary[k] = counts[k];
  return Json{{"items", items},         {"total", items.size()}, {"summary", summary},
              {"checked_at", Iso(now)}, {"due_soon_days", soon}, {"counting", "calendar_days"}};
}

// ---- Personnel register ----

StatusOr<Json> RecordsService::Personnel(std::optional<int64_t> unit_id) {
  Json out_units = Json::array();
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto units, user_repo::ListUnits(tx));
    std::map<int64_t, std::string> unit_names;
    for (const auto& u : units) unit_names[u.id] = u.name;
    if (unit_id && !unit_names.count(*unit_id)) return NotFound("单位不存在");
    GD_ASSIGN_OR_RETURN(auto users, user_repo::ListUsers(tx, std::nullopt));
    std::map<int64_t, const User*> by_id;
    for (const auto& u : users) by_id[u.id] = &u;
    auto name_of = [&](int64_t id) -> std::string {
      if (id == 0) return "系统（命令行或初始化）";
      auto it = by_id.find(id);
      return it != by_id.end() ? it->second->name : "用户 " + std::to_string(id);
    };
    for (const auto& u : units) {
      if (unit_id && u.id != *unit_id) continue;
      Json staff = Json::array();
      for (const auto& usr : users) {
        if (usr.unit_id != u.id) continue;
        Json roles = Json::array(), labels = Json::array();
        for (Role r : usr.roles) {
          roles.push_back(std::string(RoleKey(r)));
          labels.push_back(std::string(RoleLabel(r)));
        }
        staff.push_back({{"user_id", usr.id},
                         {"username", usr.username},
                         {"name", usr.name},
                         {"roles", roles},
                         {"role_labels", labels},
                         {"disabled", usr.disabled},
                         {"status_label", usr.disabled ? "已停用" : "在岗"},
                         {"created_at", Iso(usr.created_at)}});
      }
      Json history = Json::array();
      GD_ASSIGN_OR_RETURN(auto rows, records_repo::ListPersonnelRows(tx, u.id));
      for (const auto& r : rows) {
        history.push_back({{"id", r.id},
                           {"at", Iso(r.at)},
                           {"actor_id", r.actor_id},
                           {"actor_name", name_of(r.actor_id)},
                           {"user_id", r.user_id},
                           {"user_name", name_of(r.user_id)},
                           {"unit_id", r.unit_id},
                           {"change", r.change},
                           {"description", DescribeChange(r.change, unit_names)}});
      }
      out_units.push_back({{"unit_id", u.id},
                           {"unit_name", u.name},
                           {"unit_kind", u.kind},
                           {"staff", staff},
                           {"history", history}});
    }
    return Status::Ok();
  }));
  return Json{{"units", out_units}, {"total", out_units.size()}};
}

StatusOr<std::string> RecordsService::PersonnelCsv(std::optional<int64_t> unit_id) {
  GD_ASSIGN_OR_RETURN(Json p, Personnel(unit_id));
  std::string out = "\xEF\xBB\xBF";
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + CsvField(cells[i]);
    out += "\r\n";
  };
  line({"单位", "记录类型", "姓名", "用户名", "角色", "状态", "时间", "操作人", "变更内容"});
  for (const auto& u : p["units"]) {
    const std::string unit = u["unit_name"];
    for (const auto& s : u["staff"]) {
      std::string roles;
      for (const auto& l : s["role_labels"])
        roles += (roles.empty() ? "" : "、") + l.get<std::string>();
      line({unit, "在册人员", s["name"], s["username"], roles, s["status_label"],
            Human(*ParseRfc3339(s["created_at"].get<std::string>())), "", "登记为本单位人员"});
    }
    for (const auto& h : u["history"]) {
      std::string username;
      for (const auto& s : u["staff"])
        if (s["user_id"] == h["user_id"]) username = s["username"];
      line({unit, "变更记录", h["user_name"], username, "", "",
            Human(*ParseRfc3339(h["at"].get<std::string>())), h["actor_name"], h["description"]});
    }
  }
  return out;
}

}  // namespace gd
