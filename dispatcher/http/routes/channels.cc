#include <string>
#include <string_view>

#include "dispatcher/core/utf8.h"
#include "dispatcher/http/decode.h"
#include "dispatcher/http/routes/requests.h"
#include "dispatcher/http/routes/routes.h"

namespace gd {
namespace {

using R = Role;

constexpr const char* kNoChannel = "渠道账号不存在";

// Integers the edge lets through; each kind's schema (channels/builtin_channels.h) then checks
// which settings are integers and their ranges.
constexpr int64_t kSettingIntLimit = int64_t{1} << 53;

// `settings`: at most 64 names of at most 64 characters; strings of at most 2000 characters,
// integers, booleans, and the portal's `columns` (column name -> slug). Which names a kind takes
// and of which type is the registry schema's check, in the service. In a patch, null removes a
// setting.
std::optional<Json> DecodeSettings(const JsonReader& in, bool patch) {
  std::optional<Json> settings = in.FreeObject("settings", 64);
  if (!settings) return std::nullopt;
  FieldErrors& errors = in.errors();
  const std::string path = in.PathOf("settings");
  JsonReader s(*settings, path, errors);
  bool ok = true;
  for (auto it = settings->begin(); it != settings->end(); ++it) {
    const std::string& key = it.key();
    if (key.empty() || CodePointCount(key) > 64) {
      errors.Add(path, "设置项名应为 1 至 64 字");
      ok = false;
      continue;
    }
    if (it->is_null()) {
      if (!patch) {
        errors.Add(path + "." + key, "不能为 null");
        ok = false;
      }
      continue;
    }
    bool good = false;
    if (it->is_number()) {
      good = s.Int(key, -kSettingIntLimit, kSettingIntLimit).has_value();
    } else if (it->is_boolean()) {
      good = s.Bool(key).has_value();
    } else if (key == "columns") {
      if (auto cols = s.Object(key)) {
        good = true;
        const Json& value = *it;
        if (value.size() > 200) {
          errors.Add(path + ".columns", "栏目不超过 200 个");
          good = false;
        }
        for (auto c = value.begin(); good && c != value.end(); ++c)
          good = cols->String(c.key(), {.required = true, .max_chars = 64}).has_value();
      }
    } else {
      good = s.String(key, {.max_chars = 2000}).has_value();
    }
    ok = ok && good;
  }
  if (!ok) return std::nullopt;
  return settings;
}

// `secrets`: at most 16 names, each a string of at most 4000 characters (null in a patch:
// remove it).
std::optional<std::map<std::string, std::optional<std::string>>> DecodeSecrets(const JsonReader& in,
                                                                               bool patch) {
  std::optional<Json> secrets = in.FreeObject("secrets", 16);
  if (!secrets) return std::nullopt;
  FieldErrors& errors = in.errors();
  const std::string path = in.PathOf("secrets");
  JsonReader s(*secrets, path, errors);
  std::map<std::string, std::optional<std::string>> out;
  bool ok = true;
  for (auto it = secrets->begin(); it != secrets->end(); ++it) {
    const std::string& key = it.key();
    if (key.empty() || CodePointCount(key) > 64) {
      errors.Add(path, "密钥名应为 1 至 64 字");
      ok = false;
    } else if (it->is_null() && patch) {
      out[key] = std::nullopt;
    } else if (auto v = s.String(key, {.required = true, .max_chars = 4000})) {
      out[key] = *v;
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace

StatusOr<ChannelCreate> DecodeChannelCreate(const Json& body) {
  GD_RETURN_IF_ERROR(RequireObjectBody(body));
  FieldErrors errors;
  JsonReader in(body, "", errors);
  ChannelCreate c;
  c.kind = in.String("kind", {.required = true, .max_chars = 40}).value_or("");
  c.name = in.String("name", {.required = true, .max_chars = 1000}).value_or("");
  c.unit_id = in.Int("unit_id", 0, kMaxApiId).value_or(0);  // 0 or absent: city-wide
  c.base_url = in.String("base_url", {.max_chars = 2000}).value_or("");
  c.settings = DecodeSettings(in, false).value_or(Json::object());
  if (auto secrets = DecodeSecrets(in, false))
    for (const auto& [k, v] : *secrets) c.secrets[k] = v.value_or("");
  GD_RETURN_IF_ERROR(errors.ToStatus());
  return c;
}

StatusOr<ChannelPatch> DecodeChannelPatch(const Json& body) {
  GD_RETURN_IF_ERROR(RequireObjectBody(body));
  FieldErrors errors;
  JsonReader in(body, "", errors);
  ChannelPatch p;
  p.kind = in.String("kind", {.max_chars = 40});
  p.name = in.String("name", {.max_chars = 1000});
  p.base_url = in.String("base_url", {.max_chars = 2000});
  p.disabled = in.Bool("disabled");
  p.settings = DecodeSettings(in, true);
  p.secrets = DecodeSecrets(in, true);
  GD_RETURN_IF_ERROR(errors.ToStatus());
  return p;
}

std::vector<Route> ChannelRoutes(const RouteDeps& d) {
  ChannelService* ch = d.channels;
  CredentialTester tester = d.tester;
  std::vector<Route> routes;
  routes.push_back({
      .method = "GET",
      .path = "/api/channel-kinds",
      .handler = [](ApiRequest&) -> StatusOr<ApiResponse> {
        return JsonResponse(ChannelService::Kinds());
      },
  });
  routes.push_back({
      .method = "GET",
      .path = "/api/channels",
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, ch->List(*r.auth));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "POST",
      .path = "/api/channels",
      .roles = {R::kOperator},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(ChannelCreate c, DecodeChannelCreate(r.body));
        GD_ASSIGN_OR_RETURN(Json j, ch->Create(*r.auth, c));
        return JsonResponse(std::move(j), 201);
      },
  });
  routes.push_back({
      .method = "GET",
      .path = R"(/api/channels/(\d+))",
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(r, 0, kNoChannel));
        GD_ASSIGN_OR_RETURN(Json j, ch->Get(*r.auth, id));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "PATCH",
      .path = R"(/api/channels/(\d+))",
      .roles = {R::kOperator},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(r, 0, kNoChannel));
        GD_ASSIGN_OR_RETURN(ChannelPatch p, DecodeChannelPatch(r.body));
        GD_ASSIGN_OR_RETURN(Json j, ch->Patch(*r.auth, id, p));
        return JsonResponse(std::move(j));
      },
  });
  routes.push_back({
      .method = "POST",
      .path = R"(/api/channels/(\d+)/test)",
      .roles = {R::kOperator},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(r, 0, kNoChannel));
        GD_RETURN_IF_ERROR(RequireObjectBody(r.body));
        if (!tester) return Unavailable("渠道连接测试暂不可用");
        GD_ASSIGN_OR_RETURN(Json j, ch->Test(*r.auth, id, tester));
        return JsonResponse(std::move(j));
      },
  });
  return routes;
}

}  // namespace gd
