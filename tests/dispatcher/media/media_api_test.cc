// Media uploads over HTTP: the type is taken from the content, and media stay in their unit.
#include <gtest/gtest.h>

#include "tests/dispatcher/app/api_harness.h"
#include "tests/support/status_matchers.h"

namespace gd::testing {
namespace {

TEST_F(Api, MediaTypeIsCheckedByContent) {
  std::string token = h.Token("editor_a");
  auto upload = [&](const std::string& name, const std::string& bytes) {
    std::string boundary = "----gdtestboundary";
    std::string body =
        "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name +
        "\"\r\nContent-Type: image/png\r\n\r\n" + bytes + "\r\n--" + boundary + "--\r\n";
    return h.Raw("POST", "/api/media", {{"Authorization", "Bearer " + token}}, body,
                 "multipart/form-data; boundary=" + boundary);
  };
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x08\x08\x02\0\0\0", 29);
  Resp ok = upload("图.png", png);
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ok.json["mime"], "image/png");
  EXPECT_EQ(ok.json["width"], 16);
  EXPECT_EQ(ok.json["sha256"].get<std::string>().size(), 64u);
  Resp fake = upload("evil.png", "<script>alert(1)</script>");
  EXPECT_THAT(fake, ApiError(422, "invalid"));
  EXPECT_TRUE(fake.json["error"]["details"]["fields"].contains("file")) << fake.body;
  Resp got = h.Call("GET", "/api/media/" + std::to_string(ok.json["id"].get<int64_t>()), token);
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, png);
  EXPECT_THAT(h.Call("GET", "/api/media/" + std::to_string(ok.json["id"].get<int64_t>()),
                     h.Token("editor_b")),
              ApiError(404, "not_found"));
}

}  // namespace
}  // namespace gd::testing
