#include "channels/builtin_channels.h"

#include <vector>

#include "channels/bilibili/kind.h"
#include "channels/douyin/kind.h"
#include "channels/kuaishou/kind.h"
#include "channels/manual/kind.h"
#include "channels/portal/kind.h"
#include "channels/wechat_mp/kind.h"
#include "channels/weibo/kind.h"

namespace gd::channels {
namespace {

// The registry: one line per platform, in display order. Never destroyed: dispatch workers of
// an App a test leaks may still look a kind up while static destructors run.
const std::vector<BuiltinChannel>& Registry() {
  // One line per platform (clang-format would bin-pack them, and every addition would then
  // rewrite its neighbours).
  // clang-format off
  static const auto& entries = *new std::vector<BuiltinChannel>{
      portal::Channel(),
      wechat_mp::Channel(),
      weibo::Channel(),
      douyin::Channel(),
      kuaishou::Channel(),
      bilibili::Channel(),
      manual::Channel(),
  };
  // clang-format on
  return entries;
}

const char* TypeName(FieldType t) {
  switch (t) {
    case FieldType::kString:
      return "string";
    case FieldType::kText:
      return "text";
    case FieldType::kUrl:
      return "url";
    case FieldType::kInteger:
      return "integer";
    case FieldType::kBoolean:
      return "boolean";
    case FieldType::kSelect:
      return "select";
    case FieldType::kMedia:
      return "media";
    case FieldType::kObject:
      return "object";
  }
  return "string";
}

const Field* FindIn(const std::vector<Field>& fields, std::string_view name) {
  for (const Field& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Json FieldsJson(const std::vector<Field>& fields) {
  Json out = Json::array();
  for (const Field& f : fields) {
    if (f.listed) out.push_back(FieldJson(f));
  }
  return out;
}

Json KindJson(const BuiltinChannel& c) {
  Json covers = Json::array();
  for (const Cover& cv : c.covers) {
    Json j = {{"name", cv.name}, {"label", cv.label}};
    if (!cv.aspect.empty()) j["aspect"] = cv.aspect;
    if (cv.min_width > 0) j["min_width"] = cv.min_width;
    if (cv.min_height > 0) j["min_height"] = cv.min_height;
    covers.push_back(std::move(j));
  }
  return {{"kind", c.kind},
          {"label", c.label},
          {"preview", c.preview},
          {"base_url", c.base_url ? FieldJson(*c.base_url) : Json(nullptr)},
          {"settings", FieldsJson(c.settings)},
          {"secrets", FieldsJson(c.secrets)},
          {"options", FieldsJson(c.options)},
          {"covers", std::move(covers)},
          {"publishes_by_hand", c.publishes_by_hand},
          {"is_portal", c.is_portal},
          {"oauth", c.oauth != nullptr}};
}

}  // namespace

const Field* BuiltinChannel::FindSetting(std::string_view name) const {
  return FindIn(settings, name);
}

const Field* BuiltinChannel::FindSecret(std::string_view name) const {
  return FindIn(secrets, name);
}

bool BuiltinChannel::Applies(const Field& f, const Json& settings) {
  if (f.when.setting.empty()) return true;
  std::string value;
  if (settings.is_object()) {
    auto it = settings.find(f.when.setting);
    if (it != settings.end() && it->is_string()) value = it->get<std::string>();
  }
  return std::find(f.when.values.begin(), f.when.values.end(), value) != f.when.values.end();
}

bool BuiltinChannel::NeedsBaseUrl(const Json& settings) const {
  return base_url && base_url->required && Applies(*base_url, settings);
}

bool BuiltinChannel::NeedsSecrets(const Json& settings) const {
  if (InProcess(settings)) return false;
  for (const Field& f : secrets) {
    if (Applies(f, settings)) return true;
  }
  return false;
}

std::span<const BuiltinChannel> BuiltinChannels() { return Registry(); }

const BuiltinChannel* FindBuiltinChannel(std::string_view kind) {
  for (const BuiltinChannel& c : Registry()) {
    if (c.kind == kind) return &c;
  }
  return nullptr;
}

Json FieldJson(const Field& f) {
  Json j = {{"name", f.name},         {"label", f.label},           {"type", TypeName(f.type)},
            {"required", f.required}, {"default", f.default_value}, {"help", f.help}};
  if (f.type == FieldType::kSelect) {
    Json choices = Json::array();
    for (const FieldChoice& c : f.choices)
      choices.push_back({{"value", c.value}, {"label", c.label}});
    j["choices"] = std::move(choices);
  }
  if (!f.when.setting.empty()) j["when"] = {{f.when.setting, f.when.values}};
  // The limits the server checks (channels/field_check.h), so forms can say them first.
  if (f.type == FieldType::kInteger) {
    j["min"] = f.min;
    j["max"] = f.max;
  } else if (f.type == FieldType::kString || f.type == FieldType::kText ||
             f.type == FieldType::kUrl) {
    j["max_chars"] = f.max_chars;
  }
  return j;
}

Json ChannelKindsJson() {
  Json items = Json::array();
  for (const BuiltinChannel& c : Registry()) items.push_back(KindJson(c));
  return {{"items", std::move(items)}};
}

StatusOr<std::map<std::string, std::unique_ptr<Formatter>, std::less<>>> MakeBuiltinFormatters(
    const FormatterEnv& env) {
  std::map<std::string, std::unique_ptr<Formatter>, std::less<>> out;
  for (const BuiltinChannel& c : Registry()) {
    auto f = c.make_formatter(env);
    if (!f.ok()) return f.status();
    out.emplace(c.kind, std::move(*f));
  }
  return out;
}

}  // namespace gd::channels
