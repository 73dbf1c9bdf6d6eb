#include "dispatcher/channel_accounts/channel_service.h"

#include <arpa/inet.h>

#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "channels/builtin_channels.h"
#include "channels/field_check.h"
#include "dispatcher/core/crypto.h"
#include "dispatcher/core/log.h"
#include "dispatcher/core/time_util.h"
#include "dispatcher/core/utf8.h"
#include "dispatcher/store/audit_repo.h"
#include "dispatcher/store/channel_repo.h"
#include "dispatcher/store/dispatch_repo.h"
#include "dispatcher/store/user_repo.h"

namespace gd {
namespace {

Status Invalid(const std::string& field, const std::string& msg) {
  return InvalidArgument(msg, "invalid", {{"fields", {{field, msg}}}});
}

// Sealed secrets bound to the account's id, kind and origin (docs/decisions.md, issue 12).
constexpr std::string_view kBoundPrefix = "b2:";
// The format before the binding: "v1:…" bound to the id only. Read by the migration at open.
std::string LegacyAad(int64_t id) { return "channel-secrets:" + std::to_string(id); }

// The origin a sealed value is bound to. A stored URL the strict parser refuses (saved before
// the check existed) is bound by its full text, so the binding stays exact.
std::string OriginForBinding(const std::string& base_url) {
  if (base_url.empty()) return "";
  auto u = ParseBaseUrl(base_url);
  return u.ok() ? u->origin : "unparsed:" + base_url;
}

std::string BoundAad(const ChannelAccountRow& row) {
  return "gd.channel-secrets.b2|" + std::to_string(row.id) + "|" + row.kind + "|" +
         OriginForBinding(row.base_url);
}

Status ReenterCredentials(const std::string& why) {
  return FailedPrecondition(why + "，请重新填写凭据", "conflict");
}

// Whether the account cannot work without secrets (everything but manual and built-in portal).
bool NeedsSecrets(const ChannelAccountRow& row) {
  const channels::BuiltinChannel* c = channels::FindBuiltinChannel(row.kind);
  return c != nullptr && c->NeedsSecrets(row.settings);
}

// Every setting and secret is one the kind's schema names, of the field's type and length.
Status CheckNamesAndTypes(const channels::BuiltinChannel& c, const Json& settings,
                          const Json& secrets) {
  for (const auto& [k, v] : settings.items()) {
    const channels::Field* f = c.FindSetting(k);
    if (f == nullptr) return Invalid("settings." + k, c.label + "没有设置项 " + k);
    if (auto problem = channels::FieldValueProblem(*f, v))
      return Invalid("settings." + k, *problem);
  }
  for (const auto& [k, v] : secrets.items()) {
    const channels::Field* f = c.FindSecret(k);
    if (f == nullptr) return Invalid("secrets." + k, "该渠道类型不接受密钥 " + k);
    if (!v.is_string()) return Invalid("secrets." + k, "密钥应为字符串");
    if (auto problem = channels::FieldValueProblem(*f, v)) return Invalid("secrets." + k, *problem);
  }
  return Status::Ok();
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// Four decimal parts 0..255 without leading zeros; nullopt for any other spelling.
std::optional<int> DottedQuadFirstOctet(const std::string& host) {
  int parts = 0, first = -1;
  size_t start = 0;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    std::string part = host.substr(start, dot == std::string::npos ? dot : dot - start);
    if (!AllDigits(part) || part.size() > 3 || (part.size() > 1 && part[0] == '0'))
      return std::nullopt;
    int v = std::stoi(part);
    if (v > 255) return std::nullopt;
    if (parts == 0) first = v;
    ++parts;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (parts != 4) return std::nullopt;
  return first;
}

// A DNS name: labels of [a-z0-9-], 1..63 long, not starting or ending with '-'.
bool DnsName(const std::string& host) {
  if (host.empty() || host.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    std::string label = host.substr(start, dot == std::string::npos ? dot : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    if (label.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
      return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

}  // namespace

StatusOr<BaseUrl> ParseBaseUrl(const std::string& url) {
  auto bad = [](const std::string& why) { return Invalid("base_url", "接口地址无效：" + why); };
  if (url.empty()) return bad("不能为空");
  if (url.size() > 2048) return bad("过长");
  for (unsigned char c : url) {
    if (c <= 0x20 || c >= 0x7f || c == '%' || c == '\\' || c == '?' || c == '#' || c == '@')
      return bad("不能包含空白、非 ASCII 字符或 % \\ ? # @");
  }
  const size_t sep = url.find("://");
  if (sep == std::string::npos) return bad("应以 https:// 开头");
  BaseUrl u;
  u.scheme = Lower(url.substr(0, sep));
  if (u.scheme != "https" && u.scheme != "http") return bad("应以 https:// 开头");
  const size_t start = sep + 3;
  const size_t slash = url.find('/', start);
  const std::string authority =
      url.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
  if (authority.empty()) return bad("缺少主机名");
  std::string port_text;
  bool has_port = false;
  if (authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string::npos) return bad("IPv6 地址缺少 ]");
    const std::string literal = authority.substr(1, close - 1);
    const std::string rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return bad("主机名后只能跟端口");
      has_port = true;
      port_text = rest.substr(1);
    }
    in6_addr addr{};
    if (literal.empty() || inet_pton(AF_INET6, literal.c_str(), &addr) != 1)
      return bad("IPv6 地址无效");
    char text[INET6_ADDRSTRLEN];
    if (inet_ntop(AF_INET6, &addr, text, sizeof text) == nullptr) return bad("IPv6 地址无效");
    u.host = std::string("[") + text + "]";
    u.loopback = IN6_IS_ADDR_LOOPBACK(&addr);
  } else {
    const size_t colon = authority.find(':');
    u.host = Lower(authority.substr(0, colon));
    if (colon != std::string::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    if (!DnsName(u.host)) return bad("主机名无效");
    const std::string last = u.host.substr(u.host.rfind('.') + 1);
    if (std::isdigit(static_cast<unsigned char>(last[0]))) {
      // Numeric: only the dotted quad, so that no other IPv4 spelling (127.1, 0x7f.1, a plain
      // number) reaches a resolver that reads it differently.
      auto first = DottedQuadFirstOctet(u.host);
      if (!first) return bad("IPv4 地址应写作 a.b.c.d");
      u.loopback = *first == 127;
    } else {
      u.loopback = u.host == "localhost";
    }
  }
  if (has_port) {
    if (!AllDigits(port_text) || port_text.size() > 5) return bad("端口无效");
    u.port = std::stoi(port_text);
    if (u.port < 1 || u.port > 65535) return bad("端口应在 1–65535 之间");
  } else {
    u.port = u.scheme == "https" ? 443 : 80;
  }
  u.origin = u.scheme + "://" + u.host + ":" + std::to_string(u.port);
  return u;
}

Status CheckBaseUrl(const std::string& url) {
  GD_ASSIGN_OR_RETURN(BaseUrl u, ParseBaseUrl(url));
  if (u.scheme != "https" && !u.loopback)
    return Invalid("base_url", "接口地址须使用 https://（仅本机回环地址可用 http://）");
  return Status::Ok();
}

channels::Account ClientAccount(const ChannelAccountRow& row, const std::string& unit_name) {
  channels::Account a;
  a.id = row.id;
  a.kind = row.kind;
  a.name = row.name;
  a.unit_id = row.unit_id;
  a.unit_name = unit_name;
  a.base_url = row.base_url;
  a.settings = row.settings;
  return a;
}

bool CanSeeChannel(const AuthContext& who, int64_t unit_id) {
  return unit_id == 0 || who.user.CityWide() || who.user.Has(Role::kOperator) ||
         who.user.unit_id == unit_id;
}

Json ChannelService::Kinds() { return channels::ChannelKindsJson(); }

Status ChannelService::Validate(const std::string& kind, const std::string& base_url,
                                const Json& settings, const Json& secrets) const {
  const channels::BuiltinChannel* c = channels::FindBuiltinChannel(kind);
  if (c == nullptr) return Invalid("kind", "未知渠道类型 " + kind);
  if (!settings.is_object()) return Invalid("settings", "settings 应为对象");
  if (!secrets.is_object()) return Invalid("secrets", "secrets 应为对象");
  GD_RETURN_IF_ERROR(CheckNamesAndTypes(*c, settings, secrets));
  for (const channels::Field& f : c->settings) {
    if (!f.required || !channels::BuiltinChannel::Applies(f, settings)) continue;
    const Json& v = settings.contains(f.name) ? settings[f.name] : Json();
    if (v.is_null() || (v.is_string() && v.get<std::string>().empty()))
      return Invalid("settings." + f.name, "缺少" + f.label);
  }
  if (c->NeedsBaseUrl(settings) && base_url.empty())
    return Invalid("base_url", "缺少接口地址（https://…）");
  if (!base_url.empty()) GD_RETURN_IF_ERROR(CheckBaseUrl(base_url));
  return Status::Ok();
}

StatusOr<Json> ChannelService::Secrets(const ChannelAccountRow& row) const {
  if (row.secrets_sealed.empty()) return Json::object();
  const std::string_view sealed = row.secrets_sealed;
  if (sealed.substr(0, kBoundPrefix.size()) != kBoundPrefix)
    return ReenterCredentials("渠道凭据为旧格式且未能迁移");
  auto plain = OpenAesGcm(key_, sealed.substr(kBoundPrefix.size()), BoundAad(row));
  if (!plain.ok())
    return ReenterCredentials("渠道凭据无法解密（账号、类型或接口主机与保存时不同）");
  Json secrets = Json::parse(*plain, nullptr, false);
  if (!secrets.is_object()) return ReenterCredentials("渠道凭据已损坏");
  return secrets;
}

StatusOr<std::string> ChannelService::Seal(const ChannelAccountRow& row,
                                           const Json& secrets) const {
  GD_ASSIGN_OR_RETURN(std::string sealed, SealAesGcm(key_, secrets.dump(), BoundAad(row)));
  return std::string(kBoundPrefix) + sealed;
}

StatusOr<int> ChannelService::RebindLegacySecrets() {
  int rebound = 0;
  std::vector<int64_t> unopened;
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    rebound = 0;
    unopened.clear();
    GD_ASSIGN_OR_RETURN(auto rows, channel_repo::ListChannels(tx));
    for (auto& row : rows) {
      if (row.secrets_sealed.empty() || row.secrets_sealed.rfind(kBoundPrefix, 0) == 0) continue;
      auto plain = OpenAesGcm(key_, row.secrets_sealed, LegacyAad(row.id));
      Json secrets = plain.ok() ? Json::parse(*plain, nullptr, false) : Json();
      if (!secrets.is_object()) {
        unopened.push_back(row.id);
        continue;
      }
      GD_ASSIGN_OR_RETURN(row.secrets_sealed, Seal(row, secrets));
      GD_RETURN_IF_ERROR(channel_repo::UpdateChannel(tx, row));
      Json keys = Json::array();
      for (auto& [k, v] : secrets.items()) keys.push_back(k);
      GD_RETURN_IF_ERROR(audit_repo::Audit(
          tx, 0, "channel.secrets_rebound", "channel", row.id,
          {{"kind", row.kind}, {"origin", OriginForBinding(row.base_url)}, {"secrets", keys}}));
      ++rebound;
    }
    return Status::Ok();
  }));
  for (int64_t id : unopened)
    log::Warn(
        "channel account {}: stored secrets do not open (another master key?); left as "
        "they are until re-entered",
        id);
  if (rebound > 0)
    log::Info("re-sealed the secrets of {} channel account(s) bound to their host", rebound);
  return rebound;
}

Json ChannelService::View(const ChannelAccountRow& row) const {
  Json masked = Json::object();
  auto secrets = Secrets(row);
  if (secrets.ok() && secrets->is_object())
    for (auto& [k, v] : secrets->items()) masked[k] = "***";
  return {{"id", row.id},
          {"kind", row.kind},
          {"name", row.name},
          {"unit_id", row.unit_id},
          {"base_url", row.base_url},
          {"settings", row.settings},
          {"secrets", masked},
          {"disabled", row.disabled},
          {"created_at", FormatRfc3339(row.created_at)},
          {"updated_at", FormatRfc3339(row.updated_at)}};
}

StatusOr<Json> ChannelService::Create(const AuthContext& who, const ChannelCreate& request) {
  const std::string& kind = request.kind;
  const std::string& name = request.name;
  const std::string& base_url = request.base_url;
  if (name.empty() || CodePointCount(name) > 100)
    return Invalid("name", "账号名称不能为空且不超过 100 字");
  const int64_t unit_id = request.unit_id;
  const Json& settings = request.settings;
  Json secrets = Json::object();
  for (const auto& [k, v] : request.secrets) secrets[k] = v;
  GD_RETURN_IF_ERROR(Validate(kind, base_url, settings, secrets));
  Json out;
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    if (unit_id != 0) {
      GD_ASSIGN_OR_RETURN(auto unit, user_repo::GetUnit(tx, unit_id));
      if (!unit) return Invalid("unit_id", "单位不存在");
    }
    ChannelAccountRow row;
    row.kind = kind;
    row.name = name;
    row.unit_id = unit_id;
    row.base_url = base_url;
    row.settings = settings;
    GD_ASSIGN_OR_RETURN(row.id, channel_repo::InsertChannel(tx, row));
    GD_ASSIGN_OR_RETURN(row.secrets_sealed, Seal(row, secrets));
    GD_RETURN_IF_ERROR(channel_repo::UpdateChannel(tx, row));
    Json secret_keys = Json::array();
    for (auto& [k, v] : secrets.items()) secret_keys.push_back(k);
    GD_RETURN_IF_ERROR(
        audit_repo::Audit(tx, who.user.id, "channel.create", "channel", row.id,
                          {{"kind", kind}, {"name", name}, {"secrets_set", secret_keys}}));
    GD_ASSIGN_OR_RETURN(auto fresh, channel_repo::GetChannel(tx, row.id));
    out = View(*fresh);
    return Status::Ok();
  }));
  AddExtras(out);
  return out;
}

