#include "channels/douyin/sandbox.h"

#include <map>
#include <mutex>

#include "channels/sandbox/oauth_grant.h"

namespace gd::channels::douyin {
namespace {

using sandbox::Env;
using sandbox::SbRequest;
using sandbox::SbResponse;
using sandbox::TokenTable;

// The open_id of a demo account whose app lacks the publishing capability (28001018).
constexpr const char* kNoCapability = "sandbox-nocap";
constexpr TimeMs kUploadIdTtlMs = 2 * 3600 * 1000;
// Authorisation codes live 10 minutes and are single-use ([D9]).
constexpr TimeMs kCodeTtlMs = 10 * 60 * 1000;
constexpr int kAccessTtlS = 1296000;   // 15 days [D4]
constexpr int kRefreshTtlS = 2592000;  // 30 days [D4]

struct Video {
  std::string blob;
  bool used = false;
};

struct Item {
  std::string item_id, video_id, text, cover_blob, video_blob;
  TimeMs created_at = 0;
  bool reviewed = false;
  int status = 4;  // [D1]: 4 under review, 5 public, 2 not suitable for the public
};

struct Refresh {
  TimeMs expires_at = 0;
  int renewals = 0;  // renewals that led to this token
};

// POST /douyin/_sandbox/settings (this sandbox's switches; absent fields keep their value).
struct Settings {
  // The answer before 2024-12-13 [D1]: video_list / video_data return video_status and
  // is_reviewed. Off by default: today neither field is returned.
  bool legacy_video_status = false;
  // Videos under review are left out of video_list / video_data until reviewed (no source says
  // the author's list lags; the switch exercises the case where it does).
  bool list_hides_unreviewed = false;
  int64_t review_delay_ms = -1;  // -1: SandboxOptions::async_delay_ms
  int renewal_limit = 5;         // [D7] third party only, unconfirmed: configurable
  int refresh_ttl_s = kRefreshTtlS;
  std::string redirect_uri;  // the callback address registered for app "sandbox"
};

class DouyinSandbox final : public sandbox::PlatformSandbox {
 public:
  explicit DouyinSandbox(Env& env) : env_(env), grants_(kCodeTtlMs) {
    tokens_.Add("sandbox-token", 0);
    refresh_["sandbox-refresh"] = Refresh{env_.Now() + kRefreshTtlS * int64_t{1000}, 0};
  }

  std::string name() const override { return "douyin"; }

  SbResponse InjectedError(const SbRequest&, std::optional<int> code) const override {
    return Err(code.value_or(28001005), code ? "injected error" : "系统繁忙，请稍后重试");
  }
  SbResponse RateLimited(const SbRequest&) const override { return Err(28003018, "请求频率过高"); }
  void ExpireTokens() override {
    std::lock_guard lock(mu_);
    tokens_.ExpireAll(env_.Now());
  }
  void Settle() override {
    std::lock_guard lock(mu_);
    for (auto& it : items_) SettleItem(it);
  }

  // The platform publishes no numbers for these APIs (docs/channels-protocols.md §3.3 lists only
  // the codes): no default rules; POST /_sandbox/quotas sets them. A day window answers 28003017
  // (quota used up), a shorter one 28003018 (rate too high).
  SbResponse QuotaExceeded(const SbRequest& req, const sandbox::QuotaRule& rule) const override {
    if (rule.code != 0) return InjectedError(req, rule.code);
    if (rule.window == sandbox::QuotaRule::Window::kDay) return Err(28003017, "调用次数已用完");
    return RateLimited(req);
  }

