#include "channels/weibo/client.h"

#include <arpa/inet.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

#include "channels/client_support.h"
#include "dispatcher/core/time_util.h"

namespace gd::channels::weibo {
namespace {

constexpr const char* kLabel = "新浪微博";
// How long a post answered with 20032 may take to appear before it is sent again.
constexpr TimeMs kSlowShareWindowMs = 10 * 60 * 1000;
// Our clock and the platform's may differ: a post up to this much older than the start of the
// in-flight share may still be ours.
constexpr TimeMs kClockSkewMs = 60 * 1000;
// user_timeline: at most 100 a page [B11]; a lost answer reads at most this many pages.
constexpr int kTimelineCount = 100;
constexpr int kTimelinePages = 3;

bool IsRepeatCode(const std::string& code) {
  return code == "20017" || code == "20019" || code == "20111";
}

// The account's `rip` when it is a public address; otherwise the account is not ready to post.
StatusOr<std::string> Rip(const Account& account) {
  auto it = account.settings.find("rip");
  std::string rip = it != account.settings.end() && it->is_string() ? it->get<std::string>() : "";
  if (rip.empty()) {
    return Status(Code::kFailedPrecondition,
                  "新浪微博账号未设置“发布者公网 IP”（rip）：微博要求每次发布报送发布者或服务器的"
                  "真实公网 IP。请运营人员在渠道账号设置中填写后重试",
                  "account_not_ready");
  }
  if (!IsPublicAddress(rip)) {
    return Status(Code::kFailedPrecondition,
                  "新浪微博账号的“发布者公网 IP”（rip）" + rip +
                      " 不是公网地址（本机、内网和保留地址都不被微博接受）。请运营人员改为发布者"
                      "或服务器的真实公网 IP 后重试",
                  "account_not_ready");
  }
  return rip;
}

std::string ErrorCode(const Json& j) {
  auto it = j.find("error_code");
  if (it == j.end()) return "";
  return support::IdString(*it);
}

Status MapError(const std::string& code, const std::string& msg, TimeMs now) {
  int c = std::atoi(code.c_str());
  auto err = [&](Code k, const char* text, std::string reason = "platform_error") {
    return support::PlatformError(k, kLabel, code, msg, text, std::move(reason));
  };
  switch (c) {
    case 10001:
    case 10002:
    case 10009:
    case 21331:
      return err(Code::kUnavailable, "平台服务暂不可用，稍后重试");
    case 10022:
    case 10023:
    case 10024:
    case 20016: {
      Status s = err(Code::kResourceExhausted, "超过平台调用频次限制，下一小时恢复");
      Json d = s.details();
      d["retry_after_ms"] = 3600000 - now % 3600000;
      return Status(s.code(), s.message(), s.reason(), d);
    }
    case 21301:
    case 21314:
    case 21315:
    case 21316:
    case 21317:
    case 21327:
    case 21332:
      return err(Code::kUnauthenticated, "微博授权已过期或无效，需要运营人员重新授权");
    case 10014:
    case 21337:
      return err(Code::kPermissionDenied, "应用没有调用该接口的权限，请改为人工发布",
                 "manual_handoff");
    case 20018:
    case 20020:
    case 20021:
      return err(Code::kFailedPrecondition, "内容未通过平台审核", "platform_rejected");
    case 10008:
    case 10016:
    case 10017:
    case 20005:
    case 20006:
    case 20012:
      return err(Code::kInvalidArgument, "内容不符合平台要求");
    case 20101:
      return Status(Code::kNotFound, "新浪微博：该微博不存在（20101）");
    default:
      return err(Code::kFailedPrecondition, "平台返回错误");
  }
}

class WeiboClient final : public Client {
 public:
  explicit WeiboClient(const ClientDeps& deps) : deps_(deps) {}

