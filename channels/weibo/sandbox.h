// The Weibo sandbox (docs/channels-protocols.md §2, checklist §7, Conformance table): share.json
// with its checks (rip present and a real address — loopback, private and link-local ones get
// 10017 —, ≤ 140 characters, a link on the app's safe domain (SandboxOptions::weibo_safe_domains),
// `#话题#` stripped, `pic` ≤ 5 MB, identical text → 20019); every link stored and returned as a
// `t.cn` short link; destroy, show, user_timeline (only the latest
// SandboxOptions::weibo_timeline_window posts, `page` and `count`, total_number of all posts,
// created_at in the platform's format), get_token_info; ids above 2^53 with `idstr`. The demo
// token is "sandbox-token" of uid "sandbox", app "sandbox".
#pragma once

#include <memory>

#include "channels/sandbox/platform.h"

namespace gd::channels::weibo {

std::unique_ptr<sandbox::PlatformSandbox> NewSandbox(sandbox::Env& env);

}  // namespace gd::channels::weibo
