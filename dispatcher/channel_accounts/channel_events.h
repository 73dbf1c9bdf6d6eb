// Events a platform pushes to a channel account's event URL (POST /api/channel-events/{id},
// docs/api.md): the registry entry of the account's kind checks and reads them
// (channels::BuiltinChannel::events); this service finds the account, opens its secrets, and
// when the event says a publish job ended, makes the awaiting dispatch of that job due now, so
// the engine asks the platform for the result at once instead of at its next slow poll. The
// event itself is never taken as the result: the poll that follows is.
//
// Idempotent: a job id already handled (the platform repeats a push it thinks failed, or a
// replay) wakes nothing again. Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>

#include "channels/builtin_channels.h"
#include "dispatcher/channel_accounts/channel_service.h"
#include "dispatcher/core/clock.h"
#include "dispatcher/store/db.h"

namespace gd {

// The answer the route sends back.
struct ChannelEventReply {
  std::string body;  // text/plain
};

class ChannelEventService {
 public:
  // `wake` tells the dispatch engine that work became due (may be empty in tests of the table).
  ChannelEventService(Store& store, const ChannelService& channels, const Clock& clock,
                      std::function<void()> wake)
      : store_(store), channels_(channels), clock_(clock), wake_(std::move(wake)) {}

  // Largest body read; beyond it the request is refused before anything else.
  static constexpr size_t kMaxBodyBytes = 64 * 1024;

  // Handles one request to account `account_id`'s event URL. Errors, all before anything is
  // recorded: kNotFound (no such account, disabled, its kind takes no events, or its receiver
  // is not configured: the same answer, so the URL does not reveal which accounts exist),
  // kUnauthenticated (signature or timestamp wrong), kTooLarge (body over kMaxBodyBytes),
  // kInvalidArgument (malformed).
  StatusOr<ChannelEventReply> Handle(int64_t account_id,
                                     const channels::ChannelEventRequest& request);

  // How many pushed events woke a dispatch so far (for tests and /metrics).
  int64_t woken() const;

 private:
  // Whether the job `key` already woke a dispatch; Remember records that (the last few
  // thousand).
  bool Seen(const std::string& key) const;
  void Remember(const std::string& key, int woken);

  Store& store_;
  const ChannelService& channels_;
  const Clock& clock_;
  std::function<void()> wake_;
  mutable std::mutex mu_;
  std::set<std::string> seen_;
  std::deque<std::string> seen_order_;
  int64_t woken_ = 0;
};

}  // namespace gd
