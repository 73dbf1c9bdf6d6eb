#include "channels/wechat_mp/client.h"

#include <regex>
#include <set>

#include "channels/client_support.h"
#include "channels/wechat_mp/errors.h"
#include "dispatcher/core/crypto.h"
#include "dispatcher/core/log.h"
#include "dispatcher/core/time_util.h"

namespace gd::channels::wechat_mp {
namespace {

using support::IdString;
// The platform remembers a clientmsgid for 24 h [W1]; resends stop an hour before that.
constexpr TimeMs kResendWindowMs = 23 * 3600 * 1000;
// The fallback poll interval of an account whose publish results are pushed.
constexpr int64_t kEventFallbackMs = 10 * 60 * 1000;
// How long to wait between looks for a submit whose answer was lost.
constexpr TimeMs kLostSubmitLookMs = 5 * 60 * 1000;
constexpr const char* kMassUnknownText =
    "微信公众号：群发请求已发出但未收到平台答复，用同一去重标识（clientmsgid）重发后平台仍未确认"
    "是否已群发（群发记录不在已发布列表中，无法自动查找）。请在公众平台「内容与互动 → 群发」"
    "记录中核对：若已群发，请确认该文章；若没有，请标记为未发布后再发（切勿在公众平台手动重复"
    "群发）";
constexpr const char* kSubmitUnknownText =
    "微信公众号：发布请求已提交但未收到平台答复，多次在已发布列表中查找仍未找到该文章。请在公众平台"
    "「内容与互动 → 发表记录」中核对：若已发表，请确认文章链接；若没有，请标记为未发布后再发";
// Reconciling a lost submit reads at most this many batchget pages (20 articles each).
constexpr int kMaxReconcilePages = 50;

class WechatClient final : public Client {
 public:
  explicit WechatClient(const ClientDeps& deps) : deps_(deps) {}

