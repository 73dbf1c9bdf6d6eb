#include "dispatcher/store/tables.h"

#include <vector>

#include "dispatcher/model/roles.h"
#include "dispatcher/model/ticket_state.h"

namespace gd {
namespace sql {

template <>
struct Codec<Category> {
  static void Bind(SQLite::Statement& q, int i, Category v) {
    q.bind(i, std::string(CategoryKey(v)));
  }
  static Category Read(const SQLite::Column& c) {
    return ParseCategory(c.getString()).value_or(Category::kWorkNews);
  }
};
template <>
struct Codec<TicketState> {
  static void Bind(SQLite::Statement& q, int i, TicketState v) {
    q.bind(i, std::string(TicketStateKey(v)));
  }
  static TicketState Read(const SQLite::Column& c) {
    return ParseTicketState(c.getString()).value_or(TicketState::kDraft);
  }
};
// Roles as a JSON array of role keys; unknown keys are dropped.
template <>
struct Codec<std::vector<Role>> {
  static void Bind(SQLite::Statement& q, int i, const std::vector<Role>& roles) {
    Json a = Json::array();
    for (Role r : roles) a.push_back(std::string(RoleKey(r)));
    q.bind(i, a.dump());
  }
  static std::vector<Role> Read(const SQLite::Column& c) {
    std::vector<Role> out;
    for (const auto& v : Json::parse(c.getString()))
      if (auto r = ParseRole(v.get<std::string>())) out.push_back(*r);
    return out;
  }
};

}  // namespace sql

namespace tables {

using sql::Col;
using sql::kInsert;
using sql::kInsertNow;
using sql::kKey;
using sql::kUpdate;
using sql::kUpdateNow;
using sql::kWritten;
constexpr unsigned kRead = 0;

const sql::Table<Unit>& kUnits = *new sql::Table<Unit>{
    "units",
    {Col<&Unit::id>("id", kKey), Col<&Unit::name>("name", kInsert),
     Col<&Unit::kind>("kind", kInsert), Col<&Unit::created_at>("created_at", kInsertNow)}};

const sql::Table<User>& kUsers = *new sql::Table<User>{
    "users",
    {Col<&User::id>("id", kKey), Col<&User::username>("username", kWritten),
     Col<&User::name>("name", kWritten), Col<&User::unit_id>("unit_id", kWritten),
     Col<&User::roles>("roles", kWritten), Col<&User::password_hash>("password_hash", kWritten),
     Col<&User::password_changed_at>("password_changed_at", kWritten),
     Col<&User::must_change_password>("must_change_password", kWritten),
     Col<&User::disabled>("disabled", kWritten), Col<&User::failed_count>("failed_count", kUpdate),
     Col<&User::first_failed_at>("first_failed_at", kUpdate),
     Col<&User::locked_until>("locked_until", kUpdate),
     Col<&User::created_at>("created_at", kInsertNow)}};

const sql::Table<Session>& kSessions = *new sql::Table<Session>{
    "sessions",
    {Col<&Session::token_hash>("token_hash", kInsert | kKey),
     Col<&Session::user_id>("user_id", kInsert), Col<&Session::csrf_token>("csrf_token", kInsert),
     Col<&Session::created_at>("created_at", kInsert),
     Col<&Session::expires_at>("expires_at", kWritten),
     Col<&Session::last_seen_at>("last_seen_at", kWritten)}};

const sql::Table<PersonnelRow>& kPersonnel = *new sql::Table<PersonnelRow>{
    "personnel_log",
    {Col<&PersonnelRow::id>("id", kRead), Col<&PersonnelRow::at>("at", kInsertNow),
     Col<&PersonnelRow::actor_id>("actor_id", kInsert),
     Col<&PersonnelRow::user_id>("user_id", kInsert),
     Col<&PersonnelRow::unit_id>("unit_id", kInsert),
     Col<&PersonnelRow::change>("change", kInsert)}};

// row_version starts at 1 (the column's default) and is raised by ticket_repo::UpdateTicket.
const sql::Table<Ticket>& kTickets = *new sql::Table<Ticket>{
    "tickets",
    {Col<&Ticket::id>("id", kInsert | kKey), Col<&Ticket::unit_id>("unit_id", kInsert),
     Col<&Ticket::author_id>("author_id", kInsert), Col<&Ticket::category>("category", kWritten),
     Col<&Ticket::state>("state", kWritten), Col<&Ticket::version>("version", kWritten),
     Col<&Ticket::round>("round", kWritten), Col<&Ticket::content_hash>("content_hash", kWritten),
     Col<&Ticket::current_step>("current_step", kWritten),
     Col<&Ticket::current_role>("current_role", kWritten),
     Col<&Ticket::submitted_at>("submitted_at", kWritten),
     Col<&Ticket::created_at>("created_at", kInsertNow),
     Col<&Ticket::updated_at>("updated_at", kInsertNow | kUpdateNow),
     Col<&Ticket::row_version>("row_version", kRead),
     Col<&Ticket::published_at>("published_at", kUpdate)}};

const sql::Table<StoredVersion>& kVersions =
    *new sql::Table<StoredVersion>{"ticket_versions",
                                   {Col<&StoredVersion::ticket_id>("ticket_id", kInsert),
                                    Col<&StoredVersion::version>("version", kInsert),
                                    Col<&StoredVersion::content>("content", kInsert),
                                    Col<&StoredVersion::content_hash>("content_hash", kInsert),
                                    Col<&StoredVersion::renderings>("renderings", kInsert),
                                    Col<&StoredVersion::created_by>("created_by", kInsert),
                                    Col<&StoredVersion::created_at>("created_at", kInsertNow)}};

const sql::Table<Decision>& kDecisions = *new sql::Table<Decision>{
    "decisions",
    {Col<&Decision::id>("id", kRead), Col<&Decision::ticket_id>("ticket_id", kInsert),
     Col<&Decision::version>("version", kInsert), Col<&Decision::round>("round", kInsert),
     Col<&Decision::step>("step", kInsert), Col<&Decision::role>("role", kInsert),
     Col<&Decision::user_id>("user_id", kInsert), Col<&Decision::decision>("decision", kInsert),
     Col<&Decision::comment>("comment", kInsert), Col<&Decision::checklist>("checklist", kInsert),
     Col<&Decision::acknowledged>("acknowledged", kInsert),
     Col<&Decision::content_hash>("content_hash", kInsert),
     Col<&Decision::decided_at>("decided_at", kInsert),
     Col<&Decision::signature>("signature", kInsert)}};

const sql::Table<CheckRun>& kCheckRuns = *new sql::Table<CheckRun>{
    "check_runs",
    {Col<&CheckRun::id>("id", kRead), Col<&CheckRun::ticket_id>("ticket_id", kInsert),
     Col<&CheckRun::version>("version", kInsert), Col<&CheckRun::stage>("stage", kInsert),
     Col<&CheckRun::findings>("findings", kInsert),
     Col<&CheckRun::created_at>("created_at", kInsertNow)}};

const sql::Table<MediaRow>& kMedia = *new sql::Table<MediaRow>{
    "media",
    {Col<&MediaRow::id>("id", kKey), Col<&MediaRow::sha256>("sha256", kInsert),
     Col<&MediaRow::kind>("kind", kInsert), Col<&MediaRow::mime>("mime", kInsert),
     Col<&MediaRow::size>("size", kInsert), Col<&MediaRow::filename>("filename", kInsert),
     Col<&MediaRow::uploaded_by>("uploaded_by", kInsert),
     Col<&MediaRow::unit_id>("unit_id", kInsert), Col<&MediaRow::width>("width", kInsert),
     Col<&MediaRow::height>("height", kInsert),
     Col<&MediaRow::created_at>("created_at", kInsertNow)}};

const sql::Table<ChannelAccountRow>& kChannels = *new sql::Table<ChannelAccountRow>{
    "channel_accounts",
    {Col<&ChannelAccountRow::id>("id", kKey), Col<&ChannelAccountRow::kind>("kind", kWritten),
     Col<&ChannelAccountRow::name>("name", kWritten),
     Col<&ChannelAccountRow::unit_id>("unit_id", kWritten),
     Col<&ChannelAccountRow::base_url>("base_url", kWritten),
     Col<&ChannelAccountRow::settings>("settings", kWritten),
     Col<&ChannelAccountRow::secrets_sealed>("secrets_sealed", kWritten),
     Col<&ChannelAccountRow::disabled>("disabled", kWritten),
     Col<&ChannelAccountRow::created_at>("created_at", kInsertNow),
     Col<&ChannelAccountRow::updated_at>("updated_at", kInsertNow | kUpdateNow)}};

const sql::Table<AuditEntry>& kAudit = *new sql::Table<AuditEntry>{
    "audit_log",
    {Col<&AuditEntry::id>("id", kInsert), Col<&AuditEntry::at>("at", kInsert),
     Col<&AuditEntry::actor_id>("actor_id", kInsert), Col<&AuditEntry::action>("action", kInsert),
     Col<&AuditEntry::entity>("entity", kInsert), Col<&AuditEntry::entity_id>("entity_id", kInsert),
     Col<&AuditEntry::detail, sql::LenientJson>("detail", kInsert),
     Col<&AuditEntry::prev_hash>("prev_hash", kInsert), Col<&AuditEntry::hash>("hash", kInsert)}};

// attempts and the remote/lease columns start at their defaults and change by update only.
const sql::Table<Dispatch>& kDispatches = *new sql::Table<Dispatch>{
    "dispatches",
    {Col<&Dispatch::id>("id", kKey), Col<&Dispatch::ticket_id>("ticket_id", kInsert),
     Col<&Dispatch::version>("version", kInsert), Col<&Dispatch::account_id>("account_id", kInsert),
     Col<&Dispatch::kind>("kind", kInsert), Col<&Dispatch::state>("state", kWritten),
     Col<&Dispatch::attempts>("attempts", kUpdate), Col<&Dispatch::rendering>("rendering", kInsert),
     Col<&Dispatch::progress>("progress", kWritten),
     Col<&Dispatch::remote_id>("remote_id", kUpdate),
     Col<&Dispatch::remote_url>("remote_url", kUpdate),
     Col<&Dispatch::last_error>("last_error", kUpdate),
     Col<&Dispatch::error_reason>("error_reason", kUpdate),
     Col<&Dispatch::not_before>("not_before", kWritten),
     Col<&Dispatch::lease_until>("lease_until", kUpdate),
     Col<&Dispatch::lease_owner>("lease_owner", kUpdate),
     Col<&Dispatch::published_at>("published_at", kUpdate),
     Col<&Dispatch::created_at>("created_at", kInsertNow),
     Col<&Dispatch::updated_at>("updated_at", kInsertNow | kUpdateNow)}};

const sql::Table<DispatchAttempt>& kAttempts =
    *new sql::Table<DispatchAttempt>{"dispatch_attempts",
                                     {Col<&DispatchAttempt::id>("id", kKey),
                                      Col<&DispatchAttempt::dispatch_id>("dispatch_id", kInsert),
                                      Col<&DispatchAttempt::action>("action", kInsert),
                                      Col<&DispatchAttempt::started_at>("started_at", kInsertNow),
                                      Col<&DispatchAttempt::finished_at>("finished_at", kUpdateNow),
                                      Col<&DispatchAttempt::outcome>("outcome", kUpdate),
                                      Col<&DispatchAttempt::error>("error", kUpdate)}};

const sql::Table<Withdrawal>& kWithdrawals = *new sql::Table<Withdrawal>{
    "withdrawals",
    {Col<&Withdrawal::id>("id", kKey), Col<&Withdrawal::ticket_id>("ticket_id", kInsert),
     Col<&Withdrawal::requested_by>("requested_by", kInsert),
     Col<&Withdrawal::reason>("reason", kInsert),
     Col<&Withdrawal::account_ids>("account_ids", kInsert),
     Col<&Withdrawal::state>("state", kWritten),
     Col<&Withdrawal::decided_by>("decided_by", kUpdate),
     Col<&Withdrawal::decided_at>("decided_at", kUpdate),
     Col<&Withdrawal::comment>("comment", kUpdate),
     Col<&Withdrawal::created_at>("created_at", kInsertNow)}};

const sql::Table<FilingRow>& kFilings = *new sql::Table<FilingRow>{
    "archive_filings",
    {Col<&FilingRow::id>("id", kRead), Col<&FilingRow::unit_id>("unit_id", kInsert),
     Col<&FilingRow::month>("month", kInsert), Col<&FilingRow::filed_by>("filed_by", kInsert),
     Col<&FilingRow::filed_at>("filed_at", kInsert), Col<&FilingRow::records>("records", kInsert),
     Col<&FilingRow::csv_sha256>("csv_sha256", kInsert)}};

// The trigger of a run is stored in the column `cause`.
const sql::Table<RescanRun>& kRescanRuns = *new sql::Table<RescanRun>{
    "rescan_runs",
    {Col<&RescanRun::id>("id", kRead), Col<&RescanRun::at>("at", kInsert),
     Col<&RescanRun::actor_id>("actor_id", kInsert), Col<&RescanRun::trigger>("cause", kInsert),
     Col<&RescanRun::checker_version>("checker_version", kInsert),
     Col<&RescanRun::previous_version>("previous_version", kInsert),
     Col<&RescanRun::scanned>("scanned", kInsert), Col<&RescanRun::flagged>("flagged", kInsert)}};

// RescanFlag::correction_ticket_id is not a column: records_repo joins it from corrections.
const sql::Table<RescanFlag>& kRescanFlags = *new sql::Table<RescanFlag>{
    "rescan_flags",
    {Col<&RescanFlag::id>("id", kRead), Col<&RescanFlag::run_id>("run_id", kInsert),
     Col<&RescanFlag::ticket_id>("ticket_id", kInsert),
     Col<&RescanFlag::unit_id>("unit_id", kInsert), Col<&RescanFlag::version>("version", kInsert),
     Col<&RescanFlag::findings>("findings", kInsert)}};

const sql::Table<Correction>& kCorrections = *new sql::Table<Correction>{
    "corrections",
    {Col<&Correction::ticket_id>("ticket_id", kInsert),
     Col<&Correction::correction_ticket_id>("correction_ticket_id", kInsert),
     Col<&Correction::created_by>("created_by", kInsert),
     Col<&Correction::created_at>("created_at", kInsertNow)}};

}  // namespace tables
}  // namespace gd
