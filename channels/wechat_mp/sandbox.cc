#include "channels/wechat_mp/sandbox.h"

#include <mutex>
#include <regex>

#include "channels/wechat_mp/sandbox_mass.h"
#include "channels/wechat_mp/sandbox_push.h"
#include "dispatcher/core/time_util.h"
#include "dispatcher/core/utf8.h"

namespace gd::channels::wechat_mp {
namespace {

using sandbox::Env;
using sandbox::PostRecord;
using sandbox::SbRequest;
using sandbox::SbResponse;
using sandbox::TokenTable;

constexpr const char* kSecret = "sandbox-secret";
// The quota counter of stable_token calls with force_refresh=true (20 a day).
constexpr const char* kForceRefreshPath = "/cgi-bin/stable_token:force_refresh";

struct Article {
  Json news;  // the news_item as stored (title, author, digest, content, ...)
  std::string cover_blob;
};

struct Job {
  std::string appid;
  int64_t publish_id = 0;
  TimeMs submitted_at = 0;
  int status = 1;
  std::string article_id;
  Article article;
};

struct Published {
  std::string article_id;
  Article article;
  TimeMs update_time = 0;
  bool deleted = false;
  std::string url;
};

class WechatSandbox final : public sandbox::PlatformSandbox {
 public:
  explicit WechatSandbox(Env& env) : env_(env) {}

  std::string name() const override { return "wechat"; }

  SbResponse InjectedError(const SbRequest&, std::optional<int> code) const override {
    if (code) return Err(*code, "injected error");
    return Err(-1, "system error");
  }
  SbResponse RateLimited(const SbRequest&) const override {
    return Err(45011, "api minute-quota reach limit  mustslower  retry next minute");
  }

  void ExpireTokens() override {
    std::lock_guard lock(mu_);
    tokens_.ExpireAll(env_.Now());
  }

  void Settle() override {
    {
      std::lock_guard lock(mu_);
      for (auto& [id, job] : jobs_) SettleJob(job);
    }
    pusher_.Flush();
  }

  // Daily quotas of a new account (docs/channels-protocols.md §1.1, §1.4 "Daily quotas"), per
  // appid.
  std::vector<sandbox::QuotaRule> DefaultQuotas() const override {
    using W = sandbox::QuotaRule::Window;
    auto day = [](const char* path, int64_t limit) {
      return sandbox::QuotaRule{path, limit, W::kDay, false, 0};
    };
    return {day("/cgi-bin/token", 2000),
            day("/cgi-bin/stable_token", 500000),
            sandbox::QuotaRule{"/cgi-bin/stable_token", 10000, W::kMinute, false, 0},
            day(kForceRefreshPath, 20),
            day("/cgi-bin/draft/add", 1000),
            day("/cgi-bin/draft/get", 500),
            day("/cgi-bin/draft/delete", 1000),
            day("/cgi-bin/draft/update", 1000),
            day("/cgi-bin/draft/count", 1000),
            day("/cgi-bin/draft/batchget", 1000),
            day("/cgi-bin/freepublish/submit", 100),
            day("/cgi-bin/freepublish/get", 100),
            day("/cgi-bin/freepublish/delete", 10),
            day("/cgi-bin/freepublish/getarticle", 100),
            day("/cgi-bin/freepublish/batchget", 100)};
  }

  SbResponse QuotaExceeded(const SbRequest&, const sandbox::QuotaRule& rule) const override {
    if (rule.code != 0 && rule.code != 45009 && rule.code != 45011) {
      return Err(rule.code, "api freq out of limit");
    }
    if (rule.code == 45011 || (rule.code == 0 && rule.window != sandbox::QuotaRule::Window::kDay)) {
      return RateLimited(SbRequest{});
    }
    return Err(45009, "reach max api daily quota limit");
  }

  // Jobs that are due end first (pushing their events), whatever the request.
  SbResponse Handle(const SbRequest& req) override {
    SbResponse out;
    {
      std::lock_guard lock(mu_);
      for (auto& [id, job] : jobs_) SettleJob(job);
      out = HandleLocked(req);
    }
    pusher_.Flush();
    return out;
  }