  StatusOr<PublishResult> Publish(const PublishJob& job, Progress& progress,
                                  const Checkpoint& checkpoint) override {
    Json& st = progress.state;
    if (st.contains("remote_id")) return Done(st);
    if (!support::InflightStep(progress).empty()) {
      st["lost_answer"] = true;  // from now on a repeat answer may be our own share
      GD_ASSIGN_OR_RETURN(ReconcileResult rec, Reconcile(job, progress));
      if (rec.kind == ReconcileResult::Kind::kFound) return Record(progress, checkpoint, rec);
      // After 20032 the post exists but may take minutes to show: wait before sending again.
      if (st.contains("slow_since") &&
          deps_.clock->Now() - st["slow_since"].get<TimeMs>() < kSlowShareWindowMs) {
        return SlowShare(*job.account);
      }
      // The platform said it has this text (a repeat answer after a lost one): "not on the
      // timeline" cannot clear it, so only a person or a later look settles it.
      if (rec.kind == ReconcileResult::Kind::kUnknown || st.value("repeat_seen", false)) {
        return Inconclusive(progress, checkpoint);
      }
      st.erase("slow_since");
    }
    GD_ASSIGN_OR_RETURN(std::string rip, Rip(*job.account));
    GD_ASSIGN_OR_RETURN(Json secrets, job.secrets());
    GD_ASSIGN_OR_RETURN(std::string token, support::SecretField(secrets, "access_token", kLabel));
    std::string text = job.rendering.value("text", "");
    HttpRequest req;
    req.method = "POST";
    req.url = support::BaseUrl(*job.account) + "/2/statuses/share.json";
    req.timeout_ms = deps_.timeout_ms;
    const Json& pic = job.rendering.contains("pic") ? job.rendering["pic"] : Json();
    if (pic.is_string() && !pic.get<std::string>().empty()) {
      GD_ASSIGN_OR_RETURN(auto media, support::ReadMedia(job, pic.get<std::string>()));
      req.parts = {{"access_token", token, "", ""},
                   {"status", text, "", ""},
                   {"rip", rip, "", ""},
                   {"pic", media.data, media.filename, media.ref->mime}};
    } else {
      req.content_type = "application/x-www-form-urlencoded";
      req.body = BuildQuery({{"access_token", token}, {"status", text}, {"rip", rip}});
    }
    GD_RETURN_IF_ERROR(support::BeginStep(progress, checkpoint, "share", deps_.clock->Now()));
    auto resp = Send(req);
    if (!resp.ok()) return ShareFailed(job, progress, checkpoint, resp.status());
    ReconcileResult rec;
    rec.remote_id = support::IdString(resp->value("idstr", Json()));
    if (rec.remote_id.empty()) rec.remote_id = support::IdString(resp->value("id", Json()));
    rec.remote_url = PostUrl(*job.account, *resp, rec.remote_id);
    return Record(progress, checkpoint, rec);
  }

  StatusOr<PublishResult> Poll(const PublishJob& job, Progress& progress,
                               const Checkpoint& checkpoint) override {
    return Publish(job, progress, checkpoint);
  }

