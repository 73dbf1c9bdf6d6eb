#include "dispatcher/model/ticket_state.h"

#include <gtest/gtest.h>

#include <map>

namespace gd {
namespace {

using S = TicketState;
using E = TicketEvent;

// Every (state, event) pair: the allowed ones and where they lead; all others refused.
TEST(TicketState, EveryStateEventPair) {
  const std::map<std::pair<S, E>, S> allowed = {
      {{S::kDraft, E::kEdit}, S::kDraft},
      {{S::kReturned, E::kEdit}, S::kDraft},
      {{S::kDraft, E::kSubmit}, S::kInReview},
      {{S::kReturned, E::kSubmit}, S::kInReview},
      {{S::kInReview, E::kRecall}, S::kDraft},
      {{S::kInReview, E::kApproveStep}, S::kInReview},
      {{S::kInReview, E::kApproveFinal}, S::kApproved},
      {{S::kInReview, E::kReject}, S::kReturned},
      {{S::kApproved, E::kPublish}, S::kPublishing},
      {{S::kPublishing, E::kAllPublished}, S::kPublished},
      {{S::kPublishing, E::kDispatchFailed}, S::kFailed},
      {{S::kFailed, E::kRetry}, S::kPublishing},
      {{S::kFailed, E::kAllPublished}, S::kPublished},
      {{S::kPublished, E::kWithdraw}, S::kWithdrawn},
      {{S::kFailed, E::kWithdraw}, S::kWithdrawn},
      {{S::kPublishing, E::kWithdraw}, S::kWithdrawn},
      {{S::kPublished, E::kDispatchFailed}, S::kFailed},
  };
  const S states[] = {S::kDraft,      S::kInReview,  S::kReturned, S::kApproved,
                      S::kPublishing, S::kPublished, S::kFailed,   S::kWithdrawn};
  const E events[] = {E::kEdit,           E::kSubmit, E::kRecall,  E::kApproveStep,
                      E::kApproveFinal,   E::kReject, E::kPublish, E::kAllPublished,
                      E::kDispatchFailed, E::kRetry,  E::kWithdraw};
  int pairs = 0;
  for (S s : states) {
    for (E e : events) {
      auto next = NextState(s, e);
      auto it = allowed.find({s, e});
      if (it == allowed.end()) {
        EXPECT_FALSE(next.has_value()) << TicketStateKey(s) << " + " << TicketEventKey(e);
      } else {
        ASSERT_TRUE(next.has_value()) << TicketStateKey(s) << " + " << TicketEventKey(e);
        EXPECT_EQ(*next, it->second);
      }
      ++pairs;
    }
  }
  EXPECT_EQ(pairs, 88);
  // Withdrawn is final: nothing leaves it; nothing publishes without approval.
  for (E e : events) EXPECT_FALSE(NextState(S::kWithdrawn, e).has_value());
  for (S s : states) {
    if (s != S::kApproved) {
      EXPECT_FALSE(NextState(s, E::kPublish).has_value());
    }
  }
}

TEST(TicketState, KeysRoundTrip) {
  for (S s : {S::kDraft, S::kInReview, S::kReturned, S::kApproved, S::kPublishing, S::kPublished,
              S::kFailed, S::kWithdrawn}) {
    EXPECT_EQ(ParseTicketState(TicketStateKey(s)), s);
    EXPECT_FALSE(TicketStateLabel(s).empty());
  }
  EXPECT_FALSE(ParseTicketState("deleted").has_value());
}

}  // namespace
}  // namespace gd
