#include "channels/douyin/kind.h"

#include "channels/douyin/client.h"
#include "channels/douyin/formatter.h"
#include "channels/douyin/oauth.h"
#include "channels/kind_fields.h"

namespace gd::channels::douyin {

// Address and credential names: docs/channels-protocols.md §3.
BuiltinChannel Channel() {
  return {
      .kind = "douyin",
      .label = "抖音",
      .preview = "video",
      .make_formatter = &MakeDouyinFormatter,
      .make_client = &NewClient,
      .base_url = ApiAddressField("https://open.douyin.com", "抖音开放平台接口地址"),
      .settings =
          {
              {.name = "client_key",
               .label = "Client Key",
               .required = true,
               .help = "抖音开放平台应用的 Client Key",
               .max_chars = 64},
              {.name = "open_id",
               .label = "Open ID",
               .required = true,
               .help = "授权发布的账号的 open_id",
               .max_chars = 128},
              {.name = "part_size_bytes",
               .label = "分片大小（字节）",
               .type = FieldType::kInteger,
               .default_value = int64_t{20} * 1024 * 1024,
               .help = "上传视频时每个分片的大小"},
              PollIntervalField(30000, "查询审核与发布状态的间隔"),
              OAuthRedirectField(),
              OAuthScopeField(
                  "user_info,video.create.bind,video.list.bind,video.data.bind,"
                  "renew_refresh_token",
                  "以逗号分隔；发布视频需 video.create.bind，续期需 renew_refresh_token"),
          },
      .secrets =
          {
              {.name = "client_secret",
               .label = "Client Secret",
               .help = "应用的 Client Secret",
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

}  // namespace gd::channels::douyin
