// What the per-platform sandboxes share: a transport-neutral request/response, the common
// environment (clock, options, deterministic ids, the registry of public posts, stored media
// for the inspection page) and the PlatformSandbox interface the server composes.
// No httplib here: platform sandboxes are plain logic; channels/sandbox/server.cc adapts them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/core/clock.h"
#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"

namespace gd::channels::sandbox {

struct SandboxOptions {
  const Clock* clock = nullptr;  // not owned; null = the system clock
  uint64_t seed = 1;             // faults draw from a generator seeded with this
  // Delay before an async job ends: WeChat publish jobs (status 1 → final), Douyin review,
  // Kuaishou processing.
  int async_delay_ms = 3000;
  // Weibo: user_timeline shows only the latest N posts (how far the real one reaches for a
  // third-party app is unconfirmed; docs/channels-protocols.md, Conformance table, Weibo).
  int weibo_timeline_window = 5;
  // Weibo: each app's safe domain (安全域名), by app key; a share needs a link on it [B1].
  std::map<std::string, std::string> weibo_safe_domains = {{"sandbox", "127.0.0.1"}};
  // Kuaishou: for this long after photo/publish, photo/info and photo/list do not know the new
  // video (photo/info answers 100120001).
  int kuaishou_invisible_ms = 2000;
  // Content containing any of these is rejected by the fake platform's own audit.
  std::vector<std::string> audit_trigger_words = {"违规测试"};
  // WeChat: emit publish_id as a JSON string instead of a number (both occur in the wild).
  bool wechat_publish_id_as_string = false;
  // An injected timeout holds the connection this long, then drops it without a response.
  int timeout_hang_ms = 1500;
  // Enforce each platform's documented call quotas (docs/channels-protocols.md: WeChat daily quotas
  // → 45009, Weibo 30 posts/hour → 10024, ...) from the start. Off by default so suites that post
  // hundreds of items run unthrottled; switch on (or change the rules) at run time with
  // POST /_sandbox/quotas or SandboxServer::ConfigureQuotas.
  bool enforce_quotas = false;
};

// A call quota of a fake platform: at most `limit` calls of `path` per `window` per account
// (or per caller IP). Windows are fixed: a clock minute, a clock hour, or a calendar day in
// Beijing time (the platforms reset daily quotas at 0:00).
struct QuotaRule {
  enum class Window { kMinute, kHour, kDay };
  std::string path;  // after the platform prefix; "*" = every call of the platform
  int64_t limit = 0;
  Window window = Window::kDay;
  bool per_ip = false;  // counted per caller IP instead of per account
  int code = 0;         // the platform code to answer with; 0 = the platform's usual one

  static StatusOr<QuotaRule> FromJson(const Json& j);
  Json ToJson() const;
  static const char* WindowName(Window w);
};

struct SbFile {
  std::string filename;
  std::string content_type;
  std::string data;
};

struct SbRequest {
  std::string method;
  std::string path;         // after the platform prefix, e.g. "/cgi-bin/stable_token"
  std::string host;         // the Host header, e.g. "127.0.0.1:8081"
  std::string remote_addr;  // the caller's IP
  std::multimap<std::string, std::string> params;   // query and url-encoded form fields
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string content_type;
  std::multimap<std::string, SbFile> files;  // multipart parts with a filename

  std::string Param(const std::string& name) const;
  bool HasParam(const std::string& name) const;
  std::string Header(const std::string& name) const;
  const SbFile* File(const std::string& name) const;
};

struct SbResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Retry-After)
  static SbResponse FromJson(const Json& j, int status = 200);
};

// A public post as the inspection API and page show it.
struct PostRecord {
  std::string platform;  // "wechat", "weibo", "douyin", "kuaishou", "portal"
  std::string remote_id;
  std::string title;
  std::string text;  // article HTML (WeChat, portal) or the text/caption
  std::string url;
  Json media = Json::array();  // [{"kind": "image"|"video", "blob": "<id>"}]
  TimeMs created_at = 0;
  bool deleted = false;
  std::string author;
};

// Shared by all platform sandboxes of one server. Thread-safe.
class Env {
 public:
  explicit Env(SandboxOptions options);

  const Clock& clock() const { return *clock_; }
  TimeMs Now() const { return clock_->Now(); }
  const SandboxOptions& options() const { return options_; }

  // A fresh id "<prefix><n>", deterministic within one server.
  std::string NewId(const std::string& prefix);
  bool HasAuditWord(const std::string& text) const;

