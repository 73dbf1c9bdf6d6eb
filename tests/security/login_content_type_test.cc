// Finding 9 (login CSRF): a text/plain or form body is what a cross-site page can post without a
// preflight; the sign-in (and every JSON route) accepts only application/json.
#include <gtest/gtest.h>

#include "tests/dispatcher/app/api_harness.h"
#include "tests/support/status_matchers.h"

namespace gd::testing {
namespace {

TEST(LoginContentType, OnlyJsonBodiesSignIn) {
  Harness& h = Harness::Get();
  const std::string body =
      DumpJson(Json{{"username", "editor_a"}, {"password", Harness::kPassword}});
  for (const char* type :
       {"text/plain", "application/x-www-form-urlencoded", "application/jsonp", ""}) {
    Resp r = h.Raw("POST", "/api/session", {}, body, type);
    EXPECT_THAT(r, ApiError(415, "unsupported_media_type")) << type;
    EXPECT_TRUE(r.header_set_cookie.empty()) << type;
  }
  // httplib itself refuses a multipart body it cannot split (400) before any handler runs.
  Resp multipart = h.Raw("POST", "/api/session", {}, body, "multipart/form-data; boundary=x");
  EXPECT_TRUE(multipart.status == 400 || multipart.status == 415) << multipart.status;
  EXPECT_TRUE(multipart.header_set_cookie.empty());
  for (const char* type :
       {"application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"}) {
    Resp r = h.Raw("POST", "/api/session", {}, body, type);
    EXPECT_EQ(r.status, 200) << type << " " << r.body;
  }
}

TEST(LoginContentType, EveryJsonRouteNamesTheTypeItWants) {
  Harness& h = Harness::Get();
  Resp r = h.Raw("POST", "/api/check", {{"Authorization", "Bearer " + h.Token("editor_a")}},
                 R"({"category":"work_news","title":"t","body":"b"})", "text/plain");
  EXPECT_THAT(r, ApiError(415, "unsupported_media_type"));
}

}  // namespace
}  // namespace gd::testing
