#include "channels/portal/kind.h"

#include "channels/kind_fields.h"
#include "channels/portal/builtin_client.h"
#include "channels/portal/client.h"
#include "channels/portal/formatter.h"

namespace gd::channels::portal {
namespace {

const FieldWhen kPush = {.setting = "mode", .values = {"push"}};

bool InProcess(const Json& settings) { return IsBuiltinPortal("portal", settings); }

}  // namespace

BuiltinChannel Channel() {
  return {
      .kind = "portal",
      .label = "政府门户网站",
      .preview = "site_page",
      .make_formatter = &MakePortalFormatter,
      .make_client = &NewClient,
      .base_url = Field{.name = "base_url",
                        .label = "推送接口地址",
                        .type = FieldType::kUrl,
                        .required = true,
                        .help = "外部网站平台接收推送的地址（https://…）；内置网站不需要",
                        .when = kPush},
      .settings =
          {
              {.name = "mode",
               .label = "模式",
               .type = FieldType::kSelect,
               .required = true,
               .default_value = "builtin",
               .help = "内置网站由本系统生成页面；推送模式把稿件推送到外部网站平台",
               .choices = {{"builtin", "内置网站"}, {"push", "推送到外部网站平台"}}},
              {.name = "site_name", .label = "网站名称", .help = "内置网站页面上显示的网站名称"},
              {.name = "public_base_url",
               .label = "对外访问地址",
               .type = FieldType::kUrl,
               .help = "公众访问网站的地址，用于生成文章链接"},
              {.name = "index_no_prefix",
               .label = "索引号前缀",
               .help = "政府信息公开索引号的前缀，如单位的组织机构代码"},
              PollIntervalField(30000, "查询发布结果的间隔"),
              {.name = "columns",
               .label = "栏目路径",
               .type = FieldType::kObject,
               .help = "栏目名称到网址路径的对照",
               .listed = false},
          },
      .secrets = {{.name = "signing_key",
                   .label = "签名密钥",
                   .required = true,
                   .help = "外部网站平台校验推送签名所用的密钥",
                   .when = kPush}},
      .options = {{.name = "index_no",
                   .label = "索引号",
                   .help = "不填则按索引号前缀、年份和工单号生成",
                   .max_chars = 64}},
      .covers = {{.name = "cover", .label = "封面图"}},
      .is_portal = true,
      .in_process = &InProcess,
  };
}

}  // namespace gd::channels::portal