  // Looks for the share among the account's latest posts: texts compared by MatchKey, only
  // posts created after the in-flight share began (less the clock skew). Not found is answered
  // only when the listing reaches back before that moment (or holds every post of the
  // account); otherwise the post may lie beyond what the timeline shows: unknown.
  StatusOr<ReconcileResult> Reconcile(const PublishJob& job, const Progress& progress) override {
    ReconcileResult out;
    if (progress.state.contains("remote_id")) {
      out.kind = ReconcileResult::Kind::kFound;
      out.remote_id = progress.state["remote_id"].get<std::string>();
      out.remote_url = progress.state.value("remote_url", "");
      return out;
    }
    GD_ASSIGN_OR_RETURN(Json secrets, job.secrets());
    GD_ASSIGN_OR_RETURN(std::string token, support::SecretField(secrets, "access_token", kLabel));
    const Json& st = progress.state;
    const TimeMs since = st.contains("inflight") ? st["inflight"].value("at", TimeMs{0}) : 0;
    const TimeMs from = since > 0 ? since - kClockSkewMs : 0;
    const std::string want = MatchKey(job.rendering.value("text", ""));
    bool covered = false;
    size_t seen = 0;
    for (int page = 1; page <= kTimelinePages && !covered; ++page) {
      HttpRequest req;
      req.url = support::BaseUrl(*job.account) + "/2/statuses/user_timeline.json?" +
                BuildQuery({{"access_token", token},
                            {"count", std::to_string(kTimelineCount)},
                            {"page", std::to_string(page)},
                            {"trim_user", "0"}});
      req.timeout_ms = deps_.timeout_ms;
      GD_ASSIGN_OR_RETURN(Json resp, support::RetryRead([&] { return Send(req); }));
      const Json list = resp.value("statuses", Json::array());
      for (const auto& s : list) {
        std::optional<TimeMs> created = ParseCreatedAt(s.value("created_at", Json()));
        if (created && *created < from) {
          covered = true;  // older than the share: not ours, and the listing reaches back
          continue;
        }
        if (MatchKey(s.value("text", "")) != want) continue;
        out.kind = ReconcileResult::Kind::kFound;
        out.remote_id = support::IdString(s.value("idstr", Json()));
        out.remote_url = PostUrl(*job.account, s, out.remote_id);
        return out;
      }
      seen += list.size();
      const Json total = resp.value("total_number", Json());
      if (total.is_number_integer() && seen >= total.get<size_t>()) covered = true;
      if (list.size() < static_cast<size_t>(kTimelineCount)) break;
    }
    out.kind = covered ? ReconcileResult::Kind::kNotFound : ReconcileResult::Kind::kUnknown;
    return out;
  }

  Status Withdraw(const PublishJob& job, const std::string& remote_id) override {
    GD_ASSIGN_OR_RETURN(Json secrets, job.secrets());
    GD_ASSIGN_OR_RETURN(std::string token, support::SecretField(secrets, "access_token", kLabel));
    HttpRequest req;
    req.method = "POST";
    req.url = support::BaseUrl(*job.account) + "/2/statuses/destroy.json";
    req.content_type = "application/x-www-form-urlencoded";
    req.body = BuildQuery({{"access_token", token}, {"id", remote_id}});
    req.timeout_ms = deps_.timeout_ms;
    auto resp = Send(req);
    if (!resp.ok() && resp.status().code() == Code::kNotFound) return Status::Ok();  // gone
    return resp.status();
  }

  Status CheckCredentials(const Account& account, const SecretSource& secrets) override {
    GD_ASSIGN_OR_RETURN(Json s, secrets());
    GD_ASSIGN_OR_RETURN(std::string token, support::SecretField(s, "access_token", kLabel));
    HttpRequest req;
    req.method = "POST";
    req.url = support::BaseUrl(account) + "/oauth2/get_token_info";
    req.content_type = "application/x-www-form-urlencoded";
    req.body = BuildQuery({{"access_token", token}});
    req.timeout_ms = deps_.timeout_ms;
    auto resp = Send(req);
    if (!resp.ok()) return resp.status();
    std::string uid = support::IdString(resp->value("uid", Json()));
    std::string want = account.settings.value("uid", "");
    if (!want.empty() && !uid.empty() && uid != want) {
      return Status(Code::kUnauthenticated, "新浪微博：access_token 属于用户 " + uid +
                                                "，与账号设置的 uid " + want + " 不符");
    }
    return Rip(account).status();
  }

