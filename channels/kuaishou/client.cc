#include "channels/kuaishou/client.h"

#include "channels/client_support.h"
#include "dispatcher/core/log.h"

namespace gd::channels::kuaishou {
namespace {

constexpr const char* kLabel = "快手";
constexpr int kTokenInvalid = 100200102;
constexpr int kUploadTokenInvalid = 100400001;  // upload_token unknown, expired or used
// photo/info right after photo/publish: the video does not exist yet (unconfirmed, issue 14).
constexpr const char* kNotYetVisible = "100120001";
// How long after publish a video may stay invisible before a person is asked.
constexpr TimeMs kInvisibleWindowMs = 30 * 60 * 1000;

// The video's page. play_url is a CDN stream, not a page; the answer's share URL when it has one,
// else the web page of the photo id (the address pattern is unconfirmed:
// docs/channels-protocols.md, Conformance table, Kuaishou).
std::string PageUrl(const Json& info, const std::string& photo_id) {
  const Json share = info.value("share_url", Json());
  if (share.is_string() && !share.get<std::string>().empty()) return share.get<std::string>();
  return "https://www.kuaishou.com/short-video/" + photo_id;
}

Status MapError(int result, const std::string& msg) {
  std::string code = std::to_string(result);
  auto err = [&](Code k, const char* text, std::string reason = "platform_error") {
    return support::PlatformError(k, kLabel, code, msg, text, std::move(reason));
  };
  switch (result) {
    case kTokenInvalid:
      return err(Code::kUnauthenticated, "access_token 无效，刷新后仍被拒绝，需要重新授权");
    case 100200101:
      return err(Code::kUnauthenticated, "app_id 或 app_secret 校验失败，请核对应用密钥");
    case 100200103:
      return err(Code::kUnauthenticated, "refresh_token 无效或已过期，需要账号持有人重新授权");
    case 100200104:
      return err(Code::kPermissionDenied,
                 "用户未授权发布视频（user_video_publish），请改为人工发布", "manual_handoff");
    case 100200100:
      return err(Code::kInvalidArgument, "参数不合法");
    default:
      return err(Code::kFailedPrecondition, "平台返回错误");
  }
}

class KuaishouClient final : public Client {
 public:
  explicit KuaishouClient(const ClientDeps& deps) : deps_(deps) {}

