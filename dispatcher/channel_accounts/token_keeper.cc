#include "dispatcher/channel_accounts/token_keeper.h"

#include "channels/builtin_channels.h"
#include "dispatcher/core/log.h"
#include "dispatcher/store/channel_repo.h"

namespace gd {

TokenKeeper::TokenKeeper(Deps deps) : deps_(std::move(deps)) {}

TokenKeeper::~TokenKeeper() { Stop(); }

StatusOr<std::vector<ChannelAccountRow>> TokenKeeper::Candidates() {
  std::vector<ChannelAccountRow> rows;
  GD_RETURN_IF_ERROR(deps_.store->Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(rows, channel_repo::ListChannels(tx));
    return Status::Ok();
  }));
  std::vector<ChannelAccountRow> out;
  for (auto& row : rows) {
    const channels::BuiltinChannel* kind = channels::FindBuiltinChannel(row.kind);
    if (row.disabled || kind == nullptr || kind->oauth == nullptr || row.secrets_sealed.empty())
      continue;
    out.push_back(std::move(row));
  }
  return out;
}

channels::Client* TokenKeeper::ClientFor(const std::string& kind) {
  auto it = clients_.find(kind);
  if (it != clients_.end()) return it->second.get();
  auto made = channels::NewClient(kind, deps_.client_deps);
  if (!made.ok()) return nullptr;
  return (clients_[kind] = std::move(made).value()).get();
}

int TokenKeeper::RunDue() {
  std::lock_guard run(run_mu_);
  auto rows = Candidates();
  if (!rows.ok()) {
    log::Warn("token keeper: accounts not read: {}", rows.status().ToString());
    return 0;
  }
  int checked = 0;
  for (const ChannelAccountRow& row : *rows) {
    const TimeMs now = deps_.clock->Now();
    if (auto last = LastCheck(row.id); last && now - last->at < kPeriodMs) continue;
    channels::Client* client = ClientFor(row.kind);
    if (client == nullptr) continue;
    auto secrets = deps_.channels->Secrets(row);
    Status result = secrets.status();
    if (result.ok() && secrets->contains("access_token")) {
      const Json opened = *secrets;
      result = client->CheckCredentials(ClientAccount(row),
                                        [opened]() -> StatusOr<Json> { return opened; });
    } else if (result.ok()) {
      continue;  // not authorised yet: nothing to keep alive
    }
    ++checked;
    if (!result.ok()) {
      log::Warn("token keeper: account {} ({}) failed its daily check: {}", row.id, row.kind,
                result.ToString());
    }
    std::lock_guard lock(mu_);
    checks_[row.id] = Check{now, result.ok(), result.ok() ? "" : result.message()};
  }
  return checked;
}

std::optional<TokenKeeper::Check> TokenKeeper::LastCheck(int64_t account_id) const {
  std::lock_guard lock(mu_);
  auto it = checks_.find(account_id);
  if (it == checks_.end()) return std::nullopt;
  return it->second;
}

void TokenKeeper::Start(TimeMs first_ms, TimeMs tick_ms) {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, first_ms, tick_ms] {
    TimeMs wait = first_ms;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        if (cv_.wait_for(lock, std::chrono::milliseconds(wait), [&] { return stopping_; })) return;
      }
      RunDue();
      wait = tick_ms;
    }
  });
}

void TokenKeeper::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace gd
