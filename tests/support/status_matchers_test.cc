// The matchers of status_matchers.h: they pass on the right code and fail, saying what they got,
// on a wrong one.
#include "tests/support/status_matchers.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

namespace gd {
namespace {

using ::testing::Not;

struct Answer {  // the shape of the harness's Resp and the raw client's RawResponse
  int status = 0;
  std::string body;
};

void PrintTo(const Answer& a, std::ostream* os) { *os << "HTTP " << a.status; }

const Answer kConflict{409, R"({"error":{"code":"conflict","message":"版本已变化","details":{}}})"};

TEST(StatusMatchers, IsOkOnStatusAndStatusOr) {
  EXPECT_THAT(Status::Ok(), IsOk());
  EXPECT_THAT(StatusOr<int>(7), IsOk());
  EXPECT_THAT(NotFound("无此工单"), Not(IsOk()));
  EXPECT_THAT(StatusOr<int>(NotFound("无此工单")), Not(IsOk()));
}

TEST(StatusMatchers, StatusIsComparesTheCode) {
  EXPECT_THAT(NotFound("无此工单"), StatusIs(Code::kNotFound));
  EXPECT_THAT(StatusOr<std::string>(FailedPrecondition("x")), StatusIs(Code::kFailedPrecondition));
  EXPECT_THAT(StatusOr<int>(3), StatusIs(Code::kOk));
  EXPECT_THAT(NotFound("无此工单"), Not(StatusIs(Code::kInvalidArgument)));
  EXPECT_THAT(InvalidArgument("x", "check_failed"),
              StatusIs(Code::kInvalidArgument, "check_failed"));
  EXPECT_THAT(InvalidArgument("x", "check_failed"),
              Not(StatusIs(Code::kInvalidArgument, "invalid")));
  EXPECT_THAT(InvalidArgument("x"), Not(StatusIs(Code::kInvalidArgument, "check_failed")));
}

TEST(StatusMatchers, AWrongCodeFailsAndShowsTheStatus) {
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(NotFound("无此工单"), StatusIs(Code::kInvalidArgument)),
                          "whose status is not_found: 无此工单");
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(NotFound("无此工单"), StatusIs(Code::kInvalidArgument)),
                          "has status code invalid_argument");
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(StatusOr<int>(Internal("磁盘已满")), IsOk()),
                          "whose status is internal: 磁盘已满");
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(StatusOr<int>(1), StatusIs(Code::kNotFound)),
                          "whose status is ok");
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(InvalidArgument("x", "invalid"),
                                      StatusIs(Code::kInvalidArgument, "check_failed")),
                          "whose status is invalid_argument(invalid): x");
}

TEST(ApiErrorMatcher, ComparesTheHttpStatusAndTheErrorCode) {
  EXPECT_THAT(kConflict, ApiError(409, "conflict"));
  EXPECT_THAT(kConflict, Not(ApiError(409, "forbidden")));
  EXPECT_THAT(kConflict, Not(ApiError(422, "conflict")));
  EXPECT_THAT((Answer{200, R"({"id":1})"}), Not(ApiError(200, "")))
      << "an answer without an error object carries no code";
  EXPECT_THAT((Answer{409, R"({"error":"conflict"})"}), Not(ApiError(409, "conflict")))
      << "an answer without an error object carries no code";
  EXPECT_THAT((Answer{502, "<html>bad gateway</html>"}), Not(ApiError(502, "internal")));
}

TEST(ApiErrorMatcher, AWrongCodeFailsAndShowsTheAnswer) {
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(kConflict, ApiError(403, "forbidden")),
                          "whose answer is 409 conflict: {\"error\"");
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(kConflict, ApiError(409, "stale_version")),
                          "is the API error 409 stale_version");
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT((Answer{201, R"({"id":1})"}), ApiError(409, "conflict")),
                          "whose answer is 201 (no error code)");
}

}  // namespace
}  // namespace gd