  StatusOr<PublishResult> Publish(const PublishJob& job, Progress& progress,
                                  const Checkpoint& checkpoint) override {
    Json& st = progress.state;
    if (st.contains("remote_id")) return Done(st);
    if (st.contains("photo_id")) return Poll(job, progress, checkpoint);
    const Json& r = job.rendering;
    if (!st.value("uploaded", false)) {
      GD_ASSIGN_OR_RETURN(auto video, support::LocateMedia(job, r.value("video", "")));
      // The upload token is kept once issued: a failed upload is retried with it, without
      // asking for a new one (each call counts against the same rate limit).
      if (!st.contains("upload_token") || !st.contains("endpoint")) {
        GD_ASSIGN_OR_RETURN(Json start, Call(job, "POST", "/openapi/photo/start_upload", {}, {}));
        std::string token = start.value("upload_token", "");
        std::string endpoint = start.value("endpoint", "");
        if (token.empty() || endpoint.empty())
          return Unavailable("快手：start_upload 未返回上传地址");
        st["upload_token"] = token;
        st["endpoint"] = endpoint;
        GD_RETURN_IF_ERROR(checkpoint(progress));
      }
      Status uploaded = UploadVideo(job, st["endpoint"].get<std::string>(),
                                    st["upload_token"].get<std::string>(), video);
      if (!uploaded.ok()) {
        if (uploaded.details().value("code", "") == std::to_string(kUploadTokenInvalid)) {
          // Expired or already used: the next attempt starts a new upload.
          st.erase("upload_token");
          st.erase("endpoint");
          GD_RETURN_IF_ERROR(checkpoint(progress));
          return Unavailable("快手：上传凭证已失效，将重新申请上传");
        }
        return uploaded;
      }
      st["uploaded"] = true;
      GD_RETURN_IF_ERROR(checkpoint(progress));
    }
    if (!support::InflightStep(progress).empty()) {
      st["lost_answer"] = true;
      GD_ASSIGN_OR_RETURN(ReconcileResult rec, Reconcile(job, progress));
      if (rec.kind == ReconcileResult::Kind::kFound) {
        st["photo_id"] = rec.remote_id;
        st["published_at"] = deps_.clock->Now();
        GD_RETURN_IF_ERROR(support::EndStep(progress, checkpoint));
        return Poll(job, progress, checkpoint);
      }
      // The earlier publish took the upload_token: the video exists but is not listed yet.
      if (st.value("token_used", false)) return AwaitVisible(job, progress);
      // Not listed (a new video can stay invisible for a while): publishing again with the same
      // single-use upload_token cannot make a second video.
    }
    std::vector<HttpPart> parts = {{"caption", r.value("caption", ""), "", ""}};
    std::string cover = r.value("cover", "");
    if (!cover.empty()) {
      GD_ASSIGN_OR_RETURN(auto img, support::ReadMedia(job, cover));
      parts.push_back({"cover", img.data, img.filename, img.ref->mime});
    }
    GD_RETURN_IF_ERROR(support::BeginStep(progress, checkpoint, "publish", deps_.clock->Now()));
    auto resp = Call(job, "POST", "/openapi/photo/publish",
                     {{"upload_token", st["upload_token"].get<std::string>()}}, parts);
    if (!resp.ok()) return PublishFailed(job, progress, checkpoint, resp.status());
    const Json& info = resp->contains("video_info") ? (*resp)["video_info"] : Json::object();
    st["photo_id"] = support::IdString(info.value("photo_id", Json()));
    st["published_at"] = deps_.clock->Now();
    GD_RETURN_IF_ERROR(support::EndStep(progress, checkpoint));
    return Poll(job, progress, checkpoint);
  }

  StatusOr<PublishResult> Poll(const PublishJob& job, Progress& progress,
                               const Checkpoint& checkpoint) override {
    Json& st = progress.state;
    if (st.contains("remote_id")) return Done(st);
    if (!st.contains("photo_id")) return Publish(job, progress, checkpoint);
    std::string photo_id = st["photo_id"].get<std::string>();
    auto got = Call(job, "GET", "/openapi/photo/info", {{"photo_id", photo_id}}, {});
    if (!got.ok() && got.status().details().value("code", "") == kNotYetVisible) {
      return NotYetVisible(job, progress, photo_id);
    }
    GD_ASSIGN_OR_RETURN(Json resp, std::move(got));
    const Json& info = resp.contains("video_info") ? resp["video_info"] : Json::object();
    if (info.value("audit_status", "") == "rejected") {
      return support::PlatformError(Code::kFailedPrecondition, kLabel, "audit_status=rejected",
                                    info.value("audit_msg", ""), "视频未通过平台审核",
                                    "platform_rejected");
    }
    if (info.value("pending", false)) {
      PublishResult out;
      out.kind = PublishResult::Kind::kAwaiting;
      out.poll_after_ms = job.account->settings.value("poll_interval_ms", 30000);
      out.note = "平台处理中";
      return out;
    }
    st["remote_id"] = photo_id;
    st["remote_url"] = PageUrl(info, photo_id);
    GD_RETURN_IF_ERROR(checkpoint(progress));
    return Done(st);
  }

