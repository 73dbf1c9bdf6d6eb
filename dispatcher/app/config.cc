// The configuration file: one table of keys, each typed and checked (docs/configuration.md).
#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>

#include "channels/transport.h"
#include "dispatcher/app/app.h"
#include "dispatcher/core/json_util.h"
#include "dispatcher/http/connection.h"

namespace gd {
namespace {

Status BadKey(const std::string& origin, const std::string& key, const std::string& why) {
  return InvalidArgument(origin + "：配置项 \"" + key + "\" " + why, "invalid",
                         {{"fields", {{key, why}}}});
}

using Setter = std::function<Status(const std::string& origin, const std::string& key,
                                    const Json& value, AppConfig* cfg)>;

Setter Path(std::filesystem::path AppConfig::*field) {
  return [field](const std::string& origin, const std::string& key, const Json& v,
                 AppConfig* cfg) -> Status {
    if (!v.is_string() || v.get<std::string>().empty())
      return BadKey(origin, key, "应为非空的路径字符串");
    cfg->*field = v.get<std::string>();
    return Status::Ok();
  };
}

// An integer in [min, max], stored where `at` points in the configuration.
Setter IntAt(std::function<int*(AppConfig*)> at, int min, int max) {
  return [=](const std::string& origin, const std::string& key, const Json& v,
             AppConfig* cfg) -> Status {
    if (!v.is_number_integer() || v.get<int64_t>() < min || v.get<int64_t>() > max)
      return BadKey(origin, key,
                    "应为 " + std::to_string(min) + " 到 " + std::to_string(max) + " 之间的整数");
    *at(cfg) = static_cast<int>(v.get<int64_t>());
    return Status::Ok();
  };
}

Setter Int(int AppConfig::*field, int min, int max) {
  return IntAt([field](AppConfig* cfg) { return &(cfg->*field); }, min, max);
}

Setter Bool(bool AppConfig::*field) {
  return [field](const std::string& origin, const std::string& key, const Json& v,
                 AppConfig* cfg) -> Status {
    if (!v.is_boolean()) return BadKey(origin, key, "应为 true 或 false");
    cfg->*field = v.get<bool>();
    return Status::Ok();
  };
}

Status SetListen(const std::string& origin, const std::string& key, const Json& v, AppConfig* cfg) {
  if (!v.is_string()) return BadKey(origin, key, "应为 \"HOST:PORT\" 字符串");
  Status st = ApplyListen(v.get<std::string>(), cfg);
  if (!st.ok()) return BadKey(origin, key, "应为 \"HOST:PORT\"，端口 0 到 65535");
  return Status::Ok();
}

Status SetPublicUrl(const std::string& origin, const std::string& key, const Json& v,
                    AppConfig* cfg) {
  if (!v.is_string()) return BadKey(origin, key, "应为字符串");
  std::string url = v.get<std::string>();
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0)
    return BadKey(origin, key, "应以 https:// 或 http:// 开头");
  cfg->public_url = url;
  return Status::Ok();
}

Status SetTrustedProxies(const std::string& origin, const std::string& key, const Json& v,
                         AppConfig* cfg) {
  if (!v.is_array()) return BadKey(origin, key, "应为地址字符串的数组");
  std::vector<std::string> out;
  for (const auto& item : v) {
    if (!item.is_string() || !IsAddressPattern(item.get<std::string>()))
      return BadKey(
          origin, key,
          "中的 " + item.dump() + " 不是 IP 地址或网段（如 \"127.0.0.1\"、\"10.0.0.0/8\"）");
    out.push_back(item.get<std::string>());
  }
  cfg->trusted_proxies = std::move(out);
  return Status::Ok();
}

Status SetOutboundProxy(const std::string& origin, const std::string& key, const Json& v,
                        AppConfig* cfg) {
  if (!v.is_string()) return BadKey(origin, key, "应为字符串");
  Status st = channels::ValidateProxyUrl(v.get<std::string>());
  if (!st.ok()) return BadKey(origin, key, st.message());
  cfg->outbound_proxy = v.get<std::string>();
  return Status::Ok();
}

// Every key of the file. Adding one: add it here and to docs/configuration.md.
const std::vector<std::pair<std::string, Setter>>& Keys() {
  static const auto* keys = new std::vector<std::pair<std::string, Setter>>{
      {"listen", SetListen},
      {"data", Path(&AppConfig::data_dir)},
      {"policies", Path(&AppConfig::policies_dir)},
      {"templates", Path(&AppConfig::templates_dir)},
      {"web", Path(&AppConfig::web_dir)},
      {"public_url", SetPublicUrl},
      {"outbound_proxy", SetOutboundProxy},
      {"threads", Int(&AppConfig::threads, 1, 1024)},
      {"secure_cookies", Bool(&AppConfig::secure_cookies)},
      {"trusted_proxies", SetTrustedProxies},
      {"max_connections_per_address", Int(&AppConfig::max_connections_per_address, 0, 100000)},
      {"request_deadline_seconds", Int(&AppConfig::request_deadline_seconds, 1, 3600)},
      {"password_hash_concurrency",
       IntAt([](AppConfig* cfg) { return &cfg->accounts.max_concurrent_hashes; }, 1, 64)},
  };
  return *keys;
}

}  // namespace

std::vector<std::string> ConfigKeys() {
  std::vector<std::string> names;
  for (const auto& k : Keys()) names.push_back(k.first);
  return names;
}

Status ApplyListen(const std::string& listen, AppConfig* cfg) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return InvalidArgument("--listen 应为 HOST:PORT");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  std::string port = listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535)
    return InvalidArgument("--listen 端口无效");
  cfg->host = host;
  cfg->port = std::stoi(port);
  return Status::Ok();
}

Status ApplyConfigJson(const Json& json, const std::string& origin, AppConfig* cfg) {
  if (!json.is_object()) return InvalidArgument(origin + "：配置文件应为 JSON 对象");
  AppConfig next = *cfg;
  for (const auto& item : json.items()) {
    // Named copies: clang before 16 cannot capture structured bindings in the lambda below.
    const std::string key = item.key();
    const Json& value = item.value();
    const auto& keys = Keys();
    auto it = std::find_if(keys.begin(), keys.end(), [&](const auto& k) { return k.first == key; });
    if (it == keys.end())
      return BadKey(origin, key, "不是已知的配置项（可用的配置项见 docs/configuration.md）");
    GD_RETURN_IF_ERROR(it->second(origin, key, value, &next));
  }
  *cfg = std::move(next);
  return Status::Ok();
}

Status ApplyConfigFile(const std::filesystem::path& file, AppConfig* cfg) {
  std::ifstream in(file);
  if (!in) return InvalidArgument("无法读取配置文件 " + file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  auto parsed = ParseJson(ss.str());
  if (!parsed.ok())
    return InvalidArgument(file.string() + "：配置文件不是有效的 JSON：" +
                           parsed.status().message());
  return ApplyConfigJson(*parsed, file.string(), cfg);
}

}  // namespace gd
