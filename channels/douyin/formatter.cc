#include "channels/douyin/formatter.h"

#include "channels/short_video_formatter.h"

namespace gd::channels {

StatusOr<std::unique_ptr<Formatter>> MakeDouyinFormatter(const FormatterEnv& env) {
  constexpr const char* kTemplate = "douyin/caption.txt";
  if (!env.templates->Has(kTemplate)) {
    return InvalidArgument("缺少模板 templates/douyin/caption.txt.mustache");
  }
  return NewShortVideoFormatter(*env.templates, env.limits->douyin, {"抖音", "text", kTemplate});
}

}  // namespace gd::channels