  StatusOr<PublishResult> Publish(const PublishJob& job, Progress& progress,
                                  const Checkpoint& checkpoint) override {
    Json& st = progress.state;
    if (st.contains("remote_id")) return PublishedFrom(st);
    if (st.contains("publish_id") || st.contains("msg_id") || st.value("lost_submit", false)) {
      return Poll(job, progress, checkpoint);
    }
    const Json& r = job.rendering;
    // 1. In-article images (uploadimg), recorded one by one.
    if (!st.contains("images")) st["images"] = Json::object();
    std::set<std::string> shas;
    if (r.contains("images") && r["images"].is_array()) {
      for (const auto& s : r["images"]) {
        if (s.is_string()) shas.insert(s.get<std::string>());
      }
    }
    std::string content = r.value("content", "");
    static const std::regex kMediaRef("media:([0-9a-f]{64})");
    for (std::sregex_iterator it(content.begin(), content.end(), kMediaRef), end; it != end; ++it) {
      shas.insert((*it)[1].str());
    }
    for (const auto& sha : shas) {
      if (st["images"].contains(sha)) continue;
      GD_ASSIGN_OR_RETURN(auto media, support::ReadMedia(job, sha));
      GD_ASSIGN_OR_RETURN(Json resp,
                          CallMultipart(job, "/cgi-bin/media/uploadimg", "",
                                        {{"media", media.data, media.filename, media.ref->mime}}));
      std::string url = resp.value("url", "");
      if (url.empty()) return Unavailable("微信公众号：uploadimg 未返回图片地址");
      st["images"][sha] = url;
      GD_RETURN_IF_ERROR(checkpoint(progress));
    }
    // 2. Cover as permanent material.
    if (!st.contains("thumb_media_id")) {
      std::string cover = r.value("cover", "");
      if (cover.empty()) return InvalidArgument("微信公众号图文必须有封面图片", "missing_cover");
      GD_ASSIGN_OR_RETURN(auto media, support::ReadMedia(job, cover));
      GD_ASSIGN_OR_RETURN(Json resp,
                          CallMultipart(job, "/cgi-bin/material/add_material", "type=image",
                                        {{"media", media.data, media.filename, media.ref->mime}}));
      std::string id = IdString(resp.value("media_id", Json()));
      if (id.empty()) return Unavailable("微信公众号：add_material 未返回 media_id");
      st["thumb_media_id"] = id;
      GD_RETURN_IF_ERROR(checkpoint(progress));
    }
    // 3. Draft (not public: repeating it after a lost response leaves only an extra draft).
    if (!st.contains("draft_media_id")) {
      for (const auto& [sha, url] : st["images"].items()) {
        std::string from = "media:" + sha;
        std::string to = url.get<std::string>();
        for (size_t pos = content.find(from); pos != std::string::npos;
             pos = content.find(from, pos + to.size())) {
          content.replace(pos, from.size(), to);
        }
      }
      Json article = {{"article_type", "news"},
                      {"title", r.value("title", "")},
                      {"author", r.value("author", "")},
                      {"digest", r.value("digest", "")},
                      {"content", content},
                      {"content_source_url", r.value("content_source_url", "")},
                      {"thumb_media_id", st["thumb_media_id"]},
                      {"need_open_comment", 0},
                      {"only_fans_can_comment", 0}};
      GD_ASSIGN_OR_RETURN(Json resp,
                          CallJson(job, "/cgi-bin/draft/add", Json{{"articles", {article}}}));
      std::string id = IdString(resp.value("media_id", Json()));
      if (id.empty()) return Unavailable("微信公众号：draft/add 未返回 media_id");
      st["draft_media_id"] = id;
      GD_RETURN_IF_ERROR(checkpoint(progress));
    }
    // 4. Submit (or mass-send). The draft media_id is single-use: the platform removes the draft
    // once it is published, so repeating the submit after a lost response cannot post twice.
    // A mass-send is guarded by its clientmsgid instead (SendAll).
    if (job.account->settings.value("publish_mode", "publish") == "mass_send") {
      return SendAll(job, progress, checkpoint);
    }
    bool resumed = support::InflightStep(progress) == "submit";
    // When the earlier call was made: a publish it started cannot be older than that.
    TimeMs first_call_at = resumed ? st["inflight"].value("at", TimeMs{0}) : TimeMs{0};
    GD_RETURN_IF_ERROR(support::BeginStep(progress, checkpoint, "submit", deps_.clock->Now()));
    StatusOr<Json> resp =
        CallJson(job, "/cgi-bin/freepublish/submit", Json{{"media_id", st["draft_media_id"]}});
    if (!resp.ok()) {
      if (resumed && resp.status().details().value("code", "") == "40007") {
        // The draft was consumed by the earlier call whose response was lost.
        st["lost_submit"] = true;
        st["submitted_at"] = first_call_at;
        GD_RETURN_IF_ERROR(support::EndStep(progress, checkpoint));
        return Poll(job, progress, checkpoint);
      }
      // A resumed call's refusal says nothing about the earlier call whose answer was lost
      // (only 40007 does): that one stays outstanding.
      if (resumed) return resp.status();
      return support::StepFailed(progress, checkpoint, resp.status());
    }
    st["publish_id"] = IdString(resp->value("publish_id", Json()));
    GD_RETURN_IF_ERROR(support::EndStep(progress, checkpoint));
    return Accepted(*job.account);
  }