  SbResponse Handle(const SbRequest& req) override {
    std::lock_guard lock(mu_);
    const std::string& p = req.path;
    if (p == "/oauth/refresh_token/") return RefreshToken(req);
    if (p == "/oauth/renew_refresh_token/") return RenewRefreshToken(req);
    if (p == "/oauth/access_token/") return AccessToken(req);
    if (p == "/platform/oauth/connect/") {
      return grants_.Page(req, "client_key", "抖音", "/douyin/platform/oauth/connect/approve");
    }
    if (p == "/platform/oauth/connect/approve") {
      return grants_.Approve(req, "client_key", "sandbox", env_);
    }
    if (p == "/_sandbox/settings" || p == "/_sandbox/oauth") return Configure(req);
    switch (tokens_.Check(req.Header("access-token"), env_.Now())) {
      case TokenTable::State::kUnknown:
        return Err(28001003, "access_token无效");
      case TokenTable::State::kExpired:
        return Err(28001008, "access_token过期");
      case TokenTable::State::kValid:
        break;
    }
    std::string open_id = req.Param("open_id");
    if (open_id != "sandbox" && open_id != kNoCapability) {
      return Err(28001015, "access_token与open_id不匹配");
    }
    if (auto q = env_.TakeQuota(name(), open_id, req)) return QuotaExceeded(req, *q);
    // An account whose app lacks video.create.bind (§3.1: enterprise/government principals only).
    if (open_id == kNoCapability && p.rfind("/api/douyin/v1/video/", 0) == 0) {
      return Err(28001018, "应用未获得该能力");
    }
    if (p == "/api/douyin/v1/video/upload_video/") return Upload(req);
    if (p == "/api/douyin/v1/video/init_video_part_upload/") {
      std::string id = env_.NewId("upid-");
      parts_[id] = {};
      part_started_[id] = env_.Now();
      return Ok(Json{{"upload_id", id}});
    }
    if (p == "/api/douyin/v1/video/upload_video_part/") return UploadPart(req);
    if (p == "/api/douyin/v1/video/complete_video_part_upload/") return Complete(req);
    if (p == "/api/douyin/v1/video/upload_image/") {
      const sandbox::SbFile* f = req.File("image");
      if (f == nullptr) return Err(2100005, "参数不合法：缺少 image");
      std::string id = env_.NewId("img-");
      images_[id] = env_.PutBlob(f->content_type, f->data);
      return Ok(Json{{"image", {{"image_id", id}}}});
    }
    if (p == "/api/douyin/v1/video/create_video/") return Create(req);
    if (p == "/api/douyin/v1/video/video_list/") return List(req);
    if (p == "/api/douyin/v1/video/video_data/") return Data(req);
    return Err(28001056, "接口已下线");
  }

 private:
  SbResponse Err(int code, const std::string& msg) const {
    Json extra = {{"error_code", code},
                  {"description", msg},
                  {"sub_error_code", 0},
                  {"sub_description", ""},
                  {"logid", "sbx" + std::to_string(env_.Now())},
                  {"now", env_.Now()}};
    return SbResponse::FromJson(
        Json{{"data", {{"error_code", code}, {"description", msg}}}, {"extra", extra}});
  }
  SbResponse Ok(Json data) const {
    data["error_code"] = 0;
    data["description"] = "";
    Json extra = {{"error_code", 0},
                  {"description", ""},
                  {"sub_error_code", 0},
                  {"sub_description", ""},
                  {"logid", "sbx" + std::to_string(env_.Now())},
                  {"now", env_.Now()}};
    return SbResponse::FromJson(Json{{"data", data}, {"extra", extra}});
  }

  SbResponse Configure(const SbRequest& req) {
    auto body = ParseJson(req.body);
    if (!body.ok() || !body->is_object()) return Err(2100005, "参数不合法");
    const Json& b = *body;
    settings_.legacy_video_status = b.value("legacy_video_status", settings_.legacy_video_status);
    settings_.list_hides_unreviewed =
        b.value("list_hides_unreviewed", settings_.list_hides_unreviewed);
    settings_.renewal_limit = b.value("renewal_limit", settings_.renewal_limit);
    settings_.review_delay_ms = b.value("review_delay_ms", settings_.review_delay_ms);
    settings_.refresh_ttl_s = b.value("refresh_ttl_s", settings_.refresh_ttl_s);
    settings_.redirect_uri = b.value("redirect_uri", settings_.redirect_uri);
    grants_.SetRedirect("sandbox", settings_.redirect_uri);
    if (b.value("expire_refresh_tokens", false)) {
      for (auto& [t, r] : refresh_) r.expires_at = env_.Now();
    }
    return Ok(Json::object());
  }

  // The form-encoded token answers: {"data": {..., "error_code": 0}, "message": "success"}.
  static SbResponse TokenOk(Json data) {
    data["error_code"] = 0;
    data["description"] = "";
    return SbResponse::FromJson(Json{{"data", data}, {"message", "success"}});
  }

  // A refresh token that is known and not expired, or nullptr.
  Refresh* LiveRefresh(const std::string& token) {
    auto it = refresh_.find(token);
    if (it == refresh_.end() || env_.Now() >= it->second.expires_at) return nullptr;
    return &it->second;
  }

  Json IssueAccess(const Refresh& r, const std::string& refresh) {
    int ttl = env_.TokenTtlSeconds("douyin").value_or(kAccessTtlS);
    std::string token = "act." + env_.NewId("dy");
    tokens_.Add(token, env_.Now() + ttl * int64_t{1000});
    return Json{{"access_token", token},
                {"expires_in", ttl},
                {"open_id", "sandbox"},
                {"refresh_expires_in", std::max<int64_t>(0, (r.expires_at - env_.Now()) / 1000)},
                {"refresh_token", refresh},
                {"scope", "user_info,video.create.bind,video.list.bind,renew_refresh_token"}};
  }

