// The Douyin sandbox (docs/channels-protocols.md §3 and its conformance table): form-encoded
// refresh_token / renew_refresh_token / access_token with 30-day refresh tokens and a renewal
// limit, the authorise page /platform/oauth/connect/ with 10-minute single-use codes, the
// `access-token` header plus `open_id` query, single and parted (1-based) upload, upload_image,
// create_video consuming the video_id once, review after SandboxOptions::async_delay_ms
// (video_status 4, then 5, or 2 when the audit trigger word appears; both status fields omitted
// unless the pre-2024-12-13 answer is switched on), video_list / video_data, the dual
// `data`/`extra` envelope. Switches: POST /douyin/_sandbox/settings {legacy_video_status,
// list_hides_unreviewed, review_delay_ms, renewal_limit, refresh_ttl_s, redirect_uri,
// expire_refresh_tokens}. Demo: client_key "sandbox", open_id "sandbox", tokens
// "sandbox-token"/"sandbox-refresh".
#pragma once

#include <memory>

#include "channels/sandbox/platform.h"

namespace gd::channels::douyin {

std::unique_ptr<sandbox::PlatformSandbox> NewSandbox(sandbox::Env& env);

}  // namespace gd::channels::douyin
