#include "channels/bilibili/sandbox.h"

#include <map>
#include <mutex>
#include <set>

namespace gd::channels::bilibili {
namespace {

using sandbox::Env;
using sandbox::SbRequest;
using sandbox::SbResponse;
using sandbox::TokenTable;

constexpr int kStateOpen = 0;
constexpr int kStateRejected = -2;
constexpr int kStateReviewing = -30;
constexpr size_t kCoverMaxBytes = 5 * 1024 * 1024;

struct Upload {
  std::map<int, std::string> parts;
  std::string blob;  // set once complete
  bool used = false;
};

struct Archive {
  std::string id, title, desc, tag, cover, video_blob;
  int64_t tid = 0;
  TimeMs created_at = 0;
  int state = kStateReviewing;
  bool deleted = false;
};

class BilibiliSandbox final : public sandbox::PlatformSandbox {
 public:
  explicit BilibiliSandbox(Env& env) : env_(env) {
    tokens_.Add("sandbox-token", 0);
    refresh_.insert("sandbox-refresh");
  }

  std::string name() const override { return "bilibili"; }

  SbResponse InjectedError(const SbRequest&, std::optional<int> code) const override {
    return Err(code.value_or(127201), code ? "injected error" : "系统繁忙，请稍后再试");
  }
  SbResponse RateLimited(const SbRequest&) const override {
    return Err(127009, "api请求次数达到上限");
  }
  void ExpireTokens() override {
    std::lock_guard lock(mu_);
    tokens_.ExpireAll(env_.Now());
  }
  void Settle() override {
    std::lock_guard lock(mu_);
    for (auto& a : archives_) SettleArchive(a);
  }
  // [L6]: a member who has not passed the main site's quiz (非正式会员) submits at most 5 a
  // day. The code of that refusal is not documented; 127009 is the closest listed one.
  std::vector<sandbox::QuotaRule> DefaultQuotas() const override {
    sandbox::QuotaRule r;
    r.path = "/arcopen/fn/archive/add-by-utoken";
    r.limit = 5;
    r.window = sandbox::QuotaRule::Window::kDay;
    return {r};
  }

  SbResponse Handle(const SbRequest& req) override {
    std::lock_guard lock(mu_);
    const std::string& p = req.path;
    if (p == "/x/account-oauth2/v1/refresh_token") return RefreshToken(req);
    if (p == "/video/v2/part/upload") return UploadPart(req);
    if (req.Param("client_id") != "sandbox") return Err(127004, "client_id验证错误");
    if (!req.HasParam("access_token")) return Err(127000, "缺少鉴权参数");
    if (tokens_.Check(req.Param("access_token"), env_.Now()) != TokenTable::State::kValid) {
      return Err(127001, "access_token验证错误");
    }
    if (auto q = env_.TakeQuota(name(), "sandbox", req)) return QuotaExceeded(req, *q);
    if (p == "/arcopen/fn/archive/video/init") return Init(req);
    if (p == "/arcopen/fn/archive/video/complete") return Complete(req);
    if (p == "/arcopen/fn/archive/cover/upload") return Cover(req);
    if (p == "/arcopen/fn/archive/add-by-utoken") return Add(req);
    if (p == "/arcopen/fn/archive/view") return View(req);
    if (p == "/arcopen/fn/archive/viewlist") return List(req);
    if (p == "/arcopen/fn/archive/delete") return Delete(req);
    return Err(127100, "请求参数错误");
  }

 private:
  SbResponse Err(int code, const std::string& msg) const {
    return SbResponse::FromJson(Json{{"code", code}, {"message", msg}, {"ttl", 1}});
  }
  SbResponse Ok(Json data) const {
    return SbResponse::FromJson(
        Json{{"code", 0}, {"message", "0"}, {"ttl", 1}, {"data", std::move(data)}});
  }

