#include "channels/kuaishou/sandbox.h"

#include <map>
#include <mutex>
#include <set>

#include "channels/kuaishou/sandbox_oauth.h"

namespace gd::channels::kuaishou {
namespace {

using sandbox::Env;
using sandbox::SbRequest;
using sandbox::SbResponse;
using sandbox::TokenTable;

constexpr size_t kDirectUploadMax = 10 * 1024 * 1024;

struct Upload {
  std::map<int, std::string> fragments;
  std::string data;
  bool complete = false;
  bool used = false;
};

struct Photo {
  std::string photo_id, caption, cover_blob, video_blob;
  TimeMs created_at = 0;
  bool settled = false;
  bool rejected = false;
  bool deleted = false;
};

class KuaishouSandbox final : public sandbox::PlatformSandbox {
 public:
  explicit KuaishouSandbox(Env& env) : env_(env) {
    tokens_.Add("sandbox-token", 0);
    refresh_.insert("sandbox-refresh");
  }

  std::string name() const override { return "kuaishou"; }
  SbResponse InjectedError(const SbRequest&, std::optional<int> code) const override {
    if (code) return Err(*code, "injected error");
    return SbResponse::FromJson(Json{{"result", 0}, {"error_msg", "服务繁忙，请稍后重试"}}, 503);
  }
  SbResponse RateLimited(const SbRequest&) const override {
    return SbResponse::FromJson(Json{{"result", 0}, {"error_msg", "请求过于频繁"}}, 429);
  }
  void ExpireTokens() override {
    std::lock_guard lock(mu_);
    tokens_.ExpireAll(env_.Now());
  }
  void Settle() override {
    std::lock_guard lock(mu_);
    for (auto& p : photos_) SettlePhoto(p);
  }

  // No published numbers (docs/channels-protocols.md §4): no default rules; POST /_sandbox/quotas
  // sets them. Answered like the rate limit (HTTP 429), with Retry-After until the window ends.
  SbResponse QuotaExceeded(const SbRequest& req, const sandbox::QuotaRule& rule) const override {
    SbResponse r = SbResponse::FromJson(
        Json{{"result", 0}, {"error_msg", "调用次数超过限制：" + req.path}}, 429);
    r.headers.emplace_back("Retry-After",
                           std::to_string(sandbox::SecondsToWindowEnd(rule.window, env_.Now())));
    return r;
  }

  SbResponse Handle(const SbRequest& req) override {
    std::lock_guard lock(mu_);
    const std::string& p = req.path;
    if (p == "/oauth2/refresh_token") return RefreshToken(req);
    if (p.rfind("/api/upload", 0) == 0) return UploadApi(req);
    if (req.Param("app_id") != "sandbox") return Err(100200100, "app_id 无效");
    if (tokens_.Check(req.Param("access_token"), env_.Now()) != TokenTable::State::kValid) {
      return Err(100200102, "access_token 无效或已过期");
    }
    if (auto q = env_.TakeQuota(name(), "sandbox", req)) return QuotaExceeded(req, *q);
    if (p == "/openapi/photo/start_upload") {
      std::string token = env_.NewId("ksup");
      uploads_[token] = Upload{};
      std::string host = req.host.empty() ? "127.0.0.1" : req.host;
      return Ok(Json{{"upload_token", token}, {"endpoint", host + "/kuaishou"}});
    }
    if (p == "/openapi/photo/publish") return Publish(req);
    if (p == "/openapi/photo/info") {
      Photo* ph = Find(req.Param("photo_id"));
      if (ph == nullptr) return Err(100400002, "作品不存在");
      if (Invisible(*ph)) return Err(100120001, "视频不存在");
      SettlePhoto(*ph);
      return Ok(Json{{"video_info", PhotoJson(*ph)}});
    }
    if (p == "/openapi/photo/list") return List(req);
    if (p == "/openapi/photo/count") {
      int n = 0;
      for (const auto& ph : photos_) n += ph.deleted || ph.rejected ? 0 : 1;
      return Ok(
          Json{{"public_count", n}, {"friend_count", 0}, {"private_count", 0}, {"all_count", n}});
    }
    if (p == "/openapi/photo/delete") {
      Photo* ph = Find(req.Param("photo_id"));
      if (ph == nullptr || ph->deleted) return Err(100400002, "作品不存在");
      ph->deleted = true;
      env_.MarkDeleted("kuaishou", ph->photo_id);
      return Ok(Json::object());
    }
    return Err(100200100, "接口不存在");
  }

 private:
  static SbResponse Err(int result, const std::string& msg) {
    return SbResponse::FromJson(Json{{"result", result}, {"error_msg", msg}});
  }
  static SbResponse Ok(Json j) {
    j["result"] = 1;
    return SbResponse::FromJson(j);
  }

  SbResponse RefreshToken(const SbRequest& req) {
    if (req.Param("app_id") != "sandbox" || req.Param("app_secret") != "sandbox-secret") {
      return Err(100200101, "app_id 或 app_secret 校验失败");
    }
    std::string refresh = req.Param("refresh_token");
    if (!refresh_.count(refresh)) return Err(100200103, "refresh_token 无效");
    refresh_.erase(refresh);  // rotated: the old one is discarded [K2], the seed one too
    int ttl = env_.TokenTtlSeconds("kuaishou").value_or(172800);
    std::string token = env_.NewId("ks-act-");
    std::string next = env_.NewId("ks-rft-");
    tokens_.Add(token, env_.Now() + ttl * int64_t{1000});
    refresh_.insert(next);
    return Ok(Json{{"access_token", token},
                   {"expires_in", ttl},
                   {"refresh_token", next},
                   {"refresh_token_expires_in", 15552000},
                   {"open_id", "sandbox"},
                   {"scopes", {"user_info", "user_video_publish"}}});
  }