  StatusOr<ReconcileResult> Reconcile(const PublishJob& job, const Progress& progress) override {
    const Json& st = progress.state;
    ReconcileResult out;
    if (st.contains("remote_id")) {
      out.kind = ReconcileResult::Kind::kFound;
      out.remote_id = st["remote_id"].get<std::string>();
      out.remote_url = st.value("remote_url", "");
      return out;
    }
    std::string want_photo = st.value("photo_id", "");
    std::string caption = job.rendering.value("caption", "");
    TimeMs since = st.contains("inflight") ? st["inflight"].value("at", TimeMs{0}) : 0;
    std::string cursor;
    for (int page = 0; page < 5; ++page) {
      std::vector<std::pair<std::string, std::string>> q = {{"count", "50"}};
      if (!cursor.empty()) q.emplace_back("cursor", cursor);
      GD_ASSIGN_OR_RETURN(Json resp, support::RetryRead([&] {
                            return Call(job, "GET", "/openapi/photo/list", q, {});
                          }));
      const Json& list = resp.contains("video_list") ? resp["video_list"] : Json::array();
      bool older_than_call = false;  // newest first: what follows predates the call
      for (const auto& v : list) {
        std::string id = support::IdString(v.value("photo_id", Json()));
        if (since > 0 && v.value("create_time", TimeMs{0}) + 60000 < since) older_than_call = true;
        bool match = want_photo.empty() ? v.value("caption", "") == caption &&
                                              v.value("create_time", TimeMs{0}) + 60000 >= since
                                        : id == want_photo;
        if (match) {
          out.kind = ReconcileResult::Kind::kFound;
          out.remote_id = id;
          out.remote_url = PageUrl(v, id);
          out.pending = v.value("pending", false);
          return out;
        }
        cursor = id;
      }
      if (list.size() < 50 || (want_photo.empty() && older_than_call)) break;
    }
    out.kind = ReconcileResult::Kind::kNotFound;
    return out;
  }

  Status Withdraw(const PublishJob& job, const std::string& remote_id) override {
    auto resp = Call(job, "POST", "/openapi/photo/delete", {{"photo_id", remote_id}}, {});
    if (!resp.ok() && resp.status().details().value("code", "") == "100400002") return Status::Ok();
    return resp.status();
  }

  Status CheckCredentials(const Account& account, const SecretSource& secrets) override {
    PublishJob job;
    job.account = &account;
    job.secrets = secrets;
    return Call(job, "GET", "/openapi/photo/count", {}, {}).status();
  }

 private:
  // photo/publish answered with an error. The single-use upload_token refused (100400001) after
  // an answer of ours was lost means the earlier publish took it: the video is looked for in the
  // listing until kInvisibleWindowMs after that publish began, then a person decides. On a first
  // attempt it only means the token expired: upload again.
  StatusOr<PublishResult> PublishFailed(const PublishJob& job, Progress& progress,
                                        const Checkpoint& checkpoint, const Status& failure) {
    Json& st = progress.state;
    if (failure.details().value("code", "") != std::to_string(kUploadTokenInvalid)) {
      return support::StepFailed(progress, checkpoint, failure);
    }
    if (st.value("lost_answer", false)) {
      st["token_used"] = true;  // the step stays in flight: only the listing settles it
      GD_RETURN_IF_ERROR(checkpoint(progress));
      return AwaitVisible(job, progress);
    }
    st.erase("upload_token");
    st.erase("endpoint");
    st.erase("uploaded");
    GD_RETURN_IF_ERROR(support::EndStep(progress, checkpoint));
    return Unavailable("快手：上传凭证已失效，将重新上传视频");
  }

  // A publish whose answer was lost took the upload_token, but the video is not listed yet:
  // awaited (polling the listing) within kInvisibleWindowMs of the publish, then a person.
  StatusOr<PublishResult> AwaitVisible(const PublishJob& job, const Progress& progress) {
    const Json& st = progress.state;
    const TimeMs since = st.contains("inflight") ? st["inflight"].value("at", deps_.clock->Now())
                                                 : deps_.clock->Now();
    if (deps_.clock->Now() - since >= kInvisibleWindowMs) {
      return support::NeedsDecision(
          "快手：上次发布请求未收到平台答复；平台提示上传凭证已被使用（视频应已提交），但超过 30 "
          "分钟仍未在账号作品列表中出现。请到快手账号核对：如已发布，请确认其链接；如未发布，请"
          "标记为未发布后重新发布");
    }
    PublishResult out;
    out.kind = PublishResult::Kind::kAwaiting;
    out.poll_after_ms = job.account->settings.value("poll_interval_ms", 30000);
    out.note = "平台处理中，视频暂未可见";
    return out;
  }

