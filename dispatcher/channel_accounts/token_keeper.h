// Keeps the grants of authorised accounts alive while nothing is published (issue 14). A
// platform's refresh token can die of idleness: Douyin's lasts 30 days and is renewed only when
// the client next needs an access token ([D4][D5], docs/channels-protocols.md), so an account
// that publishes nothing for a month would have to be authorised again. Once a day per enabled
// account whose kind has an authorisation flow and that has credentials, the keeper asks the
// platform through the client's credentials check: the client then refreshes the access token
// and renews the refresh token by its own rules, and stores them sealed (TokenCache). A failed
// check is logged and shown in the account's view (ChannelOAuthService), so the operator learns
// of a dead grant before a publish does.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "channels/client.h"
#include "dispatcher/channel_accounts/channel_service.h"
#include "dispatcher/store/db.h"

namespace gd {

class TokenKeeper {
 public:
  struct Deps {
    Store* store = nullptr;
    const Clock* clock = nullptr;
    const ChannelService* channels = nullptr;
    channels::ClientDeps client_deps = {};
  };
  static constexpr TimeMs kPeriodMs = 24 * 3600 * 1000;

  explicit TokenKeeper(Deps deps);
  ~TokenKeeper();

  // Checks every account that is due (never checked by this process, or last checked
  // kPeriodMs ago). Returns how many were checked.
  int RunDue();

  // A thread that calls RunDue every `tick_ms` of real time, the first time after `first_ms`.
  void Start(TimeMs first_ms = 60 * 1000, TimeMs tick_ms = 10 * 60 * 1000);
  void Stop();

  struct Check {
    TimeMs at = 0;
    bool ok = false;
    std::string message;  // the client's Chinese explanation when not ok
  };
  // The last check of `account_id` by this process, if any.
  std::optional<Check> LastCheck(int64_t account_id) const;

 private:
  // The enabled accounts of kinds with an authorisation flow, with credentials.
  StatusOr<std::vector<ChannelAccountRow>> Candidates();
  channels::Client* ClientFor(const std::string& kind);

  Deps deps_;
  std::mutex run_mu_;  // one RunDue at a time; guards clients_
  std::map<std::string, std::unique_ptr<channels::Client>> clients_;
  mutable std::mutex mu_;
  std::map<int64_t, Check> checks_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace gd
