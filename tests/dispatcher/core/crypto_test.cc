#include "dispatcher/core/crypto.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace gd {
namespace {

TEST(Crypto, Sha256KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, HmacKnownVector) {  // RFC 4231 test case 2
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, KeyedHmacEqualsTheOneShot) {
  HmacSha256Key jefe("Jefe");
  EXPECT_EQ(jefe.Hex("what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  const std::string long_key(200, '\xaa');  // longer than SHA-256's block: hashed first
  for (const std::string& key : {std::string(), std::string("k"), long_key}) {
    HmacSha256Key keyed(key);
    for (const std::string& data : {std::string(), std::string("abc"), std::string(5000, 'x')}) {
      EXPECT_EQ(keyed.Hex(data), HmacSha256Hex(key, data));
      EXPECT_EQ(keyed.Raw(data), HmacSha256Raw(key, data));
    }
  }
}

TEST(Crypto, KeyedHmacFromManyThreads) {
  const HmacSha256Key keyed("audit");
  std::vector<int> wrong(8, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const std::string data = std::to_string(t) + "|" + std::to_string(i);
        if (keyed.Hex(data) != HmacSha256Hex("audit", data)) ++wrong[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(wrong[t], 0);
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
