#include "channels/wechat_mp/kind.h"

#include "channels/kind_fields.h"
#include "channels/wechat_mp/client.h"
#include "channels/wechat_mp/events.h"
#include "channels/wechat_mp/formatter.h"

namespace gd::channels::wechat_mp {

// Address and credential names: docs/channels-protocols.md §1.
BuiltinChannel Channel() {
  return {
      .kind = "wechat_mp",
      .label = "微信公众号",
      .preview = "article",
      .make_formatter = &MakeWechatFormatter,
      .make_client = &NewClient,
      .base_url = ApiAddressField("https://api.weixin.qq.com", "微信公众平台接口地址"),
      .settings =
          {
              {.name = "app_id",
               .label = "AppID",
               .required = true,
               .help = "公众号后台「设置与开发 → 基本配置」中的开发者ID（AppID）",
               .max_chars = 64},
              {.name = "publish_mode",
               .label = "发布方式",
               .type = FieldType::kSelect,
               .default_value = "publish",
               .help =
                   "发布（publish）不推送给粉丝；群发（mass_send）推送给全部粉丝，受每日次数限制",
               .choices = {{"publish", "发布（publish）"}, {"mass_send", "群发（mass_send）"}}},
              PollIntervalField(30000,
                                "查询发布结果的间隔；启用消息推送后改为每 10 分钟兜底查询一次"),
              {.name = "events",
               .label = "消息推送",
               .type = FieldType::kSelect,
               .default_value = "off",
               .help = "在公众号后台「设置与开发 → 基本配置 → 服务器配置」填写本系统的推送地址 "
                       "/api/channel-events/{账号ID}、令牌（Token）和消息加解密密钥后启用：发布结果"
                       "由平台推送，无需频繁查询",
               .choices = {{"off", "不接收推送（定时查询）"},
                           {"plain", "明文模式"},
                           {"aes", "安全模式（加密）"}}},
          },
      .secrets = {{.name = "app_secret",
                   .label = "AppSecret",
                   .required = true,
                   .help = "公众号后台「设置与开发 → 基本配置」中的开发者密码（AppSecret）",
                   .max_chars = 128},
                  {.name = "event_token",
                   .label = "令牌（Token）",
                   .required = true,
                   .help = "服务器配置中的令牌（Token），3 至 32 位字母或数字，用于校验推送签名",
                   .when = {.setting = "events", .values = {"plain", "aes"}},
                   .max_chars = 32},
                  {.name = "encoding_aes_key",
                   .label = "消息加解密密钥（EncodingAESKey）",
                   .required = true,
                   .help = "服务器配置中的消息加解密密钥，43 位字母或数字，安全模式下用于解密推送",
                   .when = {.setting = "events", .values = {"aes"}},
                   .max_chars = 43}},
      .options =
          {
              {.name = "author", .label = "作者", .max_chars = 64},
              {.name = "digest", .label = "摘要", .type = FieldType::kText, .max_chars = 512},
              {.name = "cover",
               .label = "封面图",
               .type = FieldType::kMedia,
               .help = "不选则使用用途为封面的附件"},
          },
      .covers = {{.name = "cover", .label = "封面图"}},
      .events = &HandleEvent,
  };
}

}  // namespace gd::channels::wechat_mp
