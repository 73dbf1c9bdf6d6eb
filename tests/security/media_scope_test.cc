// Finding 9 (media): /api/media/by-sha256/{sha} served another unit's file while
// /api/media/{id} refused it. Every media route now applies one unit-scoped rule.
#include <gtest/gtest.h>

#include "dispatcher/core/crypto.h"
#include "tests/dispatcher/app/api_harness.h"

namespace gd::testing {
namespace {

Resp Upload(const std::string& user, const std::string& bytes) {
  Harness& h = Harness::Get();
  const std::string boundary = "----gdsecurityboundary";
  std::string body = "--" + boundary +
                     "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n"
                     "Content-Type: image/png\r\n\r\n" +
                     bytes + "\r\n--" + boundary + "--\r\n";
  return h.Raw("POST", "/api/media", {{"Authorization", "Bearer " + h.Token(user)}}, body,
               "multipart/form-data; boundary=" + boundary);
}

// A PNG the sniffer accepts, unique to `tag`.
std::string Png(const std::string& tag) {
  return std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x08\x08\x02\0\0\0", 29) +
         "unit-a-only-" + tag;
}

TEST(MediaScope, BySha256AnswersAsById) {
  Harness& h = Harness::Get();
  const std::string bytes = Png("9a");
  Resp up = Upload("editor_a", bytes);
  ASSERT_EQ(up.status, 201) << up.body;
  const std::string by_id = "/api/media/" + std::to_string(up.json["id"].get<int64_t>());
  const std::string by_sha = "/api/media/by-sha256/" + up.json["sha256"].get<std::string>();
  ASSERT_EQ(up.json["sha256"], Sha256Hex(bytes));

  // The owner's unit and the city-wide roles read it both ways.
  for (const char* who : {"editor_a", "reviewer_a", "office", "auditor"}) {
    Resp a = h.Call("GET", by_id, h.Token(who));
    Resp b = h.Call("GET", by_sha, h.Token(who));
    EXPECT_EQ(a.status, 200) << who;
    EXPECT_EQ(b.status, 200) << who;
    EXPECT_EQ(b.body, bytes) << who;
  }
  // Another unit gets the same refusal both ways, and no bytes.
  for (const char* who : {"editor_b", "reviewer_b"}) {
    Resp a = h.Call("GET", by_id, h.Token(who));
    Resp b = h.Call("GET", by_sha, h.Token(who));
    EXPECT_EQ(a.status, 404) << who;
    EXPECT_EQ(b.status, a.status) << who;
    EXPECT_EQ(b.Code(), a.Code()) << who;
    EXPECT_EQ(b.body.find("unit-a-only"), std::string::npos) << who;
  }
  // Not signed in: 401 both ways.
  EXPECT_EQ(h.Call("GET", by_sha, "").status, 401);
}

// Content addressing: when unit B uploads the same bytes it has its own row, and reads its copy
// by digest; that does not open unit A's row by id.
TEST(MediaScope, TheSameBytesUploadedByTwoUnits) {
  Harness& h = Harness::Get();
  const std::string bytes = Png("twice");
  Resp a = Upload("editor_a", bytes);
  ASSERT_EQ(a.status, 201) << a.body;
  const std::string by_sha = "/api/media/by-sha256/" + a.json["sha256"].get<std::string>();
  EXPECT_EQ(h.Call("GET", by_sha, h.Token("editor_b")).status, 404);
  Resp b = Upload("editor_b", bytes);
  ASSERT_EQ(b.status, 201) << b.body;
  EXPECT_NE(a.json["id"], b.json["id"]);
  Resp got = h.Call("GET", by_sha, h.Token("editor_b"));
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, bytes);
  EXPECT_EQ(h.Call("GET", by_sha, h.Token("editor_a")).status, 200);
  EXPECT_EQ(h.Call("GET", "/api/media/" + std::to_string(a.json["id"].get<int64_t>()),
                   h.Token("editor_b"))
                .status,
            404);
}

}  // namespace
}  // namespace gd::testing
