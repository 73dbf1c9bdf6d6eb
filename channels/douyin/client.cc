#include "channels/douyin/client.h"

#include "channels/client_support.h"
#include "dispatcher/core/log.h"

namespace gd::channels::douyin {
namespace {

constexpr const char* kLabel = "抖音";
// create_video's answer to a video_id that is unknown or already used.
constexpr const char* kVideoIdRefused = "2100005";

bool IsTokenCode(int c) { return c == 28001008 || c == 2190008 || c == 10008 || c == 28001003; }

Status MapError(int c, const std::string& msg, TimeMs now) {
  std::string code = std::to_string(c);
  auto err = [&](Code k, const char* text, std::string reason = "platform_error") {
    return support::PlatformError(k, kLabel, code, msg, text, std::move(reason));
  };
  switch (c) {
    case 28001005:
    case 28001006:
    case 2100004:
      return err(Code::kUnavailable, "平台繁忙，稍后重试");
    case 28003017:
    case 2190001:
      // The day's quota: retrying before 0:00 only spends calls.
      return support::WithRetryAfter(
          err(Code::kResourceExhausted, "接口调用额度已用完，次日 0 时恢复"),
          support::MsUntilNextCstMidnight(now));
    case 28003018:
      // The platform does not say how long: the engine's backoff decides.
      return err(Code::kResourceExhausted, "调用频率过高，请稍后再试");
    case 28001008:
    case 2190008:
    case 10008:
    case 28001003:
      return err(Code::kUnauthenticated, "access_token 已过期，刷新后仍被拒绝，需要重新授权");
    case 10010:
      return err(Code::kUnauthenticated, "refresh_token 已过期，需要账号持有人重新授权");
    case 10020:
      return err(Code::kUnauthenticated, "refresh_token 刷新次数已达上限，需要重新授权");
    case 28001012:
    case 28001015:
      return err(Code::kUnauthenticated,
                 "用户未授权发布视频权限或授权与 open_id 不匹配，需要重新授权");
    case 28001014:
    case 28001018:
    case 28001019:
    case 28001016:
      return err(Code::kPermissionDenied, "应用未获得代替用户发布视频的能力，请改为人工发布",
                 "manual_handoff");
    case 2100005:
    case 28001007:
      return err(Code::kInvalidArgument, "参数不合法");
    default:
      return err(Code::kFailedPrecondition, "平台返回错误");
  }
}

class DouyinClient final : public Client {
 public:
  explicit DouyinClient(const ClientDeps& deps) : deps_(deps) {}

  StatusOr<PublishResult> Publish(const PublishJob& job, Progress& progress,
                                  const Checkpoint& checkpoint) override {
    Json& st = progress.state;
    if (st.contains("remote_id")) return Done(st);
    if (st.contains("item_id")) return Poll(job, progress, checkpoint);
    const Json& r = job.rendering;
    if (!st.contains("video_id")) {
      GD_ASSIGN_OR_RETURN(auto video, support::ReadMedia(job, r.value("video", "")));
      int64_t part = job.account->settings.value("part_size_bytes", int64_t{20} * 1024 * 1024);
      std::string video_id;
      if (static_cast<int64_t>(video.data.size()) <= part) {
        GD_ASSIGN_OR_RETURN(Json d, Call(job, "/api/douyin/v1/video/upload_video/", {}, "",
                                         {{"video", video.data, video.filename, "video/mp4"}}));
        video_id = d["video"].value("video_id", "");
      } else {
        GD_ASSIGN_OR_RETURN(
            Json init, Call(job, "/api/douyin/v1/video/init_video_part_upload/", {}, "{}", {}));
        std::string upload_id = init.value("upload_id", "");
        int n = 1;
        for (size_t off = 0; off < video.data.size(); off += part, ++n) {
          GD_RETURN_IF_ERROR(
              Call(job, "/api/douyin/v1/video/upload_video_part/",
                   {{"upload_id", upload_id}, {"part_number", std::to_string(n)}}, "",
                   {{"video", video.data.substr(off, part), video.filename, "video/mp4"}})
                  .status());
        }
        GD_ASSIGN_OR_RETURN(Json done, Call(job, "/api/douyin/v1/video/complete_video_part_upload/",
                                            {{"upload_id", upload_id}}, "{}", {}));
        video_id = done["video"].value("video_id", "");
      }
      if (video_id.empty()) return Unavailable("抖音：上传视频未返回 video_id");
      st["video_id"] = video_id;
      GD_RETURN_IF_ERROR(checkpoint(progress));
    }
    std::string cover = r.value("cover", "");
    if (!cover.empty() && !st.contains("cover_image_id")) {
      GD_ASSIGN_OR_RETURN(auto img, support::ReadMedia(job, cover));
      GD_ASSIGN_OR_RETURN(Json d, Call(job, "/api/douyin/v1/video/upload_image/", {}, "",
                                       {{"image", img.data, img.filename, img.ref->mime}}));
      st["cover_image_id"] = d["image"].value("image_id", "");
      GD_RETURN_IF_ERROR(checkpoint(progress));
    }
    // create_video consumes the video_id (docs/channels-protocols.md §3.4): sending it again after
    // an answer was lost cannot post twice — the platform refuses the used id, and only then is the
    // list searched for the earlier call's video.
    const bool resumed = support::InflightStep(progress) == "create_video";
    const TimeMs first_call_at =
        resumed ? st["inflight"].value("at", deps_.clock->Now()) : deps_.clock->Now();
    Json body = {{"video_id", st["video_id"]}, {"text", r.value("text", "")}};
    if (st.contains("cover_image_id")) body["custom_cover_image_url"] = st["cover_image_id"];
    GD_RETURN_IF_ERROR(support::BeginStep(progress, checkpoint, "create_video", first_call_at));
    auto created = Call(job, "/api/douyin/v1/video/create_video/", {}, DumpJson(body), {});
    if (!created.ok()) {
      if (!resumed) return support::StepFailed(progress, checkpoint, created.status());
      if (created.status().details().value("code", "") == kVideoIdRefused) {
        GD_ASSIGN_OR_RETURN(ReconcileResult rec, Reconcile(job, progress));
        if (rec.kind == ReconcileResult::Kind::kFound) {
          st["item_id"] = rec.remote_id;
          GD_RETURN_IF_ERROR(support::EndStep(progress, checkpoint));
          return Poll(job, progress, checkpoint);
        }
        return Unavailable("抖音：上次提交的视频暂未在作品列表中查到，稍后再查");
      }
      // This call's refusal says nothing about the earlier one: that one stays outstanding.
      return created.status();
    }
    st["item_id"] = created->value("item_id", "");
    GD_RETURN_IF_ERROR(support::EndStep(progress, checkpoint));
    PublishResult out;
    out.kind = PublishResult::Kind::kAwaiting;
    out.poll_after_ms = job.account->settings.value("poll_interval_ms", 30000);
    out.note = "平台审核中";
    return out;
  }

