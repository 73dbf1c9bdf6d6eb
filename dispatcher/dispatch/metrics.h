// Prometheus text exposition of the dispatch engine's metrics and the outbox (GET /metrics).
#pragma once

#include <string>

#include "dispatcher/dispatch/engine.h"
#include "dispatcher/store/db.h"

namespace gd {

std::string MetricsText(const DispatchEngine& engine, Store& store);

}  // namespace gd
