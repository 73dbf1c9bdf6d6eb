// Helpers shared by the platform clients (not part of the Client interface).
#pragma once

#include <functional>
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

// The MediaRef of `job` whose sha256 is `sha256`, located on disk but not read: videos are sent
// as file ranges the transport streams (channels/transport.h FileRange), never held whole.
struct MediaFile {
  const MediaRef* ref = nullptr;
  std::string path;
  int64_t size = 0;
  std::string filename;  // as MediaBytes::filename

  // The bytes [offset, offset + length) of the file, cut to its end.
  FileRange Range(int64_t offset, int64_t length) const;
};
StatusOr<MediaFile> LocateMedia(const PublishJob& job, const std::string& sha256);

// A permanent or transient error from the platform, with the platform's own code and message
// quoted in the Chinese text. `code` selects the retry meaning (see client.h).
Status PlatformError(Code code, std::string_view platform_label, std::string_view platform_code,
                     std::string_view platform_message, std::string_view explanation,
                     std::string reason = "platform_error");

// `s` with details["retry_after_ms"] = ms (the engine waits at least this long).
Status WithRetryAfter(const Status& s, TimeMs ms);
// Milliseconds until the next 0:00 Beijing time, when the platforms reset daily quotas.
TimeMs MsUntilNextCstMidnight(TimeMs now);
// The Retry-After header (seconds) of a response in milliseconds, or 0 when absent.
TimeMs RetryAfterMs(const HttpResponse& resp);

// A body that is not the JSON the platform documents: transient (a proxy page, a truncated
// body), quoting the HTTP status. HTTP 429 is kResourceExhausted, with the Retry-After header
// as details["retry_after_ms"].
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
// its own error codes that refuse a request outright — rate limit or quota, invalid content,
// credentials, permission, its content audit — nothing was done, so the step is no longer
// outstanding and the next attempt need not look for its result. Anything else (no answer,
// a dropped connection, an unreadable reply, "busy", which a platform may also answer after
// part of the work) leaves it outstanding. Returns `failure` (or the checkpoint's error).
Status StepFailed(Progress& progress, const Checkpoint& checkpoint, const Status& failure);

// How many inconclusive reconciliations (ReconcileResult::kUnknown) a dispatch may have before
// its outcome goes to a person.
inline constexpr int kMaxUnknownLooks = 5;
// The error that hands an undecidable outcome to a person (reason "needs_decision", see
// client.h); `message` says in Chinese what the person should check on the platform.
Status NeedsDecision(std::string message);
// Records one inconclusive look in progress.state["unknown_looks"] and checkpoints. Returns
// `retry_later` (a transient error) while fewer than kMaxUnknownLooks looks were made, then
// NeedsDecision(`message`).
Status UnknownOutcome(Progress& progress, const Checkpoint& checkpoint, const Status& retry_later,
                      std::string message);
// `s` (kResourceExhausted) with details["quota_scope"] = `api`: only that API is paused.
Status WithQuotaScope(const Status& s, std::string_view api);
// Call before calling the platform's `api`: Ok when it is not paused (job.paused_apis) at `now`,
// else kResourceExhausted (reason "api_paused", details retry_after_ms = the rest of the pause
// and quota_scope = `api`) with a Chinese message naming the platform, without a network call.
Status ApiPaused(const PublishJob& job, std::string_view api, TimeMs now,
                 std::string_view platform_label);

// Runs `read` — a call that only reads (status, listings) — up to `tries` times while it fails
// transiently without a rate-limit answer (busy, timeout, dropped connection), pausing 100 ms,
// 200 ms, … between tries. Reconciliation reads several pages in a row; without this one busy
// page would throw the whole attempt away.
StatusOr<Json> RetryRead(const std::function<StatusOr<Json>()>& read, int tries = 3);

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
