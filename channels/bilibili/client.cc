#include "channels/bilibili/client.h"

#include "channels/client_support.h"
#include "dispatcher/core/log.h"

namespace gd::channels::bilibili {
namespace {

constexpr const char* kLabel = "哔哩哔哩";
constexpr const char* kSubmitStep = "add_by_utoken";
// The answer to an upload_token that is unknown, expired or already used [L12].
constexpr const char* kTokenRefused = "127022";

// Archive states ([L7] addit_info.state; values as the main site documents them, unconfirmed for
// the open platform): 0 open; these end the review without publishing; others are in progress.
bool IsRejectedState(int s) { return s == -2 || s == -3 || s == -4 || s == -16 || s == -100; }

bool IsTokenCode(int c) { return c == 127000 || c == 127001; }

// [L12] status codes.
Status MapError(int c, const std::string& msg, const std::string& api) {
  std::string code = std::to_string(c);
  auto err = [&](Code k, const char* text, std::string reason = "platform_error") {
    return support::PlatformError(k, kLabel, code, msg, text, std::move(reason));
  };
  switch (c) {
    case 127201:
      return err(Code::kUnavailable, "平台繁忙，稍后重试");
    case 127009:
      return support::WithQuotaScope(
          err(Code::kResourceExhausted, "接口调用次数已达上限，请稍后再试"), api);
    case 127000:
    case 127001:
      return err(Code::kUnauthenticated, "access_token 无效或已过期，刷新后仍被拒绝，需要重新授权");
    case 122007:
      return err(Code::kUnauthenticated, "refresh_token 无效或已使用，需要账号持有人重新授权");
    case 122000:
    case 122001:
    case 127004:
    case 127012:
      return err(Code::kUnauthenticated,
                 "应用的 client_id 或 client_secret 不正确，请核对账号设置");
    case 127011:
      return err(Code::kUnauthenticated, "用户未授权该接口，需要账号持有人重新授权并勾选投稿权限");
    case 127005:
    case 127006:
    case 127007:
      return err(Code::kPermissionDenied, "应用未获得视频稿件投递能力，请改为人工发布",
                 "manual_handoff");
    case 127100:
      return err(Code::kInvalidArgument, "请求参数错误");
    case 127102:
      return err(Code::kInvalidArgument, "文件类型错误，视频须为平台支持的格式");
    case 127207:
      return err(Code::kInvalidArgument, "所选分区暂不可用，请更换分区");
    case 127022:
      return err(Code::kInvalidArgument, "upload_token 无效或已过期");
    case 127107:
      return err(Code::kNotFound, "稿件已经被删除");
    case 127124:
      return err(Code::kNotFound, "平台上不存在该稿件");
    default:
      return err(Code::kFailedPrecondition, "平台返回错误");
  }
}

std::string ArchiveUrl(const std::string& resource_id) {
  return "https://www.bilibili.com/video/" + resource_id;
}

class BilibiliClient final : public Client {
 public:
  explicit BilibiliClient(const ClientDeps& deps) : deps_(deps) {}

