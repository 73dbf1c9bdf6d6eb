// The portal push sandbox: the generic REST flavour of a provincial site platform described in
// channels/portal/client.h, under /portal. Signing key "sandbox-secret"; timestamps more than
// 300 s off are rejected (401); content with the audit trigger word → 422 content_rejected.
#pragma once

#include <memory>

#include "channels/sandbox/platform.h"

namespace gd::channels::portal {

std::unique_ptr<sandbox::PlatformSandbox> NewSandbox(sandbox::Env& env);

}  // namespace gd::channels::portal
