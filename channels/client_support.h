// Helpers shared by the platform clients (not part of the Client interface).
#pragma once

#include <string>
#include <string_view>

#include "channels/client.h"

namespace gd::channels::support {

// The MediaRef of `job` whose sha256 is `sha256`, read from disk.
struct MediaBytes {
  const MediaRef* ref = nullptr;
  std::string data;
  std::string filename;  // "<sha256-prefix>.<ext>" from the mime type
};
StatusOr<MediaBytes> ReadMedia(const PublishJob& job, const std::string& sha256);

// A permanent or transient error from the platform, with the platform's own code and message
// quoted in the Chinese text. `code` selects the retry meaning (see client.h).
Status PlatformError(Code code, std::string_view platform_label, std::string_view platform_code,
                     std::string_view platform_message, std::string_view explanation,
                     std::string reason = "platform_error");

// A body that is not the JSON the platform documents: transient (a proxy page, a truncated
// body), quoting the HTTP status.
Status BadResponse(std::string_view platform_label, const HttpResponse& resp);

// Parses a JSON body; BadResponse when it is not JSON.
StatusOr<Json> ParseBody(std::string_view platform_label, const HttpResponse& resp);

// A JSON id that may be a string or a number (WeChat publish_id, Weibo id), as a string.
std::string IdString(const Json& v);

// Marks a non-idempotent step as outstanding and checkpoints.
Status BeginStep(Progress& progress, const Checkpoint& checkpoint, const std::string& step,
                 TimeMs now);
// The outstanding step's name, or "".
std::string InflightStep(const Progress& progress);
// Clears the outstanding step and checkpoints.
Status EndStep(Progress& progress, const Checkpoint& checkpoint);
// The outstanding step's call failed with `failure`. When the platform answered it with one of
// its own error codes (busy, rate-limited, invalid...), it refused the request rather than
// leaving it half-done: the step is no longer outstanding, so the next attempt need not look
// for its result. A call with no answer (timeout, dropped connection, unreadable reply) stays
// outstanding. Returns `failure` (or the checkpoint's error).
Status StepFailed(Progress& progress, const Checkpoint& checkpoint, const Status& failure);

// Secrets field, kUnauthenticated naming the field when missing.
StatusOr<std::string> SecretField(const Json& secrets, const char* field,
                                  std::string_view platform_label);
// Settings field, kInvalidArgument naming the field when missing.
StatusOr<std::string> SettingField(const Account& account, const char* field,
                                   std::string_view platform_label);

// base_url without a trailing slash.
std::string BaseUrl(const Account& account);

// Transport errors keep their code; the message names the platform.
Status TransportError(std::string_view platform_label, const Status& s);

}  // namespace gd::channels::support