  StatusOr<PublishResult> Poll(const PublishJob& job, Progress& progress,
                               const Checkpoint& checkpoint) override {
    Json& st = progress.state;
    if (st.contains("remote_id")) return PublishedFrom(st);
    if (st.contains("msg_id")) {
      GD_ASSIGN_OR_RETURN(
          Json resp, CallJson(job, "/cgi-bin/message/mass/get", Json{{"msg_id", st["msg_id"]}}));
      std::string status = resp.value("msg_status", "");
      if (status == "SEND_SUCCESS") {
        st["remote_id"] = st["msg_id"];
        st["remote_url"] = "";
        GD_RETURN_IF_ERROR(checkpoint(progress));
        return PublishedFrom(st);
      }
      if (status == "SENDING") return AwaitingAgain(*job.account);
      return support::PlatformError(Code::kFailedPrecondition, kLabel, status, "", "群发失败",
                                    "platform_rejected");
    }
    if (st.contains("publish_id")) {
      GD_ASSIGN_OR_RETURN(Json resp, CallJson(job, "/cgi-bin/freepublish/get",
                                              Json{{"publish_id", PublishIdJson(st)}}));
      int status = resp.value("publish_status", -1);
      if (status == 0) {
        st["remote_id"] = IdString(resp.value("article_id", Json()));
        std::string url;
        if (resp.contains("article_detail") && resp["article_detail"].contains("item") &&
            !resp["article_detail"]["item"].empty()) {
          url = resp["article_detail"]["item"][0].value("article_url", "");
        }
        st["remote_url"] = url;
        GD_RETURN_IF_ERROR(checkpoint(progress));
        return PublishedFrom(st);
      }
      if (status == 1) return AwaitingAgain(*job.account);
      static const char* kText[] = {"",
                                    "",
                                    "原创声明校验失败",
                                    "发布失败（平台未说明原因）",
                                    "平台审核不通过",
                                    "发布后已被删除",
                                    "发布后已被平台封禁"};
      std::string fail = resp.contains("fail_idx") ? DumpJson(resp["fail_idx"]) : "[]";
      const char* text = status >= 2 && status <= 6 ? kText[status] : "发布失败";
      return support::PlatformError(Code::kFailedPrecondition, kLabel,
                                    "publish_status=" + std::to_string(status), "fail_idx=" + fail,
                                    text, "platform_rejected");
    }
    if (st.value("lost_submit", false)) {
      if (IsMassSend(*job.account)) {
        // An earlier version's mass-send without clientmsgid: no listing shows mass-sends.
        return support::NeedsDecision(kMassUnknownText);
      }
      GD_ASSIGN_OR_RETURN(ReconcileResult rec, Reconcile(job, progress));
      if (rec.kind == ReconcileResult::Kind::kFound && !rec.pending) {
        st["remote_id"] = rec.remote_id;
        st["remote_url"] = rec.remote_url;
        st.erase("lost_submit");
        GD_RETURN_IF_ERROR(checkpoint(progress));
        return PublishedFrom(st);
      }
      // Not (yet) among the published: a publish job can take minutes, so look a few times,
      // slowly, then let a person decide (batchget costs daily quota).
      return support::UnknownOutcome(
          progress, checkpoint,
          support::WithRetryAfter(Unavailable("微信公众号：已提交的发布尚未出现在已发布列表中"),
                                  std::max<TimeMs>(PollDelay(*job.account), kLostSubmitLookMs)),
          kSubmitUnknownText);
    }
    return FailedPrecondition("微信公众号：没有可查询的发布任务");
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
    if (st.contains("msg_id")) {
      GD_ASSIGN_OR_RETURN(
          Json resp, CallJson(job, "/cgi-bin/message/mass/get", Json{{"msg_id", st["msg_id"]}}));
      std::string status = resp.value("msg_status", "");
      out.kind = status == "SEND_SUCCESS" || status == "SENDING" ? ReconcileResult::Kind::kFound
                                                                 : ReconcileResult::Kind::kNotFound;
      out.pending = status == "SENDING";
      if (status == "SEND_SUCCESS") out.remote_id = IdString(st["msg_id"]);
      return out;
    }
    if (IsMassSend(*job.account) &&
        (!support::InflightStep(progress).empty() || st.value("lost_submit", false))) {
      // A mass-send without its answer: only resending the same clientmsgid can tell
      // (Publish does that); no listing shows mass-sends [W6][W7].
      out.kind = ReconcileResult::Kind::kUnknown;
      return out;
    }
    if (st.contains("publish_id")) {
      GD_ASSIGN_OR_RETURN(Json resp, CallJson(job, "/cgi-bin/freepublish/get",
                                              Json{{"publish_id", PublishIdJson(st)}}));
      int status = resp.value("publish_status", -1);
      if (status == 0) {
        out.kind = ReconcileResult::Kind::kFound;
        out.remote_id = IdString(resp.value("article_id", Json()));
        if (resp.contains("article_detail") && !resp["article_detail"]["item"].empty()) {
          out.remote_url = resp["article_detail"]["item"][0].value("article_url", "");
        }
      } else if (status == 1) {
        out.kind = ReconcileResult::Kind::kFound;
        out.pending = true;
      } else {
        out.kind = ReconcileResult::Kind::kNotFound;
      }
      return out;
    }
    if (st.contains("draft_media_id") && !st.value("lost_submit", false)) {
      auto draft = CallJson(job, "/cgi-bin/draft/get", Json{{"media_id", st["draft_media_id"]}});
      if (draft.ok()) {
        out.kind = ReconcileResult::Kind::kNotFound;  // still a draft: never submitted
        return out;
      }
      if (draft.status().details().value("code", "") != "40007") return draft.status();
    } else if (!st.contains("draft_media_id")) {
      out.kind = ReconcileResult::Kind::kNotFound;
      return out;
    }
    // The draft was consumed: look for the article among the published ones, newest first,
    // back to the time of the call that consumed it (with ten minutes for clock skew) — however
    // many other pieces were published since.
    std::string title = job.rendering.value("title", "");
    std::string source = job.rendering.value("content_source_url", "");
    const TimeMs since_ms = st.value("submitted_at", TimeMs{0}) - 10 * 60 * 1000;
    for (int offset = 0, pages = 0; pages < kMaxReconcilePages; offset += 20, ++pages) {
      GD_ASSIGN_OR_RETURN(Json resp, support::RetryRead([&] {
                            return CallJson(
                                job, "/cgi-bin/freepublish/batchget",
                                Json{{"offset", offset}, {"count", 20}, {"no_content", 1}});
                          }));
      const Json& items = resp.contains("item") ? resp["item"] : Json::array();
      bool older_than_submit = false;
      for (const auto& item : items) {
        if (since_ms > 0 && item.value("update_time", int64_t{0}) * 1000 < since_ms) {
          older_than_submit = true;
        }
        const Json& news = item["content"]["news_item"];
        if (!news.is_array() || news.empty()) continue;
        if (news[0].value("title", "") == title &&
            news[0].value("content_source_url", "") == source &&
            !news[0].value("is_deleted", false)) {
          out.kind = ReconcileResult::Kind::kFound;
          out.remote_id = IdString(item.value("article_id", Json()));
          out.remote_url = news[0].value("url", "");
          return out;
        }
      }
      if (static_cast<int>(items.size()) < 20 || older_than_submit) break;
    }
    out.kind = ReconcileResult::Kind::kUnknown;  // submitted, not (yet) among the published
    return out;
  }

