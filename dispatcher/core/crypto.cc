#include "dispatcher/core/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

namespace gd {

std::string Sha256Raw(std::string_view data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256Raw(data)); }

std::string HmacSha256Raw(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  return HexEncode(HmacSha256Raw(key, data));
}

struct HmacSha256Key::Keyed {
  EVP_MAC_CTX* ctx = nullptr;  // initialised with the key; only ever duplicated
  ~Keyed() { EVP_MAC_CTX_free(ctx); }
};

HmacSha256Key::HmacSha256Key(std::string_view key) {
  auto keyed = std::make_shared<Keyed>();
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac != nullptr) keyed->ctx = EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac);  // the context keeps its own reference
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                         OSSL_PARAM_construct_end()};
  if (keyed->ctx == nullptr ||
      EVP_MAC_init(keyed->ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                   params) != 1) {
    std::fputs("fatal: HMAC-SHA256 unavailable\n", stderr);
    std::abort();
  }
  keyed_ = std::move(keyed);
}

std::string HmacSha256Key::Raw(std::string_view data) const {
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_dup(keyed_->ctx),
                                                                &EVP_MAC_CTX_free);
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t len = 0;
  if (!ctx ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) !=
          1 ||
      EVP_MAC_final(ctx.get(), out, &len, sizeof out) != 1) {
    std::fputs("fatal: HMAC-SHA256 failed\n", stderr);
    std::abort();
  }
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string HmacSha256Key::Hex(std::string_view data) const { return HexEncode(Raw(data)); }

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    std::fputs("fatal: CSPRNG failure\n", stderr);
    std::abort();
  }
  return out;
}

std::string RandomToken(size_t n) { return Base64UrlEncode(RandomBytes(n)); }

std::string HexEncode(std::string_view raw) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string Base64Encode(std::string_view raw) {
  std::string out(4 * ((raw.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(raw.data()),
                          static_cast<int>(raw.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

StatusOr<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return InvalidArgument("base64 长度不正确");
  std::string out(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return InvalidArgument("base64 内容无效");
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string Base64UrlEncode(std::string_view raw) {
  std::string s = Base64Encode(raw);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  return s;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {
struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;
constexpr size_t kNonce = 12, kTag = 16;
}  // namespace

StatusOr<std::string> SealAesGcm(std::string_view key32, std::string_view plaintext,
                                 std::string_view aad) {
  if (key32.size() != 32) return Internal("加密密钥长度不正确");
  std::string nonce = RandomBytes(kNonce);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  std::string ct(plaintext.size(), '\0');
  unsigned char tag[kTag];
  auto u = [](std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); };
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u(key32), u(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, u(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(ct.data()), &len, u(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), nullptr, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, tag) != 1) {
    return Internal("加密失败");
  }
  return "v1:" + Base64Encode(nonce + ct + std::string(reinterpret_cast<char*>(tag), kTag));
}

StatusOr<std::string> OpenAesGcm(std::string_view key32, std::string_view sealed,
                                 std::string_view aad) {
  if (key32.size() != 32) return Internal("加密密钥长度不正确");
  if (sealed.substr(0, 3) != "v1:") return InvalidArgument("密文格式不正确");
  GD_ASSIGN_OR_RETURN(std::string raw, Base64Decode(sealed.substr(3)));
  if (raw.size() < kNonce + kTag) return InvalidArgument("密文过短");
  std::string_view all(raw);
  std::string_view nonce = all.substr(0, kNonce);
  std::string_view ct = all.substr(kNonce, all.size() - kNonce - kTag);
  std::string tag(all.substr(all.size() - kTag));
  auto u = [](std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); };
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  std::string pt(ct.size(), '\0');
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u(key32), u(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, u(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(pt.data()), &len, u(ct),
                        static_cast<int>(ct.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), nullptr, &len) != 1) {
    return InvalidArgument("密文校验失败（密钥不符或数据被篡改）");
  }
  return pt;
}

namespace {
constexpr uint64_t kScryptN = 1u << 15;
constexpr uint64_t kScryptR = 8, kScryptP = 1;

bool Scrypt(std::string_view password, std::string_view salt, uint64_t n, uint64_t r, uint64_t p,
            std::string* out) {
  out->assign(32, '\0');
  return EVP_PBE_scrypt(password.data(), password.size(),
                        reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), n, r, p,
                        64ull * 1024 * 1024, reinterpret_cast<unsigned char*>(out->data()),
                        out->size()) == 1;
}
}  // namespace

std::string HashPassword(std::string_view password) {
  std::string salt = RandomBytes(16), hash;
  if (!Scrypt(password, salt, kScryptN, kScryptR, kScryptP, &hash)) {
    std::fputs("fatal: scrypt failure\n", stderr);
    std::abort();
  }
  return "scrypt$" + std::to_string(kScryptN) + "$" + std::to_string(kScryptR) + "$" +
         std::to_string(kScryptP) + "$" + Base64Encode(salt) + "$" + Base64Encode(hash);
}

bool VerifyPassword(std::string_view password, std::string_view encoded) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t pos = encoded.find('$', start);
    parts.emplace_back(encoded.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  if (parts.size() != 6 || parts[0] != "scrypt") return false;
  uint64_t n, r, p;
  try {
    n = std::stoull(parts[1]);
    r = std::stoull(parts[2]);
    p = std::stoull(parts[3]);
  } catch (...) {
    return false;
  }
  auto salt = Base64Decode(parts[4]);
  auto want = Base64Decode(parts[5]);
  if (!salt.ok() || !want.ok() || n > (1u << 20) || r > 16 || p > 4) return false;
  std::string got;
  if (!Scrypt(password, *salt, n, r, p, &got)) return false;
  return ConstantTimeEqual(got, *want);
}

}  // namespace gd