StatusOr<Json> ChannelService::Patch(const AuthContext& who, int64_t id,
                                     const ChannelPatch& patch) {
  Json out;
  bool moved = false;
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto existing, channel_repo::GetChannel(tx, id));
    if (!existing) return NotFound("渠道账号不存在");
    ChannelAccountRow row = *existing;
    Json change = Json::object();
    if (patch.kind) {
      const std::string& kind = *patch.kind;
      if (channels::FindBuiltinChannel(kind) == nullptr)
        return Invalid("kind", "未知渠道类型 " + kind);
      if (kind != row.kind) {
        change["kind"] = kind;
        // Settings belong to the kind they were entered for (the registry's schema of the old
        // kind): a new kind starts from the settings this request sends.
        row.settings = Json::object();
      }
      row.kind = kind;
    }
    if (patch.name) {
      if (patch.name->empty() || CodePointCount(*patch.name) > 100)
        return Invalid("name", "账号名称不能为空且不超过 100 字");
      row.name = *patch.name;
      change["name"] = row.name;
    }
    if (patch.base_url) {
      row.base_url = *patch.base_url;
      change["base_url"] = row.base_url;
    }
    if (patch.disabled) {
      row.disabled = *patch.disabled;
      change["disabled"] = row.disabled;
    }
    if (patch.settings) {
      row.settings.merge_patch(*patch.settings);
      change["settings"] = *patch.settings;
    }
    // Secrets belong to the kind and host they were entered for: a new kind or origin starts
    // from none (secrets in this request are the operator's re-entry for the new one).
    moved = row.kind != existing->kind ||
            OriginForBinding(row.base_url) != OriginForBinding(existing->base_url);
    StatusOr<Json> opened = Secrets(*existing);
    Json secrets = opened.ok() ? *opened : Json::object();
    Json cleared = Json::array();
    if (moved) {
      for (auto& [k, v] : secrets.items()) cleared.push_back(k);
      secrets = Json::object();
      change["secrets_cleared"] = cleared;
    }
    bool reentered = false;
    if (patch.secrets) {
      Json changed = Json::array();
      for (const auto& [k, v] : *patch.secrets) {
        if (v && *v == "***") continue;  // the console echoes the mask
        if (!v)
          secrets.erase(k);
        else
          secrets[k] = *v;
        changed.push_back(k);
      }
      reentered = !changed.empty();
      change["secrets_changed"] = changed;
    }
    GD_RETURN_IF_ERROR(Validate(row.kind, row.base_url, row.settings, secrets));
    // A value that does not open is kept as it is until the operator re-enters the secrets.
    if (opened.ok() || moved || reentered) {
      GD_ASSIGN_OR_RETURN(row.secrets_sealed, Seal(row, secrets));
    }
    GD_RETURN_IF_ERROR(channel_repo::UpdateChannel(tx, row));
    GD_RETURN_IF_ERROR(dispatch_repo::WakeHeld(tx, row.id, kAccountNotReady, tx.now()).status());
    GD_RETURN_IF_ERROR(
        audit_repo::Audit(tx, who.user.id, "channel.update", "channel", row.id, change));
    GD_ASSIGN_OR_RETURN(auto fresh, channel_repo::GetChannel(tx, row.id));
    out = View(*fresh);
    if (moved) {
      out["secrets_cleared"] = cleared;
      if (!cleared.empty())
        out["message"] = reentered ? "已更换渠道类型或接口主机：原凭据已清除，已保存新填写的凭据"
                                   : "已更换渠道类型或接口主机：原凭据已清除，请重新填写凭据";
    }
    return Status::Ok();
  }));
  if (moved && forget_tokens_) forget_tokens_(id);
  AddExtras(out);
  return out;
}