  // [D4]: a new access token; the refresh token and its expiry are unchanged.
  SbResponse RefreshToken(const SbRequest& req) {
    if (req.Param("client_key") != "sandbox") return Err(10005, "client_key 无效");
    if (req.Param("grant_type") != "refresh_token") return Err(10005, "grant_type 无效");
    std::string refresh = req.Param("refresh_token");
    Refresh* r = LiveRefresh(refresh);
    if (r == nullptr) return Err(10010, "refresh_token 已过期");
    return TokenOk(IssueAccess(*r, refresh));
  }

  // [D5][D6]: a new refresh token with a fresh lifetime, at most renewal_limit times; the old
  // one is void. 10010 expired, 10020 renewals spent.
  SbResponse RenewRefreshToken(const SbRequest& req) {
    if (req.Param("client_key") != "sandbox") return Err(10005, "client_key 无效");
    std::string refresh = req.Param("refresh_token");
    Refresh* r = LiveRefresh(refresh);
    if (r == nullptr) return Err(10010, "refresh_token 已过期");
    if (r->renewals >= settings_.renewal_limit) return Err(10020, "刷新次数已达上限");
    Refresh next{env_.Now() + settings_.refresh_ttl_s * int64_t{1000}, r->renewals + 1};
    refresh_.erase(refresh);
    std::string token = "rft." + env_.NewId("dy");
    refresh_[token] = next;
    return TokenOk(Json{{"refresh_token", token}, {"expires_in", settings_.refresh_ttl_s}});
  }

  // [D8][D9]: POST /oauth/access_token/ exchanges a single-use code (10 minutes).
  SbResponse AccessToken(const SbRequest& req) {
    if (req.Param("client_key") != "sandbox" || req.Param("client_secret") != "sandbox-secret") {
      return Err(10005, "client_key 或 client_secret 无效");
    }
    if (req.Param("grant_type") != "authorization_code") return Err(10005, "grant_type 无效");
    auto grant = grants_.Redeem(req.Param("code"), env_.Now());
    if (!grant) return Err(10007, "授权码无效、已使用或已过期");
    std::string refresh = "rft." + env_.NewId("dy");
    refresh_[refresh] = Refresh{env_.Now() + settings_.refresh_ttl_s * int64_t{1000}, 0};
    return TokenOk(IssueAccess(refresh_[refresh], refresh));
  }

  static bool LooksLikeMp4(const std::string& d) {
    return d.size() >= 8 && d.compare(4, 4, "ftyp") == 0;
  }

  std::string NewVideo(const std::string& data) {
    std::string id = "v0200f" + env_.NewId("sbx");
    videos_[id] = Video{env_.PutBlob("video/mp4", data), false};
    return id;
  }

  SbResponse Upload(const SbRequest& req) {
    const sandbox::SbFile* f = req.File("video");
    if (f == nullptr) return Err(2100005, "参数不合法：缺少 video");
    if (f->data.size() > 128ull * 1024 * 1024)
      return Err(2100005, "视频超过 128MB，请使用分片上传");
    if (!LooksLikeMp4(f->data)) return Err(2100005, "参数不合法：不是 mp4 视频");
    return Ok(Json{{"video", {{"video_id", NewVideo(f->data)}, {"width", 720}, {"height", 1280}}}});
  }

  // upload_id lives 2 hours (§3.5).
  bool UploadIdExpired(const std::string& id) const {
    auto it = part_started_.find(id);
    return it != part_started_.end() && env_.Now() - it->second > kUploadIdTtlMs;
  }

  SbResponse UploadPart(const SbRequest& req) {
    auto it = parts_.find(req.Param("upload_id"));
    if (it == parts_.end()) return Err(2100005, "参数不合法：upload_id 无效");
    if (UploadIdExpired(it->first)) return Err(2100005, "参数不合法：upload_id 已过期");
    const sandbox::SbFile* f = req.File("video");
    int n = std::atoi(req.Param("part_number").c_str());
    if (f == nullptr || n < 1) return Err(2100005, "参数不合法：part_number 从 1 开始");
    it->second[n] = f->data;
    return Ok(Json::object());
  }

  SbResponse Complete(const SbRequest& req) {
    auto it = parts_.find(req.Param("upload_id"));
    if (it == parts_.end()) return Err(2100005, "参数不合法：upload_id 无效");
    if (UploadIdExpired(it->first)) return Err(2100005, "参数不合法：upload_id 已过期");
    std::string data;
    int expect = 1;
    for (const auto& [n, d] : it->second) {
      if (n != expect++) return Err(2100005, "分片不连续");
      data += d;
    }
    parts_.erase(it);
    if (!LooksLikeMp4(data)) return Err(2100005, "参数不合法：不是 mp4 视频");
    return Ok(Json{{"video", {{"video_id", NewVideo(data)}, {"width", 720}, {"height", 1280}}}});
  }

