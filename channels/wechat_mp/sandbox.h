// The WeChat official account sandbox (docs/channels-protocols.md §1, checklist §7): stable/classic
// tokens, uploadimg, permanent material, drafts with the §1.3 validation, async freepublish jobs,
// batchget/getarticle/delete, mass-send with clientmsgid and the daily allowance
// (sandbox_mass.h), PUBLISHJOBFINISH pushed to a configured URL (sandbox_push.h). Jobs that are
// due end when the sandbox is next asked anything. Demo app ids: "sandbox" (verified),
// "sandbox-noip" (every token call fails with 40164), "sandbox-unverified" (freepublish/mass-send →
// 48001); the secret is "sandbox-secret".
#pragma once

#include <memory>

#include "channels/sandbox/platform.h"

namespace gd::channels::wechat_mp {

std::unique_ptr<sandbox::PlatformSandbox> NewSandbox(sandbox::Env& env);

}  // namespace gd::channels::wechat_mp
