// Demo data for `dispatcher demo`: units, one user per role, channel accounts pointing at the
// in-process sandboxes, and tickets in different states, so a new user sees the pipeline at once.
#pragma once

#include <string>
#include <vector>

#include "dispatcher/app/app.h"

namespace gd {

inline constexpr const char* kDemoPassword = "Demo@2026pass";

struct DemoUser {
  std::string username, name, unit, roles_label;
};

// Seeds once (a second run on the same data finds the demo units and does nothing).
// `sandbox_base` is e.g. "http://127.0.0.1:18081" (platform prefixes are appended).
StatusOr<std::vector<DemoUser>> SeedDemo(App& app, const std::string& sandbox_base);

}  // namespace gd
