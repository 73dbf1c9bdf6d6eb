#include "dispatcher/channel_accounts/channel_events.h"

#include "dispatcher/core/log.h"
#include "dispatcher/store/channel_repo.h"
#include "dispatcher/store/dispatch_repo.h"

namespace gd {
namespace {

constexpr size_t kSeenMax = 4096;
constexpr const char* kNoReceiver = "没有该推送地址";

}  // namespace

StatusOr<ChannelEventReply> ChannelEventService::Handle(
    int64_t account_id, const channels::ChannelEventRequest& request) {
  if (request.body.size() > kMaxBodyBytes) {
    return Status(Code::kTooLarge, "推送内容过大", "too_large");
  }
  std::optional<ChannelAccountRow> row;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(row, channel_repo::GetChannel(tx, account_id));
    return Status::Ok();
  }));
  if (!row || row->disabled) return NotFound(kNoReceiver);
  const channels::BuiltinChannel* kind = channels::FindBuiltinChannel(row->kind);
  if (kind == nullptr || kind->events == nullptr) return NotFound(kNoReceiver);
  auto secrets = channels_.Secrets(*row);
  if (!secrets.ok()) return NotFound(kNoReceiver);
  const TimeMs now = clock_.Now();
  auto event = kind->events(row->settings, *secrets, request, now);
  if (!event.ok()) {
    if (event.status().code() == Code::kFailedPrecondition) return NotFound(kNoReceiver);
    log::Warn("channel events: account {} refused a push: {}", account_id,
              event.status().message());
    return event.status();
  }
  ChannelEventReply reply{event->reply};
  const std::string key = std::to_string(account_id) + ":" + event->job_key + ":" + event->job_id;
  if (event->job_id.empty() || Seen(key)) return reply;
  int woken = 0;
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(
        woken, dispatch_repo::WakeAwaiting(tx, account_id, event->job_key, event->job_id, now));
    return Status::Ok();
  }));
  log::Info("channel events: account {} job {} ended; {} dispatch(es) due now", account_id,
            event->job_id, woken);
  // Remembered only once it woke something: a push that comes before the job's id is recorded
  // may be repeated by the platform, and the slow poll covers the rest.
  if (woken > 0) {
    Remember(key, woken);
    if (wake_) wake_();
  }
  return reply;
}

int64_t ChannelEventService::woken() const {
  std::lock_guard lock(mu_);
  return woken_;
}

bool ChannelEventService::Seen(const std::string& key) const {
  std::lock_guard lock(mu_);
  return seen_.count(key) > 0;
}

void ChannelEventService::Remember(const std::string& key, int woken) {
  std::lock_guard lock(mu_);
  woken_ += woken;
  if (!seen_.insert(key).second) return;
  seen_order_.push_back(key);
  if (seen_order_.size() > kSeenMax) {
    seen_.erase(seen_order_.front());
    seen_order_.pop_front();
  }
}

}  // namespace gd
