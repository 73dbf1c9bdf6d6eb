// What the dispatch tests and the dispatch benchmark all set up the same way: the channel
// accounts (POST /api/channels bodies) of the built-in portal and of every platform's sandbox,
// tiny media files the sniffer accepts, and a fully ticked nine-item checklist (art. 11).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "channels/sandbox/registry.h"

namespace gd::testing {

// The account body for `kind` against the sandbox at `sandbox_base` ("http://127.0.0.1:PORT"):
// the sandbox registry's account (the portal is the built-in one).
inline nlohmann::json SandboxChannel(std::string_view kind, const std::string& sandbox_base) {
  const channels::sandbox::SandboxEntry* e = channels::sandbox::FindSandboxEntry(kind);
  if (e == nullptr) throw std::invalid_argument("no sandbox entry for this kind");
  return e->account(sandbox_base);
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