  SbResponse Create(const SbRequest& req) {
    auto body = ParseJson(req.body);
    if (!body.ok() || !body->is_object()) return Err(2100005, "参数不合法");
    auto it = videos_.find(body->value("video_id", ""));
    if (it == videos_.end() || it->second.used)
      return Err(2100005, "参数不合法：video_id 无效或已使用");
    it->second.used = true;
    Item item;
    item.item_id = "@sbx" + env_.NewId("item");
    item.video_id = it->first;
    item.text = body->value("text", "");
    item.video_blob = it->second.blob;
    std::string cover = body->value("custom_cover_image_url", "");
    if (images_.count(cover)) item.cover_blob = images_[cover];
    item.created_at = env_.Now();
    items_.push_back(item);
    AddRecord(item);
    return Ok(Json{{"item_id", item.item_id}, {"video_id", item.video_id}});
  }

  // The video exists from create_video on (visible to its author while under review, §3.1).
  void AddRecord(const Item& item) {
    sandbox::PostRecord post;
    post.platform = "douyin";
    post.remote_id = item.item_id;
    post.text = item.text;
    post.url = ShareUrl(item);
    post.media.push_back(Json{{"kind", "video"}, {"blob", item.video_blob}});
    if (!item.cover_blob.empty())
      post.media.push_back(Json{{"kind", "cover"}, {"blob", item.cover_blob}});
    post.created_at = env_.Now();
    env_.AddPost(std::move(post));
  }

  void SettleItem(Item& item) {
    const int64_t delay =
        settings_.review_delay_ms >= 0 ? settings_.review_delay_ms : env_.options().async_delay_ms;
    if (item.reviewed || env_.Now() < item.created_at + delay) return;
    item.reviewed = true;
    item.status = env_.HasAuditWord(item.text) ? 2 : 5;
    if (item.status == 2) env_.MarkDeleted("douyin", item.item_id);
  }

  static std::string ShareUrl(const Item& item) {
    return "https://www.iesdouyin.com/share/video/" + item.item_id.substr(1) + "/";
  }

  Json ItemJson(const Item& item) const {
    Json j = {{"item_id", item.item_id},
              {"video_id", item.video_id},
              {"title", item.text},
              {"create_time", item.created_at / 1000},
              {"is_top", false},
              {"media_type", 4},
              {"share_url", ShareUrl(item)},
              {"statistics", {{"play_count", 0}, {"digg_count", 0}, {"comment_count", 0}}}};
    if (settings_.legacy_video_status) {
      j["is_reviewed"] = item.reviewed;
      j["video_status"] = item.status;
    }
    return j;
  }

  bool Listed(const Item& item) const { return item.reviewed || !settings_.list_hides_unreviewed; }

  SbResponse List(const SbRequest& req) {
    size_t cursor = std::strtoull(req.Param("cursor").c_str(), nullptr, 10);
    size_t count = std::max(1, std::min(20, std::atoi(req.Param("count").c_str())));
    Json list = Json::array();
    std::vector<const Item*> newest;
    for (auto it = items_.rbegin(); it != items_.rend(); ++it) {
      SettleItem(*it);
      if (Listed(*it)) newest.push_back(&*it);
    }
    size_t i = cursor;
    for (; i < newest.size() && list.size() < count; ++i) list.push_back(ItemJson(*newest[i]));
    return Ok(Json{{"list", list}, {"cursor", i}, {"has_more", i < newest.size()}});
  }

  SbResponse Data(const SbRequest& req) {
    auto body = ParseJson(req.body);
    if (!body.ok() || !body->is_object() || !(*body)["item_ids"].is_array()) {
      return Err(2100005, "参数不合法");
    }
    Json list = Json::array();
    for (const auto& id : (*body)["item_ids"]) {
      for (auto& item : items_) {
        if (id.is_string() && item.item_id == id.get<std::string>()) {
          SettleItem(item);
          if (Listed(item)) list.push_back(ItemJson(item));
        }
      }
    }
    return Ok(Json{{"list", list}});
  }

  Env& env_;
  std::mutex mu_;
  TokenTable tokens_;
  std::map<std::string, Refresh> refresh_;
  Settings settings_;
  sandbox::AuthGrants grants_;
  std::map<std::string, Video> videos_;
  std::map<std::string, std::map<int, std::string>> parts_;
  std::map<std::string, TimeMs> part_started_;
  std::map<std::string, std::string> images_;
  std::vector<Item> items_;
};

}  // namespace

std::unique_ptr<sandbox::PlatformSandbox> NewSandbox(sandbox::Env& env) {
  return std::make_unique<DouyinSandbox>(env);
}

}  // namespace gd::channels::douyin
