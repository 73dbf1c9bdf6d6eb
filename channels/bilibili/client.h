// Bilibili open-platform client (服务端视频稿件投递): refresh_token with the TokenCache (a refresh
// token is single use: the new one is stored before use), archive/video/init (utype 0) → parts
// to the upload host → archive/video/complete → archive/cover/upload → archive/add-by-utoken,
// then archive/view until the review ends; archive/viewlist for reconciliation; archive/delete
// for withdrawal. docs/channels-protocols.md, Conformance table, "Bilibili open platform".
#pragma once

#include <memory>

#include "channels/client.h"

namespace gd::channels::bilibili {

std::unique_ptr<Client> NewClient(const ClientDeps& deps);

}  // namespace gd::channels::bilibili
