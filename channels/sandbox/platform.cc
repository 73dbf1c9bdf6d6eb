#include "channels/sandbox/platform.h"

#include <algorithm>

#include "dispatcher/core/time_util.h"

namespace gd::channels::sandbox {

std::string SbRequest::Param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}
bool SbRequest::HasParam(const std::string& name) const { return params.count(name) > 0; }
std::string SbRequest::Header(const std::string& name) const {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  auto it = headers.find(lower);
  return it == headers.end() ? std::string() : it->second;
}
const SbFile* SbRequest::File(const std::string& name) const {
  auto it = files.find(name);
  return it == files.end() ? nullptr : &it->second;
}

SbResponse SbResponse::FromJson(const Json& j, int status) {
  SbResponse r;
  r.status = status;
  r.body = DumpJson(j);
  return r;
}

Env::Env(SandboxOptions options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : &system_clock_) {}

std::string Env::NewId(const std::string& prefix) {
  std::lock_guard lock(mu_);
  return prefix + std::to_string(next_id_++);
}

bool Env::HasAuditWord(const std::string& text) const {
  for (const auto& w : options_.audit_trigger_words) {
    if (!w.empty() && text.find(w) != std::string::npos) return true;
  }
  return false;
}

void Env::AddPost(PostRecord post) {
  std::lock_guard lock(mu_);
  posts_.push_back(std::move(post));
}

void Env::MarkDeleted(const std::string& platform, const std::string& remote_id) {
  std::lock_guard lock(mu_);
  for (auto& p : posts_) {
    if (p.platform == platform && p.remote_id == remote_id) p.deleted = true;
  }
}

std::vector<PostRecord> Env::Posts(const std::string& platform) const {
  std::lock_guard lock(mu_);
  std::vector<PostRecord> out;
  for (const auto& p : posts_) {
    if (platform.empty() || p.platform == platform) out.push_back(p);
  }
  return out;
}

std::string Env::PutBlob(std::string content_type, std::string data) {
  std::lock_guard lock(mu_);
  std::string id = "b" + std::to_string(next_id_++);
  blobs_[id] = SbFile{id, std::move(content_type), std::move(data)};
  return id;
}

std::optional<SbFile> Env::GetBlob(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = blobs_.find(id);
  if (it == blobs_.end()) return std::nullopt;
  return it->second;
}

std::optional<int> Env::TokenTtlSeconds(const std::string& platform) const {
  std::lock_guard lock(mu_);
  auto it = token_ttl_.find(platform);
  if (it == token_ttl_.end()) return std::nullopt;
  return it->second;
}

void Env::SetTokenTtlSeconds(const std::string& platform, std::optional<int> ttl) {
  std::lock_guard lock(mu_);
  if (ttl) {
    token_ttl_[platform] = *ttl;
  } else {
    token_ttl_.erase(platform);
  }
}

const char* QuotaRule::WindowName(Window w) {
  switch (w) {
    case Window::kMinute:
      return "minute";
    case Window::kHour:
      return "hour";
    case Window::kDay:
      return "day";
  }
  return "day";
}

StatusOr<QuotaRule> QuotaRule::FromJson(const Json& j) {
  if (!j.is_object()) return InvalidArgument("配额规则必须是 JSON 对象");
  for (const auto& [k, v] : j.items()) {
    if (k != "path" && k != "limit" && k != "window" && k != "per" && k != "code") {
      return InvalidArgument("配额规则含未知字段：" + k);
    }
  }
  QuotaRule r;
  if (!j.contains("path") || !j["path"].is_string() || j["path"].get<std::string>().empty()) {
    return InvalidArgument("配额规则需要 path（平台前缀之后的路径，\"*\" 表示全部接口）");
  }
  r.path = j["path"].get<std::string>();
  if (!j.contains("limit") || !j["limit"].is_number_integer() || j["limit"].get<int64_t>() < 0) {
    return InvalidArgument("配额规则的 limit 必须是非负整数");
  }
  r.limit = j["limit"].get<int64_t>();
  std::string w = j.value("window", "day");
  if (w == "minute") {
    r.window = Window::kMinute;
  } else if (w == "hour") {
    r.window = Window::kHour;
  } else if (w == "day") {
    r.window = Window::kDay;
  } else {
    return InvalidArgument("配额规则的 window 只能是 minute、hour 或 day");
  }
  std::string per = j.value("per", "account");
  if (per != "account" && per != "ip")
    return InvalidArgument("配额规则的 per 只能是 account 或 ip");
  r.per_ip = per == "ip";
  if (j.contains("code")) {
    if (!j["code"].is_number_integer()) return InvalidArgument("配额规则的 code 必须是整数");
    r.code = j["code"].get<int>();
  }
  return r;
}

Json QuotaRule::ToJson() const {
  Json j = {{"path", path},
            {"limit", limit},
            {"window", WindowName(window)},
            {"per", per_ip ? "ip" : "account"}};
  if (code != 0) j["code"] = code;
  return j;
}

