#include "channels/kuaishou/formatter.h"

#include "channels/short_video_formatter.h"

namespace gd::channels {

StatusOr<std::unique_ptr<Formatter>> MakeKuaishouFormatter(const FormatterEnv& env) {
  constexpr const char* kTemplate = "kuaishou/caption.txt";
  if (!env.templates->Has(kTemplate)) {
    return InvalidArgument("缺少模板 templates/kuaishou/caption.txt.mustache");
  }
  // Kuaishou's caption is shorter than the other platforms' (docs/channels-formatting.md).
  ShortVideoLimits defaults;
  defaults.caption_max_chars = 500;
  GD_ASSIGN_OR_RETURN(ShortVideoLimits limits,
                      ReadShortVideoLimits(env.limits->Section("kuaishou"), std::move(defaults)));
  return NewShortVideoFormatter(*env.templates, std::move(limits), {"快手", "caption", kTemplate});
}

}  // namespace gd::channels
