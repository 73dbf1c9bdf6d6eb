// What the dispatch tests and the dispatch benchmark all set up the same way: the channel
// accounts (POST /api/channels bodies) of the built-in portal and of every platform's sandbox,
// tiny media files the sniffer accepts, and a fully ticked nine-item checklist (art. 11).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace gd::testing {

// The account body for `kind` (portal, wechat_mp, weibo, douyin, kuaishou) against the sandbox
// at `sandbox_base` ("http://127.0.0.1:PORT"). The portal is the built-in one.
inline nlohmann::json SandboxChannel(std::string_view kind, const std::string& sandbox_base) {
  using Json = nlohmann::json;
  const Json user_token = {{"access_token", "sandbox-token"}, {"refresh_token", "sandbox-refresh"}};
  if (kind == "portal") {
    return {{"kind", "portal"},
            {"name", "门户"},
            {"settings", {{"mode", "builtin"}, {"site_name", "XX市人民政府"}}}};
  }
  if (kind == "wechat_mp") {
    return {{"kind", "wechat_mp"},
            {"name", "公众号"},
            {"base_url", sandbox_base + "/wechat"},
            {"settings", {{"app_id", "sandbox"}, {"publish_mode", "publish"}}},
            {"secrets", {{"app_secret", "sandbox-secret"}}}};
  }
  if (kind == "weibo") {
    return {{"kind", "weibo"},
            {"name", "微博"},
            {"base_url", sandbox_base + "/weibo"},
            {"settings",
             {{"app_key", "sandbox"},
              {"uid", "sandbox"},
              {"safe_domain", "127.0.0.1"},
              {"rip", "203.0.113.5"}}},
            {"secrets", {{"app_secret", "sandbox-secret"}, {"access_token", "sandbox-token"}}}};
  }
  if (kind == "douyin") {
    Json secrets = user_token;
    secrets["client_secret"] = "sandbox-secret";
    return {{"kind", "douyin"},
            {"name", "抖音"},
            {"base_url", sandbox_base + "/douyin"},
            {"settings", {{"client_key", "sandbox"}, {"open_id", "sandbox"}}},
            {"secrets", secrets}};
  }
  Json secrets = user_token;
  secrets["app_secret"] = "sandbox-secret";
  return {{"kind", "kuaishou"},
          {"name", "快手"},
          {"base_url", sandbox_base + "/kuaishou"},
          {"settings", {{"app_id", "sandbox"}, {"open_id", "sandbox"}}},
          {"secrets", secrets}};
}

inline std::string SmallPng() {
  return std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x40\0\0\0\x30\x08\x02\0\0\0", 29) +
         std::string(64, '\0');
}

inline std::string SmallMp4() {
  return std::string("\0\0\0\x18", 4) + "ftypmp42" + std::string(2048, '\x11');
}

// The nine art. 11 items, all confirmed, as a decision request carries them.
inline std::map<std::string, bool> FullChecklistMap() {
  return {{"secrets", true}, {"compliance", true}, {"promotion", true},
          {"typos", true},   {"statistics", true}, {"sensitive", true},
          {"timing", true},  {"harm", true},       {"other", true}};
}

inline nlohmann::json FullChecklist() {
  return {{"secrets", true}, {"compliance", true}, {"promotion", true},
          {"typos", true},   {"statistics", true}, {"sensitive", true},
          {"timing", true},  {"harm", true},       {"other", true}};
}

}  // namespace gd::testing
