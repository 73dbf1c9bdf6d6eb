#include "channels/wechat_mp/msg_crypt.h"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>

#include "dispatcher/core/crypto.h"

namespace gd::channels::wechat_mp {
namespace {

constexpr size_t kPadBlock = 32;  // WXBizMsgCrypt's PKCS#7 block, not AES's 16

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

// AES-256-CBC over whole blocks, without OpenSSL's own padding.
StatusOr<std::string> Cbc(std::string_view key32, std::string_view in, bool encrypt) {
  if (key32.size() != 32 || in.empty() || in.size() % 16 != 0) {
    return InvalidArgument("微信消息密文长度不正确");
  }
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  const auto* key = reinterpret_cast<const unsigned char*>(key32.data());
  if (!ctx ||
      EVP_CipherInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key, key, encrypt ? 1 : 0) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1) {
    return Internal("AES 初始化失败");
  }
  std::string out(in.size() + 16, '\0');
  int n = 0, m = 0;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_CipherUpdate(ctx.get(), o, &n, reinterpret_cast<const unsigned char*>(in.data()),
                       static_cast<int>(in.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), o + n, &m) != 1) {
    return InvalidArgument("微信消息解密失败");
  }
  out.resize(static_cast<size_t>(n + m));
  return out;
}

}  // namespace

std::string SortedSha1(std::vector<std::string> parts) {
  std::sort(parts.begin(), parts.end());
  std::string joined;
  for (const auto& p : parts) joined += p;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(joined.data(), joined.size(), md, &len, EVP_sha1(), nullptr);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(md), len));
}

StatusOr<std::string> AesKeyFromEncodingAesKey(std::string_view encoding_aes_key) {
  if (encoding_aes_key.size() != 43) {
    return InvalidArgument("EncodingAESKey 应为 43 个字符");
  }
  auto key = Base64Decode(std::string(encoding_aes_key) + "=");
  if (!key.ok() || key->size() != 32) return InvalidArgument("EncodingAESKey 不是有效的密钥");
  return key;
}

StatusOr<std::string> DecryptMessage(std::string_view key32, std::string_view encrypt_b64,
                                     std::string_view appid) {
  auto raw = Base64Decode(encrypt_b64);
  if (!raw.ok()) return InvalidArgument("微信消息密文不是 base64");
  GD_ASSIGN_OR_RETURN(std::string plain, Cbc(key32, *raw, false));
  const size_t pad = static_cast<unsigned char>(plain.back());
  if (pad < 1 || pad > kPadBlock || pad > plain.size()) {
    return InvalidArgument("微信消息填充不正确");
  }
  for (size_t i = plain.size() - pad; i < plain.size(); ++i) {
    if (static_cast<unsigned char>(plain[i]) != pad) return InvalidArgument("微信消息填充不正确");
  }
  plain.resize(plain.size() - pad);
  if (plain.size() < 20) return InvalidArgument("微信消息过短");
  const auto* p = reinterpret_cast<const unsigned char*>(plain.data()) + 16;
  const size_t len = (size_t{p[0]} << 24) | (size_t{p[1]} << 16) | (size_t{p[2]} << 8) | p[3];
  if (len > plain.size() - 20) return InvalidArgument("微信消息长度字段不正确");
  if (std::string_view(plain).substr(20 + len) != appid) {
    return InvalidArgument("微信消息不属于本公众号（AppID 不符）");
  }
  return plain.substr(20, len);
}

StatusOr<std::string> EncryptMessage(std::string_view key32, std::string_view message,
                                     std::string_view appid, std::string_view random16) {
  if (random16.size() != 16) return InvalidArgument("随机串应为 16 字节");
  std::string plain(random16);
  const uint32_t len = static_cast<uint32_t>(message.size());
  for (int shift : {24, 16, 8, 0}) plain.push_back(static_cast<char>((len >> shift) & 0xFF));
  plain += message;
  plain += appid;
  const size_t pad = kPadBlock - plain.size() % kPadBlock;
  plain.append(pad, static_cast<char>(pad));
  GD_ASSIGN_OR_RETURN(std::string sealed, Cbc(key32, plain, true));
  return Base64Encode(sealed);
}

}  // namespace gd::channels::wechat_mp
