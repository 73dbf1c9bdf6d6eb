// The Bilibili entry of the sandbox registry (channels/sandbox/registry.h): its sandbox and the
// account that works against it in the demo and the tests.
#pragma once

#include "channels/sandbox/registry.h"

namespace gd::channels::bilibili {

sandbox::SandboxEntry Sandbox();

}  // namespace gd::channels::bilibili