  StatusOr<PublishResult> Publish(const PublishJob& job, Progress& progress,
                                  const Checkpoint& checkpoint) override {
    Json& st = progress.state;
    if (st.contains("remote_id")) return Done(st);
    if (st.contains("resource_id")) return Poll(job, progress, checkpoint);
    const bool resumed = support::InflightStep(progress) == kSubmitStep;
    TimeMs first_call_at = deps_.clock->Now();
    if (resumed) {
      // The answer to add-by-utoken was lost: look before sending anything.
      first_call_at = st["inflight"].value("at", first_call_at);
      GD_ASSIGN_OR_RETURN(ReconcileResult rec, Reconcile(job, progress));
      if (rec.kind == ReconcileResult::Kind::kFound) {
        st["resource_id"] = rec.remote_id;
        st.erase("unknown_looks");
        GD_RETURN_IF_ERROR(support::EndStep(progress, checkpoint));
        return Poll(job, progress, checkpoint);
      }
      if (rec.kind == ReconcileResult::Kind::kUnknown || st.value("submit_refused", false)) {
        return NotListedYet(job, progress, checkpoint);
      }
    } else {
      GD_RETURN_IF_ERROR(Upload(job, progress, checkpoint));
    }
    const Json& r = job.rendering;
    Json body = {{"title", r.value("title", "")},
                 {"desc", r.value("desc", "")},
                 {"tag", r.value("tag", "")},
                 {"tid", r.value("tid", int64_t{0})},
                 {"copyright", r.value("copyright", 1)},
                 {"cover", st.value("cover_url", "")}};
    GD_RETURN_IF_ERROR(support::BeginStep(progress, checkpoint, kSubmitStep, first_call_at));
    auto added = Call(job, "POST", Base(job), "/arcopen/fn/archive/add-by-utoken",
                      {{"upload_token", st["upload_token"].get<std::string>()}}, DumpJson(body));
    if (!added.ok()) {
      // Sent again after a conclusive "not listed": the platform refusing the upload_token as
      // used means the earlier call was accepted after all and is not listed yet.
      if (resumed && added.status().details().value("code", "") == kTokenRefused) {
        st["submit_refused"] = true;
        return NotListedYet(job, progress, checkpoint);
      }
      if (resumed) return added.status();  // says nothing about the earlier call
      return support::StepFailed(progress, checkpoint, added.status());
    }
    std::string id = support::IdString(added->value("resource_id", Json("")));
    if (id.empty()) return Unavailable("哔哩哔哩：稿件提交未返回 resource_id");
    st["resource_id"] = id;
    st.erase("unknown_looks");
    st.erase("submit_refused");
    GD_RETURN_IF_ERROR(support::EndStep(progress, checkpoint));
    return Awaiting(job);
  }

  StatusOr<PublishResult> Poll(const PublishJob& job, Progress& progress,
                               const Checkpoint& checkpoint) override {
    Json& st = progress.state;
    if (st.contains("remote_id")) return Done(st);
    if (!st.contains("resource_id")) return Publish(job, progress, checkpoint);
    const std::string id = st["resource_id"].get<std::string>();
    auto view = Call(job, "GET", Base(job), "/arcopen/fn/archive/view", {{"resource_id", id}}, "");
    if (!view.ok() && view.status().code() == Code::kNotFound) {
      // Deleted on the platform (by its moderators or by hand) before it was ever public.
      const Status& s = view.status();
      return Status(Code::kFailedPrecondition, s.message(), "platform_rejected", s.details());
    }
    GD_ASSIGN_OR_RETURN(Json d, std::move(view));
    const Json& info =
        d.contains("addit_info") && d["addit_info"].is_object() ? d["addit_info"] : Json::object();
    int state = info.value("state", d.value("state", -30));
    if (IsRejectedState(state)) {
      std::string reason = info.value("reject_reason", "");
      if (reason.empty()) reason = info.value("state_desc", "");
      return support::PlatformError(Code::kFailedPrecondition, kLabel,
                                    "state=" + std::to_string(state), reason,
                                    "稿件未通过平台审核或已被锁定", "platform_rejected");
    }
    if (state != 0) return Awaiting(job);
    st["remote_id"] = id;
    st["remote_url"] = ArchiveUrl(id);
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
    if (st.contains("resource_id")) {
      out.kind = ReconcileResult::Kind::kFound;
      out.remote_id = st["resource_id"].get<std::string>();
      out.remote_url = ArchiveUrl(out.remote_id);
      out.pending = true;
      return out;
    }
    if (support::InflightStep(progress) != kSubmitStep) {
      out.kind = ReconcileResult::Kind::kNotFound;
      return out;
    }
    return FindSubmitted(job, st);
  }

