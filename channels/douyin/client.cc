#include "channels/douyin/client.h"

#include "channels/client_support.h"
#include "dispatcher/core/log.h"

namespace gd::channels::douyin {
namespace {

constexpr const char* kLabel = "抖音";
// create_video's answer to a video_id that is unknown or already used.
constexpr const char* kVideoIdRefused = "2100005";

// Renew the refresh token (30 days, [D4]) once less than this is left: an access token lives 15
// days, so the next refresh may come that much later.
constexpr TimeMs kRenewBeforeMs = TimeMs{16} * 24 * 3600 * 1000;
// How long a video the platform accepted may stay out of the author's list before a person is
// asked (no source gives a review time).
constexpr TimeMs kReviewWaitMs = TimeMs{24} * 3600 * 1000;

// What the list says about a video. Since 2024-12-13 [D1] video_status and is_reviewed are not
// returned: a listed video then counts as published (its review outcome is the person's to check).
enum class VideoState { kPublic, kUnderReview, kNotSuitable };
VideoState StateOf(const Json& item) {
  if (!item.contains("video_status") || !item["video_status"].is_number_integer()) {
    return VideoState::kPublic;
  }
  switch (item["video_status"].get<int>()) {
    case 2:
      return VideoState::kNotSuitable;
    case 4:
      return VideoState::kUnderReview;
    default:  // 1 (before the 5/6/7 refinement), 5 public, 6 friends, 7 private
      return VideoState::kPublic;
  }
}

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
      GD_ASSIGN_OR_RETURN(auto video, support::LocateMedia(job, r.value("video", "")));
      int64_t part = std::max<int64_t>(
          1, job.account->settings.value("part_size_bytes", int64_t{20} * 1024 * 1024));
      std::string video_id;
      if (video.size <= part) {
        GD_ASSIGN_OR_RETURN(
            Json d, Call(job, "/api/douyin/v1/video/upload_video/", {}, "",
                         {{"video", "", video.filename, "video/mp4", video.Range(0, video.size)}}));
        video_id = d["video"].value("video_id", "");
      } else {
        GD_ASSIGN_OR_RETURN(
            Json init, Call(job, "/api/douyin/v1/video/init_video_part_upload/", {}, "{}", {}));
        std::string upload_id = init.value("upload_id", "");
        int n = 1;
        for (int64_t off = 0; off < video.size; off += part, ++n) {
          GD_RETURN_IF_ERROR(
              Call(job, "/api/douyin/v1/video/upload_video_part/",
                   {{"upload_id", upload_id}, {"part_number", std::to_string(n)}}, "",
                   {{"video", "", video.filename, "video/mp4", video.Range(off, part)}})
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
          st["created_at"] = first_call_at;
          GD_RETURN_IF_ERROR(support::EndStep(progress, checkpoint));
          return Poll(job, progress, checkpoint);
        }
        return support::UnknownOutcome(
            progress, checkpoint, Unavailable("抖音：上次提交的视频暂未在作品列表中查到，稍后再查"),
            "抖音：上次提交视频时平台的应答丢失，重试时平台表示该视频已被使用，但作品列表中查不到"
            "对应作品；请在抖音 App 中确认视频是否已发布");
      }
      // This call's refusal says nothing about the earlier one: that one stays outstanding.
      return created.status();
    }
    st["item_id"] = created->value("item_id", "");
    st["created_at"] = deps_.clock->Now();
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
    const Json& list = d.contains("list") && d["list"].is_array() ? d["list"] : Json::array();
    if (list.empty() || !list[0].is_object()) return Wait(job, progress, "作品列表中暂未出现");
    const Json& item = list[0];
    switch (StateOf(item)) {
      case VideoState::kNotSuitable:
        return support::PlatformError(Code::kFailedPrecondition, kLabel, "video_status=2",
                                      item.value("status_reason", ""), "视频被平台判定为不适宜公开",
                                      "platform_rejected");
      case VideoState::kUnderReview:
        return Wait(job, progress, "平台审核中");
      case VideoState::kPublic:
        break;
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
          out.pending = StateOf(item) != VideoState::kPublic;
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
  // The video was accepted (it has an item_id and is never sent again) but is not listed as
  // public yet: poll again until the review wait is over, then ask a person.
  StatusOr<PublishResult> Wait(const PublishJob& job, const Progress& progress,
                               const std::string& note) {
    const Json& st = progress.state;
    const TimeMs since = st.value("created_at", deps_.clock->Now());
    if (deps_.clock->Now() - since >= kReviewWaitMs) {
      return support::NeedsDecision("抖音：视频已提交（item_id " + st.value("item_id", "") +
                                    "），但 24 小时内未在作品列表中出现；请在抖音 "
                                    "App 中确认该视频是否已发布");
    }
    PublishResult out;
    out.kind = PublishResult::Kind::kAwaiting;
    out.poll_after_ms = job.account->settings.value("poll_interval_ms", 30000);
    out.note = note;
    return out;
  }

  static PublishResult Done(const Json& st) {
    PublishResult out;
    out.kind = PublishResult::Kind::kPublished;
    out.remote_id = st["remote_id"].get<std::string>();
    out.remote_url = st.value("remote_url", "");
    return out;
  }

  // POSTs a form to one of the /oauth/ endpoints and returns its `data` (error codes mapped).
  StatusOr<Json> OAuthForm(const PublishJob& job, const std::string& path,
                           const std::vector<std::pair<std::string, std::string>>& form) {
    HttpRequest req;
    req.method = "POST";
    req.url = support::BaseUrl(*job.account) + path;
    req.content_type = "application/x-www-form-urlencoded";
    req.body = BuildQuery(form);
    req.timeout_ms = deps_.timeout_ms;
    auto resp = deps_.transport->Send(req);
    if (!resp.ok()) return support::TransportError(kLabel, resp.status());
    GD_ASSIGN_OR_RETURN(Json j, support::ParseBody(kLabel, *resp));
    Json d = j.contains("data") && j["data"].is_object() ? j["data"] : Json::object();
    int code = d.value("error_code", 0);
    if (code != 0) return MapError(code, d.value("description", ""), deps_.clock->Now());
    return d;
  }

  // Renews the refresh token when less than kRenewBeforeMs of it is left ([D5][D6]). The new
  // refresh token is returned as its own token (with the access token it came with), so the cache
  // stores it before anything uses it: the platform voids the old one. nullopt: no renewal due,
  // or the platform refused it with 10020 (renewals spent; the operator is reminded through
  // refresh_expires_at as it nears).
  StatusOr<std::optional<Token>> MaybeRenew(const PublishJob& job, const std::string& client_key,
                                            const std::optional<Token>& current) {
    const TimeMs now = deps_.clock->Now();
    if (!current || current->refresh_token.empty() || current->refresh_expires_at == 0 ||
        current->refresh_expires_at - now > kRenewBeforeMs || current->refresh_expires_at <= now) {
      return std::optional<Token>();
    }
    auto d = OAuthForm(job, "/oauth/renew_refresh_token/",
                       {{"client_key", client_key}, {"refresh_token", current->refresh_token}});
    if (!d.ok()) {
      if (d.status().details().value("code", "") == "10020") {
        log::Warn("douyin: account {} has no refresh-token renewals left", job.account->id);
        return std::optional<Token>();
      }
      return d.status();
    }
    std::string renewed = d->value("refresh_token", "");
    if (renewed.empty()) return Unavailable("抖音：续期 refresh_token 未返回新的 refresh_token");
    Token t = *current;
    t.refresh_token = renewed;
    t.refresh_expires_at = now + d->value("expires_in", int64_t{2592000}) * 1000;
    if (t.issued_at == 0) t.issued_at = now;
    log::Info("douyin: account {} renewed its refresh token", job.account->id);
    return std::optional<Token>(t);
  }

  StatusOr<Token> Refresh(const PublishJob& job, const std::optional<Token>& current) {
    GD_ASSIGN_OR_RETURN(std::string client_key,
                        support::SettingField(*job.account, "client_key", kLabel));
    GD_ASSIGN_OR_RETURN(auto renewed, MaybeRenew(job, client_key, current));
    if (renewed) return *renewed;
    GD_ASSIGN_OR_RETURN(Json secrets, job.secrets());
    std::string refresh = current ? current->refresh_token : "";
    if (refresh.empty()) {
      GD_ASSIGN_OR_RETURN(refresh, support::SecretField(secrets, "refresh_token", kLabel));
    }
    GD_ASSIGN_OR_RETURN(Json d, OAuthForm(job, "/oauth/refresh_token/",
                                          {{"client_key", client_key},
                                           {"grant_type", "refresh_token"},
                                           {"refresh_token", refresh}}));
    Token t;
    t.access_token = d.value("access_token", "");
    t.refresh_token = d.value("refresh_token", refresh);
    t.issued_at = deps_.clock->Now();
    t.expires_at = t.issued_at + d.value("expires_in", 1296000) * int64_t{1000};
    if (d.contains("refresh_expires_in")) {
      t.refresh_expires_at = t.issued_at + d.value("refresh_expires_in", int64_t{0}) * 1000;
    } else if (current) {
      t.refresh_expires_at = current->refresh_expires_at;
    }
    if (t.access_token.empty())
      return Unavailable("抖音：刷新 access_token 未返回新的 access_token");
    log::Info("douyin: account {} refreshed its access token", job.account->id);
    return t;
  }

  StatusOr<Token> GetToken(const PublishJob& job) {
    return deps_.tokens->Get(
        job.account->id, [&](const std::optional<Token>& cur) { return Refresh(job, cur); },
        [&]() -> std::optional<Token> {
          auto s = job.secrets();
          if (!s.ok() || !s->is_object() || !s->contains("access_token")) return std::nullopt;
          Token t;
          t.access_token = s->value("access_token", "");
          t.refresh_token = s->value("refresh_token", "");
          return t;
        });
  }

  StatusOr<Json> Call(const PublishJob& job, const std::string& path,
                      std::vector<std::pair<std::string, std::string>> query,
                      const std::string& json_body, std::vector<HttpPart> parts,
                      const std::string& method = "POST") {
    GD_ASSIGN_OR_RETURN(std::string open_id,
                        support::SettingField(*job.account, "open_id", kLabel));
    query.insert(query.begin(), {"open_id", open_id});
    std::string rejected;
    for (int attempt = 0;; ++attempt) {
      GD_ASSIGN_OR_RETURN(Token token, GetToken(job));
      if (token.access_token == rejected ||
          (token.expires_at != 0 && token.expires_at <= deps_.clock->Now())) {
        // The fetch only renewed the refresh token (stored by now): refresh the access token.
        deps_.tokens->Invalidate(job.account->id, token.access_token);
        GD_ASSIGN_OR_RETURN(token, GetToken(job));
      }
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
        rejected = token.access_token;
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
