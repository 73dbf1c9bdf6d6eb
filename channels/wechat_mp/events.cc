#include "channels/wechat_mp/events.h"

#include "channels/wechat_mp/msg_crypt.h"
#include "dispatcher/core/crypto.h"

namespace gd::channels::wechat_mp {
namespace {

std::string Query(const ChannelEventRequest& r, const std::string& key) {
  auto it = r.query.find(key);
  return it == r.query.end() ? "" : it->second;
}

bool AllDigits(std::string_view s, size_t max) {
  return !s.empty() && s.size() <= max && s.find_first_not_of("0123456789") == std::string::npos;
}

Status BadSignature() { return Unauthenticated("微信公众号推送签名校验失败"); }

// The signature over `parts`, compared in constant time; then the timestamp's freshness.
Status CheckSigned(std::vector<std::string> parts, const std::string& given, TimeMs now,
                   const std::string& timestamp) {
  if (given.size() != 40 || !ConstantTimeEqual(SortedSha1(std::move(parts)), given)) {
    return BadSignature();
  }
  if (!AllDigits(timestamp, 12)) return BadSignature();
  const int64_t skew = now / 1000 - std::stoll(timestamp);
  if (skew > kEventMaxSkewS || skew < -kEventMaxSkewS) {
    return Unauthenticated("微信公众号推送的时间戳已过期（可能是重放）");
  }
  return Status::Ok();
}

// The event inside an authentic message.
StatusOr<ChannelEvent> ReadEvent(std::string_view xml) {
  ChannelEvent out;
  out.reply = "success";
  auto type = XmlField(xml, "MsgType");
  if (!type) return InvalidArgument("微信公众号推送不是有效的 XML 消息");
  if (*type != "event") return out;
  auto event = XmlField(xml, "Event");
  if (!event) return InvalidArgument("微信公众号推送缺少 Event");
  if (*event == "PUBLISHJOBFINISH") {
    auto info = XmlField(xml, "PublishEventInfo");
    auto id = info ? XmlField(*info, "publish_id") : std::nullopt;
    if (!id || !AllDigits(*id, 32)) return InvalidArgument("PUBLISHJOBFINISH 缺少 publish_id");
    out.job_key = "publish_id";
    out.job_id = *id;
  } else if (*event == "MASSSENDJOBFINISH") {
    auto id = XmlField(xml, "MsgID");
    if (!id || !AllDigits(*id, 32)) return InvalidArgument("MASSSENDJOBFINISH 缺少 MsgID");
    out.job_key = "msg_id";
    out.job_id = *id;
  }
  return out;
}

}  // namespace

std::optional<std::string> XmlField(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  size_t b = xml.find(open);
  if (b == std::string_view::npos) return std::nullopt;
  b += open.size();
  size_t e = xml.find(close, b);
  if (e == std::string_view::npos) return std::nullopt;
  std::string_view v = xml.substr(b, e - b);
  constexpr std::string_view kCdataOpen = "<![CDATA[", kCdataClose = "]]>";
  size_t first = v.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && v.substr(first).starts_with(kCdataOpen)) {
    v = v.substr(first + kCdataOpen.size());
    size_t c = v.rfind(kCdataClose);
    if (c == std::string_view::npos) return std::nullopt;
    v = v.substr(0, c);
  }
  return std::string(v);
}

StatusOr<ChannelEvent> HandleEvent(const Json& settings, const Json& secrets,
                                   const ChannelEventRequest& request, TimeMs now) {
  const std::string mode = settings.is_object() ? settings.value("events", "off") : "off";
  std::string token;
  if (secrets.is_object()) token = secrets.value("event_token", "");
  if ((mode != "plain" && mode != "aes") || token.empty()) {
    return FailedPrecondition("该公众号账号未启用消息推送接收");
  }
  if (request.body.size() > kMaxEventBytes) return InvalidArgument("微信公众号推送内容过大");
  const std::string timestamp = Query(request, "timestamp");
  const std::string nonce = Query(request, "nonce");
  if (request.method == "GET") {  // the platform verifies the URL once, when it is configured
    GD_RETURN_IF_ERROR(
        CheckSigned({token, timestamp, nonce}, Query(request, "signature"), now, timestamp));
    ChannelEvent out;
    out.reply = Query(request, "echostr");
    return out;
  }
  if (mode == "plain") {
    GD_RETURN_IF_ERROR(
        CheckSigned({token, timestamp, nonce}, Query(request, "signature"), now, timestamp));
    return ReadEvent(request.body);
  }
  // 安全 mode: only encrypted bodies, signed by msg_signature over the Encrypt field.
  if (Query(request, "encrypt_type") != "aes") return BadSignature();
  auto encrypt = XmlField(request.body, "Encrypt");
  if (!encrypt) return BadSignature();
  GD_RETURN_IF_ERROR(CheckSigned({token, timestamp, nonce, *encrypt},
                                 Query(request, "msg_signature"), now, timestamp));
  GD_ASSIGN_OR_RETURN(std::string key,
                      AesKeyFromEncodingAesKey(secrets.value("encoding_aes_key", "")));
  GD_ASSIGN_OR_RETURN(std::string xml, DecryptMessage(key, *encrypt, settings.value("app_id", "")));
  return ReadEvent(xml);
}

}  // namespace gd::channels::wechat_mp
