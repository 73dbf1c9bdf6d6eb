// The authorisation-code flow of this platform (channels/oauth.h; sources in
// docs/channels-protocols.md, conformance table).
#pragma once

#include "channels/oauth.h"

namespace gd::channels::kuaishou {

const OAuthSpec& OAuth();

}  // namespace gd::channels::kuaishou
