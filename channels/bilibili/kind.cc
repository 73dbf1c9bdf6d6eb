#include "channels/bilibili/kind.h"

#include "channels/bilibili/client.h"
#include "channels/bilibili/formatter.h"
#include "channels/kind_fields.h"

namespace gd::channels::bilibili {

// Addresses, credentials and submission fields: docs/channels-protocols.md, Conformance table,
// "Bilibili open platform" [L2]–[L15].
BuiltinChannel Channel() {
  return {
      .kind = "bilibili",
      .label = "哔哩哔哩",
      .preview = "video",
      .make_formatter = &MakeBilibiliFormatter,
      .make_client = &NewClient,
      .base_url = ApiAddressField("https://member.bilibili.com", "哔哩哔哩开放平台稿件接口地址"),
      .settings =
          {
              {.name = "client_id",
               .label = "Client ID",
               .required = true,
               .help = "哔哩哔哩开放平台应用的 client_id",
               .max_chars = 64},
              {.name = "oauth_base_url",
               .label = "授权接口地址",
               .type = FieldType::kUrl,
               .default_value = "https://api.bilibili.com",
               .help = "续期 access_token 的接口地址"},
              {.name = "upload_base_url",
               .label = "分片上传地址",
               .type = FieldType::kUrl,
               .default_value = "https://openupos.bilivideo.com",
               .help = "视频分片上传的接口地址"},
              {.name = "tid",
               .label = "默认分区",
               .type = FieldType::kInteger,
               .required = true,
               .default_value = int64_t{228},
               .help = "投稿分区 ID（tid），可在开放平台分区查询接口中查到"},
              {.name = "part_size_bytes",
               .label = "分片大小（字节）",
               .type = FieldType::kInteger,
               .default_value = int64_t{8} * 1024 * 1024,
               .help = "上传视频时每个分片的大小，平台建议 8MB"},
              PollIntervalField(60000, "查询稿件审核状态的间隔"),
          },
      .secrets =
          {
              {.name = "client_secret",
               .label = "Client Secret",
               .help = "应用的 client_secret，续期 access_token 时使用",
               .max_chars = 128},
              AccessTokenSecret(),
              RefreshTokenSecret(),
          },
      .options =
          {
              {.name = "title",
               .label = "稿件标题",
               .help = "不填则使用工单标题",
               .max_chars = 200},
              {.name = "caption",
               .label = "稿件简介",
               .type = FieldType::kText,
               .help = "不填则使用标题"},
              {.name = "hashtags", .label = "标签", .help = "以逗号分隔"},
              {.name = "tid",
               .label = "分区",
               .type = FieldType::kInteger,
               .help = "不填则使用账号的默认分区"},
              {.name = "cover",
               .label = "封面图",
               .type = FieldType::kMedia,
               .help = "不选则使用用途为封面的附件"},
          },
      .covers = {{.name = "cover",
                  .label = "封面图",
                  .aspect = "16:10",
                  .min_width = 960,
                  .min_height = 600}},
  };
}

}  // namespace gd::channels::bilibili
