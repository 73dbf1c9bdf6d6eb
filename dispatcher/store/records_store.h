// The records module's SQL (archives, filings, freshness, personnel register, rescans).
//
// Every function runs inside a Store::Read/Write call and takes its Tx; none opens its own
// transaction. The records tables are created by EnsureRecordsSchema, which keeps its own
// version in `meta` (key "records_schema") so that it never collides with the core
// migrations in store.cc.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"
#include "dispatcher/store/store.h"

namespace gd {

// Creates or upgrades the records tables. Call inside Store::Write.
Status EnsureRecordsSchema(Tx& tx);

// ---- Archive (art. 10-3) ----

// Every decision on the unit's tickets with decided_at in [from, to), oldest first.
StatusOr<std::vector<Decision>> ListUnitDecisions(Tx& tx, int64_t unit_id, TimeMs from, TimeMs to);

// A dispatch as the records need it: where and when a version went out.
struct DispatchLink {
  int64_t ticket_id = 0;
  int version = 0;
  int64_t account_id = 0;
  std::string kind;
  std::string state;
  std::string remote_url;
  TimeMs published_at = 0;
};
// Dispatches of a ticket that reached the public (published_at > 0), by id.
StatusOr<std::vector<DispatchLink>> ListPublishedDispatches(Tx& tx, int64_t ticket_id);

// 报送 of a unit's monthly archive.
struct FilingRow {
  int64_t id = 0;
  int64_t unit_id = 0;
  std::string month;  // YYYY-MM
  int64_t filed_by = 0;
  TimeMs filed_at = 0;
  int64_t records = 0;     // decisions in the archive when filed
  std::string csv_sha256;  // digest of the CSV as filed
};
// kAlreadyExists when the unit has already filed that month.
StatusOr<int64_t> InsertFiling(Tx& tx, const FilingRow& f);
StatusOr<std::vector<FilingRow>> ListFilings(Tx& tx, const std::string& month);

// ---- Freshness (art. 4) ----

struct ColumnLastPublished {
  int64_t unit_id = 0;
  std::string column;
  TimeMs last_published_at = 0;
};
// Per unit and portal column, the latest publish time of a published ticket.
StatusOr<std::vector<ColumnLastPublished>> LastPublishedByColumn(Tx& tx);
// Per channel account, the latest publish time of a dispatch still published.
StatusOr<std::map<int64_t, TimeMs>> LastPublishedByAccount(Tx& tx);

// ---- Personnel register (art. 8) ----

struct PersonnelRow {
  int64_t id = 0;
  TimeMs at = 0;
  int64_t actor_id = 0;
  int64_t user_id = 0;
  int64_t unit_id = 0;
  Json change = Json::object();
};
// Changes touching the unit: rows recorded under it, and transfers out of it (change.unit_before).
// All rows when `unit_id` is empty. Oldest first.
StatusOr<std::vector<PersonnelRow>> ListPersonnelRows(Tx& tx, std::optional<int64_t> unit_id);

// ---- Rescans (art. 16) ----

struct PublishedTicket {
  int64_t ticket_id = 0;
  int64_t unit_id = 0;
  int version = 0;
  TimeMs published_at = 0;
};
// Tickets in state published, with the version that went out.
StatusOr<std::vector<PublishedTicket>> ListPublishedTickets(Tx& tx);

struct RescanRun {
  int64_t id = 0;
  TimeMs at = 0;
  int64_t actor_id = 0;  // 0 = the system (start-up)
  std::string trigger;   // "startup" | "manual"
  std::string checker_version;
  std::string previous_version;
  int64_t scanned = 0;
  int64_t flagged = 0;
};
StatusOr<int64_t> InsertRescanRun(Tx& tx, const RescanRun& r);
StatusOr<std::optional<RescanRun>> LatestRescanRun(Tx& tx);

struct RescanFlag {
  int64_t id = 0;
  int64_t run_id = 0;
  int64_t ticket_id = 0;
  int64_t unit_id = 0;
  int version = 0;
  Json findings = Json::array();     // the findings new since review
  int64_t correction_ticket_id = 0;  // read side only: the linked correction, 0 when none
};
StatusOr<int64_t> InsertRescanFlag(Tx& tx, const RescanFlag& f);
// Flags of a run, optionally of one unit, by ticket id.
StatusOr<std::vector<RescanFlag>> ListRescanFlags(Tx& tx, int64_t run_id,
                                                  std::optional<int64_t> unit_id);
// The newest flag of a ticket (any run).
StatusOr<std::optional<RescanFlag>> LatestFlagOf(Tx& tx, int64_t ticket_id);
// The correction ticket opened for a published ticket, 0 when none.
StatusOr<int64_t> CorrectionOf(Tx& tx, int64_t ticket_id);
// Links a published ticket to its correction ticket; kAlreadyExists if it already has one.
Status InsertCorrection(Tx& tx, int64_t ticket_id, int64_t correction_ticket_id,
                        int64_t created_by);

}  // namespace gd