  void AddPost(PostRecord post);
  void MarkDeleted(const std::string& platform, const std::string& remote_id);
  std::vector<PostRecord> Posts(const std::string& platform) const;  // "" = all

  // Media bytes kept for the inspection page.
  std::string PutBlob(std::string content_type, std::string data);
  std::optional<SbFile> GetBlob(const std::string& id) const;

  // token_ttl_s set through the faults API for `platform`, if any.
  std::optional<int> TokenTtlSeconds(const std::string& platform) const;
  void SetTokenTtlSeconds(const std::string& platform, std::optional<int> ttl);

  // --- call quotas (see QuotaRule) ---
  // Registers a platform's documented rules; enforced from the start when `enabled`.
  void InitQuotas(const std::string& platform, std::vector<QuotaRule> defaults, bool enabled);
  // Counts one call of `req.path` by `account` when quotas are on for `platform`. Returns the
  // rule the call would exceed (the call is then refused and not counted), or nullopt.
  std::optional<QuotaRule> TakeQuota(const std::string& platform, const std::string& account,
                                     const SbRequest& req);
  bool QuotasEnabled(const std::string& platform) const;
  // Any of: enabled, rules (replace), defaults (restore the documented rules), reset (zero the
  // counters). kNotFound for a platform without registered rules.
  Status ConfigureQuotas(const std::string& platform, std::optional<bool> enabled,
                         std::optional<std::vector<QuotaRule>> rules, bool defaults, bool reset);
  // Zeroes the counters of `account` ("" = every account) on `platform` (WeChat clear_quota).
  void ResetQuotaUsage(const std::string& platform, const std::string& account);
  // {"<platform>": {"enabled", "rules": [...], "usage": [{path, account, window, used, limit}],
  //  "refused": n}}
  Json QuotasJson() const;

 private:
  struct QuotaUsage {
    int64_t window_id = 0;
    int64_t used = 0;
  };
  struct QuotaState {
    bool enabled = false;
    std::vector<QuotaRule> defaults;
    std::vector<QuotaRule> rules;
    // (rule index, account or ip) -> usage in the current window
    std::map<std::pair<size_t, std::string>, QuotaUsage> usage;
    int64_t refused = 0;
  };

  SandboxOptions options_;
  SystemClock system_clock_;
  const Clock* clock_;
  mutable std::mutex mu_;
  uint64_t next_id_ = 1000;
  std::vector<PostRecord> posts_;
  std::map<std::string, SbFile> blobs_;
  std::map<std::string, int> token_ttl_;
  std::map<std::string, QuotaState> quotas_;
};

// Access tokens of a fake platform. Not thread-safe: the owning sandbox locks.
class TokenTable {
 public:
  enum class State { kValid, kExpired, kUnknown };
  void Add(const std::string& token, TimeMs expires_at);  // expires_at 0 = never
  State Check(const std::string& token, TimeMs now) const;
  void ExpireAll(TimeMs now);
  void Erase(const std::string& token);

 private:
  std::map<std::string, TimeMs> tokens_;
};

// Seconds from `now` until the current `window` of a quota ends (at least 1).
int64_t SecondsToWindowEnd(QuotaRule::Window window, TimeMs now);

class PlatformSandbox {
 public:
  virtual ~PlatformSandbox() = default;
  // The prefix and the name in the inspection API: "wechat", "weibo", ...
  virtual std::string name() const = 0;
  virtual SbResponse Handle(const SbRequest& req) = 0;
  // The platform's own transient error ("system busy") for an injected fault, or the error with
  // `code` when the fault names one.
  virtual SbResponse InjectedError(const SbRequest& req, std::optional<int> code) const = 0;
  // The platform's rate-limit error.
  virtual SbResponse RateLimited(const SbRequest& req) const = 0;
  // Whether an injected error with this platform code is answered after the request was
  // carried out (Weibo 20032 "update success, server slow").
  virtual bool InjectedErrorProcesses(int /*code*/) const { return false; }
  // Every access token issued so far expires now.
  virtual void ExpireTokens() = 0;
  // Finishes async jobs that are due (so their posts appear in the registry).
  virtual void Settle() {}
  // The platform's documented call quotas (docs/channels-protocols.md), enforced when quotas are
  // on.
  virtual std::vector<QuotaRule> DefaultQuotas() const { return {}; }
  // The platform's answer to a call beyond `rule`.
  virtual SbResponse QuotaExceeded(const SbRequest& req, const QuotaRule& /*rule*/) const {
    return RateLimited(req);
  }
};

}  // namespace gd::channels::sandbox
