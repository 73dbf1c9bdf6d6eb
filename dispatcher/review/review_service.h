// The review pipeline (三审三校, art. 9-13): tickets, versions, chains, decisions.
//
// Rules enforced here (docs/architecture.md §3):
//  - the chain comes from policy by category, plus the office step when out of scope (art. 10, 13);
//  - the author never decides; one person decides at most one step of a version;
//  - a decision names the content hash it approves and is refused (409) if it is stale;
//  - any edit makes a new version, which voids every approval; recall voids them too;
//  - reviewers act only within their unit (the office step is city-wide);
//  - out-of-scope pieces need a publish time >= N working days after submission unless urgent;
//  - every decision is signed (HMAC) and signatures are checked whenever the chain is read.
#pragma once

#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "dispatcher/accounts/account_service.h"
#include "dispatcher/core/clock.h"
#include "dispatcher/core/crypto.h"
#include "dispatcher/model/channel_account.h"
#include "dispatcher/model/dispatch.h"
#include "dispatcher/model/ticket.h"
#include "dispatcher/policy/calendar.h"
#include "dispatcher/policy/review_policy.h"
#include "dispatcher/review/ports.h"
#include "dispatcher/store/db.h"

namespace gd {

// GET /api/tickets filters.
struct TicketQuery {
  std::optional<std::string> state, category;
  std::optional<int64_t> unit_id;
  bool mine = false;
  bool awaiting_me = false;
  int page = 1, per_page = 20;
};

// A ticket body (docs/api.md §3.1) is a Content with its media and channels unresolved
// (ids only): model/content_codec.h ContentFromRequest decodes it.

// POST /api/tickets/{id}/submit.
struct SubmitRequest {
  bool proofread = false;  // the author's own proofread (一校); required to submit
};

// A warning the reviewer read and accepted, with the reason (recorded with the decision).
struct AcknowledgedWarning {
  std::string finding_id = {};
  std::string reason = {};
};

// POST /api/tickets/{id}/decisions (docs/api.md §3.3).
struct DecisionRequest {
  std::string decision = {};                   // "approve" or "reject"
  std::optional<int> step = {};                // when given and not the current step: 409
  std::string version_hash = {};               // the content hash the reviewer looked at
  std::string comment = {};                    // required to reject
  std::map<std::string, bool> checklist = {};  // art. 11: all nine items true to approve
  std::vector<AcknowledgedWarning> acknowledged_warnings = {};
};

// POST /api/check: live checking in the editor.
struct DraftCheckRequest {
  Category category = Category::kWorkNews;
  std::string title = {}, summary = {}, body = {}, source = {};
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

// A ticket version as the pipeline uses it, parsed once. Versions never change once written,
// so these are shared between requests (ReviewService keeps the latest of each ticket).
struct VersionInfo {
  int64_t ticket_id = 0;
  int version = 0;
  Content content;
  bool has_limits = false;              // limit_findings known (read with the renderings)
  Json limit_findings = Json::array();  // the renderings' problems, as findings
};

// What a ticket's answer shows, read inside one transaction; turned into JSON afterwards,
// outside it (TicketData -> JSON hashes signatures and builds strings, no SQL).
struct TicketData {
  Ticket ticket;
  std::shared_ptr<const VersionInfo> version;
  std::vector<Decision> decisions;                // all of the ticket's, in id order
  std::vector<std::optional<std::string>> names;  // channel account names, per content channel
  std::vector<Dispatch> dispatches;
  std::vector<Withdrawal> withdrawals;
  std::map<int64_t, std::string> user_names;  // author, deciders, withdrawal people
  std::optional<std::string> unit_name;
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
        signing_key_(signing_key) {}

  // `content` as decoded from a ticket body: media and channels are resolved here.
  StatusOr<Json> Create(const AuthContext& who, const Content& content);
  StatusOr<Json> Update(const AuthContext& who, int64_t id, const Content& content);
  StatusOr<Json> Submit(const AuthContext& who, int64_t id, const SubmitRequest& request);
  StatusOr<Json> Recall(const AuthContext& who, int64_t id);
  StatusOr<Json> Decide(const AuthContext& who, int64_t id, const DecisionRequest& request);

