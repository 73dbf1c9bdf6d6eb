// The authorisation-code flow of this platform (channels/oauth.h; sources in
// docs/channels-protocols.md, conformance table).
#pragma once

#include "channels/oauth.h"

namespace gd::channels::weibo {

const OAuthSpec& OAuth();

}  // namespace gd::channels::weibo
