// Tickets and what hangs off them (versions, decisions, check runs): rows as the services see
// them. Plain types; the store maps them to SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/core/clock.h"
#include "dispatcher/core/json_util.h"
#include "dispatcher/model/content.h"
#include "dispatcher/model/ticket_state.h"

namespace gd {

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
