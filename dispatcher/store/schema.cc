#include "dispatcher/store/schema.h"

#include <iterator>

namespace gd::schema {
namespace {

// Migrations keyed by PRAGMA user_version: entry i moves the schema from version i to i+1.
const char* const kMigrations[] = {
    // 1: the spine
    R"sql(
CREATE TABLE units (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE users (
  id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  unit_id INTEGER NOT NULL REFERENCES units(id), roles TEXT NOT NULL,
  password_hash TEXT NOT NULL, password_changed_at INTEGER NOT NULL,
  must_change_password INTEGER NOT NULL DEFAULT 0, disabled INTEGER NOT NULL DEFAULT 0,
  failed_count INTEGER NOT NULL DEFAULT 0, first_failed_at INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
CREATE TABLE personnel_log (
  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor_id INTEGER NOT NULL, user_id INTEGER NOT NULL,
  unit_id INTEGER NOT NULL, change TEXT NOT NULL);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE tickets (
  id INTEGER PRIMARY KEY, unit_id INTEGER NOT NULL REFERENCES units(id),
  author_id INTEGER NOT NULL REFERENCES users(id), category TEXT NOT NULL, state TEXT NOT NULL,
  version INTEGER NOT NULL, round INTEGER NOT NULL DEFAULT 0, content_hash TEXT NOT NULL,
  current_step INTEGER, current_role TEXT NOT NULL DEFAULT '', submitted_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, row_version INTEGER NOT NULL DEFAULT 1);
CREATE INDEX tickets_unit_state ON tickets(unit_id, state);
CREATE INDEX tickets_author ON tickets(author_id);
CREATE TABLE ticket_versions (
  ticket_id INTEGER NOT NULL REFERENCES tickets(id), version INTEGER NOT NULL,
  content TEXT NOT NULL, content_hash TEXT NOT NULL, renderings TEXT NOT NULL,
  created_by INTEGER NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (ticket_id, version));
CREATE TABLE decisions (
  id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL REFERENCES tickets(id), version INTEGER NOT NULL,
  round INTEGER NOT NULL, step INTEGER NOT NULL, role TEXT NOT NULL, user_id INTEGER NOT NULL,
  decision TEXT NOT NULL, comment TEXT NOT NULL, checklist TEXT NOT NULL, acknowledged TEXT NOT NULL,
  content_hash TEXT NOT NULL, decided_at INTEGER NOT NULL, signature TEXT NOT NULL);
CREATE INDEX decisions_ticket ON decisions(ticket_id);
CREATE TABLE check_runs (
  id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL, version INTEGER NOT NULL, stage TEXT NOT NULL,
  findings TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE INDEX check_runs_ticket ON check_runs(ticket_id);
CREATE TABLE media (
  id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, kind TEXT NOT NULL, mime TEXT NOT NULL,
  size INTEGER NOT NULL, filename TEXT NOT NULL, uploaded_by INTEGER NOT NULL, unit_id INTEGER NOT NULL,
  width INTEGER NOT NULL DEFAULT 0, height INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
CREATE INDEX media_sha ON media(sha256);
CREATE TABLE channel_accounts (
  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, unit_id INTEGER NOT NULL,
  base_url TEXT NOT NULL, settings TEXT NOT NULL, secrets_sealed TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor_id INTEGER NOT NULL, action TEXT NOT NULL,
  entity TEXT NOT NULL, entity_id INTEGER NOT NULL, detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql",
    // 2: dispatch (outbox), attempts, withdrawals
    R"sql(
ALTER TABLE tickets ADD COLUMN published_at INTEGER NOT NULL DEFAULT 0;
CREATE TABLE dispatches (
  id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL REFERENCES tickets(id), version INTEGER NOT NULL,
  account_id INTEGER NOT NULL REFERENCES channel_accounts(id), kind TEXT NOT NULL, state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, rendering TEXT NOT NULL, progress TEXT NOT NULL DEFAULT '{}',
  remote_id TEXT NOT NULL DEFAULT '', remote_url TEXT NOT NULL DEFAULT '',
  last_error TEXT NOT NULL DEFAULT '', error_reason TEXT NOT NULL DEFAULT '',
  not_before INTEGER NOT NULL DEFAULT 0, lease_until INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT NOT NULL DEFAULT '', published_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, UNIQUE (ticket_id, version, account_id));
CREATE INDEX dispatches_due ON dispatches(state, not_before);
CREATE INDEX dispatches_account ON dispatches(account_id, state);
CREATE TABLE dispatch_attempts (
  id INTEGER PRIMARY KEY, dispatch_id INTEGER NOT NULL REFERENCES dispatches(id), action TEXT NOT NULL,
  started_at INTEGER NOT NULL, finished_at INTEGER NOT NULL DEFAULT 0, outcome TEXT NOT NULL DEFAULT 'unknown',
  error TEXT NOT NULL DEFAULT '');
CREATE INDEX dispatch_attempts_dispatch ON dispatch_attempts(dispatch_id);
CREATE TABLE withdrawals (
  id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL REFERENCES tickets(id), requested_by INTEGER NOT NULL,
  reason TEXT NOT NULL, account_ids TEXT NOT NULL, state TEXT NOT NULL, decided_by INTEGER NOT NULL DEFAULT 0,
  decided_at INTEGER NOT NULL DEFAULT 0, comment TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL);
CREATE INDEX withdrawals_ticket ON withdrawals(ticket_id);
)sql",
    // 3: the records module's tables (archive filings, rescans, corrections). Until this entry
    // they were created by the records module itself, versioned by the meta key
    // "records_schema" (1 = these tables); IF NOT EXISTS lets databases made then upgrade, and
    // the key goes: from here on this list alone versions the schema.
    R"sql(
CREATE TABLE IF NOT EXISTS archive_filings (
  id INTEGER PRIMARY KEY, unit_id INTEGER NOT NULL, month TEXT NOT NULL,
  filed_by INTEGER NOT NULL, filed_at INTEGER NOT NULL, records INTEGER NOT NULL,
  csv_sha256 TEXT NOT NULL, UNIQUE (unit_id, month));
CREATE TABLE IF NOT EXISTS rescan_runs (
  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor_id INTEGER NOT NULL, cause TEXT NOT NULL,
  checker_version TEXT NOT NULL, previous_version TEXT NOT NULL, scanned INTEGER NOT NULL,
  flagged INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS rescan_flags (
  id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, ticket_id INTEGER NOT NULL,
  unit_id INTEGER NOT NULL, version INTEGER NOT NULL, findings TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS rescan_flags_run ON rescan_flags(run_id);
CREATE INDEX IF NOT EXISTS rescan_flags_ticket ON rescan_flags(ticket_id);
CREATE TABLE IF NOT EXISTS corrections (
  ticket_id INTEGER PRIMARY KEY, correction_ticket_id INTEGER NOT NULL,
  created_by INTEGER NOT NULL, created_at INTEGER NOT NULL);
DELETE FROM meta WHERE key = 'records_schema';
)sql",
};

}  // namespace

std::span<const char* const> Migrations() {
  return {std::begin(kMigrations), std::end(kMigrations)};
}

}  // namespace gd::schema
