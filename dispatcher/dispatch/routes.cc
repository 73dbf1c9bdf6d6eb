#include "dispatcher/dispatch/routes.h"

#include <httplib.h>

#include <map>
#include <sstream>

namespace gd {
namespace {

using R = Role;

ApiResponse J(Json j, int status = 200) {
  ApiResponse r;
  r.status = status;
  r.json = std::move(j);
  return r;
}

bool Loopback(const std::string& addr) {
  return addr == "127.0.0.1" || addr == "::1" || addr.rfind("127.", 0) == 0 ||
         addr == "::ffff:127.0.0.1";
}

}  // namespace

std::string MetricsText(const DispatchEngine& engine, Store& store) {
  std::ostringstream o;
  const DispatchMetrics& m = engine.metrics();
  o << "# HELP gd_dispatches Dispatches by channel kind and state.\n# TYPE gd_dispatches gauge\n";
  int64_t queue = 0;
  (void)store.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto rows, dispatch_sql::CountByKindState(tx));
    for (const auto& [kind, state, n] : rows) {
      o << "gd_dispatches{kind=\"" << kind << "\",state=\"" << state << "\"} " << n << "\n";
      if (state == "pending" || state == "sending" || state == "awaiting" || state == "withdrawing")
        queue += n;
    }
    return Status::Ok();
  });
  o << "# HELP gd_dispatch_queue_depth Dispatches not yet final.\n# TYPE gd_dispatch_queue_depth "
       "gauge\n"
    << "gd_dispatch_queue_depth " << queue << "\n";
  auto counter = [&](const char* name, const char* help, int64_t v) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n"
      << name << " " << v << "\n";
  };
  counter("gd_dispatch_attempts_total", "Platform calls made for dispatches.", m.attempts.load());
  counter("gd_dispatch_retries_total", "Attempts that retried an earlier failure.",
          m.retries.load());
  counter("gd_dispatch_published_total", "Dispatches that reached published.", m.published.load());
  counter("gd_dispatch_failed_total", "Dispatches that failed permanently.", m.failed.load());
  counter("gd_dispatch_withdrawn_total", "Posts taken down (art. 14).", m.withdrawn.load());
  counter("gd_dispatch_rate_limited_total", "Sends deferred by the per-account token bucket.",
          m.rate_limited.load());
  counter("gd_dispatch_platform_pauses_total",
          "Platform rate-limit answers after which the account was paused.", m.paused.load());
  if (const channels::TokenCache* tokens = engine.tokens()) {
    // Access tokens per channel account: one refresh per expiry window is the goal, however
    // many workers use the account.
    const auto counts = tokens->Counts();
    std::map<int64_t, std::string> kinds;
    (void)store.Read([&](Tx& tx) -> Status {
      for (const auto& [id, c] : counts) {
        auto row = tx.GetChannel(id);
        if (row.ok() && row->has_value()) kinds[id] = (*row)->kind;
      }
      return Status::Ok();
    });
    auto per_account = [&](const char* name, const char* help, auto value) {
      o << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n";
      for (const auto& [id, c] : counts)
        o << name << "{account_id=\"" << id << "\",kind=\"" << kinds[id] << "\"} " << value(c)
          << "\n";
    };
    per_account("gd_token_refreshes_total", "Access tokens obtained from the platform.",
                [](const channels::TokenCache::FetchCounts& c) { return c.ok; });
    per_account("gd_token_refresh_failures_total",
                "Token requests that failed (platform error, refusal, no answer).",
                [](const channels::TokenCache::FetchCounts& c) { return c.failed; });
  }
  o << "# HELP gd_dispatch_attempt_seconds Platform call latency.\n# TYPE "
       "gd_dispatch_attempt_seconds histogram\n";
  int64_t cumulative = 0;
  for (int i = 0; i < DispatchMetrics::kBuckets; ++i) {
    cumulative += m.latency_count[i].load();
    o << "gd_dispatch_attempt_seconds_bucket{le=\"" << (DispatchMetrics::kBounds[i] / 1000.0)
      << "\"} " << cumulative << "\n";
  }
  cumulative += m.latency_count[DispatchMetrics::kBuckets].load();
  o << "gd_dispatch_attempt_seconds_bucket{le=\"+Inf\"} " << cumulative << "\n"
    << "gd_dispatch_attempt_seconds_sum " << (m.latency_sum_ms.load() / 1000.0) << "\n"
    << "gd_dispatch_attempt_seconds_count " << cumulative << "\n";
  return o.str();
}

