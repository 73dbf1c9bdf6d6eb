#include "channels/weibo/client.h"

#include "channels/client_support.h"

namespace gd::channels::weibo {
namespace {

constexpr const char* kLabel = "新浪微博";
// How long a post answered with 20032 may take to appear before it is sent again.
constexpr TimeMs kSlowShareWindowMs = 10 * 60 * 1000;

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
      GD_ASSIGN_OR_RETURN(ReconcileResult rec, Reconcile(job, progress));
      if (rec.kind == ReconcileResult::Kind::kFound) return Record(progress, checkpoint, rec);
      if (rec.kind == ReconcileResult::Kind::kUnknown) {
        return Unavailable("新浪微博：无法确认上次发布是否成功，稍后再查");
      }
      // After 20032 the post exists but may take minutes to show: wait before sending again.
      if (st.contains("slow_since") &&
          deps_.clock->Now() - st["slow_since"].get<TimeMs>() < kSlowShareWindowMs) {
        return SlowShare(*job.account);
      }
      st.erase("slow_since");
    }
    GD_ASSIGN_OR_RETURN(Json secrets, job.secrets());
    GD_ASSIGN_OR_RETURN(std::string token, support::SecretField(secrets, "access_token", kLabel));
    std::string text = job.rendering.value("text", "");
    std::string rip = job.account->settings.value("rip", "127.0.0.1");
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
    if (!resp.ok()) {
      std::string code = resp.status().details().value("code", "");
      if (code == "20019" || code == "20017" || code == "20111") {
        // The platform already has this text: our earlier share went through.
        GD_ASSIGN_OR_RETURN(ReconcileResult rec, Reconcile(job, progress));
        if (rec.kind == ReconcileResult::Kind::kFound) return Record(progress, checkpoint, rec);
        // The platform has this text, so it is not sent again; the post is looked for again on
        // the next attempt (a person sees this message if it never shows up).
        return Unavailable(
            "新浪微博：平台提示内容重复（上次发布应已成功），但在最近的微博中暂未找到，稍后再查");
      }
      if (code == "20032") {
        // "Update success, server slow": posted; find it on the timeline later
        // (docs/channels-protocols.md §2.6). The step stays in flight so a resend only happens if
        // it never shows up.
        st["slow_since"] = deps_.clock->Now();
        GD_RETURN_IF_ERROR(checkpoint(progress));
        return SlowShare(*job.account);
      }
      // The platform refused the post (limits, validation, audit, authorisation): nothing was
      // posted, so the next attempt need not read the timeline first (those calls count
      // against the same quota).
      return support::StepFailed(progress, checkpoint, resp.status());
    }
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
    HttpRequest req;
    req.url = support::BaseUrl(*job.account) + "/2/statuses/user_timeline.json?" +
              BuildQuery({{"access_token", token}, {"count", "100"}, {"trim_user", "0"}});
    req.timeout_ms = deps_.timeout_ms;
    GD_ASSIGN_OR_RETURN(Json resp, Send(req));
    std::string want = StripTopics(job.rendering.value("text", ""));
    for (const auto& s : resp.value("statuses", Json::array())) {
      if (StripTopics(s.value("text", "")) == want) {
        out.kind = ReconcileResult::Kind::kFound;
        out.remote_id = support::IdString(s.value("idstr", Json()));
        out.remote_url = PostUrl(*job.account, s, out.remote_id);
        return out;
      }
    }
    out.kind = ReconcileResult::Kind::kNotFound;
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
    return Status::Ok();
  }

 private:
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

std::unique_ptr<Client> NewClient(const ClientDeps& deps) {
  return std::make_unique<WeiboClient>(deps);
}

}  // namespace gd::channels::weibo