 private:
  SbResponse HandleLocked(const SbRequest& req) {
    const std::string& p = req.path;
    if (p == "/cgi-bin/stable_token") return StableToken(req);
    if (p == "/cgi-bin/token") return ClassicToken(req);
    if (p == "/cgi-bin/sandbox/server_config") return ServerConfig(req);
    std::string appid;
    if (auto bad = CheckToken(req, &appid)) return *bad;
    Json body;
    if (req.files.empty() && !req.body.empty()) {
      auto parsed = ParseJson(req.body);
      if (!parsed.ok() || !parsed->is_object()) return Err(47001, "data format error");
      body = std::move(parsed).value();
    }
    if (p == "/cgi-bin/clear_quota") return ClearQuota(appid, body);
    if (auto q = env_.TakeQuota(name(), appid, req)) return QuotaExceeded(req, *q);
    if (p == "/cgi-bin/media/uploadimg") return UploadImg(req);
    if (p == "/cgi-bin/material/add_material") return AddMaterial(req);
    if (p == "/cgi-bin/draft/add") return DraftAdd(body);
    if (p == "/cgi-bin/draft/get") return DraftGet(body);
    bool unverified = appid == "sandbox-unverified";
    if (p.rfind("/cgi-bin/freepublish/", 0) == 0 || p.rfind("/cgi-bin/message/mass/", 0) == 0) {
      if (unverified) return Err(48001, "api unauthorized");
    }
    if (p == "/cgi-bin/freepublish/submit") return Submit(body, appid);
    if (p == "/cgi-bin/freepublish/get") return GetJob(body);
    if (p == "/cgi-bin/freepublish/batchget") return BatchGet(body);
    if (p == "/cgi-bin/freepublish/getarticle") return GetArticle(body);
    if (p == "/cgi-bin/freepublish/delete") return Delete(body);
    if (p == "/cgi-bin/message/mass/sendall") return SendAll(body, appid);
    if (p == "/cgi-bin/message/mass/get") return MassGet(body);
    if (p == "/cgi-bin/message/mass/delete") return MassDelete(body);
    return Err(40066, "invalid url");
  }

  SbResponse Err(int code, const std::string& msg) const {
    return SbResponse::FromJson(
        Json{{"errcode", code}, {"errmsg", msg + " rid: " + std::to_string(env_.Now()) + "-sbx"}});
  }
  static SbResponse Ok(Json j) {
    j["errcode"] = 0;
    j["errmsg"] = "ok";
    return SbResponse::FromJson(j);
  }

  int Ttl() const { return env_.TokenTtlSeconds("wechat").value_or(7200); }

  std::optional<SbResponse> CheckCredentials(const std::string& appid, const std::string& secret) {
    if (appid != "sandbox" && appid != "sandbox-noip" && appid != "sandbox-unverified") {
      return Err(40013, "invalid appid");
    }
    if (secret != kSecret) return Err(40125, "invalid appsecret");
    if (appid == "sandbox-noip") {
      return Err(40164, "invalid ip 127.0.0.1 ipv6 ::ffff:127.0.0.1, not in whitelist");
    }
    return std::nullopt;
  }

  SbResponse StableToken(const SbRequest& req) {
    if (req.method != "POST") return Err(43002, "require POST method");
    auto body = ParseJson(req.body);
    if (!body.ok() || !body->is_object()) return Err(47001, "data format error");
    std::string appid = body->value("appid", "");
    if (auto bad = CheckCredentials(appid, body->value("secret", ""))) return *bad;
    if (auto q = env_.TakeQuota(name(), appid, req)) return QuotaExceeded(req, *q);
    TimeMs now = env_.Now();
    auto it = stable_.find(appid);
    bool force = body->value("force_refresh", false);
    if (force) {
      SbRequest forced = req;
      forced.path = kForceRefreshPath;
      if (auto q = env_.TakeQuota(name(), appid, forced)) return QuotaExceeded(req, *q);
      // Forced refreshes less than 30 s apart do not refresh (§1.1).
      auto last = last_force_.find(appid);
      if (last != last_force_.end() && now - last->second < 30 * 1000) force = false;
      if (force) last_force_[appid] = now;
    }
    if (!force && it != stable_.end() &&
        tokens_.Check(it->second, now) == TokenTable::State::kValid) {
      TimeMs left = token_exp_[it->second] - now;
      return SbResponse::FromJson(
          Json{{"access_token", it->second}, {"expires_in", std::max<int64_t>(1, left / 1000)}});
    }
    std::string token = "wx-" + env_.NewId("st") + "-" + appid;
    TimeMs exp = now + Ttl() * int64_t{1000};
    tokens_.Add(token, exp);
    token_exp_[token] = exp;
    token_app_[token] = appid;
    if (it != stable_.end() && force) tokens_.Erase(it->second);
    stable_[appid] = token;
    return SbResponse::FromJson(Json{{"access_token", token}, {"expires_in", Ttl()}});
  }

