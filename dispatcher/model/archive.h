// Rows of the record keeping (the records module): monthly archive filings (art. 10-3),
// freshness (art. 4) and rescans of published tickets (art. 16).
#pragma once

#include <cstdint>
#include <string>

#include "dispatcher/core/clock.h"
#include "dispatcher/core/json_util.h"

namespace gd {

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

struct ColumnLastPublished {
  int64_t unit_id = 0;
  std::string column;
  TimeMs last_published_at = 0;
};

struct PublishedTicket {
  int64_t ticket_id = 0;
  int64_t unit_id = 0;
  int version = 0;
  TimeMs published_at = 0;
};

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

struct RescanFlag {
  int64_t id = 0;
  int64_t run_id = 0;
  int64_t ticket_id = 0;
  int64_t unit_id = 0;
  int version = 0;
  Json findings = Json::array();     // the findings new since review
  int64_t correction_ticket_id = 0;  // read side only: the linked correction, 0 when none
};

// A published ticket linked to the ticket that corrects it.
struct Correction {
  int64_t ticket_id = 0;
  int64_t correction_ticket_id = 0;
  int64_t created_by = 0;
  TimeMs created_at = 0;
};

}  // namespace gd
