#include "channels/weibo/sandbox.h"

#include <arpa/inet.h>

#include <cstdio>
#include <map>
#include <mutex>

#include "channels/weibo/client.h"
#include "channels/weibo/sandbox_oauth.h"
#include "dispatcher/core/time_util.h"
#include "dispatcher/core/utf8.h"

namespace gd::channels::weibo {
namespace {

using sandbox::Env;
using sandbox::SbRequest;
using sandbox::SbResponse;
using sandbox::TokenTable;

// The links of a text: "http://" or "https://" up to the first space or non-ASCII character.
std::vector<std::pair<size_t, size_t>> Links(const std::string& text) {
  std::vector<std::pair<size_t, size_t>> out;
  size_t i = 0;
  while ((i = std::min(text.find("http://", i), text.find("https://", i))) != std::string::npos) {
    size_t end = i;
    while (end < text.size() && static_cast<unsigned char>(text[end]) > 0x20 &&
           static_cast<unsigned char>(text[end]) < 0x7f)
      ++end;
    out.emplace_back(i, end - i);
    i = end;
  }
  return out;
}

std::string HostOf(const std::string& url) {
  size_t start = url.find("://") + 3;
  size_t end = url.find_first_of(":/?#", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// The address the platform takes for a real one: not loopback, private or link-local [B1].
bool RealAddress(const std::string& rip) {
  unsigned char a[16];
  if (inet_pton(AF_INET, rip.c_str(), a) == 1) {
    return !(a[0] == 0 || a[0] == 10 || a[0] == 127 || (a[0] == 169 && a[1] == 254) ||
             (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
             (a[0] == 100 && (a[1] & 0xc0) == 64) || a[0] >= 224);
  }
  if (inet_pton(AF_INET6, rip.c_str(), a) != 1) return false;
  return (a[0] & 0xe0) == 0x20;  // global unicast only
}

// "Mon Nov 02 22:27:36 +0800 2015", as the platform writes created_at (Beijing time).
std::string CreatedAt(TimeMs t) {
  const int64_t local = t / 1000 + 8 * 3600;
  const int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  const int64_t sod = local - days * 86400;
  const CivilDate d = CivilFromDays(days);
  static const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %s %02d %02d:%02d:%02d +0800 %04d", kDays[Weekday(d)],
                kMonths[d.month - 1], d.day, static_cast<int>(sod / 3600),
                static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60), d.year);
  return buf;
}

struct Status_ {
  uint64_t id = 0;
  std::string text;
  std::string pic_blob;
  TimeMs created_at = 0;
  bool deleted = false;
};

class WeiboSandbox final : public sandbox::PlatformSandbox {
 public:
  explicit WeiboSandbox(Env& env) : env_(env) { tokens_.Add("sandbox-token", 0); }

  std::string name() const override { return "weibo"; }

  SbResponse InjectedError(const SbRequest& req, std::optional<int> code) const override {
    if (code == 20032) return Err(req, "20032", "Update success, server slow, wait 1-2 min!", 400);
    if (code) return Err(req, std::to_string(*code), "injected error", 400);
    return Err(req, "10002", "Service unavailable", 503);
  }
  SbResponse RateLimited(const SbRequest& req) const override {
    return Err(req, "10023", "User requests out of rate limit!", 403);
  }
  void ExpireTokens() override {
    std::lock_guard lock(mu_);
    tokens_.ExpireAll(env_.Now());
  }

  // docs/channels-protocols.md §2.5: 30 posts an hour and 100 calls a day per authorised user,
  // 15 000 calls an hour per IP.
  std::vector<sandbox::QuotaRule> DefaultQuotas() const override {
    using W = sandbox::QuotaRule::Window;
    return {{"/2/statuses/share.json", 30, W::kHour, false, 10024},
            {"*", 100, W::kDay, false, 10023},
            {"*", 15000, W::kHour, true, 10022}};
  }

  SbResponse QuotaExceeded(const SbRequest& req, const sandbox::QuotaRule& rule) const override {
    switch (rule.code) {
      case 10022:
        return Err(req, "10022", "IP requests out of rate limit!", 403);
      case 10024:
        return Err(req, "10024", "User requests for (" + req.path + ") out of rate limit!", 403);
      case 20016:
        return Err(req, "20016", "Out of limit!", 400);
      default:
        return Err(req, "10023", "User requests out of rate limit!", 403);
    }
  }

  // 20032: the post is made, but the platform answers late ("Update success, server slow").
  bool InjectedErrorProcesses(int code) const override { return code == 20032; }

  SbResponse Handle(const SbRequest& req) override {
    std::lock_guard lock(mu_);
    if (req.path == "/oauth2/access_token") return AccessToken(req);
    std::string token = req.Param("access_token");
    switch (tokens_.Check(token, env_.Now())) {
      case TokenTable::State::kUnknown:
        return Err(req, "21332", "invalid_access_token", 401);
      case TokenTable::State::kExpired:
        return Err(req, "21327", "expired_token", 401);
      case TokenTable::State::kValid:
        break;
    }
    if (auto q = env_.TakeQuota(name(), "sandbox", req)) return QuotaExceeded(req, *q);
    const std::string& p = req.path;
    if (p == "/oauth2/get_token_info") {
      return SbResponse::FromJson(Json{{"uid", "sandbox"},
                                       {"appkey", "sandbox"},
                                       {"scope", "all"},
                                       {"create_at", env_.Now() / 1000},
                                       {"expire_in", 157679999}});
    }
    if (p == "/2/statuses/share.json" && req.method == "POST") return Share(req);
    if (p == "/2/statuses/destroy.json" && req.method == "POST") return Destroy(req);
    if (p == "/2/statuses/show.json") return Show(req);
    if (p == "/2/statuses/user_timeline.json") return Timeline(req);
    if (p == "/2/short_url/expand.json") return Expand(req);
    return Err(req, "10014", "Insufficient app permissions!", 403);
  }

 private:
  SbResponse Err(const SbRequest& req, const std::string& code, const std::string& msg,
                 int status) const {
    return SbResponse::FromJson(Json{{"request", req.path}, {"error_code", code}, {"error", msg}},
                                status);
  }

  // POST /oauth2/access_token (form): the authorization-code grant a person completes in the
  // browser. `expires_in` is a string, as in the platform's example.
  SbResponse AccessToken(const SbRequest& req) {
    if (req.method != "POST") return Err(req, "21323", "invalid_request", 400);
    if (req.Param("client_id") != "sandbox" || req.Param("client_secret") != "sandbox-secret") {
      return Err(req, "21324", "invalid_client", 400);
    }
    if (req.Param("grant_type") != "authorization_code") {
      return Err(req, "21328", "unsupported_grant_type", 400);
    }
    if (req.Param("code") != "sandbox-code") return Err(req, "21325", "invalid_grant", 400);
    int ttl = env_.TokenTtlSeconds("weibo").value_or(157680000);
    std::string token = env_.NewId("2.00sbx");
    tokens_.Add(token, env_.Now() + ttl * int64_t{1000});
    return SbResponse::FromJson(Json{{"access_token", token},
                                     {"expires_in", std::to_string(ttl)},
                                     {"remind_in", std::to_string(ttl)},
                                     {"uid", "sandbox"}});
  }

  static bool IsPicture(const std::string& d) {
    auto at = [&](size_t i) { return static_cast<unsigned char>(d[i]); };
    return (d.size() > 3 && at(0) == 0xFF && at(1) == 0xD8) ||
           (d.size() > 8 && d.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0) || d.rfind("GIF8", 0) == 0;
  }

  Json StatusJson(const Status_& s) const {
    Json j = {{"created_at", CreatedAt(s.created_at)},
              {"id", s.id},
              {"idstr", std::to_string(s.id)},
              {"mid", std::to_string(s.id)},
              {"text", s.text},
              {"source", "政务新媒体统一审核分发系统"},
              {"user", {{"id", 7000000001}, {"idstr", "sandbox"}, {"screen_name", "沙箱政务微博"}}},
              {"reposts_count", 0},
              {"comments_count", 0}};
    if (!s.pic_blob.empty()) {
      j["original_pic"] = "http://ww2.sinaimg.cn/large/" + s.pic_blob + ".jpg";
    }
    return j;
  }

  SbResponse Share(const SbRequest& req) {
    std::string rip = req.Param("rip");
    if (rip.empty()) return Err(req, "10016", "miss required parameter (rip)", 400);
    if (!RealAddress(rip)) {
      return Err(req, "10017",
                 "parameter (rip)'s value invalid, expect (a real user ip), but get (" + rip + ")",
                 400);
    }
    std::string text = req.Param("status");
    if (text.empty()) return Err(req, "10016", "miss required parameter (status)", 400);
    text = StripTopics(text);
    if (CodePointCount(text) > 140)
      return Err(req, "20012", "Text too long, please input text less than 140 characters!", 400);
    if (!OnSafeDomain(text)) {
      return Err(req, "10017", "parameter (status)'s value invalid, must contain a safe domain url",
                 400);
    }
    text = Shorten(text);
    std::string blob;
    if (const sandbox::SbFile* pic = req.File("pic")) {
      if (pic->data.size() >= 5 * 1024 * 1024)
        return Err(req, "20006", "Image size too large", 400);
      if (!IsPicture(pic->data)) return Err(req, "20005", "Unsupported image type!", 400);
      blob = env_.PutBlob(pic->content_type, pic->data);
    }
    if (env_.HasAuditWord(text)) return Err(req, "20021", "Content is illegal!", 400);
    for (const auto& s : statuses_) {
      if (!s.deleted && s.text == text) return Err(req, "20019", "Repeat conetnt!", 400);
    }
    Status_ s;
    s.id = next_id_;
    next_id_ += 1237;
    s.text = text;
    s.pic_blob = blob;
    s.created_at = env_.Now();
    statuses_.push_back(s);
    sandbox::PostRecord post;
    post.platform = "weibo";
    post.remote_id = std::to_string(s.id);
    post.text = text;
    post.url = "https://weibo.com/sandbox/" + post.remote_id;
    if (!blob.empty()) post.media.push_back(Json{{"kind", "image"}, {"blob", blob}});
    post.created_at = s.created_at;
    env_.AddPost(std::move(post));
    return SbResponse::FromJson(StatusJson(s));
  }

  // At least one link on the app's safe domain (or a subdomain of it) [B1]. Every token of this
  // sandbox belongs to the app "sandbox".
  bool OnSafeDomain(const std::string& text) const {
    auto it = env_.options().weibo_safe_domains.find("sandbox");
    const std::string domain = it == env_.options().weibo_safe_domains.end() ? "" : it->second;
    for (const auto& [at, len] : Links(text)) {
      const std::string host = HostOf(text.substr(at, len));
      if (domain.empty() || host == domain ||
          (host.size() > domain.size() &&
           host.compare(host.size() - domain.size() - 1, std::string::npos, "." + domain) == 0))
        return true;
    }
    return false;
  }

  // GET 2/short_url/expand.json?url_short=: the address behind a t.cn link, answered as
  // {"urls": [{"url_short", "url_long", "result"}]} (docs/channels-protocols.md [B14]).
  SbResponse Expand(const SbRequest& req) const {
    const std::string want = req.Param("url_short");
    Json urls = Json::array();
    for (const auto& [url_long, url_short] : short_links_)
      if (url_short == want)
        urls.push_back(
            {{"url_short", url_short}, {"url_long", url_long}, {"result", true}, {"type", 0}});
    if (urls.empty()) urls.push_back({{"url_short", want}, {"url_long", ""}, {"result", false}});
    return SbResponse::FromJson(Json{{"urls", urls}});
  }

  // Every link becomes a t.cn short link, the same one for the same address [B4].
  std::string Shorten(const std::string& text) {
    std::string out;
    size_t last = 0;
    for (const auto& [at, len] : Links(text)) {
      out += text.substr(last, at - last);
      const std::string url = text.substr(at, len);
      auto [it, fresh] = short_links_.emplace(url, "");
      if (fresh) {
        static const char kDigits[] =
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        uint64_t n = 916132832ull + short_links_.size() * 7919;
        std::string code;
        for (int k = 0; k < 7; ++k, n /= 62) code.insert(code.begin(), kDigits[n % 62]);
        it->second = "http://t.cn/A6" + code;
      }
      out += it->second;
      last = at + len;
    }
    return out + text.substr(last);
  }

  Status_* Find(const std::string& id) {
    for (auto& s : statuses_) {
      if (std::to_string(s.id) == id) return &s;
    }
    return nullptr;
  }

  SbResponse Destroy(const SbRequest& req) {
    Status_* s = Find(req.Param("id"));
    if (s == nullptr || s->deleted) return Err(req, "20101", "Target weibo does not exist!", 400);
    s->deleted = true;
    env_.MarkDeleted("weibo", std::to_string(s->id));
    return SbResponse::FromJson(StatusJson(*s));
  }

  SbResponse Show(const SbRequest& req) {
    Status_* s = Find(req.Param("id"));
    if (s == nullptr || s->deleted) return Err(req, "20101", "Target weibo does not exist!", 400);
    return SbResponse::FromJson(StatusJson(*s));
  }

  // The latest posts of the account, `count` (≤ 100) a page from `page` 1, but never beyond
  // the latest weibo_timeline_window posts; total_number counts every live post.
  SbResponse Timeline(const SbRequest& req) {
    int count = std::max(1, std::min(100, std::atoi(req.Param("count").c_str())));
    if (req.Param("count").empty()) count = 20;
    const int page = std::max(1, std::atoi(req.Param("page").c_str()));
    const size_t window = static_cast<size_t>(std::max(0, env_.options().weibo_timeline_window));
    std::vector<const Status_*> live;
    for (auto it = statuses_.rbegin(); it != statuses_.rend(); ++it) {
      if (!it->deleted) live.push_back(&*it);
    }
    Json items = Json::array();
    const size_t first = static_cast<size_t>(page - 1) * count;
    for (size_t i = first; i < live.size() && i < window && i < first + count; ++i) {
      items.push_back(StatusJson(*live[i]));
    }
    return SbResponse::FromJson(Json{{"statuses", items}, {"total_number", live.size()}});
  }

  Env& env_;
  std::mutex mu_;
  TokenTable tokens_;
  std::vector<Status_> statuses_;
  std::map<std::string, std::string> short_links_;  // address → its t.cn link
  uint64_t next_id_ = 4990000000000001ull;          // above 2^53, as real ids are
};

}  // namespace

std::unique_ptr<sandbox::PlatformSandbox> NewSandbox(sandbox::Env& env) {
  return WithOAuth(std::make_unique<WeiboSandbox>(env), env);
}

}  // namespace gd::channels::weibo
