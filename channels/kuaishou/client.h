// Kuaishou client (user_video_publish): refresh_token with the TokenCache (each refresh
// returns a new refresh token, persisted through the TokenStore), start_upload → direct upload
// or fragments (0-based, above settings.fragment_size_bytes, default 10 MB) + complete →
// multipart publish (caption + cover file) → photo/info polling while pending; photo/list for
// reconciliation; photo/delete. docs/channels-protocols.md §4.
#pragma once

#include <memory>

#include "channels/client.h"

namespace gd::channels::kuaishou {

std::unique_ptr<Client> NewClient(const ClientDeps& deps);

}  // namespace gd::channels::kuaishou
