// Rows as the services see them. Plain types; the store maps them to SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/core/clock.h"
#include "dispatcher/core/json_util.h"
#include "dispatcher/model/content.h"
#include "dispatcher/model/roles.h"
#include "dispatcher/model/ticket_state.h"

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

struct Ticket {
  int64_t id = 0;
  int64_t unit_id = 0;
  int64_t author_id = 0;
  Category category = Category::kWorkNews;
  TicketState state = TicketState::kDraft;
  int version = 1;
  int round = 0;  // review round: increments at each submission; decisions of older rounds are void
  std::string content_hash;
  std::optional<int> current_step;  // index into the chain while in review
  std::string current_role;         // role key of the current step ("" outside review)
  TimeMs submitted_at = 0;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
  int64_t row_version = 0;  // compare-and-set guard
  TimeMs published_at = 0;  // when every channel first reported published
};

struct TicketVersion {
  int64_t ticket_id = 0;
  int version = 0;
  Content content;
  std::string content_hash;
  Json renderings = Json::array();  // [{"account_id", "kind", "name", "rendering", "problems"}]
  int64_t created_by = 0;
  TimeMs created_at = 0;
};

struct Decision {
  int64_t id = 0;
  int64_t ticket_id = 0;
  int version = 0;
  int round = 0;
  int step = 0;
  std::string role;
  int64_t user_id = 0;
  std::string decision;  // approve | reject
  std::string comment;
  Json checklist = Json::object();
  Json acknowledged = Json::array();
  std::string content_hash;
  TimeMs decided_at = 0;
  std::string signature;
};

struct ChannelAccountRow {
  int64_t id = 0;
  std::string kind;
  std::string name;
  int64_t unit_id = 0;  // 0 = city-wide
  std::string base_url;
  Json settings = Json::object();
  std::string secrets_sealed;  // AES-256-GCM, never plain
  bool disabled = false;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

struct MediaRow {
  int64_t id = 0;
  std::string sha256;
  std::string kind;  // image | video
  std::string mime;
  int64_t size = 0;
  std::string filename;
  int64_t uploaded_by = 0;
  int64_t unit_id = 0;
  int width = 0, height = 0;
  TimeMs created_at = 0;
};

struct AuditEntry {
  int64_t id = 0;
  TimeMs at = 0;
  int64_t actor_id = 0;
  std::string action;
  std::string entity;
  int64_t entity_id = 0;
  Json detail = Json::object();
  std::string prev_hash;
  std::string hash;
};

struct CheckRun {
  int64_t id = 0;
  int64_t ticket_id = 0;
  int version = 0;
  std::string stage;  // submit | publish | rescan
  Json findings = Json::array();
  TimeMs created_at = 0;
};

struct TicketFilter {
  std::optional<std::string> state;
  std::optional<int64_t> unit_id;
  std::optional<std::string> category;
  std::optional<int64_t> author_id;
  // awaiting_me: in review, current step's role among these roles, not decided by this user
  std::optional<std::vector<std::string>> awaiting_roles;
  std::optional<int64_t> awaiting_user;
  std::optional<int64_t> visible_unit;  // restricts to one unit (non-city-wide users)
  int page = 1;
  int per_page = 20;
};

}  // namespace gd