  SbResponse ClassicToken(const SbRequest& req) {
    if (req.Param("grant_type") != "client_credential") return Err(40002, "invalid grant_type");
    std::string appid = req.Param("appid");
    if (auto bad = CheckCredentials(appid, req.Param("secret"))) return *bad;
    if (auto q = env_.TakeQuota(name(), appid, req)) return QuotaExceeded(req, *q);
    TimeMs now = env_.Now();
    auto it = classic_.find(appid);
    if (it != classic_.end()) {  // the previous token stays valid for 5 more minutes
      TimeMs exp = std::min(token_exp_[it->second], now + 300 * 1000);
      tokens_.Add(it->second, exp);
      token_exp_[it->second] = exp;
    }
    std::string token = "wx-" + env_.NewId("ct") + "-" + appid;
    TimeMs exp = now + Ttl() * int64_t{1000};
    tokens_.Add(token, exp);
    token_exp_[token] = exp;
    token_app_[token] = appid;
    classic_[appid] = token;
    return SbResponse::FromJson(Json{{"access_token", token}, {"expires_in", Ttl()}});
  }

  // POST /cgi-bin/clear_quota {"appid"}: zeroes the appid's daily counters, 10 times a month.
  SbResponse ClearQuota(const std::string& token_appid, const Json& body) {
    std::string appid = body.value("appid", "");
    if (appid.empty()) return Err(41002, "appid missing");
    if (appid != token_appid) return Err(40013, "invalid appid");
    CivilDate d = CstDate(env_.Now());
    int month = d.year * 12 + d.month;
    auto& [m, used] = clears_[appid];
    if (m != month) {
      m = month;
      used = 0;
    }
    if (used >= 10) return Err(48006, "forbid to clear quota because of reaching the limit");
    ++used;
    env_.ResetQuotaUsage(name(), appid);
    return Ok(Json::object());
  }

  std::optional<SbResponse> CheckToken(const SbRequest& req, std::string* appid) {
    if (!req.HasParam("access_token")) return Err(41001, "access_token missing");
    std::string token = req.Param("access_token");
    switch (tokens_.Check(token, env_.Now())) {
      case TokenTable::State::kUnknown:
        return Err(40001, "invalid credential, access_token is invalid or not latest");
      case TokenTable::State::kExpired:
        return Err(42001, "access_token expired");
      case TokenTable::State::kValid:
        break;
    }
    *appid = token_app_[token];
    return std::nullopt;
  }

