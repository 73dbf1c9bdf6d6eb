// Records for the office (docs/records.md): monthly archives of review records and their
// filing (art. 10-3), freshness of columns and accounts (art. 4), the personnel register
// (art. 8), and rescans of published pieces when the check dictionary changes (art. 16).
//
// Thread-safe: every method may be called from any HTTP worker; state lives in the store.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "dispatcher/accounts/account_service.h"
#include "dispatcher/core/clock.h"
#include "dispatcher/policy/review_policy.h"
#include "dispatcher/records/archive_format.h"
#include "dispatcher/records/freshness.h"
#include "dispatcher/review/ports.h"
#include "dispatcher/review/review_service.h"
#include "dispatcher/store/db.h"

namespace gd {

// A month in China Standard Time.
struct Month {
  int year = 0, month = 0;
  std::string Key() const;    // 2026-10
  std::string Label() const;  // 2026年10月
  TimeMs Start() const;       // 00:00 CST of the 1st
  TimeMs End() const;         // 00:00 CST of the 1st of the next month
  Month Next() const;
  Month Previous() const;
};
// Parses "YYYY-MM"; kInvalidArgument naming `field` otherwise.
StatusOr<Month> ParseMonth(const std::string& text, const std::string& field = "month");
Month MonthOf(TimeMs t);

// The archive of one unit and month: the printable sheet and the same rows as JSON.
struct ArchiveData {
  int64_t unit_id = 0;
  ArchiveSheet sheet;
  Json items = Json::array();
};

// POST /api/archive/filings.
struct FilingRequest {
  int64_t unit_id = 0;
  std::string month = {};  // YYYY-MM
};

class RecordsService {
 public:
  // `tmp_dir` holds intermediate files (XLSX); the references must outlive the service.
  RecordsService(Store& store, const Clock& clock, const ReviewPolicy& policy,
                 const ContentChecker& checker, ReviewService& review, FreshnessPolicy freshness,
                 std::filesystem::path tmp_dir);

  // Creates the records tables. Call once before anything else.
  Status Init();

  // ---- Archive (art. 10-3) ----
  // The archive as `who` may see it: office and auditor any unit, a unit's leaders their own.
  StatusOr<ArchiveData> Archive(const AuthContext& who, int64_t unit_id, const std::string& month);
  // Without authorization, for the command line.
  StatusOr<ArchiveData> BuildArchive(int64_t unit_id, const Month& month);
  StatusOr<std::string> ArchiveXlsxBytes(const ArchiveData& a) const;
  // 报送: the unit's leader or site manager files a finished month.
  StatusOr<Json> File(const AuthContext& who, const FilingRequest& request);
  // Every unit's filing status for a month (default: the previous month).
  StatusOr<Json> Filings(const std::string& month);

  // ---- Freshness (art. 4) ----
  StatusOr<Json> Freshness();

  // ---- Personnel register (art. 8) ----
  StatusOr<Json> Personnel(std::optional<int64_t> unit_id);
  StatusOr<std::string> PersonnelCsv(std::optional<int64_t> unit_id);

  // ---- Rescans (art. 16) ----
  // Rechecks every published piece with the current dictionary and records what now fires
  // that did not fire at review. `actor_id` 0 = the system.
  StatusOr<Json> Rescan(int64_t actor_id, const std::string& cause);
  // Runs a rescan when the dictionary version differs from the last rescan's. True if it ran.
  StatusOr<bool> RescanIfVersionChanged();
  // The latest rescan's findings: office and auditor any unit (or `unit_id`), leaders their own.
  StatusOr<Json> Rescans(const AuthContext& who, std::optional<int64_t> unit_id);
  // An editor of the unit opens a correction draft prefilled from the published piece.
  StatusOr<Json> OpenCorrection(const AuthContext& who, int64_t ticket_id);

  const FreshnessPolicy& freshness_policy() const { return freshness_; }

 private:
  Store& store_;
  const Clock& clock_;
  const ReviewPolicy& policy_;
  const ContentChecker& checker_;
  ReviewService& review_;
  FreshnessPolicy freshness_;
  std::filesystem::path tmp_dir_;
};

// The meta key holding the dictionary version of the last rescan.
inline constexpr const char* kRescanVersionKey = "rescan.checker_version";

}  // namespace gd
