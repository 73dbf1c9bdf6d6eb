// Tickets and what hangs off them: versions, review decisions, check runs. Every function runs
// inside a Store::Write/Read call and takes its Tx.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/core/status.h"
#include "dispatcher/model/ticket.h"
#include "dispatcher/store/db.h"

namespace gd::ticket_repo {

// Inserts with t.id when set (from Store::ReserveTicketId), else with a newly reserved id.
StatusOr<int64_t> InsertTicket(Tx& tx, const Ticket& t);
// Compare-and-set on row_version: kAborted if someone else changed the ticket meanwhile.
Status UpdateTicket(Tx& tx, const Ticket& t);
StatusOr<std::optional<Ticket>> GetTicket(Tx& tx, int64_t id);
StatusOr<std::vector<Ticket>> ListTickets(Tx& tx, const TicketFilter& f, int64_t* total);

Status InsertVersion(Tx& tx, const TicketVersion& v);
// The same with the content and renderings already serialized (ContentToJson(...).dump(),
// renderings.dump()), so a caller can do that outside the write.
Status InsertVersionText(Tx& tx, int64_t ticket_id, int version, const std::string& content_json,
                         const std::string& content_hash, const std::string& renderings_json,
                         int64_t created_by);
StatusOr<std::optional<TicketVersion>> GetVersion(Tx& tx, int64_t ticket_id, int version);
// The same without the renderings (left null): they are the bulk of a version's JSON.
StatusOr<std::optional<TicketVersion>> GetVersionContent(Tx& tx, int64_t ticket_id, int version);
StatusOr<std::vector<TicketVersion>> ListVersions(Tx& tx, int64_t ticket_id);

StatusOr<int64_t> InsertDecision(Tx& tx, const Decision& d);
StatusOr<std::vector<Decision>> ListDecisions(Tx& tx, int64_t ticket_id);

Status InsertCheckRun(Tx& tx, const CheckRun& r);
StatusOr<std::vector<CheckRun>> ListCheckRuns(Tx& tx, int64_t ticket_id);

}  // namespace gd::ticket_repo
