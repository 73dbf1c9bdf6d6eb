// Accounts (art. 15): units, users, sign-in with lockout, sessions, password rules.
#pragma once

#include <optional>
#include <string>

#include "dispatcher/core/clock.h"
#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"
#include "dispatcher/store/store.h"

namespace gd {

struct AccountPolicy {
  int lockout_threshold = 5;                             // failures ...
  TimeMs lockout_window_ms = 15 * 60 * 1000;             // ... within this window lock the account
  TimeMs lockout_duration_ms = 15 * 60 * 1000;           // for this long
  TimeMs password_max_age_ms = 90LL * 24 * 3600 * 1000;  // forced change after (0 = never)
  TimeMs session_idle_ms = 30 * 60 * 1000;   // a session expires after this much inactivity
  TimeMs session_max_ms = 12 * 3600 * 1000;  // and at the latest this long after sign-in
  size_t password_min_length = 10;
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
  AccountService(Store& store, const Clock& clock, AccountPolicy policy)
      : store_(store), clock_(clock), policy_(policy) {}

  // Creates the office unit and the `admin` user when the database has no users.
  Status Bootstrap(const std::string& admin_password);

  StatusOr<LoginResult> Login(const std::string& username, const std::string& password);
  Status Logout(const std::string& token_hash);
  // Resolves a token (from a cookie or bearer header); kUnauthenticated if unknown or expired.
  StatusOr<AuthContext> Authenticate(const std::string& token);
  Status ChangePassword(const AuthContext& who, const std::string& old_password,
                        const std::string& new_password);

  // `kind`: town, street, department or office.
  StatusOr<Unit> CreateUnit(const AuthContext& who, const std::string& name,
                            const std::string& kind);
  StatusOr<std::vector<Unit>> ListUnits();
  StatusOr<User> CreateUser(const AuthContext& who, const NewUser& request);
  StatusOr<User> UpdateUser(const AuthContext& who, int64_t id, const UserPatch& patch);
  StatusOr<std::vector<User>> ListUsers(std::optional<int64_t> unit_id);
  // Used by the CLI and the demo: a user created with a known password, no forced change.
  StatusOr<User> AddUserDirect(const std::string& username, const std::string& name,
                               int64_t unit_id, const std::vector<Role>& roles,
                               const std::string& password, bool must_change);

  // The strength rule; ok or kInvalidArgument with a Chinese reason.
  Status CheckPasswordStrength(const std::string& username, const std::string& password) const;
  bool PasswordExpired(const User& u) const;
  Json UserJson(const User& u, const std::string& unit_name) const;
  const AccountPolicy& policy() const { return policy_; }

 private:
  Store& store_;
  const Clock& clock_;
  AccountPolicy policy_;
};

Json UnitJson(const Unit& u);

}  // namespace gd
