// The review pipeline (三审三校, art. 9-13): tickets, versions, chains, decisions.
//
// Rules enforced here (ARCHITECTURE.md "The review pipeline"):
//  - the chain comes from policy by category, plus the office step when out of scope (art. 10, 13);
//  - the author never decides; one person decides at most one step of a version;
//  - a decision names the content hash it approves and is refused (409) if it is stale;
//  - any edit makes a new version, which voids every approval; recall voids them too;
//  - reviewers act only within their unit (the office step is city-wide);
//  - out-of-scope pieces need a publish time >= N working days after submission unless urgent;
//  - every decision is signed (HMAC) and signatures are checked whenever the chain is read.
#pragma once

#include <optional>
#include <string>

#include "dispatcher/accounts/account_service.h"
#include "dispatcher/core/clock.h"
#include "dispatcher/policy/calendar.h"
#include "dispatcher/policy/review_policy.h"
#include "dispatcher/review/ports.h"
#include "dispatcher/store/store.h"

namespace gd {

struct TicketQuery {
  std::optional<std::string> state, category;
  std::optional<int64_t> unit_id;
  bool mine = false;
  bool awaiting_me = false;
  int page = 1, per_page = 20;
};

// The state of a ticket's chain for its current version and round.
struct ChainView {
  std::vector<ReviewStep> steps;
  std::vector<Decision> decisions;  // of the current version and round, in step order
  Json steps_json = Json::array();
  std::optional<int> current_step;
  bool complete = false;         // every step approved
  bool signatures_valid = true;  // every decision's HMAC verifies
};

class ReviewService {
 public:
  ReviewService(Store& store, const Clock& clock, const ReviewPolicy& policy,
                const WorkCalendar& calendar, const ContentRenderer& renderer,
                const ContentChecker& checker, std::string signing_key)
      : store_(store),
        clock_(clock),
        policy_(policy),
        calendar_(calendar),
        renderer_(renderer),
        checker_(checker),
        signing_key_(std::move(signing_key)) {}

  StatusOr<Json> Create(const AuthContext& who, const Json& body);
  StatusOr<Json> Update(const AuthContext& who, int64_t id, const Json& body);
  StatusOr<Json> Submit(const AuthContext& who, int64_t id, const Json& body);
  StatusOr<Json> Recall(const AuthContext& who, int64_t id);
  StatusOr<Json> Decide(const AuthContext& who, int64_t id, const Json& body);

  StatusOr<Json> Get(const AuthContext& who, int64_t id);
  StatusOr<Json> List(const AuthContext& who, const TicketQuery& q);
  StatusOr<Json> Previews(const AuthContext& who, int64_t id);
  StatusOr<Json> Checks(const AuthContext& who, int64_t id);
  StatusOr<Json> History(const AuthContext& who, int64_t id);
  // Live checking in the editor: {category, title, body, source?, summary?}.
  StatusOr<Json> CheckDraft(const Json& body) const;

  // The chain of the ticket's current version, with signatures verified.
  StatusOr<ChainView> ReadChain(Tx& tx, const Ticket& t) const;
  // The ticket's JSON representation (API.md "Ticket representation").
  StatusOr<Json> TicketJson(Tx& tx, const Ticket& t) const;
  std::string SignDecision(const Decision& d) const;

  const ReviewPolicy& policy() const { return policy_; }
  const ContentChecker& checker() const { return checker_; }

 private:
  StatusOr<Ticket> Load(Tx& tx, const AuthContext& who, int64_t id) const;
  // ReadChain for a ticket whose current version's content is already loaded.
  StatusOr<ChainView> ChainFor(Tx& tx, const Ticket& t, bool out_of_scope) const;
  // Resolves channel accounts and media of `c` for a ticket of `unit_id`, renders and hashes.
  Status Resolve(Tx& tx, int64_t unit_id, Content& c) const;
  Json Render(Tx& tx, const Content& c, int64_t ticket_id, int64_t unit_id, TimeMs at) const;

  Store& store_;
  const Clock& clock_;
  const ReviewPolicy& policy_;
  const WorkCalendar& calendar_;
  const ContentRenderer& renderer_;
  const ContentChecker& checker_;
  std::string signing_key_;
};

bool CanSeeUnit(const AuthContext& who, int64_t unit_id);

}  // namespace gd
