#include "channels/wechat_mp/errors.h"

#include <cstdlib>

#include "channels/client_support.h"

namespace gd::channels::wechat_mp {

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
    case 45028:
      // The account's mass-send allowance (once a day for a verified 公众号) is spent: only
      // sendall waits, until 0:00 Beijing time (conformance table, mass-send limits [W1][W5]).
      return support::WithQuotaScope(
          support::WithRetryAfter(
              err(Code::kResourceExhausted,
                  "今日群发次数已用完（认证公众号每天只能成功群发 1 次），次日 0 时（北京时间）"
                  "后再群发；如需今日送达，可改为发布（publish）方式"),
              support::MsUntilNextCstMidnight(now)),
          "sendall");
    case 45065:
      // Only reached when a caller did not handle it: the same clientmsgid was sent within 24 h.
      return err(Code::kFailedPrecondition, "该群发已发送过（clientmsgid 重复）", "needs_decision");
    case 45066:
      // A repeat of a clientmsgid the platform is still working on: ask again later.
      return support::WithRetryAfter(err(Code::kUnavailable, "相同群发正在处理中，稍后再查"),
                                     60000);
    case 45067:
      return err(Code::kInvalidArgument, "群发去重标识 clientmsgid 超过 64 字节");
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

}  // namespace gd::channels::wechat_mp