namespace {

int64_t WindowId(QuotaRule::Window w, TimeMs now) {
  switch (w) {
    case QuotaRule::Window::kMinute:
      return now / 60000;
    case QuotaRule::Window::kHour:
      return now / 3600000;
    case QuotaRule::Window::kDay:
      return DaysFromCivil(CstDate(now));
  }
  return 0;
}

}  // namespace

int64_t SecondsToWindowEnd(QuotaRule::Window window, TimeMs now) {
  TimeMs end = 0;
  switch (window) {
    case QuotaRule::Window::kMinute:
      end = (now / 60000 + 1) * 60000;
      break;
    case QuotaRule::Window::kHour:
      end = (now / 3600000 + 1) * 3600000;
      break;
    case QuotaRule::Window::kDay:
      end = CstMidnight(CivilFromDays(DaysFromCivil(CstDate(now)) + 1));
      break;
  }
  return std::max<int64_t>(1, (end - now + 999) / 1000);
}

void Env::InitQuotas(const std::string& platform, std::vector<QuotaRule> defaults, bool enabled) {
  std::lock_guard lock(mu_);
  QuotaState& q = quotas_[platform];
  q.defaults = defaults;
  q.rules = std::move(defaults);
  q.enabled = enabled;
  q.usage.clear();
}

std::optional<QuotaRule> Env::TakeQuota(const std::string& platform, const std::string& account,
                                        const SbRequest& req) {
  std::lock_guard lock(mu_);
  auto it = quotas_.find(platform);
  if (it == quotas_.end() || !it->second.enabled) return std::nullopt;
  QuotaState& q = it->second;
  const TimeMs now = clock_->Now();
  std::vector<QuotaUsage*> counted;
  for (size_t i = 0; i < q.rules.size(); ++i) {
    const QuotaRule& r = q.rules[i];
    if (r.path != "*" && r.path != req.path) continue;
    QuotaUsage& u = q.usage[{i, r.per_ip ? "ip:" + req.remote_addr : account}];
    int64_t wid = WindowId(r.window, now);
    if (u.window_id != wid) u = QuotaUsage{wid, 0};
    if (u.used >= r.limit) {
      ++q.refused;
      return r;
    }
    counted.push_back(&u);
  }
  for (QuotaUsage* u : counted) ++u->used;
  return std::nullopt;
}

bool Env::QuotasEnabled(const std::string& platform) const {
  std::lock_guard lock(mu_);
  auto it = quotas_.find(platform);
  return it != quotas_.end() && it->second.enabled;
}

Status Env::ConfigureQuotas(const std::string& platform, std::optional<bool> enabled,
                            std::optional<std::vector<QuotaRule>> rules, bool defaults,
                            bool reset) {
  std::lock_guard lock(mu_);
  auto it = quotas_.find(platform);
  if (it == quotas_.end()) return NotFound("没有这个沙箱平台：" + platform);
  QuotaState& q = it->second;
  if (enabled) q.enabled = *enabled;
  if (defaults) {
    q.rules = q.defaults;
    q.usage.clear();
  }
  if (rules) {
    q.rules = std::move(*rules);
    q.usage.clear();
  }
  if (reset) {
    q.usage.clear();
    q.refused = 0;
  }
  return Status::Ok();
}

void Env::ResetQuotaUsage(const std::string& platform, const std::string& account) {
  std::lock_guard lock(mu_);
  auto it = quotas_.find(platform);
  if (it == quotas_.end()) return;
  auto& usage = it->second.usage;
  for (auto u = usage.begin(); u != usage.end();) {
    u = account.empty() || u->first.second == account ? usage.erase(u) : std::next(u);
  }
}

Json Env::QuotasJson() const {
  std::lock_guard lock(mu_);
  const TimeMs now = clock_->Now();
  Json out = Json::object();
  for (const auto& [platform, q] : quotas_) {
    Json rules = Json::array();
    for (const auto& r : q.rules) rules.push_back(r.ToJson());
    Json usage = Json::array();
    for (const auto& [key, u] : q.usage) {
      const QuotaRule& r = q.rules[key.first];
      if (u.window_id != WindowId(r.window, now)) continue;  // an earlier window: nothing used
      usage.push_back(Json{{"path", r.path},
                           {"window", QuotaRule::WindowName(r.window)},
                           {"key", key.second},
                           {"used", u.used},
                           {"limit", r.limit}});
    }
    out[platform] =
        Json{{"enabled", q.enabled}, {"rules", rules}, {"usage", usage}, {"refused", q.refused}};
  }
  return out;
}

void TokenTable::Add(const std::string& token, TimeMs expires_at) { tokens_[token] = expires_at; }

TokenTable::State TokenTable::Check(const std::string& token, TimeMs now) const {
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return State::kUnknown;
  if (it->second != 0 && now >= it->second) return State::kExpired;
  return State::kValid;
}

void TokenTable::ExpireAll(TimeMs now) {
  for (auto& [t, exp] : tokens_) {
    if (exp == 0 || exp > now) exp = now;
  }
}

void TokenTable::Erase(const std::string& token) { tokens_.erase(token); }

}  // namespace gd::channels::sandbox