  static bool IsJpegOrPng(const std::string& data) {
    return (data.size() > 3 && static_cast<unsigned char>(data[0]) == 0xFF &&
            static_cast<unsigned char>(data[1]) == 0xD8) ||
           (data.size() > 8 && data.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  }

  SbResponse UploadImg(const SbRequest& req) {
    const sandbox::SbFile* f = req.File("media");
    if (f == nullptr) return Err(41005, "media data missing");
    if (!IsJpegOrPng(f->data)) return Err(40005, "invalid file type");
    if (f->data.size() >= 1024 * 1024) return Err(40009, "invalid image size");
    std::string blob = env_.PutBlob(f->content_type, f->data);
    return SbResponse::FromJson(Json{{"url", "http://mmbiz.qpic.cn/sandbox/" + blob + "/0"}});
  }

  SbResponse AddMaterial(const SbRequest& req) {
    std::string type = req.Param("type");
    if (type != "image" && type != "thumb" && type != "voice" && type != "video") {
      return Err(40004, "invalid media type");
    }
    const sandbox::SbFile* f = req.File("media");
    if (f == nullptr) return Err(41005, "media data missing");
    if (type == "image" && !IsJpegOrPng(f->data) && f->data.rfind("GIF8", 0) != 0) {
      return Err(40005, "invalid file type");
    }
    // §1.2: thumb 64 KB JPG, voice 2 MB, image and video 10 MB.
    if (type == "thumb" && !(f->data.size() > 3 && static_cast<unsigned char>(f->data[0]) == 0xFF &&
                             static_cast<unsigned char>(f->data[1]) == 0xD8)) {
      return Err(40005, "invalid file type");
    }
    size_t max = type == "thumb" ? 64 * 1024 : type == "voice" ? 2 * 1024 * 1024 : 10 * 1024 * 1024;
    if (f->data.size() > max) return Err(40006, "invalid meida size");
    std::string blob = env_.PutBlob(f->content_type, f->data);
    std::string media_id = env_.NewId("M-");
    material_[media_id] = blob;
    Json out = {{"media_id", media_id}};
    if (type == "image") out["url"] = "http://mmbiz.qpic.cn/sandbox/" + blob + "/0";
    return SbResponse::FromJson(out);
  }

  // Strips <script> elements and images not hosted on *.qpic.cn (§1.3, §1.6).
  static std::string CleanContent(const std::string& html) {
    static const std::regex kScript("<script[\\s\\S]*?</script>", std::regex::icase);
    static const std::regex kImg("<img\\b[^>]*>", std::regex::icase);
    static const std::regex kQpic("src=\"https?://[a-z0-9.]*qpic\\.cn/", std::regex::icase);
    std::string out = std::regex_replace(html, kScript, "");
    std::string result;
    auto begin = std::sregex_iterator(out.begin(), out.end(), kImg);
    size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      result += out.substr(last, it->position() - last);
      if (std::regex_search(it->str(), kQpic)) result += it->str();
      last = it->position() + it->length();
    }
    result += out.substr(last);
    return result;
  }

  SbResponse DraftAdd(const Json& body) {
    if (!body.contains("articles") || !body["articles"].is_array() || body["articles"].empty()) {
      return Err(44003, "empty news data");
    }
    if (body["articles"].size() > 8) return Err(45008, "article size out of limit");
    Json items = Json::array();
    for (const auto& a : body["articles"]) {
      std::string title = a.value("title", "");
      std::string content = a.value("content", "");
      if (title.empty()) return Err(44003, "empty news data");
      if (CodePointCount(title) > 32) return Err(45003, "title size out of limit");
      if (CodePointCount(a.value("author", "")) > 16) return Err(45110, "author size out of limit");
      if (CodePointCount(a.value("digest", "")) > 128)
        return Err(45004, "description size out of limit");
      if (content.empty()) return Err(44004, "empty content");
      if (CodePointCount(content) >= 20000 || content.size() >= 1024 * 1024) {
        return Err(45002, "content size out of limit");
      }
      if (a.value("content_source_url", "").size() > 1024)
        return Err(45005, "url size out of limit");
      std::string thumb = a.value("thumb_media_id", "");
      if (!material_.count(thumb)) return Err(40007, "invalid media_id");
      Json item = a;
      item["content"] = CleanContent(content);
      items.push_back(item);
    }
    std::string media_id = env_.NewId("D-");
    drafts_[media_id] = items;
    return SbResponse::FromJson(Json{{"media_id", media_id}});
  }

  SbResponse DraftGet(const Json& body) {
    auto it = drafts_.find(body.value("media_id", ""));
    if (it == drafts_.end()) return Err(40007, "invalid media_id");
    return SbResponse::FromJson(Json{{"news_item", it->second}});
  }

  // Takes the draft out of the box (it is single-use) and makes its article.
  std::optional<Article> ConsumeDraft(const std::string& media_id) {
    auto it = drafts_.find(media_id);
    if (it == drafts_.end()) return std::nullopt;
    Article a;
    a.news = it->second[0];
    a.cover_blob = material_[a.news.value("thumb_media_id", "")];
    drafts_.erase(it);
    return a;
  }

  Json PublishIdJson(int64_t id) const {
    if (env_.options().wechat_publish_id_as_string) return Json(std::to_string(id));
    return Json(id);
  }

  // The stand-in for the console's 服务器配置 page (sandbox_push.h), guarded by the AppSecret.
  SbResponse ServerConfig(const SbRequest& req) {
    auto body = ParseJson(req.body);
    if (!body.ok() || !body->is_object()) return Err(47001, "data format error");
    std::string appid = body->value("appid", "");
    if (auto bad = CheckCredentials(appid, body->value("secret", ""))) return *bad;
    Status s = pusher_.Configure(appid, *body);
    if (!s.ok()) return Err(40039, s.message());
    return Ok(Json::object());
  }