  SbResponse UploadApi(const SbRequest& req) {
    auto it = uploads_.find(req.Param("upload_token"));
    if (it == uploads_.end() || it->second.used) return Err(100400001, "upload_token 无效");
    Upload& up = it->second;
    if (req.path == "/api/upload") {
      // Direct upload is for files under 10 MB; larger ones go in fragments (§4.2).
      if (req.body.size() >= kDirectUploadMax) {
        return Err(100200100, "文件超过 10MB，请使用分片上传");
      }
      up.data = req.body;
      up.complete = true;
    } else if (req.path == "/api/upload/fragment") {
      up.fragments[std::atoi(req.Param("fragment_id").c_str())] = req.body;
    } else if (req.path == "/api/upload/complete") {
      int n = std::atoi(req.Param("fragment_count").c_str());
      if (n != static_cast<int>(up.fragments.size())) return Err(100200100, "fragment_count 不符");
      up.data.clear();
      for (int i = 0; i < n; ++i) {
        if (!up.fragments.count(i)) return Err(100200100, "分片不完整（fragment_id 从 0 开始）");
        up.data += up.fragments[i];
      }
      up.complete = true;
    } else {
      return Err(100200100, "接口不存在");
    }
    return Ok(Json::object());
  }

  SbResponse Publish(const SbRequest& req) {
    auto it = uploads_.find(req.Param("upload_token"));
    if (it == uploads_.end() || it->second.used || !it->second.complete) {
      return Err(100400001, "upload_token 无效或视频未上传完成");
    }
    it->second.used = true;
    Photo ph;
    ph.photo_id = "3x" + env_.NewId("ks");
    ph.caption = req.Param("caption");
    ph.video_blob = env_.PutBlob("video/mp4", it->second.data);
    if (const sandbox::SbFile* cover = req.File("cover")) {
      ph.cover_blob = env_.PutBlob(cover->content_type, cover->data);
    }
    ph.created_at = env_.Now();
    photos_.push_back(ph);
    return Ok(Json{{"video_info", PhotoJson(ph)}});
  }

  // Right after photo/publish the platform does not know the video yet (issue 14; no public
  // source found): for kuaishou_invisible_ms it is neither in photo/info nor in photo/list.
  bool Invisible(const Photo& ph) const {
    return env_.Now() < ph.created_at + env_.options().kuaishou_invisible_ms;
  }

  void SettlePhoto(Photo& ph) {
    if (ph.settled || Invisible(ph) || env_.Now() < ph.created_at + env_.options().async_delay_ms)
      return;
    ph.settled = true;
    if (env_.HasAuditWord(ph.caption)) {
      ph.rejected = true;
      return;
    }
    sandbox::PostRecord post;
    post.platform = "kuaishou";
    post.remote_id = ph.photo_id;
    post.text = ph.caption;
    post.url = "https://www.kuaishou.com/short-video/" + ph.photo_id;
    post.media.push_back(Json{{"kind", "video"}, {"blob", ph.video_blob}});
    if (!ph.cover_blob.empty())
      post.media.push_back(Json{{"kind", "cover"}, {"blob", ph.cover_blob}});
    post.created_at = env_.Now();
    env_.AddPost(std::move(post));
  }

  // A CDN stream address, as third-party samples show for play resources (txmov2.a.yximgs.com):
  // not the video's page.
  static std::string PlayUrl(const Photo& ph) {
    return "https://txmov2.a.yximgs.com/upic/sandbox/" + ph.photo_id + "_b.mp4";
  }

  Json PhotoJson(const Photo& ph) const {
    Json j = {
        {"photo_id", ph.photo_id},
        {"caption", ph.caption},
        {"cover", ph.cover_blob.empty() ? "" : "https://p1.a.yximgs.com/sandbox/" + ph.cover_blob},
        {"play_url", PlayUrl(ph)},
        {"create_time", ph.created_at},
        {"like_count", 0},
        {"comment_count", 0},
        {"view_count", 0},
        {"pending", !ph.settled}};
    if (ph.rejected) {
      j["audit_status"] = "rejected";
      j["audit_msg"] = "作品违反社区规定";
    }
    return j;
  }

  Photo* Find(const std::string& id) {
    for (auto& p : photos_) {
      if (p.photo_id == id) return &p;
    }
    return nullptr;
  }

  SbResponse List(const SbRequest& req) {
    int count = std::max(1, std::min(200, std::atoi(req.Param("count").c_str())));
    if (req.Param("count").empty()) count = 20;
    std::string cursor = req.Param("cursor");
    Json list = Json::array();
    bool started = cursor.empty();
    for (auto it = photos_.rbegin(); it != photos_.rend(); ++it) {
      if (!started) {
        started = it->photo_id == cursor;
        continue;
      }
      if (it->deleted || Invisible(*it)) continue;
      SettlePhoto(*it);
      list.push_back(PhotoJson(*it));
      if (static_cast<int>(list.size()) >= count) break;
    }
    return Ok(Json{{"video_list", list}});
  }

  Env& env_;
  std::mutex mu_;
  TokenTable tokens_;
  std::set<std::string> refresh_;
  std::map<std::string, Upload> uploads_;
  std::vector<Photo> photos_;
};

}  // namespace

std::unique_ptr<sandbox::PlatformSandbox> NewSandbox(sandbox::Env& env) {
  return WithOAuth(std::make_unique<KuaishouSandbox>(env), env);
}

}  // namespace gd::channels::kuaishou
