// What a formatter is built from: the validated templates and channel limits loaded at start-up.
#pragma once

#include <memory>

#include "channels/channel.h"
#include "channels/channel_limits.h"
#include "dispatcher/core/status.h"
#include "dispatcher/render/templates.h"

namespace gd::channels {

// Both pointers must outlive every formatter built from this environment.
struct FormatterEnv {
  const render::TemplateSet* templates = nullptr;
  const ChannelLimits* limits = nullptr;
};

// Builds a channel's formatter; fails (kInvalidArgument naming the template or asset) when a
// template or data asset it needs is missing or invalid.
using FormatterFactory = StatusOr<std::unique_ptr<Formatter>> (*)(const FormatterEnv& env);

}  // namespace gd::channels
