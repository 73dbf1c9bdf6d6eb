#include "channels/wechat_mp/sandbox_push.h"

#include "channels/wechat_mp/msg_crypt.h"
#include "dispatcher/core/crypto.h"

namespace gd::channels::wechat_mp {

std::string PublishJobFinishXml(const std::string& appid, int64_t publish_id, int status,
                                const std::string& article_id, TimeMs now) {
  std::string xml =
      "<xml><ToUserName><![CDATA[gh_sandbox]]></ToUserName><FromUserName><![CDATA[" + appid +
      "]]></FromUserName><CreateTime>" + std::to_string(now / 1000) +
      "</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[PUBLISHJOBFINISH]]>"
      "</Event><PublishEventInfo><publish_id>" +
      std::to_string(publish_id) + "</publish_id><publish_status>" + std::to_string(status) +
      "</publish_status>";
  if (status == 0) {
    xml += "<article_id><![CDATA[" + article_id +
           "]]></article_id><article_detail><count>1</count><item><idx>1</idx><article_url>"
           "<![CDATA[https://mp.weixin.qq.com/s/" +
           article_id + "]]></article_url></item></article_detail>";
  } else {
    xml += "<fail_idx>1</fail_idx>";
  }
  return xml + "</PublishEventInfo></xml>";
}

SandboxPusher::SandboxPusher() : http_(NewHttpTransport()) {}

Status SandboxPusher::Configure(const std::string& appid, const Json& config) {
  std::string url = config.value("url", "");
  std::lock_guard lock(mu_);
  if (url.empty()) {
    configs_.erase(appid);
    return Status::Ok();
  }
  Config c{url, config.value("token", ""), "", config.value("mode", "plain")};
  if (c.mode != "plain" && c.mode != "aes") return InvalidArgument("mode 应为 plain 或 aes");
  if (c.token.empty()) return InvalidArgument("缺少 token");
  if (c.mode == "aes") {
    GD_ASSIGN_OR_RETURN(c.aes_key, AesKeyFromEncodingAesKey(config.value("encoding_aes_key", "")));
  }
  configs_[appid] = std::move(c);
  return Status::Ok();
}

void SandboxPusher::Queue(const std::string& appid, const std::string& xml, TimeMs now) {
  std::lock_guard lock(mu_);
  auto it = configs_.find(appid);
  if (it == configs_.end()) return;
  const Config& c = it->second;
  const std::string timestamp = std::to_string(now / 1000);
  const std::string nonce = std::to_string(1000000 + nonce_++);
  std::vector<std::pair<std::string, std::string>> q = {
      {"signature", SortedSha1({c.token, timestamp, nonce})},
      {"timestamp", timestamp},
      {"nonce", nonce},
      {"openid", "sandbox-openid"}};
  std::string body = xml;
  if (c.mode == "aes") {
    auto enc = EncryptMessage(c.aes_key, xml, appid, RandomBytes(16));
    if (!enc.ok()) return;
    body = "<xml><ToUserName><![CDATA[gh_sandbox]]></ToUserName><Encrypt><![CDATA[" + *enc +
           "]]></Encrypt></xml>";
    q.push_back({"encrypt_type", "aes"});
    q.push_back({"msg_signature", SortedSha1({c.token, timestamp, nonce, *enc})});
  }
  std::string url = c.url + (c.url.find('?') == std::string::npos ? "?" : "&") + BuildQuery(q);
  queue_.push_back({std::move(url), std::move(body), appid});
}

int SandboxPusher::Flush() {
  std::vector<Push> pushes;
  {
    std::lock_guard lock(mu_);
    pushes.swap(queue_);
  }
  int delivered = 0;
  for (const Push& p : pushes) {
    HttpRequest req;
    req.method = "POST";
    req.url = p.url;
    req.body = p.body;
    req.content_type = "text/xml";
    req.timeout_ms = 5000;
    auto resp = http_->Send(req);
    Json entry = {{"appid", p.appid},
                  {"url", p.url.substr(0, p.url.find('?'))},
                  {"status", resp.ok() ? resp->status : 0},
                  {"reply", resp.ok() ? resp->body.substr(0, 200) : resp.status().message()}};
    if (resp.ok() && resp->status == 200 && resp->body == "success") ++delivered;
    std::lock_guard lock(mu_);
    log_.push_back(std::move(entry));
  }
  return delivered;
}

Json SandboxPusher::Log() const {
  std::lock_guard lock(mu_);
  return log_;
}

}  // namespace gd::channels::wechat_mp