  Status Withdraw(const PublishJob& job, const std::string& remote_id) override {
    bool mass = IsMassSend(*job.account);
    StatusOr<Json> resp = mass ? CallJson(job, "/cgi-bin/message/mass/delete",
                                          Json{{"msg_id", remote_id}, {"article_idx", 0}})
                               : CallJson(job, "/cgi-bin/freepublish/delete",
                                          Json{{"article_id", remote_id}, {"index", 1}});
    return resp.status();
  }

  Status CheckCredentials(const Account& account, const SecretSource& secrets) override {
    PublishJob job;
    job.account = &account;
    job.secrets = secrets;
    GD_ASSIGN_OR_RETURN(Token t, FetchToken(job));
    // A token alone does not prove the account may publish: ask a freepublish endpoint.
    auto resp = Send(job, t.access_token, "/cgi-bin/freepublish/batchget", "",
                     DumpJson(Json{{"offset", 0}, {"count", 1}, {"no_content", 1}}),
                     "application/json", {});
    if (!resp.ok()) return resp.status();
    int code = ErrCode(*resp);
    if (code != 0) return MapError(code, resp->value("errmsg", ""), deps_.clock->Now());
    return Status::Ok();
  }

 private:
  static bool IsMassSend(const Account& account) {
    return account.settings.value("publish_mode", "publish") == "mass_send";
  }

