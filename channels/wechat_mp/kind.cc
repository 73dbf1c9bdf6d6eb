#include "channels/wechat_mp/kind.h"

#include "channels/kind_fields.h"
#include "channels/wechat_mp/client.h"
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
              PollIntervalField(30000, "查询发布结果的间隔"),
          },
      .secrets = {{.name = "app_secret",
                   .label = "AppSecret",
                   .required = true,
                   .help = "公众号后台「设置与开发 → 基本配置」中的开发者密码（AppSecret）",
                   .max_chars = 128}},
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
  };
}

}  // namespace gd::channels::wechat_mp
