// Sina Weibo client: statuses/share.json (multipart with `pic`), statuses/destroy.json,
// statuses/user_timeline.json for reconciliation, oauth2/get_token_info for the credential
// check. docs/channels-protocols.md §2. Weibo issues no refresh token to server apps: an expired
// token needs a person to re-authorise (kUnauthenticated).
#pragma once

#include <memory>
#include <string>

#include "channels/client.h"

namespace gd::channels::weibo {

std::unique_ptr<Client> NewClient(const ClientDeps& deps);

// `#话题#` markers removed, as the platform does on share.json; used to match posts.
std::string StripTopics(const std::string& text);

}  // namespace gd::channels::weibo