  // The mass-send step (message/mass/sendall). Every attempt sends the same clientmsgid, the
  // platform's own duplicate guard: a repeat within 24 h is refused with 45065 and the msg_id of
  // the earlier send (conformance table, mass-send rows [W1][W2][W3]). A lost answer is settled
  // only by that resend, within the 24 h the platform remembers the clientmsgid, and by
  // message/mass/get; never through freepublish/batchget, which does not list mass-sends
  // [W6][W7]. What stays inconclusive goes to a person (support::UnknownOutcome).
  StatusOr<PublishResult> SendAll(const PublishJob& job, Progress& progress,
                                  const Checkpoint& checkpoint) {
    Json& st = progress.state;
    const bool resumed = support::InflightStep(progress) == "sendall";
    const TimeMs now = deps_.clock->Now();
    if (!st.contains("clientmsgid")) st["clientmsgid"] = ClientMsgId(job);
    if (!resumed) {
      st["sendall_since"] = now;
    } else if (now - st.value("sendall_since", TimeMs{0}) >= kResendWindowMs) {
      // Past the platform's memory of the clientmsgid a resend could go out a second time.
      return support::NeedsDecision(kMassUnknownText);
    }
    // The day's allowance already spent (45028 earlier): wait without calling.
    GD_RETURN_IF_ERROR(support::ApiPaused(job, "sendall", now, kLabel));
    GD_RETURN_IF_ERROR(support::BeginStep(progress, checkpoint, "sendall", now));
    StatusOr<Json> resp = CallJsonRaw(job, "/cgi-bin/message/mass/sendall",
                                      Json{{"filter", {{"is_to_all", true}}},
                                           {"mpnews", {{"media_id", st["draft_media_id"]}}},
                                           {"msgtype", "mpnews"},
                                           {"send_ignore_reprint", 0},
                                           {"clientmsgid", st["clientmsgid"]}});
    if (!resp.ok()) {
      if (resumed) return resp.status();
      return support::StepFailed(progress, checkpoint, resp.status());
    }
    const int code = ErrCode(*resp);
    if (code == 0 || code == 45065) {  // sent now, or by the earlier call (45065)
      std::string msg_id = IdString(resp->value("msg_id", Json()));
      if (msg_id.empty()) return support::NeedsDecision(kMassUnknownText);
      st["msg_id"] = msg_id;
      st.erase("unknown_looks");
      GD_RETURN_IF_ERROR(support::EndStep(progress, checkpoint));
      if (code == 45065) return Poll(job, progress, checkpoint);
      return Accepted(*job.account);
    }
    Status failure = MapError(code, resp->value("errmsg", ""), now);
    if (!resumed) return support::StepFailed(progress, checkpoint, failure);
    // The draft is gone but the platform does not own to the clientmsgid: nothing a resend can
    // settle.
    if (code == 40007) return support::NeedsDecision(kMassUnknownText);
    // Still being worked on (45066), or the day's allowance is spent (45028) without saying by
    // whom: look again later, a bounded number of times.
    if (code == 45066 || code == 45028) {
      return support::UnknownOutcome(progress, checkpoint, failure, kMassUnknownText);
    }
    return failure;  // a refusal of the resend says nothing about the earlier call
  }

  // At most 64 bytes [W1]: the dispatch key and a digest of the piece (so another installation's
  // "d42" on the same account is not taken for ours), hashed whole when the key is long.
  static std::string ClientMsgId(const PublishJob& job) {
    std::string piece = Sha256Hex(job.rendering.value("title", "") + "\n" +
                                  job.rendering.value("content_source_url", ""))
                            .substr(0, 16);
    std::string id = "gd-" + job.dispatch_key + "-" + piece;
    if (id.size() > 64) id = "gd-" + Sha256Hex(job.dispatch_key).substr(0, 40) + "-" + piece;
    return id;
  }

  static Json PublishIdJson(const Json& st) {
    // Sent back as the number the platform gave when it looks like one.
    std::string id = st["publish_id"].get<std::string>();
    if (!id.empty() && id.size() < 19 && id.find_first_not_of("0123456789") == std::string::npos) {
      return Json(std::stoll(id));
    }
    return Json(id);
  }

  static PublishResult PublishedFrom(const Json& st) {
    PublishResult out;
    out.kind = PublishResult::Kind::kPublished;
    out.remote_id = st["remote_id"].get<std::string>();
    out.remote_url = st.value("remote_url", "");
    return out;
  }

  PublishResult Accepted(const Account& account) const {
    PublishResult out;
    out.kind = PublishResult::Kind::kAwaiting;
    out.poll_after_ms = PollDelay(account);
    out.note = "已提交发布，等待平台处理";
    return out;
  }

  // With the event receiver on, the platform's push wakes the dispatch; the poll stays as a slow
  // fallback because some accounts receive MASSSENDJOBFINISH instead of PUBLISHJOBFINISH [W9].
  int64_t PollDelay(const Account& account) const {
    int64_t every = account.settings.value("poll_interval_ms", int64_t{30000});
    if (account.settings.value("events", "off") != "off") every = std::max(every, kEventFallbackMs);
    return every;
  }

  PublishResult AwaitingAgain(const Account& account) const {
    PublishResult out;
    out.kind = PublishResult::Kind::kAwaiting;
    out.poll_after_ms = PollDelay(account);
    out.note = "平台发布中";
    return out;
  }

