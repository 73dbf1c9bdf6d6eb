#include "dispatcher/channel_accounts/channel_service.h"

#include <map>
#include <set>

#include "dispatcher/core/crypto.h"
#include "dispatcher/core/time_util.h"
#include "dispatcher/core/utf8.h"

namespace gd {
namespace {

struct KindSpec {
  std::vector<std::string> settings;  // required settings
  std::vector<std::string> secrets;   // accepted secrets
  bool needs_base_url;
};

const std::map<std::string, KindSpec>& Kinds() {
  static const std::map<std::string, KindSpec> kinds = {
      {"portal", {{"mode"}, {"signing_key"}, false}},
      {"wechat_mp", {{"app_id"}, {"app_secret"}, true}},
      {"weibo", {{"app_key", "uid"}, {"app_secret", "access_token"}, true}},
      {"douyin",
       {{"client_key", "open_id"}, {"client_secret", "access_token", "refresh_token"}, true}},
      {"kuaishou", {{"app_id", "open_id"}, {"app_secret", "access_token", "refresh_token"}, true}},
      {"manual", {{"platform"}, {}, false}},
  };
  return kinds;
}

Status Invalid(const std::string& field, const std::string& msg) {
  return InvalidArgument(msg, "invalid", {{"fields", {{field, msg}}}});
}

// A string setting, or `fallback` when absent or not a string.
std::string StringSetting(const Json& settings, const char* key, const std::string& fallback) {
  auto it = settings.find(key);
  return it != settings.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::string Aad(int64_t id) { return "channel-secrets:" + std::to_string(id); }

}  // namespace

bool CanSeeChannel(const AuthContext& who, int64_t unit_id) {
  return unit_id == 0 || who.user.CityWide() || who.user.Has(Role::kOperator) ||
         who.user.unit_id == unit_id;
}

Status ChannelService::Validate(const std::string& kind, const std::string& base_url,
                                const Json& settings, const Json& secrets) const {
  auto it = Kinds().find(kind);
  if (it == Kinds().end()) return Invalid("kind", "未知渠道类型 " + kind);
  if (!settings.is_object()) return Invalid("settings", "settings 应为对象");
  if (!secrets.is_object()) return Invalid("secrets", "secrets 应为对象");
  for (const auto& key : it->second.settings) {
    if (!settings.contains(key) || !settings[key].is_string() ||
        settings[key].get<std::string>().empty())
      return Invalid("settings." + key, "缺少 " + key);
  }
  std::set<std::string> allowed(it->second.secrets.begin(), it->second.secrets.end());
  for (auto& [k, v] : secrets.items()) {
    if (!allowed.count(k)) return Invalid("secrets." + k, "该渠道类型不接受密钥 " + k);
    if (!v.is_string()) return Invalid("secrets." + k, "密钥应为字符串");
  }
  const std::string mode = StringSetting(settings, "mode", "");
  bool push = kind == "portal" && mode == "push";
  if (kind == "portal" && mode != "builtin" && !push)
    return Invalid("settings.mode", "门户模式应为 builtin 或 push");
  if (it->second.needs_base_url || push) {
    if (base_url.rfind("https://", 0) != 0 && base_url.rfind("http://", 0) != 0)
      return Invalid("base_url", "接口地址应以 https:// 或 http:// 开头");
  }
  if (kind == "wechat_mp") {
    const std::string publish_mode = settings.contains("publish_mode")
                                         ? StringSetting(settings, "publish_mode", "")
                                         : std::string("publish");
    if (publish_mode != "publish" && publish_mode != "mass_send")
      return Invalid("settings.publish_mode", "发布方式应为 publish 或 mass_send");
  }
  return Status::Ok();
}

StatusOr<Json> ChannelService::Secrets(const ChannelAccountRow& row) const {
  if (row.secrets_sealed.empty()) return Json::object();
  GD_ASSIGN_OR_RETURN(std::string plain, OpenAesGcm(key_, row.secrets_sealed, Aad(row.id)));
  return Json::parse(plain, nullptr, false);
}

StatusOr<std::string> ChannelService::Seal(int64_t id, const Json& secrets) const {
  return SealAesGcm(key_, secrets.dump(), Aad(id));
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
      GD_ASSIGN_OR_RETURN(auto unit, tx.GetUnit(unit_id));
      if (!unit) return Invalid("unit_id", "单位不存在");
    }
    ChannelAccountRow row;
    row.kind = kind;
    row.name = name;
    row.unit_id = unit_id;
    row.base_url = base_url;
    row.settings = settings;
    GD_ASSIGN_OR_RETURN(row.id, tx.InsertChannel(row));
    GD_ASSIGN_OR_RETURN(row.secrets_sealed, Seal(row.id, secrets));
    GD_RETURN_IF_ERROR(tx.UpdateChannel(row));
    Json secret_keys = Json::array();
    for (auto& [k, v] : secrets.items()) secret_keys.push_back(k);
    GD_RETURN_IF_ERROR(tx.Audit(who.user.id, "channel.create", "channel", row.id,
                                {{"kind", kind}, {"name", name}, {"secrets_set", secret_keys}}));
    GD_ASSIGN_OR_RETURN(auto fresh, tx.GetChannel(row.id));
    out = View(*fresh);
    return Status::Ok();
  }));
  return out;
}