  SbResponse Submit(const Json& body, const std::string& appid) {
    auto article = ConsumeDraft(body.value("media_id", ""));
    if (!article) return Err(40007, "invalid media_id");
    Job job;
    job.appid = appid;
    job.publish_id = next_publish_id_++;
    job.submitted_at = env_.Now();
    job.article = std::move(*article);
    int64_t id = job.publish_id;
    jobs_[id] = std::move(job);
    return Ok(Json{{"publish_id", PublishIdJson(id)}, {"msg_data_id", id + 1000000}});
  }

  void MakePublic(Published pub) {
    PostRecord post;
    post.platform = "wechat";
    post.remote_id = pub.article_id;
    post.title = pub.article.news.value("title", "");
    post.author = pub.article.news.value("author", "");
    post.text = pub.article.news.value("content", "");
    post.url = pub.url;
    if (!pub.article.cover_blob.empty()) {
      post.media.push_back(Json{{"kind", "cover"}, {"blob", pub.article.cover_blob}});
    }
    post.created_at = pub.update_time;
    env_.AddPost(std::move(post));
    published_.push_back(std::move(pub));
  }

  void SettleJob(Job& job) {
    if (job.status != 1 || env_.Now() < job.submitted_at + env_.options().async_delay_ms) return;
    const Json& n = job.article.news;
    if (env_.HasAuditWord(n.value("title", "") + n.value("content", "") + n.value("digest", ""))) {
      job.status = 4;
      PushJobEnd(job);
      return;
    }
    job.status = 0;
    job.article_id = "AID" + env_.NewId("") + "x" + std::to_string(job.publish_id);
    Published pub;
    pub.article_id = job.article_id;
    pub.article = job.article;
    pub.update_time = env_.Now();
    pub.url = "https://mp.weixin.qq.com/s/" + job.article_id;
    pub.article.news["url"] = pub.url;
    MakePublic(std::move(pub));
    PushJobEnd(job);
  }

  void PushJobEnd(const Job& job) {
    pusher_.Queue(
        job.appid,
        PublishJobFinishXml(job.appid, job.publish_id, job.status, job.article_id, env_.Now()),
        env_.Now());
  }

  SbResponse GetJob(const Json& body) {
    int64_t id = 0;
    const Json& v = body.contains("publish_id") ? body["publish_id"] : Json();
    if (v.is_number_integer()) id = v.get<int64_t>();
    if (v.is_string()) id = std::atoll(v.get<std::string>().c_str());
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return Err(40007, "invalid publish_id");
    Job& job = it->second;
    SettleJob(job);
    Json out = {{"publish_id", PublishIdJson(id)}, {"publish_status", job.status}};
    if (job.status == 0) {
      out["article_id"] = job.article_id;
      out["article_detail"] = {
          {"count", 1},
          {"item",
           {{{"idx", 1}, {"article_url", "https://mp.weixin.qq.com/s/" + job.article_id}}}}};
    }
    out["fail_idx"] = job.status == 4 || job.status == 2 ? Json::array({1}) : Json::array();
    return Ok(out);
  }

  SbResponse BatchGet(const Json& body) {
    for (auto& [id, job] : jobs_) SettleJob(job);
    int offset = body.value("offset", 0);
    int count = body.value("count", 0);
    if (count < 1 || count > 20) return Err(40097, "invalid args");
    bool no_content = body.value("no_content", 0) != 0;
    Json items = Json::array();
    int total = 0, skipped = 0;
    for (auto it = published_.rbegin(); it != published_.rend(); ++it) {
      if (it->deleted) continue;
      ++total;
      if (skipped++ < offset || static_cast<int>(items.size()) >= count) continue;
      Json news = it->article.news;
      if (no_content) news.erase("content");
      news["is_deleted"] = false;
      items.push_back(Json{{"article_id", it->article_id},
                           {"content", {{"news_item", {news}}}},
                           {"update_time", it->update_time / 1000}});
    }
    return SbResponse::FromJson(
        Json{{"total_count", total}, {"item_count", items.size()}, {"item", items}});
  }

  Published* FindArticle(const std::string& article_id) {
    for (auto& p : published_) {
      if (p.article_id == article_id) return &p;
    }
    return nullptr;
  }

