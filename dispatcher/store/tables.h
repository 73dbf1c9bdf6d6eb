// Every table's mapping to its row type, once (store/*.cc only). The repositories build their
// statements from these; see sql.h for what a mapping derives.
#pragma once

#include <string>

#include "dispatcher/model/archive.h"
#include "dispatcher/model/audit.h"
#include "dispatcher/model/channel_account.h"
#include "dispatcher/model/dispatch.h"
#include "dispatcher/model/media.h"
#include "dispatcher/model/ticket.h"
#include "dispatcher/model/user.h"
#include "dispatcher/store/sql.h"

namespace gd::tables {

// A ticket version as stored: content and renderings as JSON text (ticket_repo parses them
// into a TicketVersion, and serializes them for callers that did not).
struct StoredVersion {
  int64_t ticket_id = 0;
  int version = 0;
  std::string content;  // ContentToJson(...).dump()
  std::string content_hash;
  std::string renderings;  // JSON array; "null" when not selected
  int64_t created_by = 0;
  TimeMs created_at = 0;
};

// Allocated once and never destroyed (see sql::Immortal).
extern const sql::Table<Unit>& kUnits;
extern const sql::Table<User>& kUsers;
extern const sql::Table<Session>& kSessions;
extern const sql::Table<PersonnelRow>& kPersonnel;
extern const sql::Table<Ticket>& kTickets;
extern const sql::Table<StoredVersion>& kVersions;
extern const sql::Table<Decision>& kDecisions;
extern const sql::Table<CheckRun>& kCheckRuns;
extern const sql::Table<MediaRow>& kMedia;
extern const sql::Table<ChannelAccountRow>& kChannels;
extern const sql::Table<AuditEntry>& kAudit;
extern const sql::Table<Dispatch>& kDispatches;
extern const sql::Table<DispatchAttempt>& kAttempts;
extern const sql::Table<Withdrawal>& kWithdrawals;
extern const sql::Table<FilingRow>& kFilings;
extern const sql::Table<RescanRun>& kRescanRuns;
extern const sql::Table<RescanFlag>& kRescanFlags;
extern const sql::Table<Correction>& kCorrections;

}  // namespace gd::tables