  // photo/info does not know the video yet (100120001) although photo/publish gave its id: it
  // is being processed. Waited for within kInvisibleWindowMs of the publish, never published
  // again; after that a person looks.
  StatusOr<PublishResult> NotYetVisible(const PublishJob& job, const Progress& progress,
                                        const std::string& photo_id) {
    const TimeMs since = progress.state.value("published_at", deps_.clock->Now());
    if (deps_.clock->Now() - since >= kInvisibleWindowMs) {
      return support::NeedsDecision(
          "快手：视频已提交发布（作品 ID " + photo_id +
          "），但平台超过 30 分钟仍查询不到该作品（100120001）。请到快手账号核对：如已发布，请"
          "确认其链接；如未发布，请标记为未发布后重新发布");
    }
    PublishResult out;
    out.kind = PublishResult::Kind::kAwaiting;
    out.poll_after_ms = job.account->settings.value("poll_interval_ms", 30000);
    out.note = "平台处理中，视频暂未可见";
    return out;
  }

  static PublishResult Done(const Json& st) {
    PublishResult out;
    out.kind = PublishResult::Kind::kPublished;
    out.remote_id = st["remote_id"].get<std::string>();
    out.remote_url = st.value("remote_url", "");
    return out;
  }

  // The platform's own busy (5xx) or rate-limit (429) answer, with its JSON error body: it
  // refused the request (transient), and says so with an HTTP status instead of a result code.
  static Status BusyAnswer(const HttpResponse& resp, const Json& body) {
    const bool limited = resp.status == 429;
    Status s = support::PlatformError(
        limited ? Code::kResourceExhausted : Code::kUnavailable, kLabel,
        "HTTP " + std::to_string(resp.status), body.value("error_msg", ""),
        limited ? "超过平台调用频次或配额限制，稍后重试" : "平台繁忙，稍后重试", "");
    const TimeMs wait = support::RetryAfterMs(resp);
    return wait > 0 ? support::WithRetryAfter(s, wait) : s;
  }

  // Sends the whole video to the upload host: directly under 10 MB (docs/channels-protocols.md
  // §4.2), else in fragments. The upload host is plain http:// by the platform's design.
  Status UploadVideo(const PublishJob& job, const std::string& endpoint, const std::string& token,
                     const support::MediaFile& video) {
    const std::string base = "http://" + endpoint;
    int64_t frag = std::max<int64_t>(
        1, job.account->settings.value("fragment_size_bytes", int64_t{10} * 1024 * 1024));
    const int64_t size = video.size;
    if (size <= frag && size < int64_t{10} * 1024 * 1024) {
      return Upload(base + "/api/upload?" + BuildQuery({{"upload_token", token}}),
                    video.Range(0, size));
    }
    int n = 0;
    for (int64_t off = 0; off < size; off += frag, ++n) {
      GD_RETURN_IF_ERROR(
          Upload(base + "/api/upload/fragment?" +
                     BuildQuery({{"upload_token", token}, {"fragment_id", std::to_string(n)}}),
                 video.Range(off, frag)));
    }
    return Upload(base + "/api/upload/complete?" +
                      BuildQuery({{"upload_token", token}, {"fragment_count", std::to_string(n)}}),
                  FileRange{});
  }

  // POSTs the file range `data` (none: an empty body) to the upload host.
  Status Upload(const std::string& url, const FileRange& data) {
    HttpRequest req;
    req.method = "POST";
    req.url = url;
    req.body_file = data;
    req.content_type = "video/mp4";
    req.timeout_ms = deps_.timeout_ms;
    auto resp = deps_.transport->Send(req);
    if (!resp.ok()) return support::TransportError(kLabel, resp.status());
    auto j = ParseJson(resp->body);
    if (!j.ok() || !j->is_object()) return support::BadResponse(kLabel, *resp);
    int result = j->value("result", 0);
    if (result == 1) return Status::Ok();
    // Busy (5xx) and rate-limit (429) answers on the upload host are transient, as elsewhere.
    if (resp->status >= 500 || resp->status == 429) return BusyAnswer(*resp, *j);
    return MapError(result, j->value("error_msg", ""));
  }

