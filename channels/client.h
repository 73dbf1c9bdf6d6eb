// The client half of a channel adapter: publish, poll, reconcile, withdraw and check
// credentials against the platform's real HTTP API at the account's configurable base URL.
//
// Exactly-once contract (docs/architecture.md §5). The engine owns a Progress per dispatch
// and persists it whenever the client calls `checkpoint`:
//  - Before every call whose repetition could create a second public post (WeChat submit or
//    sendall, Weibo share, Douyin create_video, Kuaishou publish, portal push) the client sets
//    progress.state["inflight"] = {"step": <name>, "at": <ms>} and checkpoints. When the call's
//    result is known it records the ids, erases "inflight" and checkpoints again. Uploads and
//    drafts are recorded after they succeed (repeating them creates nothing public).
//  - If `checkpoint` fails, the client stops before the network call and returns that status.
//  - Publish may be called again with the persisted progress after any error, a crash or a
//    timeout. It resumes: ids already recorded are reused, and if "inflight" is set the client
//    first reconciles with the platform (status/listing APIs, single-use draft and upload ids)
//    and never repeats the step unless the platform shows it did not happen.
//
// Error codes returned by every method (the engine's retry loop switches on them):
//   kUnavailable, kDeadlineExceeded, kResourceExhausted  transient: retry with backoff (after a
//        kDeadlineExceeded the outcome is unknown; calling Publish again with the saved progress
//        is the reconciliation). details["retry_after_ms"] is set when the platform says how
//        long to wait (WeChat 45009 daily quota, Weibo hourly limits).
//   kUnauthenticated   the platform rejected the account's credentials even after the client's
//        own single token refresh (wrong secret, refresh token expired, authorisation revoked):
//        permanent until an operator fixes the account.
//   kPermissionDenied  the account lacks the capability (WeChat 48001 unverified account,
//        IP not on the allow-list, Douyin 28001018): permanent; reason "manual_handoff" when
//        a person can publish it by hand instead.
//   kFailedPrecondition, kInvalidArgument  permanent: the platform's audit rejected the piece,
//        or the rendering breaks its rules.
//   any code with reason "needs_decision"   the client cannot tell whether the post exists
//        (a reconciliation stayed inconclusive for kMaxUnknownLooks looks, or the platform's
//        listing cannot show it): the engine parks the dispatch in `awaiting` with
//        error_reason "needs_decision" and never sends again by itself; a person either confirms
//        the post (its URL) or declares it not published (then it may be retried).
// kResourceExhausted may carry details["quota_scope"] = the platform API whose quota is spent
// (e.g. "sendall"); the engine then pauses only that API of the account, not the whole account.
// Permanent errors carry a Chinese message for people that quotes the platform's own code
// and message; details = {"platform", "code", "platform_message"}; reason "platform_error"
// (or "platform_rejected" for a content audit rejection, "manual_withdrawal" for platforms
// without a delete API).
//
// Clients are thread-safe and stateless between calls except for the shared TokenCache.
// They never log secrets or tokens.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "channels/channel.h"
#include "channels/token_cache.h"
#include "channels/transport.h"
#include "dispatcher/core/clock.h"
#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"
#include "dispatcher/model/content.h"

namespace gd::channels {

// Decrypted secrets of the account (docs/api.md §4.1), fetched only when a call needs them.
using SecretSource = std::function<StatusOr<Json>()>;

struct PublishJob {
  const Account* account = nullptr;
  SecretSource secrets;
  // The approved rendering with the portal URL filled in; sent byte for byte.
  Json rendering = Json::object();
  // The media the rendering names by sha256, with `path` pointing at the bytes.
  std::vector<MediaRef> media;
  // Unique per dispatch (e.g. "d42"); the idempotency key where the platform accepts one.
  std::string dispatch_key;
  // The APIs of this account paused after a quota answer (details["quota_scope"]), each with
  // the time it may be called again (the engine's pauses, still running when the job was made).
  // A client about to call one of them answers support::ApiPaused's kResourceExhausted instead,
  // without a network call.
  std::map<std::string, TimeMs> paused_apis;
};

// What a publish has achieved so far (uploaded media, draft media_id, publish_id, video_id,
// upload_token, ...). Opaque to the engine except for these keys:
//   "inflight"   set while a non-idempotent call is outstanding (see above);
//   "remote_id", "remote_url"   once published;
//   "confirmed_url", "confirmed_id"   written by the engine for manual hand-offs when an
//                operator confirms the post.
struct Progress {
  Json state = Json::object();
};

// Persists `progress` durably before the client proceeds. Returns non-ok to stop the client.
using Checkpoint = std::function<Status(const Progress&)>;

struct PublishResult {
  enum class Kind {
    kPublished,  // public: remote_id and remote_url set (url may be empty for mass-send)
    kAwaiting,   // accepted, the platform is still processing: call Poll after poll_after_ms
  };
  Kind kind = Kind::kAwaiting;
  std::string remote_id;
  std::string remote_url;
  TimeMs poll_after_ms = 0;
  std::string note;  // Chinese, for people (e.g. "平台审核中")
};

struct ReconcileResult {
  enum class Kind {
    kFound,     // the post exists: remote_id/remote_url set (pending=true while under review)
    kNotFound,  // the platform shows no such post: sending again cannot duplicate
    kUnknown,   // cannot tell yet (still processing, listing not conclusive): try later
  };
  Kind kind = Kind::kUnknown;
  std::string remote_id;
  std::string remote_url;
  bool pending = false;
};

class Client {
 public:
  virtual ~Client() = default;

  // Advances the publish from `progress` (empty for a first attempt); `progress` is updated in
  // place and every change that matters is passed to `checkpoint` before the client continues.
  virtual StatusOr<PublishResult> Publish(const PublishJob& job, Progress& progress,
                                          const Checkpoint& checkpoint) = 0;

  // For kAwaiting: asks the platform how the job ended. Returns kPublished, kAwaiting again,
  // or a permanent error carrying the platform's reason (e.g. WeChat publish_status 4).
  virtual StatusOr<PublishResult> Poll(const PublishJob& job, Progress& progress,
                                       const Checkpoint& checkpoint) = 0;

  // Looks for the post of this dispatch on the platform without sending anything, using the
  // ids in `progress` and the platform's listing APIs.
  virtual StatusOr<ReconcileResult> Reconcile(const PublishJob& job, const Progress& progress) = 0;

  // Deletes the public post `remote_id` (art. 14). A post that is already gone is ok.
  // Platforms without a delete API return kFailedPrecondition with reason "manual_withdrawal".
  // `job.rendering` and `job.media` are not needed.
  virtual Status Withdraw(const PublishJob& job, const std::string& remote_id) = 0;

  // Tries the credentials against the platform without publishing anything. Ok, or an error
  // whose message says in Chinese what is wrong (wrong secret, IP not on the allow-list,
  // token expired, account not verified for publishing).
  virtual Status CheckCredentials(const Account& account, const SecretSource& secrets) = 0;
};

struct ClientDeps {
  Transport* transport = nullptr;  // not owned
  TokenCache* tokens = nullptr;    // not owned
  const Clock* clock = nullptr;    // not owned
  int timeout_ms = 30000;          // per HTTP call
};

// The built-in clients, by account kind: "portal" (push mode), "wechat_mp", "weibo", "douyin",
// "kuaishou", "manual". kNotFound for another kind.
StatusOr<std::unique_ptr<Client>> NewClient(const std::string& kind, const ClientDeps& deps);

}  // namespace gd::channels