StatusOr<Json> ChannelService::Patch(const AuthContext& who, int64_t id,
                                     const ChannelPatch& patch) {
  Json out;
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto existing, tx.GetChannel(id));
    if (!existing) return NotFound("渠道账号不存在");
    ChannelAccountRow row = *existing;
    Json change = Json::object();
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
    GD_ASSIGN_OR_RETURN(Json secrets, Secrets(row));
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
      change["secrets_changed"] = changed;
    }
    GD_RETURN_IF_ERROR(Validate(row.kind, row.base_url, row.settings, secrets));
    GD_ASSIGN_OR_RETURN(row.secrets_sealed, Seal(row.id, secrets));
    GD_RETURN_IF_ERROR(tx.UpdateChannel(row));
    GD_RETURN_IF_ERROR(tx.Audit(who.user.id, "channel.update", "channel", row.id, change));
    GD_ASSIGN_OR_RETURN(auto fresh, tx.GetChannel(row.id));
    out = View(*fresh);
    return Status::Ok();
  }));
  return out;
}

StatusOr<Json> ChannelService::List(const AuthContext& who) {
  Json items = Json::array();
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto rows, tx.ListChannels());
    for (const auto& r : rows)
      if (CanSeeChannel(who, r.unit_id)) items.push_back(View(r));
    return Status::Ok();
  }));
  return Json{{"items", items}, {"total", items.size()}};
}

StatusOr<Json> ChannelService::Get(const AuthContext& who, int64_t id) {
  Json out;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto row, tx.GetChannel(id));
    if (!row || !CanSeeChannel(who, row->unit_id)) return NotFound("渠道账号不存在");
    out = View(*row);
    return Status::Ok();
  }));
  return out;
}

StatusOr<Json> ChannelService::Test(const AuthContext& who, int64_t id,
                                    const CredentialTester& tester) {
  std::optional<ChannelAccountRow> row;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(row, tx.GetChannel(id));
    if (!row) return NotFound("渠道账号不存在");
    return Status::Ok();
  }));
  GD_ASSIGN_OR_RETURN(Json secrets, Secrets(*row));
  Status result = tester(*row, secrets);
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) {
    return tx.Audit(who.user.id, "channel.test", "channel", id,
                    {{"ok", result.ok()}, {"code", CodeName(result.code())}});
  }));
  if (result.ok()) return Json{{"ok", true}, {"message", "连接成功，凭据有效"}};
  return Json{{"ok", false}, {"message", result.message()}, {"code", CodeName(result.code())}};
}

}  // namespace gd
