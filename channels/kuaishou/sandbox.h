// The Kuaishou sandbox (docs/channels-protocols.md §4, checklist §7): `result` envelope,
// refresh_token that rotates the refresh token (the demo "sandbox-refresh" stays valid),
// start_upload returning an endpoint on the sandbox's own http:// host, direct and fragment
// (0-based) upload with complete(fragment_count), multipart publish (caption + cover) consuming the
// upload_token, pending → public after SandboxOptions::async_delay_ms,
// photo/info|list|count|delete. Assumed where the docs are silent: photo/info's
// `audit_status`/`audit_msg`, the codes 100200103 (bad refresh token) and 100400001/100400002 (bad
// upload token / unknown photo), HTTP 503/429 for busy and rate-limited.
#pragma once

#include <memory>

#include "channels/sandbox/platform.h"

namespace gd::channels::kuaishou {

std::unique_ptr<sandbox::PlatformSandbox> NewSandbox(sandbox::Env& env);

}  // namespace gd::channels::kuaishou
