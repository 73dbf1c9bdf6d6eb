#include "channels/weibo/kind.h"

#include "channels/kind_fields.h"
#include "channels/weibo/client.h"
#include "channels/weibo/formatter.h"
#include "channels/weibo/oauth.h"

namespace gd::channels::weibo {

// Address and credential names: docs/channels-protocols.md §2 (the client appends /2/… and
// /oauth2/… to the address).
BuiltinChannel Channel() {
  return {
      .kind = "weibo",
      .label = "新浪微博",
      .preview = "post",
      .make_formatter = &MakeWeiboFormatter,
      .make_client = &NewClient,
      .base_url = ApiAddressField("https://api.weibo.com", "微博开放平台接口地址"),
      .settings =
          {
              {.name = "app_key",
               .label = "App Key",
               .required = true,
               .help = "微博开放平台应用的 App Key",
               .max_chars = 64},
              {.name = "uid",
               .label = "UID",
               .required = true,
               .help = "发布所用微博账号的 UID",
               .max_chars = 64},
              {.name = "safe_domain",
               .label = "安全域名",
               .help = "应用登记的安全域名；分享的正文须含该域名下的链接"},
              // Required by statuses/share.json [B1]; the client refuses a non-public one.
              {.name = "rip",
               .label = "发布者公网 IP",
               .required = true,
               .help = "发布微博的人员或服务器的真实公网 IP 地址（接口参数 rip，微博要求必填）；"
                       "不能填写本机、内网或保留地址。经代理上网时，填写出口公网 IP",
               .max_chars = 64},
              PollIntervalField(60000, "核对发布结果的间隔"),
              OAuthRedirectField(),
              OAuthScopeField("", "以逗号分隔的授权范围；不填为默认权限"),
          },
      .secrets =
          {
              {.name = "app_secret",
               .label = "App Secret",
               .help = "应用的 App Secret",
               .max_chars = 128},
              AccessTokenSecret(),
          },
      .options =
          {
              {.name = "text",
               .label = "微博正文",
               .type = FieldType::kText,
               .help = "不填则由标题和链接生成"},
              {.name = "pic",
               .label = "配图",
               .type = FieldType::kMedia,
               .help = "不选则使用用途为封面的附件"},
          },
      .covers = {{.name = "cover", .label = "配图"}},
      .oauth = &OAuth(),
  };
}

}  // namespace gd::channels::weibo
