// Issue 12, finding 8: wrong JSON types answered 500 (`media[].role: 5`,
// `acknowledged_warnings[].reason: 5`, `settings.publish_mode: 5`), a path id over 2^63
// answered 500, and a decision `step` of 2^40 was silently truncated to 0. Every route now
// decodes its body, path ids and query into a typed request: 400 for what is not JSON or not
// an object (or a malformed query parameter), 422 `invalid` naming the field for a wrong type,
// range or size, 404 for an id nothing can have, never a 5xx.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "tests/dispatcher/app/api_harness.h"

namespace gd::testing {
namespace {

constexpr const char* kHugeId = "99999999999999999999";  // over 2^64
constexpr int64_t kTwoTo40 = int64_t{1} << 40;

struct Case {
  std::string name;
  std::string user;  // signs in as
  std::string method;
  std::string path;  // {ticket} {submitted} {published} {channel} {user} {unit} are replaced
  std::string body;  // raw text ("" = none)
  int status;
  std::string field;  // the field details.fields must name ("" = none expected)
};

class TypedRequests : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Harness& h = Harness::Get();
    ticket_ = h.Create("editor_a", h.TicketBody("work_news", {h.portal_a}))["id"];
    Json s = h.Create("editor_a", h.TicketBody("work_news", {h.portal_a}));
    h.Submit("editor_a", s["id"]);
    submitted_ = s["id"];
    user_ = h.AddUser("typed_target", h.unit_a, {Role::kEditor});
  }

  std::string Fill(std::string s) const {
    const std::vector<std::pair<std::string, std::string>> vars = {
        {"{ticket}", std::to_string(ticket_)},
        {"{submitted}", std::to_string(submitted_)},
        {"{channel}", std::to_string(h.portal_a)},
        {"{wechat}", std::to_string(h.wechat_a)},
        {"{user}", std::to_string(user_)},
        {"{unit}", std::to_string(h.unit_a)},
        {"{huge}", kHugeId},
    };
    for (const auto& [k, v] : vars)
      for (size_t p; (p = s.find(k)) != std::string::npos;) s.replace(p, k.size(), v);
    return s;
  }

  Resp Send(const Case& c) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!c.user.empty()) headers.push_back({"Authorization", "Bearer " + h.Token(c.user)});
    return h.Raw(c.method, Fill(c.path), headers, Fill(c.body));
  }

  Harness& h = Harness::Get();
  static inline int64_t ticket_ = 0, submitted_ = 0, user_ = 0;
};

const std::string kTicket =
    R"({"category":"work_news","title":"标题","channels":[{"account_id":{channel}}])";

