// The WeChat official account entry of the sandbox registry (channels/sandbox/registry.h): its
// sandbox and the account that works against it in the demo and the tests.
#pragma once

#include "channels/sandbox/registry.h"

namespace gd::channels::wechat_mp {

sandbox::SandboxEntry Sandbox();

}  // namespace gd::channels::wechat_mp