  Status Withdraw(const PublishJob& job, const std::string& remote_id) override {
    auto r = Call(job, "POST", Base(job), "/arcopen/fn/archive/delete",
                  {{"resource_id", remote_id}}, "{}");
    // 127107 (already deleted) and 127124 (no such archive): the archive is gone, as asked.
    if (!r.ok() && r.status().code() == Code::kNotFound) return Status::Ok();
    return r.status();
  }

  Status CheckCredentials(const Account& account, const SecretSource& secrets) override {
    PublishJob job;
    job.account = &account;
    job.secrets = secrets;
    return Call(job, "GET", Base(job), "/arcopen/fn/archive/viewlist", {{"pn", "1"}, {"ps", "1"}},
                "")
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

  static PublishResult Awaiting(const PublishJob& job) {
    PublishResult out;
    out.kind = PublishResult::Kind::kAwaiting;
    out.poll_after_ms = job.account->settings.value("poll_interval_ms", 60000);
    out.note = "平台审核中";
    return out;
  }

  static std::string Base(const PublishJob& job) { return support::BaseUrl(*job.account); }
  static std::string SettingUrl(const PublishJob& job, const char* name, const char* fallback) {
    std::string u = job.account->settings.value(name, std::string(fallback));
    while (!u.empty() && u.back() == '/') u.pop_back();
    return u;
  }

  // init → parts → complete → cover; each result is recorded so a resumed publish skips it
  // (repeating an upload creates nothing public).
  Status Upload(const PublishJob& job, Progress& progress, const Checkpoint& checkpoint) {
    Json& st = progress.state;
    const Json& r = job.rendering;
    if (!st.contains("uploaded")) {
      GD_ASSIGN_OR_RETURN(auto video, support::LocateMedia(job, r.value("video", "")));
      if (!st.contains("upload_token")) {
        GD_ASSIGN_OR_RETURN(Json d,
                            Call(job, "POST", Base(job), "/arcopen/fn/archive/video/init", {},
                                 DumpJson(Json{{"name", video.filename}, {"utype", "0"}})));
        std::string token = d.value("upload_token", "");
        if (token.empty()) return Unavailable("哔哩哔哩：文件上传预处理未返回 upload_token");
        st["upload_token"] = token;
        st["parts_done"] = 0;
        GD_RETURN_IF_ERROR(checkpoint(progress));
      }
      const std::string token = st["upload_token"].get<std::string>();
      int64_t part = std::max<int64_t>(
          1, job.account->settings.value("part_size_bytes", int64_t{8} * 1024 * 1024));
      const std::string up = SettingUrl(job, "upload_base_url", "https://openupos.bilivideo.com");
      int64_t n = st.value("parts_done", int64_t{0});
      for (int64_t off = n * part; off < video.size; off += part) {
        ++n;
        GD_RETURN_IF_ERROR(Call(job, "POST", up, "/video/v2/part/upload",
                                {{"upload_token", token}, {"part_number", std::to_string(n)}}, "",
                                "application/octet-stream", false, {}, video.Range(off, part))
                               .status());
        st["parts_done"] = n;
        GD_RETURN_IF_ERROR(checkpoint(progress));
      }
      GD_RETURN_IF_ERROR(Call(job, "POST", Base(job), "/arcopen/fn/archive/video/complete",
                              {{"upload_token", token}}, "{}")
                             .status());
      st["uploaded"] = true;
      GD_RETURN_IF_ERROR(checkpoint(progress));
    }
    std::string cover = r.value("cover", "");
    if (!cover.empty() && !st.contains("cover_url")) {
      GD_ASSIGN_OR_RETURN(auto img, support::ReadMedia(job, cover));
      GD_ASSIGN_OR_RETURN(
          Json d, Call(job, "POST", Base(job), "/arcopen/fn/archive/cover/upload", {}, "", "", true,
                       {{"file", img.data, img.filename, img.ref->mime}}));
      std::string url = d.value("url", "");
      if (url.empty()) return Unavailable("哔哩哔哩：封面上传未返回 url");
      st["cover_url"] = url;
      GD_RETURN_IF_ERROR(checkpoint(progress));
    }
    return Status::Ok();
  }

  // The earlier add-by-utoken may exist but cannot be seen yet: looks are bounded, then a person
  // decides.
  Status NotListedYet(const PublishJob& job, Progress& progress, const Checkpoint& checkpoint) {
    return support::UnknownOutcome(
        progress, checkpoint, Unavailable("哔哩哔哩：上次提交的稿件暂未在稿件列表中查到，稍后再查"),
        "哔哩哔哩稿件提交的应答丢失，多次查询稿件列表仍无法确认稿件「" +
            job.rendering.value("title", "") +
            "」是否已提交。请在哔哩哔哩创作中心查看：已有该稿件则确认其链接，没有则标记为未发布。");
  }

  // Newest first, back to a minute before the submission: an archive with the rendering's title
  // and description created after the call is its result. An archive listed without a creation
  // time cannot be told apart from an earlier one with the same text (a recurring notice): unknown.
  StatusOr<ReconcileResult> FindSubmitted(const PublishJob& job, const Json& st) {
    ReconcileResult out;
    const std::string title = job.rendering.value("title", "");
    const std::string desc = job.rendering.value("desc", "");
    const TimeMs since = st["inflight"].value("at", TimeMs{0}) - 60000;
    bool ambiguous = false;
    for (int pn = 1; pn <= 5; ++pn) {
      GD_ASSIGN_OR_RETURN(Json d, support::RetryRead([&] {
                            return Call(job, "GET", Base(job), "/arcopen/fn/archive/viewlist",
                                        {{"pn", std::to_string(pn)}, {"ps", "20"}}, "");
                          }));
      const Json list = d.value("list", Json::array());
      bool older = false;
      for (const auto& a : list) {
        const bool has_time = a.contains("ctime") && a["ctime"].is_number_integer();
        const TimeMs at = has_time ? a["ctime"].get<int64_t>() * 1000 : 0;
        if (has_time && at < since) older = true;
        if (a.value("title", "") != title || a.value("desc", desc) != desc) continue;
        if (!has_time) {
          ambiguous = true;
        } else if (at >= since) {
          out.kind = ReconcileResult::Kind::kFound;
          out.remote_id = support::IdString(a.value("resource_id", Json("")));
          out.remote_url = ArchiveUrl(out.remote_id);
          out.pending = true;
          return out;
        }
      }
      if (older || list.size() < 20) {
        out.kind = ambiguous ? ReconcileResult::Kind::kUnknown : ReconcileResult::Kind::kNotFound;
        return out;
      }
    }
    out.kind = ReconcileResult::Kind::kUnknown;
    return out;
  }

  StatusOr<Token> Refresh(const PublishJob& job, const std::optional<Token>& current) {
    GD_ASSIGN_OR_RETURN(std::string client_id,
                        support::SettingField(*job.account, "client_id", kLabel));
    GD_ASSIGN_OR_RETURN(Json secrets, job.secrets());
    GD_ASSIGN_OR_RETURN(std::string secret, support::SecretField(secrets, "client_secret", kLabel));
    std::string refresh = current ? current->refresh_token : "";
    if (refresh.empty()) {
      GD_ASSIGN_OR_RETURN(refresh, support::SecretField(secrets, "refresh_token", kLabel));
    }
    HttpRequest req;
    req.method = "POST";
    req.url = SettingUrl(job, "oauth_base_url", "https://api.bilibili.com") +
              "/x/account-oauth2/v1/refresh_token?" +
              BuildQuery({{"client_id", client_id},
                          {"client_secret", secret},
                          {"grant_type", "refresh_token"},
                          {"refresh_token", refresh}});
    req.timeout_ms = deps_.timeout_ms;
    auto resp = deps_.transport->Send(req);
    if (!resp.ok()) return support::TransportError(kLabel, resp.status());
    GD_ASSIGN_OR_RETURN(Json j, support::ParseBody(kLabel, *resp));
    int code = j.value("code", 0);
    if (code != 0) return MapError(code, j.value("message", ""), "refresh_token");
    const Json& d = j.contains("data") && j["data"].is_object() ? j["data"] : Json::object();
    Token t;
    t.access_token = d.value("access_token", "");
    t.refresh_token = d.value("refresh_token", refresh);
    t.issued_at = deps_.clock->Now();
    t.expires_at = t.issued_at + d.value("expires_in", int64_t{2592000}) * 1000;
    if (t.access_token.empty()) return support::BadResponse(kLabel, *resp);
    log::Info("bilibili: account {} refreshed its access token", job.account->id);
    return t;
  }

  // One call with the account's client_id and access_token in the query (or, for the upload host,
  // the upload_token alone); one refresh and retry when the platform rejects the token.
  StatusOr<Json> Call(const PublishJob& job, const std::string& method, const std::string& base,
                      const std::string& path,
                      std::vector<std::pair<std::string, std::string>> query,
                      const std::string& body, const std::string& content_type = "application/json",
                      bool with_token = true, std::vector<HttpPart> parts = {},
                      FileRange body_file = {}) {
    GD_ASSIGN_OR_RETURN(std::string client_id,
                        support::SettingField(*job.account, "client_id", kLabel));
    for (int attempt = 0;; ++attempt) {
      Token token;
      if (with_token) {
        GD_ASSIGN_OR_RETURN(
            token,
            deps_.tokens->Get(
                job.account->id, [&](const std::optional<Token>& cur) { return Refresh(job, cur); },
                [&]() -> std::optional<Token> {
                  auto s = job.secrets();
                  if (!s.ok() || !s->is_object() || !s->contains("access_token"))
                    return std::nullopt;
                  Token t;
                  t.access_token = s->value("access_token", "");
                  t.refresh_token = s->value("refresh_token", "");
                  return t;
                }));
      }
      auto q = query;
      if (with_token) {
        q.insert(q.begin(), {"access_token", token.access_token});
        q.insert(q.begin(), {"client_id", client_id});
      }
      HttpRequest req;
      req.method = method;
      req.url = base + path + (q.empty() ? "" : "?" + BuildQuery(q));
      req.timeout_ms = deps_.timeout_ms;
      if (!parts.empty()) {
        req.parts = parts;
      } else if (!body_file.path.empty()) {
        req.body_file = body_file;
        req.content_type = content_type;
      } else if (method == "POST") {
        req.body = body;
        req.content_type = content_type;
      }
      auto resp = deps_.transport->Send(req);
      if (!resp.ok()) return support::TransportError(kLabel, resp.status());
      auto j = ParseJson(resp->body);
      if (!j.ok() || !j->is_object() || !j->contains("code")) {
        return support::BadResponse(kLabel, *resp);
      }
      int code = j->value("code", 0);
      if (code == 0 && resp->status == 200) {
        return j->contains("data") && (*j)["data"].is_object() ? (*j)["data"] : Json::object();
      }
      if (code == 0) return support::BadResponse(kLabel, *resp);
      if (with_token && IsTokenCode(code) && attempt == 0) {
        deps_.tokens->Invalidate(job.account->id, token.access_token);
        continue;
      }
      std::string api = path.substr(path.rfind('/') + 1);
      return MapError(code, j->value("message", ""), api);
    }
  }

  ClientDeps deps_;
};

}  // namespace

std::unique_ptr<Client> NewClient(const ClientDeps& deps) {
  return std::make_unique<BilibiliClient>(deps);
}

}  // namespace gd::channels::bilibili
