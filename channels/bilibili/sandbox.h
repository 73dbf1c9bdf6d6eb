// The Bilibili open-platform sandbox, written from the sources in docs/channels-protocols.md
// (Conformance table, "Bilibili open platform"): the {code, message, ttl, data} envelope,
// client_id + access_token in the query, single-use refresh tokens, init → 1-based parts on the
// upload host → complete, cover upload (jpeg/png ≤ 5 MB), add-by-utoken (the upload_token serves
// one archive: our safe reading), review after SandboxOptions::async_delay_ms (state -30 → 0, or
// -2 when the audit trigger word appears), view / viewlist / delete and the [L12] status codes.
// Demo: client_id "sandbox", client_secret "sandbox-secret", tokens "sandbox-token" /
// "sandbox-refresh".
#pragma once

#include <memory>

#include "channels/sandbox/platform.h"

namespace gd::channels::bilibili {

std::unique_ptr<sandbox::PlatformSandbox> NewSandbox(sandbox::Env& env);

}  // namespace gd::channels::bilibili
