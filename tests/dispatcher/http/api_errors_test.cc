// The API's error answers and the session cookie's CSRF rule, over HTTP.
#include <gtest/gtest.h>

#include "tests/dispatcher/app/api_harness.h"
#include "tests/support/status_matchers.h"

namespace gd::testing {
namespace {

TEST_F(Api, HealthzAndErrorShape) {
  Resp r = h.Call("GET", "/healthz", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json, (Json{{"ok", true}}));
  Resp none = h.Call("GET", "/api/tickets", "");
  EXPECT_THAT(none, ApiError(401, "unauthenticated"));
  EXPECT_TRUE(none.json["error"]["message"].is_string());
  Resp unknown = h.Call("GET", "/api/no-such-thing", h.Token("editor_a"));
  EXPECT_THAT(unknown, ApiError(404, "not_found"));
}

TEST_F(Api, MalformedJsonAndInvalidUtf8AreBadRequests) {
  std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", "Bearer " + h.Token("editor_a")}};
  Resp bad = h.Raw("POST", "/api/tickets", auth, "{\"category\": ");
  EXPECT_THAT(bad, ApiError(400, "bad_request"));
  Resp utf =
      h.Raw("POST", "/api/tickets", auth, "{\"category\":\"work_news\",\"title\":\"\xC0\xAF\"}");
  EXPECT_THAT(utf, ApiError(400, "bad_request"));
  Resp not_object = h.Raw("POST", "/api/tickets", auth, "[1,2]");
  EXPECT_THAT(not_object, ApiError(400, "bad_request"));
}

TEST_F(Api, OversizedBodiesAre413InTheErrorShape) {
  std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", "Bearer " + h.Token("editor_a")}};
  std::string big = "{\"title\":\"" + std::string(5 * 1024 * 1024, 'a') + "\"}";
  Resp r = h.Raw("POST", "/api/tickets", auth, big);
  EXPECT_THAT(r, ApiError(413, "too_large"));
  std::string huge(120 * 1024 * 1024, 'b');
  Resp r2 = h.Raw("POST", "/api/media", auth, huge, "application/octet-stream");
  EXPECT_THAT(r2, ApiError(413, "too_large"));
}

TEST_F(Api, CookieSessionsNeedTheCsrfHeaderOnWrites) {
  Resp login = h.Call("POST", "/api/session", "",
                      {{"username", "editor_a"}, {"password", Harness::kPassword}});
  ASSERT_EQ(login.status, 200);
  EXPECT_NE(login.header_set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(login.header_set_cookie.find("SameSite=Strict"), std::string::npos);
  std::string cookie = "gd_session=" + login.json["token"].get<std::string>();
  std::string body = h.TicketBody("work_news", {h.portal_a}).dump();
  Resp get = h.Raw("GET", "/api/me", {{"Cookie", cookie}}, "");
  EXPECT_EQ(get.status, 200);
  Resp no_csrf = h.Raw("POST", "/api/tickets", {{"Cookie", cookie}}, body);
  EXPECT_THAT(no_csrf, ApiError(403, "csrf"));
  Resp with_csrf = h.Raw(
      "POST", "/api/tickets",
      {{"Cookie", cookie}, {"X-CSRF-Token", login.json["csrf_token"].get<std::string>()}}, body);
  EXPECT_EQ(with_csrf.status, 201) << with_csrf.body;
  Resp out = h.Raw(
      "DELETE", "/api/session",
      {{"Cookie", cookie}, {"X-CSRF-Token", login.json["csrf_token"].get<std::string>()}}, "");
  EXPECT_EQ(out.status, 200);
  EXPECT_THAT(h.Raw("GET", "/api/me", {{"Cookie", cookie}}, ""), ApiError(401, "unauthenticated"));
}

}  // namespace
}  // namespace gd::testing
