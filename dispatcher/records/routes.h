// The records module's HTTP routes and command line, wired from the composition root.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dispatcher/http/server.h"
#include "dispatcher/records/records_service.h"

namespace gd {

class App;

// Builds the records service over the App's store and services, creates its tables, runs a
// rescan when the check dictionary changed since the last one (art. 16), and returns its routes.
// Fails (stopping the start) when policies/freshness.json is missing or invalid.
StatusOr<std::vector<Route>> MakeRecordRoutes(App& app);

// The routes over an existing service (the handlers keep it alive).
std::vector<Route> MakeRecordRoutes(std::shared_ptr<RecordsService> records);

// A records service over the App's store and services (tables created; no rescan).
StatusOr<std::shared_ptr<RecordsService>> MakeRecordsService(App& app);

// `dispatcher archive --unit U --month YYYY-MM --out F`: U is a unit id or name; the format
// follows F's extension (.xlsx, .csv or .json). Returns the process exit code (0 ok, 2 error).
int RunArchiveCli(App& app, const std::string& unit, const std::string& month,
                  const std::string& out);

}  // namespace gd
