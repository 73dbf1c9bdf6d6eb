#include "channels/kuaishou/formatter.h"

#include "channels/short_video_formatter.h"

namespace gd::channels {

StatusOr<std::unique_ptr<Formatter>> MakeKuaishouFormatter(const FormatterEnv& env) {
  constexpr const char* kTemplate = "kuaishou/caption.txt";
  if (!env.templates->Has(kTemplate)) {
    return InvalidArgument("缺少模板 templates/kuaishou/caption.txt.mustache");
  }
  return NewShortVideoFormatter(*env.templates, env.limits->kuaishou,
                                {"快手", "caption", kTemplate});
}

}  // namespace gd::channels
