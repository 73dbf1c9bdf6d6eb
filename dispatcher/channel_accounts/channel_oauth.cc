#include "dispatcher/channel_accounts/channel_oauth.h"

#include <cctype>

#include "dispatcher/core/log.h"
#include "dispatcher/core/time_util.h"

namespace gd {
namespace {

constexpr TimeMs kStateTtlMs = 10 * 60 * 1000;

const channels::OAuthSpec* SpecOf(const std::string& kind) {
  const channels::BuiltinChannel* c = channels::FindBuiltinChannel(kind);
  return c == nullptr ? nullptr : c->oauth;
}

// A 422 naming `field`, with `reason` for programs (docs/api.md §4.3).
Status Invalid(const std::string& field, const std::string& msg, const std::string& reason) {
  return InvalidArgument(msg, "invalid", {{"fields", {{field, msg}}}, {"reason", reason}});
}

// The error with its reason in details.reason, where programs read it (the wire code is the
// status's: conflict, not_found, forbidden).
Status WithReason(Status s) {
  if (s.ok() || s.reason().empty() || s.details().contains("reason")) return s;
  Json details = s.details();
  details["reason"] = s.reason();
  return Status(s.code(), s.message(), s.reason(), std::move(details));
}

Status Unsupported(const std::string& kind) {
  const channels::BuiltinChannel* c = channels::FindBuiltinChannel(kind);
  const std::string label = c == nullptr ? kind : c->label;
  return Invalid("kind", label + "不支持授权连接，请直接填写凭据", "oauth_unsupported");
}

Json TimeOrNull(TimeMs t) { return t == 0 ? Json(nullptr) : Json(FormatRfc3339(t)); }

bool AllOf(const std::string& s, size_t max, bool (*ok)(unsigned char)) {
  if (s.empty() || s.size() > max) return false;
  for (unsigned char c : s)
    if (!ok(c)) return false;
  return true;
}

bool StateChar(unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; }
bool CodeChar(unsigned char c) { return c > 0x20 && c < 0x7f; }
bool ErrorChar(unsigned char c) { return std::isalnum(c) || c == '_' || c == '-' || c == '.'; }

}  // namespace

bool OAuthStateShapeOk(const std::string& state) { return AllOf(state, 128, &StateChar); }
bool OAuthCodeShapeOk(const std::string& code) { return AllOf(code, 1024, &CodeChar); }
bool OAuthErrorShapeOk(const std::string& error) { return AllOf(error, 64, &ErrorChar); }

std::string OAuthConsoleLocation(const std::string& state, const std::string& code,
                                 const std::string& error) {
  std::vector<std::pair<std::string, std::string>> f;
  if (OAuthStateShapeOk(state)) f.emplace_back("oauth_state", state);
  if (!error.empty()) {
    f.emplace_back("oauth_error", OAuthErrorShapeOk(error) ? error : "bad_request");
  } else if (OAuthStateShapeOk(state) && OAuthCodeShapeOk(code)) {
    f.emplace_back("oauth_code", code);
  } else {
    f.emplace_back("oauth_error", "bad_request");
  }
  return "/channels#" + channels::BuildQuery(f);
}

ChannelOAuthService::ChannelOAuthService(Deps deps)
    : deps_(deps), states_(*deps.clock, kStateTtlMs) {}

StatusOr<Json> ChannelOAuthService::Start(const AuthContext& who, int64_t account_id) {
  GD_ASSIGN_OR_RETURN(ChannelAccountRow row, deps_.channels->Row(who, account_id));
  const channels::OAuthSpec* spec = SpecOf(row.kind);
  if (spec == nullptr) return Unsupported(row.kind);
  // The exchange needs the app secret: refuse now rather than after the person has authorised.
  GD_ASSIGN_OR_RETURN(Json secrets, deps_.channels->Secrets(row));
  const Json& secret = secrets.contains(spec->secret) ? secrets[spec->secret] : Json();
  if (!secret.is_string() || secret.get<std::string>().empty()) {
    const channels::BuiltinChannel* c = channels::FindBuiltinChannel(row.kind);
    const channels::Field* f = c->FindSecret(spec->secret);
    return FailedPrecondition("该账号尚未填写" +
                                  std::string(f != nullptr ? f->label : spec->secret) +
                                  "，无法完成授权：请先点击“编辑”填写后再授权连接",
                              "conflict");
  }
  const std::string redirect = row.settings.value(channels::kOAuthRedirectSetting, "");
  if (redirect.empty()) {
    return Invalid(std::string("settings.") + channels::kOAuthRedirectSetting,
                   "尚未填写授权回调地址：请先点击“编辑”，填写在开放平台登记的本系统回调地址",
                   "oauth_no_redirect");
  }
  const std::string state = states_.Begin(who.token_hash, account_id);
  // A setting the URL needs may be missing: the state then expires unused.
  auto url = spec->authorize_url(ClientAccount(row), state);
  if (!url.ok() && url.status().code() == Code::kInvalidArgument)
    return Invalid("settings", url.status().message(), "invalid");
  GD_RETURN_IF_ERROR(url.status());
  log::Info("channel account {}: authorisation started by user {}", account_id, who.user.id);
  return Json{{"authorize_url", *url}, {"expires_in", kStateTtlMs / 1000}};
}

StatusOr<Json> ChannelOAuthService::Complete(const AuthContext& who, const std::string& state,
                                             const std::string& code) {
  if (!OAuthStateShapeOk(state)) {
    return Invalid("state", "授权回调的 state 参数缺失或无效，请在渠道账号页重新点击“授权连接”",
                   "oauth_bad_state");
  }
  if (!OAuthCodeShapeOk(code)) {
    return Invalid("code", "授权回调缺少有效的授权码，请在渠道账号页重新点击“授权连接”",
                   "oauth_bad_code");
  }
  auto taken = states_.Take(state, who.token_hash);
  if (!taken.ok()) return WithReason(taken.status());
  const int64_t account_id = *taken;
  GD_ASSIGN_OR_RETURN(ChannelAccountRow row, deps_.channels->Row(who, account_id));
  const channels::OAuthSpec* spec = SpecOf(row.kind);
  if (spec == nullptr) return Unsupported(row.kind);
  GD_ASSIGN_OR_RETURN(Json secrets, deps_.channels->Secrets(row));
  const channels::Account account = ClientAccount(row);
  channels::OAuthExchange in;
  in.transport = deps_.transport;
  in.clock = deps_.clock;
  in.timeout_ms = deps_.timeout_ms;
  in.account = &account;
  in.secrets = secrets;
  in.code = code;
  in.redirect_uri = row.settings.value(channels::kOAuthRedirectSetting, "");
  auto grant = spec->exchange_code(in);
  if (!grant.ok()) {
    log::Warn("channel account {}: authorisation code not exchanged: {}", account_id,
              grant.status().ToString());
    return WithReason(grant.status());
  }
  Json tokens = {{"access_token", grant->token.access_token}};
  if (!grant->token.refresh_token.empty()) tokens["refresh_token"] = grant->token.refresh_token;
  Json audit = {{"kind", row.kind},
                {"expires_at", TimeOrNull(grant->token.expires_at)},
                {"refresh_expires_at", TimeOrNull(grant->token.refresh_expires_at)}};
  auto applied = deps_.channels->ApplyGrant(who, row, grant->settings, tokens, audit);
  if (!applied.ok()) return WithReason(applied.status());
  Json view = std::move(applied).value();
  std::string message = "授权成功，账号已连接";
  Status installed = deps_.tokens->Install(account_id, grant->token);
  if (!installed.ok()) {
    log::Error("channel account {}: granted token not stored: {}", account_id,
               installed.ToString());
    message += "；" + installed.message();
  }
  log::Info("channel account {}: authorised by user {}", account_id, who.user.id);
  AddStatus(view);
  return Json{{"account", view}, {"message", message}};
}

void ChannelOAuthService::AddStatus(Json& view) {
  if (!view.is_object() || !view.contains("kind") || !view["kind"].is_string()) return;
  const channels::OAuthSpec* spec = SpecOf(view["kind"].get<std::string>());
  if (spec == nullptr) return;
  const int64_t id = view.value("id", int64_t{0});
  Json status = {{"connected", false},
                 {"expires_at", nullptr},
                 {"refresh_expires_at", nullptr},
                 {"warning", "尚未授权：请点击“授权连接”，在平台页面授权后自动完成连接"},
                 {"unsaved", false}};
  auto held = deps_.tokens->Current(id);
  const bool pasted = view.contains("secrets") && view["secrets"].contains("access_token");
  if (held.ok() && held->token && !held->token->access_token.empty()) {
    const channels::Token& t = *held->token;
    status["connected"] = true;
    status["expires_at"] = TimeOrNull(t.expires_at);
    status["refresh_expires_at"] = TimeOrNull(t.refresh_expires_at);
    status["warning"] = channels::OAuthTokenWarning(*spec, t, deps_.clock->Now());
    status["unsaved"] = held->unsaved;
    if (held->unsaved)
      status["warning"] = "授权令牌仅保存在内存中（数据库写入失败），服务重启后需重新授权";
  } else if (pasted) {
    // A token typed in before the flow existed: working, its end unknown.
    status["connected"] = true;
    status["warning"] = "";
  }
  status["last_check"] = nullptr;
  if (deps_.keeper != nullptr) {
    if (auto check = deps_.keeper->LastCheck(id)) {
      status["last_check"] = {
          {"at", FormatRfc3339(check->at)}, {"ok", check->ok}, {"message", check->message}};
      if (!check->ok && status.value("warning", "").empty())
        status["warning"] = "最近一次自动检查失败：" + check->message;
    }
  }
  if (!held.ok())
    log::Warn("channel account {}: token state unread: {}", id, held.status().ToString());
  view["oauth"] = status;
}

}  // namespace gd
