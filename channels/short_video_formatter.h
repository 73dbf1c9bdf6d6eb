// The formatter shared by the short-video platforms (Douyin, Kuaishou): a caption with hashtags,
// one video and a cover, checked against the platform's limits.
#pragma once

#include <string>

#include "channels/formatter_env.h"

namespace gd::channels {

struct ShortVideoSpec {
  std::string label;          // "抖音", "快手" (for problem messages)
  std::string caption_key;    // body key of the caption: "text" (Douyin), "caption" (Kuaishou)
  std::string template_name;  // e.g. "douyin/caption.txt" (variables: caption, hashtags)
};

std::unique_ptr<Formatter> NewShortVideoFormatter(const render::TemplateSet& templates,
                                                  const ShortVideoLimits& limits,
                                                  ShortVideoSpec spec);

}  // namespace gd::channels