  StatusOr<Json> Get(const AuthContext& who, int64_t id);
  StatusOr<Json> List(const AuthContext& who, const TicketQuery& q);
  StatusOr<Json> Previews(const AuthContext& who, int64_t id);
  StatusOr<Json> Checks(const AuthContext& who, int64_t id);
  StatusOr<Json> History(const AuthContext& who, int64_t id);
  // Live checking in the editor: the findings for a draft never stored.
  StatusOr<Json> CheckDraft(const DraftCheckRequest& draft) const;

  // The chain of the ticket's current version, with signatures verified.
  StatusOr<ChainView> ReadChain(Tx& tx, const Ticket& t) const;
  // The ticket's JSON representation (docs/api.md §3.2).
  StatusOr<Json> TicketJson(Tx& tx, const Ticket& t) const;
  // The same in two halves: the reads (inside a transaction) and the JSON (anywhere).
  // `version`, when given and of the ticket's current version, saves reading it again.
  StatusOr<TicketData> LoadTicketData(Tx& tx, const Ticket& t,
                                      std::shared_ptr<const VersionInfo> version = nullptr) const;
  Json TicketDataJson(const TicketData& d) const;
  std::string SignDecision(const Decision& d) const;

  const ReviewPolicy& policy() const { return policy_; }
  const ContentChecker& checker() const { return checker_; }

 private:
  // A version prepared for writing: rendered, hashed and serialized (outside the write).
  struct NewVersion {
    std::shared_ptr<VersionInfo> info;
    std::string content_hash, content_json, renderings_json;
    std::vector<ChannelAccountRow> accounts;  // what it was rendered for
    std::string unit_name;
    TimeMs rendered_at = 0;
  };

  StatusOr<Ticket> Load(Tx& tx, const AuthContext& who, int64_t id) const;
  // The chain from the policy and the ticket's decisions; `names` (user id -> name) fills the
  // decided_by_name fields when given. Pure, no SQL. Without `full`, only steps, decisions and
  // current_step are filled (no signature checks, no JSON): enough to validate a decision.
  ChainView BuildChain(const Ticket& t, bool out_of_scope, const std::vector<Decision>& all,
                       const std::map<int64_t, std::string>* names, bool full = true) const;
  // Resolves channel accounts and media of `c` for a ticket of `unit_id`; `accounts` gets the
  // channel accounts in channel order, `unit_name` the unit's name.
  Status Resolve(Tx& tx, int64_t unit_id, Content& c, std::vector<ChannelAccountRow>* accounts,
                 std::string* unit_name) const;
  // Renders, hashes and serializes a resolved content (pure; no SQL).
  NewVersion Prepare(const Content& c, int64_t ticket_id, int version, TimeMs at,
                     std::vector<ChannelAccountRow> accounts, std::string unit_name) const;
  // Inside the write: resolves `request` again and keeps `pre` (made outside, from a snapshot,
  // for `ticket_id`) when nothing it was made from has changed since; otherwise prepares again.
  StatusOr<NewVersion> Revalidate(Tx& tx, int64_t unit_id, const Content& request,
                                  int64_t ticket_id, int version,
                                  std::optional<NewVersion> pre) const;

  // The version, from the cache or the store (with its limit findings when `limits`). Only
  // versions read on a read connection (hence committed) or written by a committed
  // transaction (Remember) go into the cache.
  StatusOr<std::shared_ptr<const VersionInfo>> Version(Tx& tx, int64_t ticket_id, int version,
                                                       bool limits) const;
  std::shared_ptr<const VersionInfo> Cached(int64_t ticket_id) const;
  void Remember(std::shared_ptr<const VersionInfo> v) const;

  Store& store_;
  const Clock& clock_;
  const ReviewPolicy& policy_;
  const WorkCalendar& calendar_;
  const ContentRenderer& renderer_;
  const ContentChecker& checker_;
  HmacSha256Key signing_key_;

  // The latest version seen of recently used tickets, least recently used first.
  static constexpr size_t kCacheBytes = 8 << 20;
  mutable std::mutex cache_mu_;
  mutable std::list<std::pair<std::shared_ptr<const VersionInfo>, size_t>> cache_lru_;
  mutable std::unordered_map<int64_t, decltype(cache_lru_)::iterator> cache_index_;
  mutable size_t cache_bytes_ = 0;
};

bool CanSeeUnit(const AuthContext& who, int64_t unit_id);

}  // namespace gd