  // [L13]: every refresh token is used once; the answer carries the next one.
  SbResponse RefreshToken(const SbRequest& req) {
    if (req.Param("client_id") != "sandbox") return Err(122000, "client_id错误");
    if (req.Param("client_secret") != "sandbox-secret") return Err(122001, "client_secret 错误");
    std::string refresh = req.Param("refresh_token");
    if (req.Param("grant_type") != "refresh_token" || !refresh_.erase(refresh)) {
      return Err(122007, "refreshToken不合法");
    }
    int ttl = env_.TokenTtlSeconds("bilibili").value_or(2592000);
    std::string token = env_.NewId("bili-at-");
    std::string next = env_.NewId("bili-rt-");
    tokens_.Add(token, env_.Now() + ttl * int64_t{1000});
    refresh_.insert(next);
    return Ok(Json{{"access_token", token}, {"refresh_token", next}, {"expires_in", ttl}});
  }

  static bool LooksLikeMp4(const std::string& d) {
    return d.size() >= 8 && d.compare(4, 4, "ftyp") == 0;
  }

  SbResponse Init(const SbRequest& req) {
    auto body = ParseJson(req.body);
    if (!body.ok() || !body->is_object() || body->value("name", "").empty()) {
      return Err(127100, "请求参数错误：缺少 name");
    }
    std::string token = env_.NewId("utoken-");
    uploads_[token] = {};
    return Ok(Json{{"upload_token", token}});
  }

  // [L4]: parts are numbered from 1; a part sent again replaces the earlier copy.
  SbResponse UploadPart(const SbRequest& req) {
    auto it = uploads_.find(req.Param("upload_token"));
    if (it == uploads_.end() || !it->second.blob.empty()) {
      return Err(127022, "upload_token验证错误");
    }
    int n = std::atoi(req.Param("part_number").c_str());
    if (n < 1 || req.body.empty()) return Err(127100, "请求参数错误：part_number 从 1 开始");
    it->second.parts[n] = req.body;
    return SbResponse::FromJson(Json{{"code", 0}, {"message", "0"}});
  }

  SbResponse Complete(const SbRequest& req) {
    auto it = uploads_.find(req.Param("upload_token"));
    if (it == uploads_.end()) return Err(127022, "upload_token验证错误");
    if (!it->second.blob.empty()) return Ok(Json::object());  // merged already
    std::string data;
    int expect = 1;
    for (const auto& [n, d] : it->second.parts) {
      if (n != expect++) return Err(127100, "请求参数错误：分片不连续");
      data += d;
    }
    if (!LooksLikeMp4(data)) return Err(127102, "文件类型错误");
    it->second.parts.clear();
    it->second.blob = env_.PutBlob("video/mp4", data);
    return Ok(Json::object());
  }

  // [L14]: jpeg or png, at most 5 MB.
  SbResponse Cover(const SbRequest& req) {
    const sandbox::SbFile* f = req.File("file");
    if (f == nullptr) return Err(127100, "请求参数错误：缺少 file");
    bool jpeg = f->data.size() > 2 && f->data.compare(0, 2, "\xFF\xD8") == 0;
    bool png = f->data.size() > 4 && f->data.compare(1, 3, "PNG") == 0;
    if (!jpeg && !png) return Err(127102, "文件类型错误");
    if (f->data.size() > kCoverMaxBytes) return Err(127100, "请求参数错误：封面超过 5MB");
    std::string blob = env_.PutBlob(jpeg ? "image/jpeg" : "image/png", f->data);
    covers_[CoverUrl(blob)] = blob;
    return Ok(Json{{"url", CoverUrl(blob)}});
  }
  static std::string CoverUrl(const std::string& blob) {
    return "https://i0.hdslb.com/bfs/archive/" + blob + ".jpg";
  }

  SbResponse Add(const SbRequest& req) {
    auto it = uploads_.find(req.Param("upload_token"));
    if (it == uploads_.end() || it->second.blob.empty() || it->second.used) {
      return Err(127022, "upload_token验证错误");
    }
    auto body = ParseJson(req.body);
    if (!body.ok() || !body->is_object()) return Err(127100, "请求参数错误");
    Archive a;
    a.title = body->value("title", "");
    a.desc = body->value("desc", "");
    a.tag = body->value("tag", "");
    a.tid = body->value("tid", int64_t{0});
    a.cover = body->value("cover", "");
    if (a.title.empty() || a.tid <= 0) return Err(127100, "请求参数错误：缺少 title 或 tid");
    it->second.used = true;
    a.id = "BV1sbx" + env_.NewId("");
    a.video_blob = it->second.blob;
    a.created_at = env_.Now();
    archives_.push_back(a);
    return Ok(Json{{"resource_id", a.id}});
  }

