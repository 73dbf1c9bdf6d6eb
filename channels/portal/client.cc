#include "channels/portal/client.h"

#include "channels/client_support.h"
#include "dispatcher/core/crypto.h"

namespace gd::channels::portal {
namespace {

constexpr const char* kLabel = "网站集约化平台";

class PortalClient final : public Client {
 public:
  explicit PortalClient(const ClientDeps& deps) : deps_(deps) {}

  StatusOr<PublishResult> Publish(const PublishJob& job, Progress& progress,
                                  const Checkpoint& checkpoint) override {
    Json& st = progress.state;
    if (st.contains("remote_id")) return Done(st);
    // The push is idempotent by external_id, so a repeat after a lost response returns the
    // same article; the inflight marker still lets the engine see the outstanding call.
    GD_RETURN_IF_ERROR(support::BeginStep(progress, checkpoint, "push", deps_.clock->Now()));
    std::string body =
        DumpJson(Json{{"external_id", job.dispatch_key}, {"document", job.rendering}});
    GD_ASSIGN_OR_RETURN(Json resp, Call(job, "POST", "/api/articles", "", body));
    st["remote_id"] = support::IdString(resp.value("id", Json()));
    st["remote_url"] = resp.value("url", "");
    GD_RETURN_IF_ERROR(support::EndStep(progress, checkpoint));
    return Done(st);
  }

  StatusOr<PublishResult> Poll(const PublishJob& job, Progress& progress,
                               const Checkpoint& checkpoint) override {
    return Publish(job, progress, checkpoint);
  }

  StatusOr<ReconcileResult> Reconcile(const PublishJob& job, const Progress& progress) override {
    ReconcileResult out;
    if (progress.state.contains("remote_id")) {
      out.kind = ReconcileResult::Kind::kFound;
      out.remote_id = progress.state["remote_id"].get<std::string>();
      out.remote_url = progress.state.value("remote_url", "");
      return out;
    }
    GD_ASSIGN_OR_RETURN(Json resp, Call(job, "GET", "/api/articles",
                                        BuildQuery({{"external_id", job.dispatch_key}}), ""));
    const Json& items = resp.contains("items") ? resp["items"] : Json::array();
    if (items.empty()) {
      out.kind = ReconcileResult::Kind::kNotFound;
      return out;
    }
    out.kind = ReconcileResult::Kind::kFound;
    out.remote_id = support::IdString(items[0].value("id", Json()));
    out.remote_url = items[0].value("url", "");
    return out;
  }

  Status Withdraw(const PublishJob& job, const std::string& remote_id) override {
    auto resp = Call(job, "DELETE", "/api/articles/" + UrlEncode(remote_id), "", "");
    if (!resp.ok() && resp.status().code() == Code::kNotFound) return Status::Ok();
    return resp.status();
  }

  Status CheckCredentials(const Account& account, const SecretSource& secrets) override {
    PublishJob job;
    job.account = &account;
    job.secrets = secrets;
    return Call(job, "GET", "/api/ping", "", "").status();
  }

 private:
  static PublishResult Done(const Json& st) {
    PublishResult out;
    out.kind = PublishResult::Kind::kPublished;
    out.remote_id = st["remote_id"].get<std::string>();
    out.remote_url = st.value("remote_url", "");
    return out;
  }

  StatusOr<Json> Call(const PublishJob& job, const std::string& method, const std::string& path,
                      const std::string& query, const std::string& body) {
    GD_ASSIGN_OR_RETURN(Json secrets, job.secrets());
    GD_ASSIGN_OR_RETURN(std::string key, support::SecretField(secrets, "signing_key", kLabel));
    std::string base = support::BaseUrl(*job.account);
    size_t scheme = base.find("://");
    size_t slash = scheme == std::string::npos ? std::string::npos : base.find('/', scheme + 3);
    std::string full_path = (slash == std::string::npos ? "" : base.substr(slash)) + path;
    std::string ts = std::to_string(deps_.clock->Now() / 1000);
    HttpRequest req;
    req.method = method;
    req.url = base + path + (query.empty() ? "" : "?" + query);
    req.headers = {{"X-Gd-Timestamp", ts},
                   {"X-Gd-Signature", SignRequest(key, ts, method, full_path, body)}};
    req.body = body;
    if (!body.empty()) req.content_type = "application/json; charset=utf-8";
    req.timeout_ms = deps_.timeout_ms;
    auto resp = deps_.transport->Send(req);
    if (!resp.ok()) return support::TransportError(kLabel, resp.status());
    auto j = ParseJson(resp->body);
    if (resp->status >= 200 && resp->status < 300 && j.ok() && j->is_object()) return j;
    std::string code, msg;
    if (j.ok() && j->is_object() && j->contains("error")) {
      code = (*j)["error"].value("code", "");
      msg = (*j)["error"].value("message", "");
    }
    std::string c = code.empty() ? "HTTP " + std::to_string(resp->status) : code;
    switch (resp->status) {
      case 401:
      case 403:
        return support::PlatformError(Code::kUnauthenticated, kLabel, c, msg,
                                      "签名校验失败，请核对推送签名密钥（signing_key）");
      case 404:
        return Status(Code::kNotFound, std::string(kLabel) + "：文章不存在");
      case 422:
        return support::PlatformError(Code::kFailedPrecondition, kLabel, c, msg, "平台拒绝了该文章",
                                      "platform_rejected");
      case 400:
        return support::PlatformError(Code::kInvalidArgument, kLabel, c, msg,
                                      "推送内容不符合平台要求");
      case 429: {
        Status s = support::PlatformError(Code::kResourceExhausted, kLabel, c, msg,
                                          "推送过于频繁或超过配额，稍后重试");
        TimeMs wait = support::RetryAfterMs(*resp);
        return wait > 0 ? support::WithRetryAfter(s, wait) : s;
      }
      default:
        return support::PlatformError(Code::kUnavailable, kLabel, c, msg, "平台暂不可用，稍后重试");
    }
  }

  ClientDeps deps_;
};

}  // namespace

std::string SignRequest(const std::string& key, const std::string& timestamp,
                        const std::string& method, const std::string& path,
                        const std::string& body) {
  return HmacSha256Hex(key, timestamp + "\n" + method + "\n" + path + "\n" + body);
}

std::unique_ptr<Client> NewClient(const ClientDeps& deps) {
  return std::make_unique<PortalClient>(deps);
}

}  // namespace gd::channels::portal
