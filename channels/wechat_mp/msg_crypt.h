// Signing and encryption of the messages WeChat pushes to an account's server URL (消息加解密),
// as the receiver checks them and the sandbox makes them. docs/channels-protocols.md §1.5 and
// the conformance table's push-security row: [W11] (the official description), [W14] (the
// message layout and signature, official Q&A), [W15] (CBC, PKCS#7, IV), [W16] (the platform's
// sample code: PKCS#7 over 32-byte blocks).
//
//  - signature      = hex SHA-1 of the sorted, concatenated token, timestamp and nonce;
//  - msg_signature  = the same over token, timestamp, nonce and the Encrypt field (安全 mode);
//  - Encrypt        = base64 of AES-256-CBC, key = base64-decode(EncodingAESKey + "="),
//                     IV = the key's first 16 bytes, PKCS#7 padding to a multiple of 32 bytes,
//                     over 16 random bytes + the message's length (4 bytes, big-endian) +
//                     the message + the appid.
// All functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dispatcher/core/status.h"

namespace gd::channels::wechat_mp {

// Lower-case hex SHA-1 of the parts sorted as byte strings and concatenated.
std::string SortedSha1(std::vector<std::string> parts);

// The 32-byte AES key of a 43-character EncodingAESKey; kInvalidArgument for anything else.
StatusOr<std::string> AesKeyFromEncodingAesKey(std::string_view encoding_aes_key);

// The message inside a base64 Encrypt field under `key32`. kInvalidArgument when the field is not
// base64, not whole blocks, badly padded, its length field does not fit, or the trailing appid
// is not `appid`.
StatusOr<std::string> DecryptMessage(std::string_view key32, std::string_view encrypt_b64,
                                     std::string_view appid);

// The base64 Encrypt field of `message` (the sandbox's side); `random16` is 16 bytes.
StatusOr<std::string> EncryptMessage(std::string_view key32, std::string_view message,
                                     std::string_view appid, std::string_view random16);

}  // namespace gd::channels::wechat_mp
