// The API's routes (docs/api.md), one file per area. Each handler is thin: decode the request
// (typed, dispatcher/http/decode.h), call a service, encode the answer. The services and their
// dependencies are built by the composition root (dispatcher/app/app.cc) and outlive the server.
#pragma once

#include <vector>

#include "dispatcher/accounts/account_service.h"
#include "dispatcher/audit/audit_service.h"
#include "dispatcher/channel_accounts/channel_events.h"
#include "dispatcher/channel_accounts/channel_oauth.h"
#include "dispatcher/channel_accounts/channel_service.h"
#include "dispatcher/dispatch/engine.h"
#include "dispatcher/dispatch/publish_service.h"
#include "dispatcher/http/route.h"
#include "dispatcher/media/media_service.h"
#include "dispatcher/records/records_service.h"
#include "dispatcher/review/review_service.h"

namespace gd {

// What the handlers call. Every pointer is required except where noted.
struct RouteDeps {
  AccountService* accounts = nullptr;
  AuditService* audit = nullptr;
  ReviewService* review = nullptr;
  ChannelService* channels = nullptr;
  MediaService* media = nullptr;
  PublishService* publish = nullptr;
  DispatchEngine* engine = nullptr;
  RecordsService* records = nullptr;
  ChannelEventService* events = nullptr;  // optional: without it the event URLs answer 404
  ChannelOAuthService* oauth = nullptr;   // optional: without it authorisation answers 503
  CredentialTester tester;                // tries channel credentials; empty = 503 on /test
  bool secure_cookies = false;            // the session cookie carries `Secure`
};

// Sign-in, sign-out, the caller, units and users (docs/api.md §2).
std::vector<Route> SessionAndUserRoutes(const RouteDeps& d);
// Tickets and the review pipeline, live checks (docs/api.md §3).
std::vector<Route> TicketRoutes(const RouteDeps& d);
// Media upload and download.
std::vector<Route> MediaRoutes(const RouteDeps& d);
// Channel accounts.
std::vector<Route> ChannelRoutes(const RouteDeps& d);
// Connecting accounts by authorising on the platform (start, callback, complete).
std::vector<Route> ChannelOAuthRoutes(const RouteDeps& d);
// Events platforms push to an account's URL (public, signed by the platform).
std::vector<Route> ChannelEventRoutes(const RouteDeps& d);
// The audit log and its verification.
std::vector<Route> AuditRoutes(const RouteDeps& d);
// Publishing, dispatches, withdrawals (art. 14) and /metrics.
std::vector<Route> DispatchRoutes(const RouteDeps& d);
// The records module: archive (art. 10-3), filings, freshness (art. 4), personnel (art. 8),
// rescans (art. 16).
std::vector<Route> RecordRoutes(const RouteDeps& d);
// /healthz.
std::vector<Route> HealthRoutes();
// GET /api/openapi.json: the API's description (docs/openapi.yaml), public.
std::vector<Route> ApiDescriptionRoutes();

// Every route above, in the order they are matched.
std::vector<Route> AllRoutes(const RouteDeps& d);

// The route table as data (method, path pattern, roles, flags), the same list AllRoutes serves,
// built without services: for reading and testing the table (the OpenAPI completeness test).
// The handlers hold null dependencies and must not be called.
std::vector<Route> RouteTable();

}  // namespace gd
