// Units, users, their sessions and the personnel register (art. 8): rows as the services see
// them. Plain types; the store maps them to SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/core/clock.h"
#include "dispatcher/core/json_util.h"
#include "dispatcher/model/roles.h"

namespace gd {

struct Unit {
  int64_t id = 0;
  std::string name;
  std::string kind;  // town, street, department, office
  TimeMs created_at = 0;
};

struct User {
  int64_t id = 0;
  std::string username;
  std::string name;
  int64_t unit_id = 0;
  std::vector<Role> roles;
  std::string password_hash;
  TimeMs password_changed_at = 0;
  bool must_change_password = false;
  bool disabled = false;
  int failed_count = 0;
  TimeMs first_failed_at = 0;
  TimeMs locked_until = 0;
  TimeMs created_at = 0;

  bool Has(Role r) const {
    for (Role x : roles)
      if (x == r) return true;
    return false;
  }
  bool CityWide() const {
    for (Role x : roles)
      if (IsCityWide(x)) return true;
    return false;
  }
};

struct Session {
  std::string token_hash;
  int64_t user_id = 0;
  std::string csrf_token;
  TimeMs created_at = 0;
  TimeMs expires_at = 0;
  TimeMs last_seen_at = 0;
};

// A session joined with its user and the user's unit (unit unset if it does not exist).
struct SessionAuth {
  Session session;
  User user;
  std::optional<Unit> unit;
};

// One entry of the personnel register: who changed whom, how.
struct PersonnelRow {
  int64_t id = 0;
  TimeMs at = 0;
  int64_t actor_id = 0;
  int64_t user_id = 0;
  int64_t unit_id = 0;
  Json change = Json::object();
};

}  // namespace gd