 private:
  // share.json answered with an error. A repeat answer (20017/20019/20111) says the account
  // recently posted this text [B3], not that we did: on a first attempt it goes back to the
  // editor; once an answer of ours was lost it may be our own post, so it is looked for (a
  // bounded number of times) and never sent again.
  StatusOr<PublishResult> ShareFailed(const PublishJob& job, Progress& progress,
                                      const Checkpoint& checkpoint, const Status& failure) {
    Json& st = progress.state;
    const std::string code = failure.details().value("code", "");
    if (IsRepeatCode(code)) {
      if (st.value("lost_answer", false)) {
        st["repeat_seen"] = true;
        return Inconclusive(progress, checkpoint);
      }
      GD_RETURN_IF_ERROR(support::EndStep(progress, checkpoint));
      return support::PlatformError(
          Code::kInvalidArgument, kLabel, code, failure.details().value("platform_message", ""),
          "同样内容近期已由本账号发布过，微博不允许重复发布；如确需再次发布，请修改文字后重新提交");
    }
    if (code == "20032") {
      // "Update success, server slow": posted; find it on the timeline later
      // (docs/channels-protocols.md §2.6). The step stays in flight so a resend only happens if
      // it never shows up.
      st["slow_since"] = deps_.clock->Now();
      st["lost_answer"] = true;
      GD_RETURN_IF_ERROR(checkpoint(progress));
      return SlowShare(*job.account);
    }
    // The platform refused the post (limits, validation, audit, authorisation): nothing was
    // posted, so the next attempt need not read the timeline first (those calls count
    // against the same quota).
    return support::StepFailed(progress, checkpoint, failure);
  }

  // A lost answer the timeline cannot settle: looked for again later, a bounded number of
  // times, then a person decides.
  static Status Inconclusive(Progress& progress, const Checkpoint& checkpoint) {
    return support::UnknownOutcome(
        progress, checkpoint, Unavailable("新浪微博：暂时无法确认上次发布是否成功，稍后再查"),
        "新浪微博：上次发布请求未收到平台答复，在账号最近的微博中无法确认是否已发布（微博只提供"
        "最近的少量微博供查询）。请到该微博账号主页核对：如已发布，请确认其链接；如未发布，请"
        "标记为未发布后重新发布");
  }

  PublishResult SlowShare(const Account& account) const {
    PublishResult out;
    out.kind = PublishResult::Kind::kAwaiting;
    out.poll_after_ms = account.settings.value("poll_interval_ms", 60000);
    out.note = "平台已受理但处理较慢，稍后确认";
    return out;
  }

  static PublishResult Done(const Json& st) {
    PublishResult out;
    out.kind = PublishResult::Kind::kPublished;
    out.remote_id = st["remote_id"].get<std::string>();
    out.remote_url = st.value("remote_url", "");
    return out;
  }

  StatusOr<PublishResult> Record(Progress& progress, const Checkpoint& checkpoint,
                                 const ReconcileResult& rec) {
    progress.state["remote_id"] = rec.remote_id;
    progress.state["remote_url"] = rec.remote_url;
    progress.state.erase("slow_since");
    GD_RETURN_IF_ERROR(support::EndStep(progress, checkpoint));
    return Done(progress.state);
  }

  static std::string PostUrl(const Account& account, const Json& status, const std::string& id) {
    std::string uid = account.settings.value("uid", "");
    if (status.contains("user") && status["user"].is_object()) {
      std::string u = support::IdString(status["user"].value("idstr", Json()));
      if (!u.empty()) uid = u;
    }
    return "https://weibo.com/" + uid + "/" + id;
  }

  StatusOr<Json> Send(const HttpRequest& req) {
    auto resp = deps_.transport->Send(req);
    if (!resp.ok()) return support::TransportError(kLabel, resp.status());
    auto j = ParseJson(resp->body);
    if (!j.ok() || !j->is_object()) return support::BadResponse(kLabel, *resp);
    std::string code = ErrorCode(*j);
    if (!code.empty() && code != "0")
      return MapError(code, j->value("error", ""), deps_.clock->Now());
    if (resp->status >= 500) return support::BadResponse(kLabel, *resp);
    return j;
  }

  ClientDeps deps_;
};

}  // namespace

std::string StripTopics(const std::string& text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '#') {
      size_t close = text.find('#', i + 1);
      if (close != std::string::npos && close > i + 1 &&
          text.substr(i + 1, close - i - 1).find_first_of(" \n") == std::string::npos) {
        out += text.substr(i + 1, close - i - 1);
        i = close + 1;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

namespace {

bool IsUrlChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f && std::strchr("<>\"'`{}|\\^", c) == nullptr;
}

std::string StripUrls(const std::string& text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 7, "http://") == 0 || text.compare(i, 8, "https://") == 0) {
      while (i < text.size() && IsUrlChar(text[i])) ++i;
      continue;
    }
    out.push_back(text[i++]);
  }
  return out;
}

