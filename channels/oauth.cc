#include "channels/oauth.h"

#include <cstdlib>

#include "dispatcher/core/crypto.h"

namespace gd::channels {

Field OAuthRedirectField() {
  return {.name = kOAuthRedirectSetting,
          .label = "授权回调地址",
          .type = FieldType::kUrl,
          .help = "在开放平台登记的回调地址：本系统的 https://<域名>/api/oauth/callback",
          .max_chars = 512};
}

Field OAuthScopeField(std::string default_scope, std::string help) {
  return {.name = kOAuthScopeSetting,
          .label = "授权范围",
          .default_value = std::move(default_scope),
          .help = std::move(help),
          .max_chars = 512};
}

namespace {

// Seconds from an integer or a numeric string; `fallback` when absent or not a number.
int64_t Seconds(const Json& j, const std::string& name, int64_t fallback) {
  if (name.empty() || !j.contains(name)) return fallback;
  const Json& v = j[name];
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    char* end = nullptr;
    const long long n = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && end != nullptr && *end == '\0') return n;
  }
  return fallback;
}

}  // namespace

OAuthGrant GrantFromAnswer(const Json& j, TimeMs now, const GrantFields& f) {
  OAuthGrant g;
  if (!j.is_object()) return g;
  g.token.access_token = j.value("access_token", "");
  g.token.refresh_token = j.value("refresh_token", "");
  g.token.issued_at = now;
  const int64_t ttl = Seconds(j, "expires_in", f.expires_in_default_s);
  g.token.expires_at = ttl > 0 ? now + ttl * 1000 : 0;
  const int64_t rttl = Seconds(j, f.refresh_expires_in, f.refresh_expires_in_default_s);
  g.token.refresh_expires_at = rttl > 0 && !g.token.refresh_token.empty() ? now + rttl * 1000 : 0;
  if (!f.user_setting.empty()) {
    const std::string field = f.user_field.empty() ? f.user_setting : f.user_field;
    if (j.contains(field) && (j[field].is_string() || j[field].is_number_integer())) {
      std::string id = j[field].is_string() ? j[field].get<std::string>()
                                            : std::to_string(j[field].get<int64_t>());
      if (!id.empty()) g.settings[f.user_setting] = id;
    }
  }
  return g;
}

std::string OAuthTokenWarning(const OAuthSpec& spec, const Token& token, TimeMs now) {
  const TimeMs end = token.refresh_expires_at != 0 ? token.refresh_expires_at : token.expires_at;
  if (end == 0) return "";
  const TimeMs day = TimeMs{24} * 3600 * 1000;
  if (end <= now) return "授权已失效，请在渠道账号页点击“授权连接”重新授权";
  if (end - now > spec.warn_days * day) return "";
  const TimeMs days = (end - now + day - 1) / day;
  return "授权将在 " + std::to_string(days) +
         " 天内失效且无法自动续期，请在渠道账号页点击“授权连接”重新授权";
}

OAuthStates::OAuthStates(const Clock& clock, TimeMs ttl_ms, size_t max_pending)
    : clock_(clock), ttl_(ttl_ms), max_(max_pending) {}

void OAuthStates::Prune(TimeMs now) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    it = it->second.expires_at <= now ? pending_.erase(it) : std::next(it);
  }
}

std::string OAuthStates::Begin(const std::string& session_id, int64_t account_id) {
  std::lock_guard lock(mu_);
  const TimeMs now = clock_.Now();
  Prune(now);
  // Bounded: the oldest entry makes room (its operator starts again).
  while (pending_.size() >= max_ && !pending_.empty()) {
    auto oldest = pending_.begin();
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      if (it->second.expires_at < oldest->second.expires_at) oldest = it;
    }
    pending_.erase(oldest);
  }
  std::string state = RandomToken(32);
  pending_[state] = Pending{session_id, account_id, now + ttl_, false};
  return state;
}

StatusOr<int64_t> OAuthStates::Take(const std::string& state, const std::string& session_id) {
  if (state.empty())
    return InvalidArgument("授权回调缺少 state 参数，请在渠道账号页重新点击“授权连接”");
  if (state.size() > 128) return InvalidArgument("授权回调的 state 参数无效，请重新发起授权");
  std::lock_guard lock(mu_);
  const TimeMs now = clock_.Now();
  auto it = pending_.find(state);
  if (it == pending_.end()) {
    return NotFound("授权请求不存在或已失效，请在渠道账号页重新点击“授权连接”");
  }
  Pending& p = it->second;
  if (p.session_id != session_id) {
    return PermissionDenied("该授权请求不是由当前登录会话发起的，请在发起授权的浏览器中完成授权");
  }
  if (p.used) return FailedPrecondition("该授权请求已使用过，请重新发起授权", "oauth_state_used");
  if (p.expires_at <= now) {
    pending_.erase(it);
    return FailedPrecondition("授权请求已过期，请在渠道账号页重新点击“授权连接”",
                              "oauth_state_expired");
  }
  p.used = true;
  return p.account_id;
}

}  // namespace gd::channels
