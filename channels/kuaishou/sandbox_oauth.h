// The sandbox's authorisation-code flow for this platform (channels/sandbox/oauth_grant.h).
#pragma once

#include <memory>

#include "channels/sandbox/oauth_grant.h"

namespace gd::channels::kuaishou {

std::unique_ptr<sandbox::PlatformSandbox> WithOAuth(std::unique_ptr<sandbox::PlatformSandbox> inner,
                                                    sandbox::Env& env);

}  // namespace gd::channels::kuaishou
