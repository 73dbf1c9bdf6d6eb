// The receiver half of WeChat's pushed events: URL verification and the PUBLISHJOBFINISH /
// MASSSENDJOBFINISH events an account's server URL receives (docs/channels-protocols.md §1.5,
// conformance table [W9][W10][W11][W14]-[W16]). The registry entry's `events` hook.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "channels/builtin_channels.h"

namespace gd::channels::wechat_mp {

// Largest event body accepted; the events are a few hundred bytes.
inline constexpr size_t kMaxEventBytes = 64 * 1024;
// How far a request's timestamp may be from now (seconds): older ones are replays.
inline constexpr int64_t kEventMaxSkewS = 600;

// The EventHook of wechat_mp (see channels/builtin_channels.h). Settings: `events` ("off",
// "plain" 明文模式, "aes" 安全模式), `app_id`; secrets: `event_token`, `encoding_aes_key`.
StatusOr<ChannelEvent> HandleEvent(const Json& settings, const Json& secrets,
                                   const ChannelEventRequest& request, TimeMs now);

// The text of the first <tag>…</tag> in `xml` with a CDATA section unwrapped; nullopt when the
// element is missing or not closed.
std::optional<std::string> XmlField(std::string_view xml, std::string_view tag);

}  // namespace gd::channels::wechat_mp
