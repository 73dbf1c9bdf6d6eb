// The sandbox registry, beside the channel registry (channels/builtin_channels.h): for each
// channel kind, the local stand-in of its platform (if it has one) and an account that works
// against it. The sandbox server, the demo and the tests iterate these entries instead of naming
// platforms. Kept apart from the channel registry because the sandboxes are test and demo
// equipment that links the clients, never the other way round.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "channels/sandbox/platform.h"
#include "dispatcher/core/json_util.h"

namespace gd::channels::sandbox {

struct SandboxEntry {
  std::string kind = {};  // the channel registry's kind key
  // The platform's sandbox, served under "/" + its name(); null: the kind has none (a hand-off
  // channel, whose demo account needs no platform).
  std::unique_ptr<PlatformSandbox> (*make)(Env& env) = nullptr;
  // A POST /api/channels body (kind, name, base_url, settings, secrets; no unit_id) of an
  // account that works against this sandbox served at `base` ("http://HOST:PORT"), with the
  // credentials the sandbox accepts (docs/api.md §6). The built-in portal for the portal kind.
  Json (*account)(const std::string& base) = nullptr;
  // Whether the demo's sample tickets go out to this account.
  bool in_demo_tickets = false;
};

// Every entry, in the channel registry's display order.
std::span<const SandboxEntry> SandboxEntries();
// The entry for `kind`, or nullptr.
const SandboxEntry* FindSandboxEntry(std::string_view kind);

}  // namespace gd::channels::sandbox