// Drops ASCII whitespace, U+00A0 and U+3000.
std::string DropSpaces(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') continue;
    if (text.compare(i, 2, "\xC2\xA0") == 0) {
      ++i;
      continue;
    }
    if (text.compare(i, 3, "\xE3\x80\x80") == 0) {
      i += 2;
      continue;
    }
    out.push_back(c);
  }
  return out;
}

bool PublicV4(const unsigned char* a) {
  const auto in = [&](unsigned net0, unsigned net1, int bits) {
    const uint32_t ip = (uint32_t{a[0]} << 24) | (uint32_t{a[1]} << 16) | (a[2] << 8) | a[3];
    const uint32_t net = (net0 << 24) | (net1 << 16);
    const uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
    return (ip & mask) == (net & mask);
  };
  return !(in(0, 0, 8) || in(10, 0, 8) || in(100, 64, 10) || in(127, 0, 8) || in(169, 254, 16) ||
           in(172, 16, 12) || in(192, 168, 16) || in(198, 18, 15) ||
           (a[0] == 192 && a[1] == 0 && a[2] == 0) || a[0] >= 224);
}

}  // namespace

std::string MatchKey(const std::string& text) { return DropSpaces(StripTopics(StripUrls(text))); }

std::optional<TimeMs> ParseCreatedAt(const Json& created_at) {
  if (created_at.is_number_integer()) return created_at.get<int64_t>() * 1000;
  if (!created_at.is_string()) return std::nullopt;
  const std::string s = created_at.get<std::string>();
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos && s.size() < 15) {
    return std::stoll(s) * 1000;
  }
  char wday[4] = {}, mon[4] = {}, zone[6] = {};
  int day = 0, hh = 0, mm = 0, ss = 0, year = 0;
  if (std::sscanf(s.c_str(), "%3s %3s %d %d:%d:%d %5s %d", wday, mon, &day, &hh, &mm, &ss, zone,
                  &year) != 8) {
    return std::nullopt;
  }
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int month = 0;
  for (int m = 0; m < 12; ++m) {
    if (std::strcmp(mon, kMonths[m]) == 0) month = m + 1;
  }
  const std::string z = zone;
  if (month == 0 || z.size() != 5 || (z[0] != '+' && z[0] != '-') ||
      z.find_first_not_of("0123456789", 1) != std::string::npos) {
    return std::nullopt;
  }
  const int offset_min =
      (std::stoi(z.substr(1, 2)) * 60 + std::stoi(z.substr(3, 2))) * (z[0] == '-' ? -1 : 1);
  const int64_t days = DaysFromCivil(CivilDate{year, month, day});
  const int64_t secs = days * 86400 + hh * 3600 + mm * 60 + ss - offset_min * 60;
  return secs * 1000;
}

bool IsPublicAddress(const std::string& ip) {
  unsigned char a[16];
  if (inet_pton(AF_INET, ip.c_str(), a) == 1) return PublicV4(a);
  if (inet_pton(AF_INET6, ip.c_str(), a) != 1) return false;
  static const unsigned char kZero[16] = {};
  if (std::memcmp(a, kZero, 15) == 0 && (a[15] == 0 || a[15] == 1)) return false;  // :: and ::1
  if (std::memcmp(a, kZero, 10) == 0 && a[10] == 0xff && a[11] == 0xff) return PublicV4(a + 12);
  if ((a[0] & 0xfe) == 0xfc) return false;                  // fc00::/7 unique local
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return false;  // fe80::/10 link-local
  if (a[0] == 0xff) return false;                           // multicast
  return (a[0] & 0xe0) == 0x20;                             // 2000::/3 global unicast
}

std::unique_ptr<Client> NewClient(const ClientDeps& deps) {
  return std::make_unique<WeiboClient>(deps);
}

}  // namespace gd::channels::weibo