StatusOr<Json> ChannelService::List(const AuthContext& who) {
  Json items = Json::array();
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto rows, channel_repo::ListChannels(tx));
    for (const auto& r : rows)
      if (CanSeeChannel(who, r.unit_id)) items.push_back(View(r));
    return Status::Ok();
  }));
  for (Json& item : items) AddExtras(item);
  return Json{{"items", items}, {"total", items.size()}};
}

StatusOr<Json> ChannelService::Get(const AuthContext& who, int64_t id) {
  GD_ASSIGN_OR_RETURN(ChannelAccountRow row, Row(who, id));
  Json out = View(row);
  AddExtras(out);
  return out;
}

void ChannelService::AddExtras(Json& view) const {
  if (view_extras_) view_extras_(view);
}

StatusOr<ChannelAccountRow> ChannelService::Row(const AuthContext& who, int64_t id) const {
  std::optional<ChannelAccountRow> row;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(row, channel_repo::GetChannel(tx, id));
    return Status::Ok();
  }));
  if (!row || !CanSeeChannel(who, row->unit_id)) return NotFound("渠道账号不存在");
  return *row;
}

StatusOr<Json> ChannelService::ApplyGrant(const AuthContext& who, const ChannelAccountRow& was,
                                          const Json& settings, const Json& secrets,
                                          const Json& audit) {
  Json out;
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto existing, channel_repo::GetChannel(tx, was.id));
    if (!existing) return NotFound("渠道账号不存在");
    // The grant belongs to the app and host the authorisation started with.
    if (existing->kind != was.kind ||
        OriginForBinding(existing->base_url) != OriginForBinding(was.base_url) ||
        existing->settings != was.settings) {
      return FailedPrecondition("授权期间该账号的设置已被修改，请重新点击“授权连接”",
                                "oauth_account_changed");
    }
    ChannelAccountRow row = *existing;
    GD_ASSIGN_OR_RETURN(Json current, Secrets(row));
    row.settings.merge_patch(settings);
    current.merge_patch(secrets);
    GD_RETURN_IF_ERROR(Validate(row.kind, row.base_url, row.settings, current));
    GD_ASSIGN_OR_RETURN(row.secrets_sealed, Seal(row, current));
    GD_RETURN_IF_ERROR(channel_repo::UpdateChannel(tx, row));
    GD_RETURN_IF_ERROR(dispatch_repo::WakeHeld(tx, row.id, kAccountNotReady, tx.now()).status());
    Json change = audit;
    change["settings"] = settings;
    Json keys = Json::array();
    for (auto& [k, v] : secrets.items()) keys.push_back(k);
    change["secrets_changed"] = keys;
    GD_RETURN_IF_ERROR(
        audit_repo::Audit(tx, who.user.id, "channel.oauth_connected", "channel", row.id, change));
    GD_ASSIGN_OR_RETURN(auto fresh, channel_repo::GetChannel(tx, row.id));
    out = View(*fresh);
    return Status::Ok();
  }));
  return out;
}

StatusOr<Json> ChannelService::Test(const AuthContext& who, int64_t id,
                                    const CredentialTester& tester) {
  std::optional<ChannelAccountRow> row;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(row, channel_repo::GetChannel(tx, id));
    if (!row) return NotFound("渠道账号不存在");
    return Status::Ok();
  }));
  StatusOr<Json> secrets = Secrets(*row);
  Status refused = secrets.status();
  if (refused.ok() && secrets->empty() && NeedsSecrets(*row))
    refused = ReenterCredentials("该账号尚无凭据（更换类型或接口主机时已清除）");
  if (!refused.ok()) {
    GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) {
      return audit_repo::Audit(tx, who.user.id, "channel.test", "channel", id,
                               {{"ok", false}, {"code", "conflict"}, {"called", false}});
    }));
    return refused;
  }
  Status result = tester(*row, *secrets);
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) {
    return audit_repo::Audit(tx, who.user.id, "channel.test", "channel", id,
                             {{"ok", result.ok()}, {"code", CodeName(result.code())}});
  }));
  if (result.ok()) return Json{{"ok", true}, {"message", "连接成功，凭据有效"}};
  return Json{{"ok", false}, {"message", result.message()}, {"code", CodeName(result.code())}};
}

}  // namespace gd
