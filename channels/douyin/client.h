// Douyin client (video.create.bind): refresh_token with the TokenCache, upload_video (single)
// or init/upload_video_part/complete (parted, above settings.part_size_bytes, default 20 MB),
// upload_image for the cover, create_video, video_data polling until reviewed, video_list for
// reconciliation. No delete API: withdrawal is a manual task. docs/channels-protocols.md §3.
#pragma once

#include <memory>

#include "channels/client.h"

namespace gd::channels::douyin {

std::unique_ptr<Client> NewClient(const ClientDeps& deps);

}  // namespace gd::channels::douyin
