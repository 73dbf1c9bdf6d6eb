// The Weibo sandbox (docs/channels-protocols.md §2, checklist §7): share.json with its checks (rip
// present, ≤ 140 characters, a link present, `#话题#` stripped, `pic` ≤ 5 MB, identical text →
// 20019), destroy, show, user_timeline, get_token_info; ids above 2^53 with `idstr`. The demo token
// is "sandbox-token" of uid "sandbox".
#pragma once

#include <memory>

#include "channels/sandbox/platform.h"

namespace gd::channels::weibo {

std::unique_ptr<sandbox::PlatformSandbox> NewSandbox(sandbox::Env& env);

}  // namespace gd::channels::weibo
