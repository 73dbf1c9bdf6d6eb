// What the records module reads and writes (archives, filings, freshness, personnel register,
// rescans). Every function runs inside a Store::Read/Write call and takes its Tx; none opens
// its own transaction. The records tables are created by the store's migrations (schema.cc).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"
#include "dispatcher/model/archive.h"
#include "dispatcher/model/ticket.h"
#include "dispatcher/model/user.h"
#include "dispatcher/store/db.h"

namespace gd::records_repo {

// ---- Archive (art. 10-3) ----

// Every decision on the unit's tickets with decided_at in [from, to), oldest first.
StatusOr<std::vector<Decision>> ListUnitDecisions(Tx& tx, int64_t unit_id, TimeMs from, TimeMs to);

// Dispatches of a ticket that reached the public (published_at > 0), by id.
StatusOr<std::vector<DispatchLink>> ListPublishedDispatches(Tx& tx, int64_t ticket_id);

// kAlreadyExists when the unit has already filed that month.
StatusOr<int64_t> InsertFiling(Tx& tx, const FilingRow& f);
StatusOr<std::vector<FilingRow>> ListFilings(Tx& tx, const std::string& month);

// ---- Freshness (art. 4) ----

// Per unit and portal column, the latest publish time of a published ticket.
StatusOr<std::vector<ColumnLastPublished>> LastPublishedByColumn(Tx& tx);
// Per channel account, the latest publish time of a dispatch still published.
StatusOr<std::map<int64_t, TimeMs>> LastPublishedByAccount(Tx& tx);

// ---- Personnel register (art. 8) ----

// Changes touching the unit: rows recorded under it, and transfers out of it (change.unit_before).
// All rows when `unit_id` is empty. Oldest first.
StatusOr<std::vector<PersonnelRow>> ListPersonnelRows(Tx& tx, std::optional<int64_t> unit_id);

// ---- Rescans (art. 16) ----

// Tickets in state published, with the version that went out.
StatusOr<std::vector<PublishedTicket>> ListPublishedTickets(Tx& tx);

StatusOr<int64_t> InsertRescanRun(Tx& tx, const RescanRun& r);
StatusOr<std::optional<RescanRun>> LatestRescanRun(Tx& tx);

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

}  // namespace gd::records_repo