  StatusOr<Token> Refresh(const PublishJob& job, const std::optional<Token>& current) {
    GD_ASSIGN_OR_RETURN(std::string app_id, support::SettingField(*job.account, "app_id", kLabel));
    GD_ASSIGN_OR_RETURN(Json secrets, job.secrets());
    GD_ASSIGN_OR_RETURN(std::string app_secret,
                        support::SecretField(secrets, "app_secret", kLabel));
    std::string refresh = current ? current->refresh_token : "";
    if (refresh.empty()) {
      GD_ASSIGN_OR_RETURN(refresh, support::SecretField(secrets, "refresh_token", kLabel));
    }
    HttpRequest req;
    req.url = support::BaseUrl(*job.account) + "/oauth2/refresh_token?" +
              BuildQuery({{"app_id", app_id},
                          {"app_secret", app_secret},
                          {"refresh_token", refresh},
                          {"grant_type", "refresh_token"}});
    req.timeout_ms = deps_.timeout_ms;
    auto resp = deps_.transport->Send(req);
    if (!resp.ok()) return support::TransportError(kLabel, resp.status());
    GD_ASSIGN_OR_RETURN(Json j, support::ParseBody(kLabel, *resp));
    int result = j.value("result", 0);
    if (result != 1) {
      if (resp->status >= 500 || resp->status == 429) return support::BadResponse(kLabel, *resp);
      return MapError(result, j.value("error_msg", ""));
    }
    Token t;
    t.access_token = j.value("access_token", "");
    t.refresh_token = j.value("refresh_token", refresh);
    t.issued_at = deps_.clock->Now();
    t.expires_at = t.issued_at + j.value("expires_in", 172800) * int64_t{1000};
    t.refresh_expires_at =
        t.issued_at + j.value("refresh_token_expires_in", 15552000) * int64_t{1000};
    log::Info("kuaishou: account {} refreshed its access token", job.account->id);
    return t;
  }

  StatusOr<Json> Call(const PublishJob& job, const std::string& method, const std::string& path,
                      std::vector<std::pair<std::string, std::string>> query,
                      const std::vector<HttpPart>& parts) {
    GD_ASSIGN_OR_RETURN(std::string app_id, support::SettingField(*job.account, "app_id", kLabel));
    for (int attempt = 0;; ++attempt) {
      GD_ASSIGN_OR_RETURN(
          Token token,
          deps_.tokens->Get(
              job.account->id, [&](const std::optional<Token>& cur) { return Refresh(job, cur); },
              [&]() -> std::optional<Token> {
                auto s = job.secrets();
                if (!s.ok() || !s->is_object() || !s->contains("access_token")) return std::nullopt;
                Token t;
                t.access_token = s->value("access_token", "");
                t.refresh_token = s->value("refresh_token", "");
                return t;
              }));
      auto q = query;
      q.insert(q.begin(), {{"app_id", app_id}, {"access_token", token.access_token}});
      HttpRequest req;
      req.method = method;
      req.url = support::BaseUrl(*job.account) + path + "?" + BuildQuery(q);
      req.parts = parts;
      req.timeout_ms = deps_.timeout_ms;
      auto resp = deps_.transport->Send(req);
      if (!resp.ok()) return support::TransportError(kLabel, resp.status());
      auto j = ParseJson(resp->body);
      if (!j.ok() || !j->is_object()) return support::BadResponse(kLabel, *resp);
      int result = j->value("result", 0);
      if (result == 1) return j;
      if (resp->status >= 500 || resp->status == 429) return BusyAnswer(*resp, *j);
      if (result == kTokenInvalid && attempt == 0) {
        deps_.tokens->Invalidate(job.account->id, token.access_token);
        continue;
      }
      return MapError(result, j->value("error_msg", ""));
    }
  }

  ClientDeps deps_;
};

}  // namespace

std::unique_ptr<Client> NewClient(const ClientDeps& deps) {
  return std::make_unique<KuaishouClient>(deps);
}

}  // namespace gd::channels::kuaishou
