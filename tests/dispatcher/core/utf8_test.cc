#include "dispatcher/core/utf8.h"

#include <gtest/gtest.h>

namespace gd {
namespace {

TEST(Utf8, Validates) {
  EXPECT_TRUE(IsValidUtf8("政务新媒体 abc"));
  EXPECT_TRUE(IsValidUtf8("\xEF\xBF\xBD"));  // U+FFFD itself
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xE6\x94"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("abc\xFF"));
}

TEST(Utf8, Offsets) {
  std::string s = "ab政务c";
  EXPECT_EQ(CodePointCount(s), 5u);
  EXPECT_EQ(CodePointIndex(s, 5), 3u);
  EXPECT_EQ(TruncateCodePoints(s, 3), "ab政");
  EXPECT_EQ(TruncateCodePoints(s, 10), s);
}

}  // namespace
}  // namespace gd
