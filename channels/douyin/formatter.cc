#include "channels/douyin/formatter.h"

#include "channels/short_video_formatter.h"

namespace gd::channels {

StatusOr<std::unique_ptr<Formatter>> MakeDouyinFormatter(const FormatterEnv& env) {
  constexpr const char* kTemplate = "douyin/caption.txt";
  if (!env.templates->Has(kTemplate)) {
    return InvalidArgument("缺少模板 templates/douyin/caption.txt.mustache");
  }
  GD_ASSIGN_OR_RETURN(ShortVideoLimits limits, ReadShortVideoLimits(env.limits->Section("douyin")));
  return NewShortVideoFormatter(*env.templates, std::move(limits), {"抖音", "text", kTemplate});
}

}  // namespace gd::channels