std::vector<Route> MakeDispatchRoutes(PublishService* publish, DispatchEngine* engine, Store* store,
                                      AccountService* accounts) {
  std::vector<Route> r;
  r.push_back({"POST",
               R"(/api/tickets/(\d+)/publish)",
               {R::kSiteManager},
               false,
               false,
               false,
               [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
                 GD_ASSIGN_OR_RETURN(
                     Json j,
                     publish->Publish(*q.auth, q.Id(), q.body.is_null() ? Json::object() : q.body));
                 return J(j);
               }});
  r.push_back({"GET",
               R"(/api/tickets/(\d+)/dispatches)",
               {},
               false,
               false,
               false,
               [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
                 GD_ASSIGN_OR_RETURN(Json j, publish->Dispatches(*q.auth, q.Id()));
                 return J(j);
               }});
  r.push_back({"POST",
               R"(/api/tickets/(\d+)/dispatches/(\d+)/retry)",
               {R::kSiteManager},
               false,
               false,
               false,
               [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
                 GD_ASSIGN_OR_RETURN(Json j, publish->Retry(*q.auth, q.Id(0), q.Id(1)));
                 return J(j);
               }});
  r.push_back({"POST",
               R"(/api/tickets/(\d+)/dispatches/(\d+)/confirm)",
               {R::kSiteManager, R::kOperator},
               false,
               false,
               false,
               [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
                 GD_ASSIGN_OR_RETURN(Json j,
                                     publish->Confirm(*q.auth, q.Id(0), q.Id(1),
                                                      q.body.is_null() ? Json::object() : q.body));
                 return J(j);
               }});
  r.push_back({"POST",
               R"(/api/tickets/(\d+)/withdrawals)",
               {R::kSiteManager, R::kDeputyLeader, R::kPrincipalLeader},
               false,
               false,
               false,
               [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
                 GD_ASSIGN_OR_RETURN(
                     Json j, publish->RequestWithdrawal(
                                 *q.auth, q.Id(), q.body.is_null() ? Json::object() : q.body));
                 return J(j, 201);
               }});
  r.push_back({"GET",
               R"(/api/tickets/(\d+)/withdrawals)",
               {},
               false,
               false,
               false,
               [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
                 GD_ASSIGN_OR_RETURN(Json j, publish->ListWithdrawals(*q.auth, q.Id()));
                 return J(j);
               }});
  r.push_back({"GET",
               "/api/withdrawals",
               {R::kOffice, R::kAuditor, R::kAdmin},
               false,
               false,
               false,
               [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
                 GD_ASSIGN_OR_RETURN(Json j, publish->PendingWithdrawals(*q.auth));
                 return J(j);
               }});
  r.push_back({"POST",
               R"(/api/withdrawals/(\d+)/decisions)",
               {R::kOffice},
               false,
               false,
               false,
               [publish](ApiRequest& q) -> StatusOr<ApiResponse> {
                 GD_ASSIGN_OR_RETURN(Json j, publish->DecideWithdrawal(*q.auth, q.Id(), q.body));
                 return J(j);
               }});
  // Anyone on loopback; elsewhere an operator's bearer token.
  r.push_back({"GET",
               "/metrics",
               {},
               true,
               true,
               false,
               [engine, store, accounts](ApiRequest& q) -> StatusOr<ApiResponse> {
                 if (!Loopback(q.raw->remote_addr)) {
                   std::string auth = q.raw->get_header_value("Authorization");
                   if (auth.rfind("Bearer ", 0) != 0) return Unauthenticated("请先登录");
                   GD_ASSIGN_OR_RETURN(AuthContext ctx, accounts->Authenticate(auth.substr(7)));
                   if (!ctx.user.Has(Role::kOperator))
                     return PermissionDenied("只有运维人员可以查看监控指标");
                 }
                 ApiResponse res;
                 res.content_type = "text/plain; version=0.0.4; charset=utf-8";
                 res.body = MetricsText(*engine, *store);
                 return res;
               }});
  return r;
}

}  // namespace gd
