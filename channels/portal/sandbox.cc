#include "channels/portal/sandbox.h"

#include <mutex>

#include "channels/portal/client.h"
#include "dispatcher/core/crypto.h"

namespace gd::channels::portal {
namespace {

using sandbox::Env;
using sandbox::SbRequest;
using sandbox::SbResponse;

struct Doc {
  std::string id, external_id, url;
  Json document;
  bool deleted = false;
};

class PortalSandbox final : public sandbox::PlatformSandbox {
 public:
  explicit PortalSandbox(Env& env) : env_(env) {}
  std::string name() const override { return "portal"; }
  SbResponse InjectedError(const SbRequest&, std::optional<int> code) const override {
    return Err(code.value_or(503), "busy", "平台繁忙，请稍后重试");
  }
  SbResponse RateLimited(const SbRequest&) const override {
    return Err(429, "rate_limited", "请求过于频繁");
  }
  void ExpireTokens() override {}
  SbResponse QuotaExceeded(const SbRequest&, const sandbox::QuotaRule& rule) const override {
    SbResponse r = Err(429, "quota_exceeded", "超过调用次数限制");
    r.headers.emplace_back("Retry-After",
                           std::to_string(sandbox::SecondsToWindowEnd(rule.window, env_.Now())));
    return r;
  }

  SbResponse Handle(const SbRequest& req) override {
    std::lock_guard lock(mu_);
    std::string ts = req.Header("x-gd-timestamp");
    long long t = std::atoll(ts.c_str());
    if (ts.empty() || std::llabs(t - env_.Now() / 1000) > 300) {
      return Err(401, "bad_timestamp", "时间戳缺失或偏差过大");
    }
    std::string expect =
        SignRequest("sandbox-secret", ts, req.method, "/portal" + req.path, req.body);
    if (!ConstantTimeEqual(expect, req.Header("x-gd-signature"))) {
      return Err(401, "bad_signature", "签名校验失败");
    }
    if (auto q = env_.TakeQuota(name(), "sandbox", req)) return QuotaExceeded(req, *q);
    if (req.path == "/api/ping") return SbResponse::FromJson(Json{{"ok", true}});
    if (req.path == "/api/articles" && req.method == "POST") return Create(req);
    if (req.path == "/api/articles" && req.method == "GET") {
      Json items = Json::array();
      for (const auto& d : docs_) {
        if (!d.deleted && d.external_id == req.Param("external_id")) {
          items.push_back(Json{{"id", d.id}, {"url", d.url}, {"external_id", d.external_id}});
        }
      }
      return SbResponse::FromJson(Json{{"items", items}});
    }
    if (req.path.rfind("/api/articles/", 0) == 0 && req.method == "DELETE") {
      std::string id = req.path.substr(14);
      for (auto& d : docs_) {
        if (d.id == id && !d.deleted) {
          d.deleted = true;
          env_.MarkDeleted("portal", id);
          return SbResponse::FromJson(Json{{"ok", true}});
        }
      }
      return Err(404, "not_found", "文章不存在");
    }
    return Err(404, "not_found", "接口不存在");
  }

 private:
  static SbResponse Err(int status, const std::string& code, const std::string& msg) {
    return SbResponse::FromJson(Json{{"error", {{"code", code}, {"message", msg}}}}, status);
  }

  SbResponse Create(const SbRequest& req) {
    auto body = ParseJson(req.body);
    if (!body.ok() || !body->is_object() || !(*body)["document"].is_object()) {
      return Err(400, "bad_request", "请求体必须含 document 对象");
    }
    std::string ext = body->value("external_id", "");
    if (ext.empty()) return Err(400, "bad_request", "缺少 external_id");
    for (const auto& d : docs_) {
      if (d.external_id == ext && !d.deleted) {
        return SbResponse::FromJson(Json{{"id", d.id}, {"url", d.url}});
      }
    }
    const Json& doc = (*body)["document"];
    std::string title = doc.value("title", "");
    if (title.empty()) return Err(400, "bad_request", "缺少标题");
    if (env_.HasAuditWord(title + doc.value("article_html", ""))) {
      return Err(422, "content_rejected", "内容审核未通过：含有平台禁用词");
    }
    Doc d;
    d.id = env_.NewId("art_");
    d.external_id = ext;
    d.document = doc;
    std::string path = doc.value("path", "");
    d.url = "https://www.sandbox.gov.cn/" + (path.empty() ? "art/" + d.id + ".html" : path);
    docs_.push_back(d);
    sandbox::PostRecord post;
    post.platform = "portal";
    post.remote_id = d.id;
    post.title = title;
    post.text = doc.value("article_html", "");
    post.author = doc.value("publisher", "");
    post.url = d.url;
    post.created_at = env_.Now();
    env_.AddPost(std::move(post));
    return SbResponse::FromJson(Json{{"id", d.id}, {"url", d.url}}, 201);
  }

  Env& env_;
  std::mutex mu_;
  std::vector<Doc> docs_;
};

}  // namespace

std::unique_ptr<sandbox::PlatformSandbox> NewSandbox(sandbox::Env& env) {
  return std::make_unique<PortalSandbox>(env);
}

}  // namespace gd::channels::portal