  void SettleArchive(Archive& a) {
    if (a.state != kStateReviewing || env_.Now() < a.created_at + env_.options().async_delay_ms)
      return;
    if (env_.HasAuditWord(a.title) || env_.HasAuditWord(a.desc)) {
      a.state = kStateRejected;
      return;
    }
    a.state = kStateOpen;
    sandbox::PostRecord post;
    post.platform = "bilibili";
    post.remote_id = a.id;
    post.title = a.title;
    post.text = a.desc;
    post.url = "https://www.bilibili.com/video/" + a.id;
    post.media.push_back(Json{{"kind", "video"}, {"blob", a.video_blob}});
    if (auto c = covers_.find(a.cover); c != covers_.end())
      post.media.push_back(Json{{"kind", "cover"}, {"blob", c->second}});
    post.created_at = env_.Now();
    env_.AddPost(std::move(post));
  }

  Json ArchiveJson(const Archive& a) const {
    std::string desc = a.state == kStateOpen       ? "开放浏览"
                       : a.state == kStateRejected ? "已退回"
                                                   : "审核中";
    return {{"resource_id", a.id},
            {"title", a.title},
            {"cover", a.cover},
            {"tid", a.tid},
            {"no_reprint", 0},
            {"desc", a.desc},
            {"tag", a.tag},
            {"copyright", 1},
            {"ctime", a.created_at / 1000},
            {"addit_info",
             {{"state", a.state},
              {"state_desc", desc},
              {"reject_reason", a.state == kStateRejected ? "稿件内容违反社区规范" : ""}}}};
  }

  Archive* Find(const std::string& id) {
    for (auto& a : archives_)
      if (a.id == id) return &a;
    return nullptr;
  }

  SbResponse View(const SbRequest& req) {
    Archive* a = Find(req.Param("resource_id"));
    if (a == nullptr) return Err(127124, "不存在该稿件");
    if (a->deleted) return Err(127107, "稿件已经被删除");
    SettleArchive(*a);
    return Ok(ArchiveJson(*a));
  }

  SbResponse List(const SbRequest& req) {
    int pn = std::max(1, std::atoi(req.Param("pn").c_str()));
    int ps = std::max(1, std::min(50, std::atoi(req.Param("ps").c_str())));
    std::vector<Archive*> live;
    for (auto it = archives_.rbegin(); it != archives_.rend(); ++it)
      if (!it->deleted) live.push_back(&*it);
    Json list = Json::array();
    for (size_t i = static_cast<size_t>(pn - 1) * ps; i < live.size() && list.size() < size_t(ps);
         ++i) {
      SettleArchive(*live[i]);
      list.push_back(ArchiveJson(*live[i]));
    }
    return Ok(Json{{"page", {{"pn", pn}, {"ps", ps}, {"total", live.size()}}}, {"list", list}});
  }

  SbResponse Delete(const SbRequest& req) {
    Archive* a = Find(req.Param("resource_id"));
    if (a == nullptr) return Err(127124, "不存在该稿件");
    if (a->deleted) return Err(127107, "稿件已经被删除");
    a->deleted = true;
    env_.MarkDeleted("bilibili", a->id);
    return Ok(Json::object());
  }

  Env& env_;
  std::mutex mu_;
  TokenTable tokens_;
  std::set<std::string> refresh_;
  std::map<std::string, Upload> uploads_;
  std::map<std::string, std::string> covers_;  // url -> blob
  std::vector<Archive> archives_;
};

}  // namespace

std::unique_ptr<sandbox::PlatformSandbox> NewSandbox(sandbox::Env& env) {
  return std::make_unique<BilibiliSandbox>(env);
}

}  // namespace gd::channels::bilibili
