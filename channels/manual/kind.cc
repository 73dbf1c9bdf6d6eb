#include "channels/manual/kind.h"

#include "channels/kind_fields.h"
#include "channels/manual/client.h"
#include "channels/manual/formatter.h"

namespace gd::channels::manual {

BuiltinChannel Channel() {
  return {
      .kind = "manual",
      .label = "人工发布（视频号、小红书、头条号等）",
      .preview = "handoff",
      .make_formatter = &MakeManualFormatter,
      .make_client = &NewClient,
      .settings = {{.name = "platform",
                    .label = "平台名称",
                    .required = true,
                    .help = "工作人员手工发布的平台，如视频号、小红书、头条号",
                    .max_chars = 64},
                   PollIntervalField(30000, "查询人工确认的间隔")},
      .options =
          {
              {.name = "title", .label = "标题", .max_chars = 200},
              {.name = "text", .label = "正文", .type = FieldType::kText},
              {.name = "hashtags", .label = "话题", .help = "以逗号分隔"},
          },
      .covers = {{.name = "cover", .label = "封面图"}},
      .publishes_by_hand = true,
  };
}

}  // namespace gd::channels::manual