  StatusOr<PublishResult> Poll(const PublishJob& job, Progress& progress,
                               const Checkpoint& checkpoint) override {
    Json& st = progress.state;
    if (st.contains("remote_id")) return Done(st);
    if (!st.contains("item_id")) return Publish(job, progress, checkpoint);
    GD_ASSIGN_OR_RETURN(Json d, Call(job, "/api/douyin/v1/video/video_data/", {},
                                     DumpJson(Json{{"item_ids", {st["item_id"]}}}), {}));
    const Json& list = d.contains("list") ? d["list"] : Json::array();
    if (list.empty()) return Unavailable("抖音：暂未查到该视频，稍后再查");
    const Json& item = list[0];
    if (item.value("video_status", 0) == 4) {
      return support::PlatformError(Code::kFailedPrecondition, kLabel, "video_status=4",
                                    item.value("status_reason", ""), "视频未通过平台审核",
                                    "platform_rejected");
    }
    if (!item.value("is_reviewed", false)) {
      PublishResult out;
      out.kind = PublishResult::Kind::kAwaiting;
      out.poll_after_ms = job.account->settings.value("poll_interval_ms", 30000);
      out.note = "平台审核中";
      return out;
    }
    st["remote_id"] = st["item_id"];
    st["remote_url"] = item.value("share_url", "");
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
    std::string item_id = st.value("item_id", "");
    std::string video_id = st.value("video_id", "");
    if (item_id.empty() && video_id.empty()) {
      out.kind = ReconcileResult::Kind::kNotFound;
      return out;
    }
    // Newest first, back to the time of the call being looked for (less a minute of clock
    // skew): a video listed as older cannot be its result.
    const TimeMs since = st.contains("inflight") ? st["inflight"].value("at", TimeMs{0}) : 0;
    int64_t cursor = 0;
    for (int page = 0; page < 10; ++page) {
      GD_ASSIGN_OR_RETURN(Json d, support::RetryRead([&] {
                            return Call(job, "/api/douyin/v1/video/video_list/",
                                        {{"cursor", std::to_string(cursor)}, {"count", "20"}}, "",
                                        {}, "GET");
                          }));
      bool older_than_call = false;
      for (const auto& item : d.value("list", Json::array())) {
        if (since > 0 && item.value("create_time", int64_t{0}) * 1000 + 60000 < since)
          older_than_call = true;
        if ((!item_id.empty() && item.value("item_id", "") == item_id) ||
            (!video_id.empty() && item.value("video_id", "") == video_id)) {
          out.kind = ReconcileResult::Kind::kFound;
          out.remote_id = item.value("item_id", "");
          out.remote_url = item.value("share_url", "");
          out.pending = !item.value("is_reviewed", false);
          return out;
        }
      }
      if (!d.value("has_more", false) || older_than_call) break;
      cursor = d.value("cursor", int64_t{0});
    }
    out.kind = ReconcileResult::Kind::kNotFound;
    return out;
  }

