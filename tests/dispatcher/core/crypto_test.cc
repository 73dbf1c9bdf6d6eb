#include "dispatcher/core/crypto.h"

#include <gtest/gtest.h>

namespace gd {
namespace {

TEST(Crypto, Sha256KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, HmacKnownVector) {  // RFC 4231 test case 2
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, Base64RoundTrip) {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "\xff\x00\x01"}) {
    auto d = Base64Decode(Base64Encode(s));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(*d, s);
  }
  EXPECT_FALSE(Base64Decode("abc").ok());
}

TEST(Crypto, AesGcmSealsAndDetectsTampering) {
  std::string key = RandomBytes(32);
  auto sealed = SealAesGcm(key, "app-secret-值", "channel:1");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->find("app-secret"), std::string::npos);
  auto opened = OpenAesGcm(key, *sealed, "channel:1");
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "app-secret-值");
  EXPECT_FALSE(OpenAesGcm(key, *sealed, "channel:2").ok()) << "AAD binds the context";
  EXPECT_FALSE(OpenAesGcm(RandomBytes(32), *sealed, "channel:1").ok());
  std::string bad = *sealed;
  bad[bad.size() - 3] = bad[bad.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(OpenAesGcm(key, bad, "channel:1").ok());
}

TEST(Crypto, PasswordHashVerifies) {
  std::string h = HashPassword("正确的密码Abc123!");
  EXPECT_EQ(h.rfind("scrypt$", 0), 0u);
  EXPECT_TRUE(VerifyPassword("正确的密码Abc123!", h));
  EXPECT_FALSE(VerifyPassword("正确的密码Abc123?", h));
  EXPECT_FALSE(VerifyPassword("x", "scrypt$garbage"));
  EXPECT_NE(HashPassword("same"), HashPassword("same")) << "salted";
}

}  // namespace
}  // namespace gd
