// Accounts (art. 15): units, users, sign-in with throttling, sessions, password rules.
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "dispatcher/accounts/login_throttle.h"
#include "dispatcher/core/clock.h"
#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"
#include "dispatcher/model/user.h"
#include "dispatcher/store/db.h"

namespace gd {

struct AccountPolicy {
  // Failed sign-ins count per (username, client address): this many ...
  int lockout_threshold = 5;
  TimeMs lockout_window_ms = 15 * 60 * 1000;    // ... within this window lock that pair ...
  TimeMs lockout_duration_ms = 15 * 60 * 1000;  // ... for this long (423, any password)
  // The answer to a pair's 2nd failure waits this long, doubling with each further failure up
  // to the max (the 1st is answered at once).
  TimeMs failure_delay_base_ms = 500;
  TimeMs failure_delay_max_ms = 4000;
  size_t throttle_max_pairs = 10000;         // pairs remembered in memory; oldest forgotten first
  int max_logins_in_flight_per_address = 2;  // more from one address answer 429 (0 = no cap)
  int max_concurrent_hashes = 1;             // scrypt runs at once (32 MiB each; at least 1)
  TimeMs password_max_age_ms = 90LL * 24 * 3600 * 1000;  // forced change after (0 = never)
  TimeMs session_idle_ms = 30 * 60 * 1000;   // a session expires after this much inactivity
  TimeMs session_max_ms = 12 * 3600 * 1000;  // and at the latest this long after sign-in
  size_t password_min_length = 12;           // OWASP ASVS 4.0.3 V2.1.1
};

// Who is calling, resolved from a session or bearer token.
struct AuthContext {
  User user;
  Unit unit;
  std::string token_hash;
  std::string csrf_token;
  bool password_expired = false;
};

struct LoginResult {
  std::string token;
  std::string csrf_token;
  AuthContext auth;
};

// POST /api/users, as decoded at the edge (roles already known ones). The unit comes first so
// that a braced JSON object never converts to this by mistake.
struct NewUser {
  int64_t unit_id = 0;
  std::string username = {};
  std::string name = {};
  std::vector<Role> roles = {};
  std::string password = {};
};

// PATCH /api/users/{id}: only what is given changes.
struct UserPatch {
  std::optional<std::vector<Role>> roles = {};
  std::optional<int64_t> unit_id = {};
  std::optional<bool> disabled = {};
  std::optional<std::string> name = {};
  std::optional<std::string> password = {};  // a reset: the person must change it at sign-in
};

class AccountService {
 public:
  AccountService(Store& store, const Clock& clock, AccountPolicy policy);

  // Creates the office unit and the `admin` user when the database has no users. The admin
  // must change this password at its first sign-in (it came through the environment).
  Status Bootstrap(const std::string& admin_password);

  // Signs in from `client_address` (ApiRequest::client_address). Failures:
  // kResourceExhausted (429) when the address already has its cap of sign-ins in flight
  // (answered at once, nothing hashed); kLocked (423) while the (username, address) pair is
  // locked, whatever the password (answered at once, nothing hashed); kUnauthenticated (401)
  // for a wrong password, an unknown username or a disabled account. An unknown username goes
  // through exactly the steps of a known one (one scrypt verification against a fixed dummy
  // hash, the same audit write, the same delay, the same lock), so neither the status sequence
  // nor the time of an answer depends on whether the account exists. A failure's answer is held
  // for the pair's growing delay; the caller's thread sleeps (the address's slot stays taken).
  StatusOr<LoginResult> Login(const std::string& username, const std::string& password,
                              const std::string& client_address);
  Status Logout(const std::string& token_hash);
  // Resolves a token (from a cookie or bearer header); kUnauthenticated if unknown or expired.
  StatusOr<AuthContext> Authenticate(const std::string& token);
  // Changes the caller's password and ends every other session of that person (the one in
  // `who` stays signed in).
  Status ChangePassword(const AuthContext& who, const std::string& old_password,
                        const std::string& new_password);

  // Sign-in locks (the office and admin lift them). Lifting one is audited.
  std::vector<LoginLock> ListLoginLocks() const;
  // kNotFound when no pair with that id is locked now.
  StatusOr<LoginLock> UnlockLogin(const AuthContext& who, int64_t lock_id);
  // Lifts every lock of the user's username, from any address; returns them (maybe none).
  StatusOr<std::vector<LoginLock>> UnlockUser(const AuthContext& who, int64_t user_id);
  // Demo only: the demo's admin keeps its published password without a forced change.
  Status ClearForcedPasswordChange(const std::string& username);

  // `kind`: town, street, department or office.
  StatusOr<Unit> CreateUnit(const AuthContext& who, const std::string& name,
                            const std::string& kind);
  StatusOr<std::vector<Unit>> ListUnits();
  StatusOr<User> CreateUser(const AuthContext& who, const NewUser& request);
  StatusOr<User> UpdateUser(const AuthContext& who, int64_t id, const UserPatch& patch);
  StatusOr<std::vector<User>> ListUsers(std::optional<int64_t> unit_id);
  // Used by the CLI and the demo: a user created with a known password, no forced change.
  // Hashing runs outside the store's write lock, as everywhere in this service.
  StatusOr<User> AddUserDirect(const std::string& username, const std::string& name,
                               int64_t unit_id, const std::vector<Role>& roles,
                               const std::string& password, bool must_change);

  // The strength rule; ok or kInvalidArgument with a Chinese reason.
  Status CheckPasswordStrength(const std::string& username, const std::string& password) const;
  bool PasswordExpired(const User& u) const;
  Json UserJson(const User& u, const std::string& unit_name) const;
  const AccountPolicy& policy() const { return policy_; }
  // Password hashes and verifications run so far (each one scrypt), for tests and metrics.
  int64_t hashes_run() const { return hashes_run_.load(); }
  const LoginThrottle& throttle() const { return throttle_; }

 private:
  std::string HashBounded(std::string_view password);
  bool VerifyBounded(std::string_view password, std::string_view encoded);

  Store& store_;
  const Clock& clock_;
  AccountPolicy policy_;
  LoginThrottle throttle_;
  FairSemaphore kdf_;  // bounds concurrent scrypt calls (memory and CPU)
  std::atomic<int64_t> hashes_run_{0};
};

Json UnitJson(const Unit& u);

}  // namespace gd