  SbResponse GetArticle(const Json& body) {
    Published* p = FindArticle(body.value("article_id", ""));
    if (p == nullptr) return Err(40007, "invalid article_id");
    Json news = p->article.news;
    news["is_deleted"] = p->deleted;
    return SbResponse::FromJson(Json{{"news_item", {news}}});
  }

  SbResponse Delete(const Json& body) {
    Published* p = FindArticle(body.value("article_id", ""));
    if (p == nullptr) return Err(40007, "invalid article_id");
    p->deleted = true;
    env_.MarkDeleted("wechat", p->article_id);
    return Ok(Json::object());
  }

  // Mass-sends (sandbox_mass.h) are public but never listed by freepublish/batchget [W6][W7].
  SbResponse SendAll(const Json& body, const std::string& appid) {
    if (body.value("msgtype", "") != "mpnews" || !body.contains("mpnews")) {
      return Err(40008, "invalid message type");
    }
    const std::string clientmsgid = body.value("clientmsgid", "");
    const TimeMs now = env_.Now();
    if (auto refusal = mass_sends_.Check(appid, clientmsgid, now)) {
      Json r = *refusal;
      r["errmsg"] = r["errmsg"].get<std::string>() + " rid: " + std::to_string(now) + "-sbx";
      return SbResponse::FromJson(r);
    }
    auto article = ConsumeDraft(body["mpnews"].value("media_id", ""));
    if (!article) return Err(40007, "invalid media_id");
    int64_t msg_id = next_publish_id_++;
    bool ok =
        !env_.HasAuditWord(article->news.value("title", "") + article->news.value("content", ""));
    mass_sends_.Record(appid, clientmsgid, msg_id, ok, now, now + env_.options().async_delay_ms);
    if (ok) {
      PostRecord post;
      post.platform = "wechat";
      post.remote_id = std::to_string(msg_id);
      post.title = article->news.value("title", "");
      post.author = article->news.value("author", "");
      post.text = article->news.value("content", "");
      post.url = "https://mp.weixin.qq.com/s/mass" + post.remote_id;
      if (!article->cover_blob.empty()) {
        post.media.push_back(Json{{"kind", "cover"}, {"blob", article->cover_blob}});
      }
      post.created_at = now;
      env_.AddPost(std::move(post));
      mass_live_[msg_id] = true;
    }
    return Ok(Json{{"msg_id", msg_id}, {"msg_data_id", msg_id + 1000000}});
  }

  SbResponse MassGet(const Json& body) {
    int64_t id = body.contains("msg_id") ? std::atoll(support_id(body["msg_id"]).c_str()) : 0;
    auto status = mass_sends_.Status(id, env_.Now());
    if (!status) return Err(40007, "invalid msg_id");
    return SbResponse::FromJson(Json{{"msg_id", id}, {"msg_status", *status}});
  }

  SbResponse MassDelete(const Json& body) {
    std::string id = body.contains("msg_id") ? support_id(body["msg_id"]) : "";
    auto it = mass_live_.find(std::atoll(id.c_str()));
    if (it == mass_live_.end()) return Err(40007, "invalid msg_id");
    it->second = false;
    env_.MarkDeleted("wechat", id);
    return Ok(Json::object());
  }

  static std::string support_id(const Json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
    return "";
  }

  Env& env_;
  std::mutex mu_;
  TokenTable tokens_;
  std::map<std::string, TimeMs> token_exp_;
  std::map<std::string, std::string> token_app_;
  std::map<std::string, std::string> stable_;          // appid -> current stable token
  std::map<std::string, std::string> classic_;         // appid -> current classic token
  std::map<std::string, TimeMs> last_force_;           // appid -> last effective force_refresh
  std::map<std::string, std::pair<int, int>> clears_;  // appid -> (month, clear_quota calls)
  std::map<std::string, std::string> material_;        // media_id -> blob
  std::map<std::string, Json> drafts_;
  std::map<int64_t, Job> jobs_;
  SandboxMassSends mass_sends_;
  std::map<int64_t, bool> mass_live_;  // msg_id -> not deleted
  SandboxPusher pusher_;
  std::vector<Published> published_;
  int64_t next_publish_id_ = 2247483600;
};

}  // namespace

std::unique_ptr<sandbox::PlatformSandbox> NewSandbox(sandbox::Env& env) {
  return std::make_unique<WechatSandbox>(env);
}

}  // namespace gd::channels::wechat_mp
