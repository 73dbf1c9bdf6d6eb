// Issue 12, finding 2: a JSON body nested ~200,000 deep overflowed the stack when a handler
// copied it (nlohmann::json copies recursively), so any signed-in editor could kill the server.
// Bodies deeper than the limit are now refused before a tree is built: 400, server alive.
#include "dispatcher/core/json_depth.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/dispatcher/app/api_harness.h"
#include "tests/support/status_matchers.h"

namespace gd::testing {
namespace {

constexpr int kDeep = 200000;

std::string DeepArrays(int n) { return std::string(n, '[') + std::string(n, ']'); }

std::string DeepObjects(int n) {
  std::string s;
  s.reserve(static_cast<size_t>(n) * 6 + 1);
  for (int i = 0; i < n; ++i) s += "{\"a\":";
  s += "1";
  s += std::string(n, '}');
  return s;
}

TEST(JsonDepth, CountsNestingOutsideStrings) {
  EXPECT_TRUE(JsonDepthWithin("[]", 1));
  EXPECT_FALSE(JsonDepthWithin("[[]]", 1));
  EXPECT_TRUE(JsonDepthWithin(R"({"a":[1,{"b":2}]})", 3));
  EXPECT_FALSE(JsonDepthWithin(R"({"a":[1,{"b":2}]})", 2));
  // Brackets inside strings, escaped quotes included, do not count.
  EXPECT_TRUE(JsonDepthWithin(R"(["[[[[{{{{", "\"[[[[", "\\", "]]]]"])", 1));
  EXPECT_FALSE(JsonDepthWithin(R"(["\\", [[]]])", 2));
  EXPECT_TRUE(JsonDepthWithin(DeepArrays(kMaxJsonDepth), kMaxJsonDepth));
  EXPECT_FALSE(JsonDepthWithin(DeepArrays(kMaxJsonDepth + 1), kMaxJsonDepth));
}

TEST(JsonDepth, ParseRefusesDeepTextAndKeepsTheLimitConfigurable) {
  EXPECT_TRUE(ParseJson(DeepObjects(kMaxJsonDepth)).ok());
  auto deep = ParseJson(DeepObjects(kDeep));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(deep.status().reason(), "bad_request");
  EXPECT_TRUE(ParseJsonWithin("[[[]]]", 3).ok());
  EXPECT_FALSE(ParseJsonWithin("[[[[]]]]", 3).ok());
}

// A number out of a double's range throws out_of_range inside nlohmann (not a parse_error): it
// was a 500 at every JSON route until the router fuzz target found it.
TEST(JsonDepth, NumbersOutOfRangeAreBadRequests) {
  for (const char* text : {"1e999", R"({"step":-1e400})", "[1E+99999]"}) {
    auto r = ParseJson(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().reason(), "bad_request") << text;
  }
  EXPECT_TRUE(ParseJson("[1e300, 9007199254740993, -0.0]").ok());
}

// Wraps `inner` as the value of one field of an otherwise valid body.
struct DeepCase {
  std::string name;
  std::string method;
  std::string path;
  std::string user;
  std::string prefix, suffix;  // body = prefix + deep + suffix
};

TEST(JsonDepth, DeepBodiesAnswer400AndTheServerStaysUp) {
  Harness& h = Harness::Get();
  Json t = h.Create("editor_a", h.TicketBody("work_news", {h.portal_a}));
  const std::string tid = std::to_string(t["id"].get<int64_t>());
  Json s = h.Create("editor_a", h.TicketBody("work_news", {h.portal_a}));
  h.Submit("editor_a", s["id"]);
  const std::string sid = std::to_string(s["id"].get<int64_t>());
  const std::string editor_id =
      std::to_string(h.AddUser("depth_victim", h.unit_a, {Role::kEditor}));

  const std::vector<DeepCase> cases = {
      {"ticket channel options", "POST", "/api/tickets", "editor_a",
       R"({"category":"work_news","title":"t","channels":[{"account_id":)" +
           std::to_string(h.portal_a) + R"(,"options":)",
       "}]}"},
      {"ticket edit", "PUT", "/api/tickets/" + tid, "editor_a",
       R"({"category":"work_news","title":"t","media":)", "}"},
      {"submit body", "POST", "/api/tickets/" + tid + "/submit", "editor_a",
       R"({"proofread":true,"extra":)", "}"},
      {"decision checklist", "POST", "/api/tickets/" + sid + "/decisions", "reviewer_a",
       R"({"decision":"approve","version_hash":"x","checklist":)", "}"},
      {"decision warnings", "POST", "/api/tickets/" + sid + "/decisions", "reviewer_a",
       R"({"decision":"approve","version_hash":"x","acknowledged_warnings":)", "}"},
      {"channel settings", "POST", "/api/channels", "operator",
       R"({"kind":"portal","name":"深","settings":)", "}"},
      {"live check", "POST", "/api/check", "editor_a", R"({"category":)", "}"},
      {"user patch", "PATCH", "/api/users/" + editor_id, "admin", R"({"roles":)", "}"},
      {"sign-in (no session)", "POST", "/api/session", "", "", ""},
      {"publish", "POST", "/api/tickets/" + sid + "/publish", "sitemgr_a",
       R"({"proofread":true,"at":)", "}"},
      {"withdrawal", "POST", "/api/tickets/" + sid + "/withdrawals", "sitemgr_a",
       R"({"reason":"r","account_ids":)", "}"},
  };
  for (const auto& c : cases) {
    for (bool objects : {false, true}) {
      SCOPED_TRACE(c.name + (objects ? " (objects)" : " (arrays)"));
      std::string body = c.prefix + (objects ? DeepObjects(kDeep) : DeepArrays(kDeep)) + c.suffix;
      std::vector<std::pair<std::string, std::string>> headers;
      if (!c.user.empty()) headers.push_back({"Authorization", "Bearer " + h.Token(c.user)});
      Resp r = h.Raw(c.method, c.path, headers, body);
      EXPECT_THAT(r, ApiError(400, "bad_request")) << r.body.substr(0, 300);
      Resp alive = h.Call("GET", "/healthz", "");
      ASSERT_EQ(alive.status, 200) << "the server died on " << c.name;
    }
  }
}

}  // namespace
}  // namespace gd::testing
