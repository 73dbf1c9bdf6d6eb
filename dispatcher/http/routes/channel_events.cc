#include <httplib.h>

#include "dispatcher/http/decode.h"
#include "dispatcher/http/routes/routes.h"

namespace gd {
namespace {

constexpr const char* kNoReceiver = "没有该推送地址";

// One pushed request, whatever the platform: the account's kind reads it (the registry's
// `events` hook, through ChannelEventService).
StatusOr<ApiResponse> Receive(ChannelEventService* events, ApiRequest& r) {
  if (events == nullptr) return NotFound(kNoReceiver);
  GD_ASSIGN_OR_RETURN(int64_t id, PathId(r, 0, kNoReceiver));
  channels::ChannelEventRequest req;
  req.method = r.raw->method;
  for (const auto& [k, v] : r.raw->params) req.query.emplace(k, v);  // first value wins
  req.body = r.raw->body;
  GD_ASSIGN_OR_RETURN(ChannelEventReply reply, events->Handle(id, req));
  ApiResponse res;
  res.content_type = "text/plain; charset=utf-8";
  res.body = std::move(reply.body);
  res.headers.push_back({"Cache-Control", "no-store"});
  return res;
}

}  // namespace

std::vector<Route> ChannelEventRoutes(const RouteDeps& d) {
  ChannelEventService* events = d.events;
  std::vector<Route> routes;
  for (const char* method : {"GET", "POST"}) {
    routes.push_back({
        .method = method,
        .path = R"(/api/channel-events/(\d+))",
        .public_route = true,  // the platform calls it; the kind checks its signature
        .allow_password_expired = true,
        .raw_body = true,
        .handler = [=](ApiRequest& r) { return Receive(events, r); },
    });
  }
  return routes;
}

}  // namespace gd