  Status Withdraw(const PublishJob&, const std::string& remote_id) override {
    return FailedPrecondition(
        "抖音开放平台没有删除视频的接口，请在抖音 App 或创作者中心手动删除视频 " + remote_id,
        "manual_withdrawal");
  }

  Status CheckCredentials(const Account& account, const SecretSource& secrets) override {
    PublishJob job;
    job.account = &account;
    job.secrets = secrets;
    return Call(job, "/api/douyin/v1/video/video_list/", {{"cursor", "0"}, {"count", "1"}}, "", {},
                "GET")
        .status();
  }

 private:
  static PublishResult Done(const Json& st) {
    PublishResult out;
    out.kind = PublishResult::Kind::kPublished;
    out.remote_id = st["remote_id"].get<std::string>();
    out.remote_url = st.value("remote_url", "");
    return out;
  }

  StatusOr<Token> Refresh(const PublishJob& job, const std::optional<Token>& current) {
    GD_ASSIGN_OR_RETURN(std::string client_key,
                        support::SettingField(*job.account, "client_key", kLabel));
    GD_ASSIGN_OR_RETURN(Json secrets, job.secrets());
    std::string refresh = current ? current->refresh_token : "";
    if (refresh.empty()) {
      GD_ASSIGN_OR_RETURN(refresh, support::SecretField(secrets, "refresh_token", kLabel));
    }
    HttpRequest req;
    req.method = "POST";
    req.url = support::BaseUrl(*job.account) + "/oauth/refresh_token/";
    req.content_type = "application/x-www-form-urlencoded";
    req.body = BuildQuery(
        {{"client_key", client_key}, {"grant_type", "refresh_token"}, {"refresh_token", refresh}});
    req.timeout_ms = deps_.timeout_ms;
    auto resp = deps_.transport->Send(req);
    if (!resp.ok()) return support::TransportError(kLabel, resp.status());
    GD_ASSIGN_OR_RETURN(Json j, support::ParseBody(kLabel, *resp));
    const Json& d = j.contains("data") ? j["data"] : Json::object();
    int code = d.value("error_code", 0);
    if (code != 0) return MapError(code, d.value("description", ""), deps_.clock->Now());
    Token t;
    t.access_token = d.value("access_token", "");
    t.refresh_token = d.value("refresh_token", refresh);
    t.issued_at = deps_.clock->Now();
    t.expires_at = t.issued_at + d.value("expires_in", 1296000) * int64_t{1000};
    if (t.access_token.empty()) return support::BadResponse(kLabel, *resp);
    log::Info("douyin: account {} refreshed its access token", job.account->id);
    return t;
  }

  StatusOr<Json> Call(const PublishJob& job, const std::string& path,
                      std::vector<std::pair<std::string, std::string>> query,
                      const std::string& json_body, std::vector<HttpPart> parts,
                      const std::string& method = "POST") {
    GD_ASSIGN_OR_RETURN(std::string open_id,
                        support::SettingField(*job.account, "open_id", kLabel));
    query.insert(query.begin(), {"open_id", open_id});
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
      HttpRequest req;
      req.method = method;
      req.url = support::BaseUrl(*job.account) + path + "?" + BuildQuery(query);
      req.headers = {{"access-token", token.access_token}};
      req.timeout_ms = deps_.timeout_ms;
      if (!parts.empty()) {
        req.parts = parts;
      } else if (method == "POST") {
        req.body = json_body.empty() ? "{}" : json_body;
        req.content_type = "application/json";
      }
      auto resp = deps_.transport->Send(req);
      if (!resp.ok()) return support::TransportError(kLabel, resp.status());
      auto j = ParseJson(resp->body);
      if (!j.ok() || !j->is_object()) return support::BadResponse(kLabel, *resp);
      const Json& d =
          j->contains("data") && (*j)["data"].is_object() ? (*j)["data"] : Json::object();
      const Json& e =
          j->contains("extra") && (*j)["extra"].is_object() ? (*j)["extra"] : Json::object();
      int code = d.value("error_code", 0);
      if (code == 0) code = e.value("error_code", 0);
      if (code == 0) code = e.value("sub_error_code", 0);
      if (code == 0 && resp->status == 200) return d;
      if (code == 0) return support::BadResponse(kLabel, *resp);
      if (IsTokenCode(code) && attempt == 0) {
        deps_.tokens->Invalidate(job.account->id, token.access_token);
        continue;
      }
      std::string msg = d.value("description", "");
      if (msg.empty()) msg = e.value("description", "");
      return MapError(code, msg, deps_.clock->Now());
    }
  }

  ClientDeps deps_;
};

}  // namespace

std::unique_ptr<Client> NewClient(const ClientDeps& deps) {
  return std::make_unique<DouyinClient>(deps);
}

}  // namespace gd::channels::douyin
