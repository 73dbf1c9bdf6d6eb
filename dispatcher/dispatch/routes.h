// HTTP routes of the dispatch module (API.md: publish, dispatches, withdrawals, /metrics).
#pragma once

#include <vector>

#include "dispatcher/dispatch/publish_service.h"
#include "dispatcher/http/server.h"

namespace gd {

std::vector<Route> MakeDispatchRoutes(PublishService* publish, DispatchEngine* engine, Store* store,
                                      AccountService* accounts);

// Prometheus text exposition of the engine's metrics and the outbox.
std::string MetricsText(const DispatchEngine& engine, Store& store);

}  // namespace gd
