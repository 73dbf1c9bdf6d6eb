#include "channels/wechat_mp/client.h"

#include <regex>
#include <set>

#include "channels/client_support.h"
#include "dispatcher/core/log.h"
#include "dispatcher/core/time_util.h"

namespace gd::channels::wechat_mp {
namespace {

using support::IdString;
constexpr const char* kLabel = "微信公众号";
// Reconciling a lost submit reads at most this many batchget pages (20 articles each).
constexpr int kMaxReconcilePages = 50;

bool IsTokenError(int code) { return code == 40001 || code == 40014 || code == 42001; }

// Maps a WeChat errcode to a Status with its retry meaning (docs/channels-protocols.md §1.7).
Status MapError(int code, const std::string& errmsg, TimeMs now) {
  std::string c = std::to_string(code);
  auto err = [&](Code k, const char* text, std::string reason = "platform_error") {
    return support::PlatformError(k, kLabel, c, errmsg, text, std::move(reason));
  };
  switch (code) {
    case -1:
      return err(Code::kUnavailable, "平台系统繁忙，稍后重试");
    case 45009:
      // A daily quota: waiting less than until 0:00 only spends calls (docs/channels-protocols.md
      // §1.4).
      return support::WithRetryAfter(
          err(Code::kResourceExhausted,
              "接口调用超过每日限额，次日 0 时恢复（可在公众平台清零配额）"),
          support::MsUntilNextCstMidnight(now));
    case 45011:
      return support::WithRetryAfter(err(Code::kResourceExhausted, "接口调用太频繁，请稍后再试"),
                                     60000);
    case 40001:
    case 40014:
    case 42001:
      return err(Code::kUnauthenticated,
                 "access_token 无效或已过期，刷新后仍被拒绝，请检查 AppSecret");
    case 40125:
      return err(Code::kUnauthenticated, "AppSecret 错误，请在公众平台核对开发者密码");
    case 40013:
      return err(Code::kUnauthenticated, "AppID 无效，请核对公众号的开发者 ID");
    case 40243:
      return err(Code::kUnauthenticated, "AppSecret 已被冻结，请在公众平台解冻或重置");
    case 40164:
    case 61004:
      return err(Code::kPermissionDenied,
                 "本服务器 IP 不在公众号的接口 IP 白名单中，请在公众平台「开发-基本配置」中添加");
    case 48001:
      return err(Code::kPermissionDenied,
                 "公众号未获得该接口权限（自2025年7月起仅已认证的企业/"
                 "组织账号可调用发布接口），请完成认证或改为人工发布",
                 "manual_handoff");
    case 48004:
      return err(Code::kPermissionDenied, "接口已被封禁，请联系公众平台");
    case 50002:
      return err(Code::kPermissionDenied, "公众号受限，请在公众平台查看原因");
    case 45166:
      return err(Code::kFailedPrecondition, "正文内容未通过平台校验", "platform_rejected");
    case 53503:
      return err(Code::kFailedPrecondition, "该草稿未通过发布检查", "platform_rejected");
    case 53504:
    case 53505:
      return err(Code::kFailedPrecondition, "需在公众平台网页端手动处理该草稿", "manual_handoff");
    case 45001:
    case 45002:
    case 45003:
    case 40006:
    case 40009:
      return err(Code::kInvalidArgument, "内容超出平台限制");
    case 40007:
      return err(Code::kFailedPrecondition, "media_id 无效");
    default:
      return err(Code::kFailedPrecondition, "公众平台返回错误");
  }
}

int ErrCode(const Json& j) {
  auto it = j.find("errcode");
  if (it == j.end()) return 0;
  if (it->is_number_integer()) return it->get<int>();
  if (it->is_string()) return std::atoi(it->get<std::string>().c_str());
  return 0;
}

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
    // once it is published, so repeating the call after a lost response cannot post twice.
    bool mass = job.account->settings.value("publish_mode", "publish") == "mass_send";
    bool resumed = support::InflightStep(progress) == (mass ? "sendall" : "submit");
    // When the earlier call was made: a publish it started cannot be older than that.
    TimeMs first_call_at = resumed ? st["inflight"].value("at", TimeMs{0}) : TimeMs{0};
    GD_RETURN_IF_ERROR(
        support::BeginStep(progress, checkpoint, mass ? "sendall" : "submit", deps_.clock->Now()));
    StatusOr<Json> resp = mass ? CallJson(job, "/cgi-bin/message/mass/sendall",
                                          Json{{"filter", {{"is_to_all", true}}},
                                               {"mpnews", {{"media_id", st["draft_media_id"]}}},
                                               {"msgtype", "mpnews"},
                                               {"send_ignore_reprint", 0}})
                               : CallJson(job, "/cgi-bin/freepublish/submit",
                                          Json{{"media_id", st["draft_media_id"]}});
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
    if (mass) {
      st["msg_id"] = IdString(resp->value("msg_id", Json()));
    } else {
      st["publish_id"] = IdString(resp->value("publish_id", Json()));
    }
    GD_RETURN_IF_ERROR(support::EndStep(progress, checkpoint));
    PublishResult out;
    out.kind = PublishResult::Kind::kAwaiting;
    out.poll_after_ms = PollDelay(*job.account);
    out.note = "已提交发布，等待平台处理";
    return out;
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
      GD_ASSIGN_OR_RETURN(ReconcileResult rec, Reconcile(job, progress));
      if (rec.kind == ReconcileResult::Kind::kFound && !rec.pending) {
        st["remote_id"] = rec.remote_id;
        st["remote_url"] = rec.remote_url;
        st.erase("lost_submit");
        GD_RETURN_IF_ERROR(checkpoint(progress));
        return PublishedFrom(st);
      }
      return AwaitingAgain(*job.account);
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
    bool mass = job.account->settings.value("publish_mode", "publish") == "mass_send";
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

  int PollDelay(const Account& account) const {
    return account.settings.value("poll_interval_ms", 30000);
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
                      const std::vector<HttpPart>& parts) {
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
      return MapError(code, j.value("errmsg", ""), deps_.clock->Now());
    }
  }

  StatusOr<Json> CallJson(const PublishJob& job, const std::string& path, const Json& body) {
    return Call(job, path, "", DumpJson(body), "application/json", {});
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
