// Cryptographic primitives over OpenSSL 3. All functions are thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "dispatcher/core/status.h"

namespace gd {

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
// Raw 32-byte SHA-256.
std::string Sha256Raw(std::string_view data);
// Lower-case hex HMAC-SHA256.
std::string HmacSha256Hex(std::string_view key, std::string_view data);
std::string HmacSha256Raw(std::string_view key, std::string_view data);

// HMAC-SHA256 under one key, keyed once: the one-shot functions above look the algorithms up
// and hash the key on every call. Hex()/Raw() equal HmacSha256Hex/Raw(key, data); they are const
// and thread-safe (each call works on its own copy of the keyed state).
class HmacSha256Key {
 public:
  explicit HmacSha256Key(std::string_view key);
  std::string Raw(std::string_view data) const;
  std::string Hex(std::string_view data) const;

 private:
  struct Keyed;
  std::shared_ptr<const Keyed> keyed_;
};

// `n` bytes from the OS CSPRNG. Aborts if the CSPRNG fails (nothing safe to do then).
std::string RandomBytes(size_t n);
// URL-safe random token with `n` bytes of entropy.
std::string RandomToken(size_t n = 32);

std::string HexEncode(std::string_view raw);
std::string Base64Encode(std::string_view raw);
StatusOr<std::string> Base64Decode(std::string_view text);
std::string Base64UrlEncode(std::string_view raw);  // no padding

// Constant-time comparison of equal-length secrets (false if lengths differ).
bool ConstantTimeEqual(std::string_view a, std::string_view b);

// AES-256-GCM with a random 96-bit nonce. Output: "v1:" + base64(nonce | ciphertext | tag).
// `aad` binds the ciphertext to its context (e.g. "channel:7"), so a value cannot be moved.
StatusOr<std::string> SealAesGcm(std::string_view key32, std::string_view plaintext,
                                 std::string_view aad);
StatusOr<std::string> OpenAesGcm(std::string_view key32, std::string_view sealed,
                                 std::string_view aad);

// Password hashing with scrypt (N=2^15, r=8, p=1; ~32 MB, tens of ms).
// Format: "scrypt$N$r$p$base64(salt)$base64(hash)".
std::string HashPassword(std::string_view password);
bool VerifyPassword(std::string_view password, std::string_view encoded);

}  // namespace gd
