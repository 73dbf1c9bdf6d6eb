#include "channels/kuaishou/kind.h"

#include "channels/kind_fields.h"
#include "channels/kuaishou/client.h"
#include "channels/kuaishou/formatter.h"
#include "channels/kuaishou/oauth.h"

namespace gd::channels::kuaishou {

// Address and credential names: docs/channels-protocols.md §4.
BuiltinChannel Channel() {
  return {
      .kind = "kuaishou",
      .label = "快手",
      .preview = "video",
      .make_formatter = &MakeKuaishouFormatter,
      .make_client = &NewClient,
      .base_url = ApiAddressField("https://open.kuaishou.com", "快手开放平台接口地址"),
      .settings =
          {
              {.name = "app_id",
               .label = "App ID",
               .required = true,
               .help = "快手开放平台应用的 App ID",
               .max_chars = 64},
              {.name = "open_id",
               .label = "Open ID",
               .required = true,
               .help = "授权发布的账号的 open_id",
               .max_chars = 128},
              {.name = "fragment_size_bytes",
               .label = "分片大小（字节）",
               .type = FieldType::kInteger,
               .default_value = int64_t{10} * 1024 * 1024,
               .help = "上传视频时每个分片的大小"},
              PollIntervalField(30000, "查询审核与发布状态的间隔"),
              OAuthRedirectField(),
              OAuthScopeField("user_info,user_video_publish,user_video_info",
                              "以逗号分隔的授权范围"),
          },
      .secrets =
          {
              {.name = "app_secret",
               .label = "App Secret",
               .help = "应用的 App Secret",
               .max_chars = 128},
              AccessTokenSecret(),
              RefreshTokenSecret(),
          },
      .options =
          {
              {.name = "caption",
               .label = "视频描述",
               .type = FieldType::kText,
               .help = "不填则使用标题"},
              {.name = "hashtags", .label = "话题", .help = "以逗号分隔"},
              {.name = "cover",
               .label = "封面图",
               .type = FieldType::kMedia,
               .help = "不选则使用用途为封面的附件"},
          },
      .covers = {{.name = "cover", .label = "封面图"}},
      .oauth = &OAuth(),
  };
}

}  // namespace gd::channels::kuaishou