// Route x hostile body -> the status and the field named.
const std::vector<Case>& Table() {
  static const std::vector<Case> cases = {
      // Tickets.
      {"media role is a number", "editor_a", "POST", "/api/tickets",
       kTicket + R"(,"media":[{"media_id":1,"role":5}]})", 422, "media[0].role"},
      {"media id over 2^53", "editor_a", "POST", "/api/tickets",
       kTicket + R"(,"media":[{"media_id":1152921504606846976}]})", 422, "media[0]"},
      {"account id is a string", "editor_a", "POST", "/api/tickets",
       R"({"category":"work_news","title":"t","channels":[{"account_id":"1"}]})", 422,
       "channels[0]"},
      {"options is an array", "editor_a", "POST", "/api/tickets",
       R"({"category":"work_news","title":"t","channels":[{"account_id":{channel},"options":[1]}]})",
       422, "channels[0].options"},
      {"title is a number", "editor_a", "POST", "/api/tickets",
       R"({"category":"work_news","title":5})", 422, "title"},
      {"urgent is a string", "editor_a", "PUT", "/api/tickets/{ticket}",
       kTicket + R"(,"urgent":"yes"})", 422, "urgent"},
      {"scheduled_at is a number", "editor_a", "PUT", "/api/tickets/{ticket}",
       kTicket + R"(,"scheduled_at":5})", 422, "scheduled_at"},
      {"body is an array", "editor_a", "POST", "/api/tickets", "[1,2]", 400, ""},
      {"body is a string", "editor_a", "PUT", "/api/tickets/{ticket}", R"("x")", 400, ""},
      {"ticket id over 2^64", "editor_a", "GET", "/api/tickets/{huge}", "", 404, ""},
      {"ticket id 0", "editor_a", "GET", "/api/tickets/0", "", 404, ""},
      {"edit of an id over 2^64", "editor_a", "PUT", "/api/tickets/{huge}", kTicket + "}", 404, ""},
      {"history of an id over 2^64", "editor_a", "GET", "/api/tickets/{huge}/history", "", 404, ""},
      {"list unit_id not a number", "editor_a", "GET", "/api/tickets?unit_id=abc", "", 400,
       "unit_id"},
      {"list page over 2^64", "editor_a", "GET", "/api/tickets?page={huge}", "", 400, "page"},
      {"list unknown state", "editor_a", "GET", "/api/tickets?state=nope", "", 400, "state"},
      {"proofread is a string", "editor_a", "POST", "/api/tickets/{ticket}/submit",
       R"({"proofread":"true"})", 422, "proofread"},
      {"submit body is a number", "editor_a", "POST", "/api/tickets/{ticket}/submit", "5", 400, ""},
      {"live check category is a number", "editor_a", "POST", "/api/check", R"({"category":5})",
       422, "category"},
      {"live check body is an object", "editor_a", "POST", "/api/check",
       R"({"category":"work_news","body":{}})", 422, "body"},
      // Decisions.
      {"warning reason is a number", "reviewer_a", "POST", "/api/tickets/{submitted}/decisions",
       R"({"decision":"approve","version_hash":"x","acknowledged_warnings":[{"finding_id":"a","reason":5}]})",
       422, "acknowledged_warnings[0].reason"},
      {"step 2^40 is not truncated", "reviewer_a", "POST", "/api/tickets/{submitted}/decisions",
       R"({"decision":"approve","version_hash":"x","step":)" + std::to_string(kTwoTo40) + "}", 422,
       "step"},
      {"step is a fraction", "reviewer_a", "POST", "/api/tickets/{submitted}/decisions",
       R"({"decision":"approve","version_hash":"x","step":0.5})", 422, "step"},
      {"checklist item is a string", "reviewer_a", "POST", "/api/tickets/{submitted}/decisions",
       R"({"decision":"approve","version_hash":"x","checklist":{"secrets":"yes"}})", 422,
       "checklist.secrets"},
      {"checklist is an array", "reviewer_a", "POST", "/api/tickets/{submitted}/decisions",
       R"({"decision":"approve","version_hash":"x","checklist":[true]})", 422, "checklist"},
      {"decision is a number", "reviewer_a", "POST", "/api/tickets/{submitted}/decisions",
       R"({"decision":5,"version_hash":"x"})", 422, "decision"},
      {"version hash is an object", "reviewer_a", "POST", "/api/tickets/{submitted}/decisions",
       R"({"decision":"approve","version_hash":{}})", 422, "version_hash"},
      {"comment is an array", "reviewer_a", "POST", "/api/tickets/{submitted}/decisions",
       R"({"decision":"reject","version_hash":"x","comment":["a"]})", 422, "comment"},
      {"decision on an id over 2^64", "reviewer_a", "POST", "/api/tickets/{huge}/decisions",
       R"({"decision":"approve","version_hash":"x"})", 404, ""},
      // Publishing and withdrawals.
      {"publish time is a number", "sitemgr_a", "POST", "/api/tickets/{submitted}/publish",
       R"({"proofread":true,"at":5})", 422, "at"},
      {"publish proofread is a number", "sitemgr_a", "POST", "/api/tickets/{submitted}/publish",
       R"({"proofread":1})", 422, "proofread"},
      {"withdrawal reason is a number", "sitemgr_a", "POST", "/api/tickets/{submitted}/withdrawals",
       R"({"reason":5})", 422, "reason"},
      {"withdrawal account ids hold a string", "sitemgr_a", "POST",
       "/api/tickets/{submitted}/withdrawals", R"({"reason":"错","account_ids":["a"]})", 422,
       "account_ids[0]"},
      {"confirm url is a number", "sitemgr_a", "POST",
       "/api/tickets/{submitted}/dispatches/{channel}/confirm", R"({"remote_url":5})", 422,
       "remote_url"},
      {"retry of an account id over 2^64", "sitemgr_a", "POST",
       "/api/tickets/{submitted}/dispatches/{huge}/retry", "", 404, ""},
      {"withdrawal decision on an id over 2^64", "office", "POST",
       "/api/withdrawals/{huge}/decisions", R"({"decision":"approve"})", 404, ""},
      {"withdrawal decision is a number", "office", "POST", "/api/withdrawals/1/decisions",
       R"({"decision":1})", 422, "decision"},
      // Records.
      {"filing unit is a string", "deputy_a", "POST", "/api/archive/filings",
       R"({"unit_id":"{unit}","month":"2026-10"})", 422, "unit_id"},
      {"filing month is a number", "deputy_a", "POST", "/api/archive/filings",
       R"({"unit_id":{unit},"month":202610})", 422, "month"},
      {"archive unit over 2^64", "office", "GET", "/api/archive?unit_id={huge}&month=2026-10", "",
       400, "unit_id"},
      {"personnel unit is not a number", "office", "GET", "/api/personnel?unit_id=x", "", 400,
       "unit_id"},
      {"correction of an id over 2^64", "editor_a", "POST",
       "/api/monitor/rescans/{huge}/correction", "", 404, ""},
      // Media, audit.
      {"media id over 2^64", "editor_a", "GET", "/api/media/{huge}", "", 404, ""},
      {"audit ticket id over 2^64", "auditor", "GET", "/api/audit?ticket_id={huge}", "", 400,
       "ticket_id"},
      {"audit time malformed", "auditor", "GET", "/api/audit?from=yesterday", "", 400, "from"},
      // Channel accounts.
      {"publish_mode is a number", "operator", "POST", "/api/channels",
       R"({"kind":"wechat_mp","name":"号","unit_id":{unit},"base_url":"http://127.0.0.1:9/wechat","settings":{"app_id":"sandbox","publish_mode":5},"secrets":{"app_secret":"s"}})",
       422, "settings.publish_mode"},
      {"patched publish_mode is a number", "operator", "PATCH", "/api/channels/{wechat}",
       R"({"settings":{"publish_mode":5}})", 422, "settings.publish_mode"},
      {"poll interval is a string", "operator", "PATCH", "/api/channels/{wechat}",
       R"({"settings":{"poll_interval_ms":"fast"}})", 422, "settings.poll_interval_ms"},
      {"setting is an object", "operator", "PATCH", "/api/channels/{wechat}",
       R"({"settings":{"app_id":{}}})", 422, "settings.app_id"},
      {"column slug is a number", "operator", "PATCH", "/api/channels/{channel}",
       R"({"settings":{"columns":{"工作动态":5}}})", 422, "settings.columns.工作动态"},
      {"channel name is a number", "operator", "POST", "/api/channels",
       R"({"kind":"portal","name":5,"settings":{"mode":"builtin"}})", 422, "name"},
      {"channel unit over 2^64", "operator", "POST", "/api/channels",
       R"({"kind":"portal","name":"站","unit_id":99999999999999999999,"settings":{"mode":"builtin"}})",
       422, "unit_id"},
      {"secret is a number", "operator", "PATCH", "/api/channels/{wechat}",
       R"({"secrets":{"app_secret":5}})", 422, "secrets.app_secret"},
      {"channel id over 2^64", "operator", "GET", "/api/channels/{huge}", "", 404, ""},
      {"test of an id over 2^64", "operator", "POST", "/api/channels/{huge}/test", "", 404, ""},
      // Sessions, users, units.
      {"username is a number", "", "POST", "/api/session", R"({"username":5,"password":"x"})", 422,
       "username"},
      {"new password is an array", "editor_a", "POST", "/api/me/password",
       R"({"old_password":"x","new_password":[]})", 422, "new_password"},
      {"unit name is a number", "admin", "POST", "/api/units", R"({"name":5,"kind":"town"})", 422,
       "name"},
      {"user unit over 2^63", "admin", "POST", "/api/users",
       R"({"username":"u1","name":"某","unit_id":9223372036854775808,"roles":["editor"],"password":"Xy@12345678z"})",
       422, "unit_id"},
      {"user role is a number", "admin", "POST", "/api/users",
       R"({"username":"u2","name":"某","unit_id":{unit},"roles":[5],"password":"Xy@12345678z"})",
       422, "roles[0]"},
      {"disabled is a string", "admin", "PATCH", "/api/users/{user}", R"({"disabled":"no"})", 422,
       "disabled"},
      {"patched name is a number", "admin", "PATCH", "/api/users/{user}", R"({"name":5})", 422,
       "name"},
      {"user id over 2^64", "admin", "PATCH", "/api/users/{huge}", R"({"disabled":true})", 404, ""},
      {"users unit filter not a number", "admin", "GET", "/api/users?unit_id=x", "", 400,
       "unit_id"},
  };
  return cases;
}

