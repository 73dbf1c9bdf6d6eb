// The registry entry of this platform (channels/builtin_channels.h).
#pragma once

#include "channels/builtin_channels.h"

namespace gd::channels::bilibili {

BuiltinChannel Channel();

}  // namespace gd::channels::bilibili
