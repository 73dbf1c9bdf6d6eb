// The Douyin sandbox (docs/channels-protocols.md §3, checklist §7): form-encoded refresh_token, the
// `access-token` header plus `open_id` query, single and parted (1-based) upload, upload_image,
// create_video consuming the video_id once, review after SandboxOptions::async_delay_ms
// (video_status 4 when the audit trigger word appears), video_list / video_data, the dual
// `data`/`extra` envelope. Demo: client_key "sandbox", open_id "sandbox", tokens
// "sandbox-token"/"sandbox-refresh".
#pragma once

#include <memory>

#include "channels/sandbox/platform.h"

namespace gd::channels::douyin {

std::unique_ptr<sandbox::PlatformSandbox> NewSandbox(sandbox::Env& env);

}  // namespace gd::channels::douyin
