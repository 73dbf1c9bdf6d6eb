// The sandbox inspection page (GET /_sandbox/): what each fake platform received, rendered as a
// phone would show it. Self-contained HTML (inline CSS, no scripts, no external assets).
#pragma once

#include <string>
#include <vector>

#include "channels/sandbox/platform.h"

namespace gd::channels::sandbox {

std::string RenderInspectionPage(const std::vector<PostRecord>& posts);

}  // namespace gd::channels::sandbox
