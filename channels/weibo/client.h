// Sina Weibo client: statuses/share.json (multipart with `pic`), statuses/destroy.json,
// statuses/user_timeline.json for reconciliation, oauth2/get_token_info for the credential
// check. docs/channels-protocols.md §2. Weibo issues no refresh token to server apps: an expired
// token needs a person to re-authorise (kUnauthenticated).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "channels/client.h"

namespace gd::channels::weibo {

std::unique_ptr<Client> NewClient(const ClientDeps& deps);

// `#话题#` markers removed, as the platform does on share.json; used to match posts.
std::string StripTopics(const std::string& text);

// What a post's text is compared by after a lost answer (docs/channels-protocols.md, Conformance
// table, Weibo): every http(s) URL removed (the platform shows each link as a `t.cn` short link),
// `#话题#` markers removed, and all whitespace dropped.
std::string MatchKey(const std::string& text);

// A status's `created_at` ("Mon Nov 02 22:27:36 +0800 2015", or seconds since the epoch) in
// milliseconds; nullopt when unreadable.
std::optional<TimeMs> ParseCreatedAt(const Json& created_at);

// Whether `ip` is a public (globally routable) IPv4 or IPv6 address: not loopback, private,
// link-local, carrier-grade NAT, unspecified, multicast or reserved. The `rip` of a share must
// be the real address of the person or server posting [B1].
bool IsPublicAddress(const std::string& ip);

}  // namespace gd::channels::weibo