  StatusOr<Token> FetchToken(const PublishJob& job) {
    GD_ASSIGN_OR_RETURN(std::string app_id, support::SettingField(*job.account, "app_id", kLabel));
    GD_ASSIGN_OR_RETURN(Json secrets, job.secrets());
    GD_ASSIGN_OR_RETURN(std::string secret, support::SecretField(secrets, "app_secret", kLabel));
    HttpRequest req;
    req.method = "POST";
    req.url = support::BaseUrl(*job.account) + "/cgi-bin/stable_token";
    req.content_type = "application/json";
    req.body = DumpJson(Json{{"grant_type", "client_credential"},
                             {"appid", app_id},
                             {"secret", secret},
                             {"force_refresh", false}});
    req.timeout_ms = deps_.timeout_ms;
    auto resp = deps_.transport->Send(req);
    if (!resp.ok()) return support::TransportError(kLabel, resp.status());
    GD_ASSIGN_OR_RETURN(Json j, support::ParseBody(kLabel, *resp));
    int code = ErrCode(j);
    if (code != 0) {
      Status s = MapError(code, j.value("errmsg", ""), deps_.clock->Now());
      if (code == 40001) {  // on the token endpoint 40001 means the secret is wrong
        return support::PlatformError(Code::kUnauthenticated, kLabel, "40001",
                                      j.value("errmsg", ""),
                                      "AppSecret 错误，请在公众平台核对开发者密码");
      }
      return s;
    }
    Token t;
    t.access_token = j.value("access_token", "");
    if (t.access_token.empty()) return support::BadResponse(kLabel, *resp);
    t.issued_at = deps_.clock->Now();
    t.expires_at = t.issued_at + j.value("expires_in", 7200) * int64_t{1000};
    log::Info("wechat_mp: account {} obtained an access token", job.account->id);
    return t;
  }

  StatusOr<Json> Send(const PublishJob& job, const std::string& token, const std::string& path,
                      const std::string& query, const std::string& body,
                      const std::string& content_type, std::vector<HttpPart> parts) {
    HttpRequest req;
    req.method = "POST";
    req.url = support::BaseUrl(*job.account) + path + "?access_token=" + UrlEncode(token);
    if (!query.empty()) req.url += "&" + query;
    req.body = body;
    req.content_type = content_type;
    req.parts = std::move(parts);
    req.timeout_ms = deps_.timeout_ms;
    auto resp = deps_.transport->Send(req);
    if (!resp.ok()) return support::TransportError(kLabel, resp.status());
    if (resp->status >= 500 || resp->status == 429) return support::BadResponse(kLabel, *resp);
    return support::ParseBody(kLabel, *resp);
  }

  // One API call with the account's token; on a token error the token is invalidated and the
  // call repeated once with a fresh one (single flight through the TokenCache).
  StatusOr<Json> Call(const PublishJob& job, const std::string& path, const std::string& query,
                      const std::string& body, const std::string& content_type,
                      const std::vector<HttpPart>& parts, bool raw = false) {
    for (int attempt = 0;; ++attempt) {
      GD_ASSIGN_OR_RETURN(Token token, deps_.tokens->Get(job.account->id, [&](const auto&) {
        return FetchToken(job);
      }));
      GD_ASSIGN_OR_RETURN(Json j,
                          Send(job, token.access_token, path, query, body, content_type, parts));
      int code = ErrCode(j);
      if (code == 0) return j;
      if (IsTokenError(code) && attempt == 0) {
        deps_.tokens->Invalidate(job.account->id, token.access_token);
        continue;
      }
      if (raw) return j;
      return MapError(code, j.value("errmsg", ""), deps_.clock->Now());
    }
  }

  StatusOr<Json> CallJson(const PublishJob& job, const std::string& path, const Json& body) {
    return Call(job, path, "", DumpJson(body), "application/json", {});
  }
  // Like CallJson, but an answer with an errcode (other than a token error) is returned as it
  // came, for the caller to read fields besides the code (45065's msg_id).
  StatusOr<Json> CallJsonRaw(const PublishJob& job, const std::string& path, const Json& body) {
    return Call(job, path, "", DumpJson(body), "application/json", {}, true);
  }

  StatusOr<Json> CallMultipart(const PublishJob& job, const std::string& path,
                               const std::string& query, std::vector<HttpPart> parts) {
    return Call(job, path, query, "", "", parts);
  }

  ClientDeps deps_;
};

}  // namespace

std::unique_ptr<Client> NewClient(const ClientDeps& deps) {
  return std::make_unique<WechatClient>(deps);
}

}  // namespace gd::channels::wechat_mp