TEST_F(TypedRequests, HostileBodiesAnswer400Or422NamingTheField) {
  for (const auto& c : Table()) {
    SCOPED_TRACE(c.name + ": " + c.method + " " + Fill(c.path) + " " + Fill(c.body));
    Resp r = Send(c);
    EXPECT_EQ(r.status, c.status) << r.body;
    const std::map<int, std::string> codes = {
        {422, "invalid"}, {400, "bad_request"}, {404, "not_found"}};
    EXPECT_EQ(r.Code(), codes.at(c.status)) << r.body;
    if (!c.field.empty()) {
      const Json& fields = r.json["error"]["details"]["fields"];
      EXPECT_TRUE(fields.is_object() && fields.contains(c.field))
          << "details.fields should name " << c.field << ": " << r.body;
    }
  }
  EXPECT_EQ(h.Call("GET", "/healthz", "").status, 200);
}

// A decision's step of 2^40 used to be truncated to step 0 and accepted as the current step.
TEST_F(TypedRequests, AHugeStepIsNeverTakenForTheCurrentOne) {
  Json t = h.Create("editor_a", h.TicketBody("work_news", {h.portal_a}));
  Json s = h.Submit("editor_a", t["id"]);
  Resp r = h.Decide("reviewer_a", t["id"], s["content_hash"], "approve", {{"step", kTwoTo40}});
  EXPECT_EQ(r.status, 422) << r.body;
  Resp again = h.Call("GET", "/api/tickets/" + std::to_string(t["id"].get<int64_t>()),
                      h.Token("reviewer_a"));
  EXPECT_EQ(again.json["current_step"], 0) << "the decision must not have been recorded";
}

