#include "dispatcher/model/dispatch_state.h"

#include <gtest/gtest.h>

#include <map>

namespace gd {
namespace {

using S = DispatchState;
using E = DispatchEvent;

const S kAllStates[] = {S::kPending, S::kSending,     S::kAwaiting, S::kPublished,
                        S::kFailed,  S::kWithdrawing, S::kWithdrawn};
const E kAllEvents[] = {E::kSend,
                        E::kAccept,
                        E::kPublish,
                        E::kBackOff,
                        E::kFail,
                        E::kNeedDecision,
                        E::kRetry,
                        E::kConfirmHandOff,
                        E::kConfirmPublished,
                        E::kDeclareNotPublished,
                        E::kStartWithdrawal,
                        E::kWithdrawWait,
                        E::kWithdrawn};

// Every (state, event) pair against the table written out here: a changed table fails.
TEST(DispatchState, EveryStateEventPair) {
  const std::map<std::pair<S, E>, S> allowed = {
      {{S::kPending, E::kSend}, S::kSending},
      {{S::kPending, E::kFail}, S::kFailed},
      {{S::kSending, E::kSend}, S::kSending},
      {{S::kSending, E::kAccept}, S::kAwaiting},
      {{S::kSending, E::kPublish}, S::kPublished},
      {{S::kSending, E::kBackOff}, S::kPending},
      {{S::kSending, E::kFail}, S::kFailed},
      {{S::kSending, E::kNeedDecision}, S::kAwaiting},
      {{S::kAwaiting, E::kAccept}, S::kAwaiting},
      {{S::kAwaiting, E::kPublish}, S::kPublished},
      {{S::kAwaiting, E::kBackOff}, S::kAwaiting},
      {{S::kAwaiting, E::kFail}, S::kFailed},
      {{S::kAwaiting, E::kNeedDecision}, S::kAwaiting},
      {{S::kAwaiting, E::kConfirmHandOff}, S::kAwaiting},
      {{S::kAwaiting, E::kConfirmPublished}, S::kPublished},
      {{S::kAwaiting, E::kDeclareNotPublished}, S::kFailed},
      {{S::kPublished, E::kStartWithdrawal}, S::kWithdrawing},
      {{S::kFailed, E::kRetry}, S::kPending},
      {{S::kWithdrawing, E::kWithdrawWait}, S::kWithdrawing},
      {{S::kWithdrawing, E::kWithdrawn}, S::kWithdrawn},
  };
  int pairs = 0;
  for (S s : kAllStates) {
    for (E e : kAllEvents) {
      auto next = NextDispatchState(s, e);
      auto it = allowed.find({s, e});
      if (it == allowed.end()) {
        EXPECT_FALSE(next.has_value()) << DispatchStateKey(s) << " + " << DispatchEventKey(e);
      } else {
        ASSERT_TRUE(next.has_value()) << DispatchStateKey(s) << " + " << DispatchEventKey(e);
        EXPECT_EQ(*next, it->second) << DispatchStateKey(s) << " + " << DispatchEventKey(e);
      }
      ++pairs;
    }
  }
  EXPECT_EQ(pairs, 91);
  // Withdrawn is final; only a person's retry leaves failed; nothing publishes from pending.
  for (E e : kAllEvents) EXPECT_FALSE(NextDispatchState(S::kWithdrawn, e).has_value());
  EXPECT_FALSE(NextDispatchState(S::kPending, E::kPublish).has_value());
}

TEST(DispatchState, ARefusedEventIsAChineseConflictAndChangesNothing) {
  Dispatch d;
  d.state = "published";
  Status s = ApplyDispatchEvent(d, E::kDeclareNotPublished);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.reason(), "conflict");
  EXPECT_NE(s.message().find("已发布"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("判定未发布"), std::string::npos) << s.message();
  EXPECT_EQ(d.state, "published");
  d.state = "lost";  // not a state at all
  EXPECT_EQ(ApplyDispatchEvent(d, E::kSend).code(), Code::kFailedPrecondition);
  EXPECT_EQ(d.state, "lost");
  d.state = "awaiting";
  EXPECT_TRUE(ApplyDispatchEvent(d, E::kConfirmPublished).ok());
  EXPECT_EQ(d.state, "published");
}

TEST(DispatchState, KeysAndLabelsRoundTrip) {
  for (S s : kAllStates) {
    EXPECT_EQ(ParseDispatchState(DispatchStateKey(s)), s);
    EXPECT_FALSE(DispatchStateLabel(s).empty());
  }
  for (E e : kAllEvents) {
    EXPECT_FALSE(DispatchEventKey(e).empty());
    EXPECT_FALSE(DispatchEventLabel(e).empty());
  }
  EXPECT_FALSE(ParseDispatchState("deleted").has_value());
}

TEST(WithdrawalState, EveryStateEventPair) {
  using WS = WithdrawalState;
  using WE = WithdrawalEvent;
  const std::map<std::pair<WS, WE>, WS> allowed = {
      {{WS::kPending, WE::kApprove}, WS::kApproved},
      {{WS::kPending, WE::kReject}, WS::kRejected},
      {{WS::kApproved, WE::kComplete}, WS::kDone},
  };
  int pairs = 0;
  for (WS s : {WS::kPending, WS::kApproved, WS::kRejected, WS::kDone}) {
    EXPECT_EQ(ParseWithdrawalState(WithdrawalStateKey(s)), s);
    for (WE e : {WE::kApprove, WE::kReject, WE::kComplete}) {
      auto next = NextWithdrawalState(s, e);
      auto it = allowed.find({s, e});
      if (it == allowed.end()) {
        EXPECT_FALSE(next.has_value()) << WithdrawalStateKey(s) << " + " << WithdrawalEventKey(e);
      } else {
        ASSERT_TRUE(next.has_value()) << WithdrawalStateKey(s) << " + " << WithdrawalEventKey(e);
        EXPECT_EQ(*next, it->second);
      }
      ++pairs;
    }
  }
  EXPECT_EQ(pairs, 12);
  Withdrawal w;
  w.state = "rejected";
  EXPECT_EQ(ApplyWithdrawalEvent(w, WE::kComplete).reason(), "conflict");
  EXPECT_EQ(w.state, "rejected");
}

}  // namespace
}  // namespace gd