// Every route, signed in with a role that passes its gate, against bodies of every wrong shape
// and path ids of every wrong size: never a 5xx.
TEST_F(TypedRequests, NoRouteAnswers5xxToWrongShapes) {
  const std::vector<std::string> bodies = {
      "",
      "null",
      "5",
      "\"x\"",
      "[]",
      "{}",
      R"({"a":{"b":[1,{"c":null}]}})",
      R"({"category":5,"title":[],"media":{},"channels":"x","decision":{},"step":-1,)"
      R"("checklist":5,"acknowledged_warnings":{},"proofread":"x","at":[],"reason":{},)"
      R"("account_ids":5,"remote_url":{},"withdrawn":"x","unit_id":-5,"month":[],"kind":5,)"
      R"("name":{},"settings":[],"secrets":5,"base_url":5,"disabled":5,"roles":"x",)"
      R"("username":[],"password":5,"old_password":{},"new_password":5,"comment":{}})",
      R"({"media":[5,{"media_id":-1},{"media_id":1.5,"role":[]}],"channels":[5,{"account_id":1e300}],)"
      R"("acknowledged_warnings":[5,{"finding_id":5}],"account_ids":[1e30,-1,null],"roles":[null,5],)"
      R"("settings":{"mode":5,"publish_mode":[],"site_name":{}},"secrets":{"x":[]},"step":1e300,)"
      R"("unit_id":18446744073709551616})",
  };
  const std::vector<std::string> ids = {"1", "0", "9007199254740992", kHugeId,
                                        std::string(400, '9')};
  std::map<Role, std::string> users;
  for (Role role : AllRoles()) {
    std::string name = "typed_" + std::string(RoleKey(role));
    h.AddUser(name, IsCityWide(role) || role == Role::kOperator ? h.office_unit : h.unit_a, {role});
    users[role] = name;
  }
  int calls = 0;
  std::set<std::string> seen;
  for (const auto& route : h.app->server().routes()) {
    if (route.path == "/api/session" && route.method == "DELETE") continue;  // ends the session
    std::string user =
        route.public_route ? "" : users[route.roles.empty() ? Role::kEditor : route.roles.front()];
    for (const auto& id : ids) {
      std::string path = std::regex_replace(route.path, std::regex(R"(\(\\d\+\))"), id);
      path = std::regex_replace(path, std::regex(R"(\(\[0-9a-f\]\{64\}\))"), std::string(64, 'f'));
      if (!seen.insert(route.method + " " + path).second) continue;
      for (const auto& body : bodies) {
        if (route.method == "GET" && !body.empty()) continue;
        Case c{"sweep", user, route.method, path, body, 0, ""};
        Resp r = Send(c);
        EXPECT_GT(r.status, 0);
        EXPECT_LT(r.status, 500) << route.method << " " << path << " " << body << ": " << r.body;
        ++calls;
      }
    }
  }
  EXPECT_GT(calls, 300);
}

// The in-process entry point (used by the router fuzz target) runs the same path as a request
// on the socket.
TEST_F(TypedRequests, HandleRunsTheSocketPathWithoutASocket) {
  InProcessRequest in;
  in.method = "POST";
  in.target = "/api/tickets";
  in.headers = {{"Authorization", "Bearer " + h.Token("editor_a")}};
  in.body = Fill(kTicket + R"(,"media":[{"media_id":1,"role":5}]})");
  InProcessResponse out = h.app->server().Handle(in);
  EXPECT_EQ(out.status, 422);
  Json j = Json::parse(out.body, nullptr, false);
  EXPECT_TRUE(j["error"]["details"]["fields"].contains("media[0].role")) << out.body;

  in.method = "GET";
  in.target = "/api/tickets?unit_id=abc";
  in.body.clear();
  EXPECT_EQ(h.app->server().Handle(in).status, 400);
  in.target = "/api/tickets/" + std::string(kHugeId);
  EXPECT_EQ(h.app->server().Handle(in).status, 404);
  in.target = "/api/nothing-here";
  EXPECT_EQ(h.app->server().Handle(in).status, 404);
  in.headers.clear();
  in.target = "/api/tickets";
  EXPECT_EQ(h.app->server().Handle(in).status, 401);
}

}  // namespace
}  // namespace gd::testing
