// The formatter shared by the short-video platforms (Douyin, Kuaishou): a caption with hashtags,
// one video and a cover, checked against the platform's limits.
#pragma once

#include <string>
#include <vector>

#include "channels/channel_limits.h"
#include "channels/formatter_env.h"

namespace gd::channels {

// A short-video platform's limits, from its section of policies/channel_limits.json.
struct ShortVideoLimits {
  int64_t caption_max_chars = 1000;
  int64_t hashtags_max = 5;
  int64_t video_max_bytes = 4294967296;
  std::vector<std::string> video_mimes = {"video/mp4"};
  int64_t cover_max_bytes = 10485760;
  std::vector<std::string> cover_mimes = {"image/jpeg", "image/png"};
};
// Reads caption_max_chars, hashtags_max, video_max_bytes, video_mimes, cover_max_bytes and
// cover_mimes from `s` over `defaults`.
StatusOr<ShortVideoLimits> ReadShortVideoLimits(const LimitsSection& s,
                                                ShortVideoLimits defaults = {});

struct ShortVideoSpec {
  std::string label;          // "抖音", "快手" (for problem messages)
  std::string caption_key;    // body key of the caption: "text" (Douyin), "caption" (Kuaishou)
  std::string template_name;  // e.g. "douyin/caption.txt" (variables: caption, hashtags)
};

std::unique_ptr<Formatter> NewShortVideoFormatter(const render::TemplateSet& templates,
                                                  ShortVideoLimits limits, ShortVideoSpec spec);

}  // namespace gd::channels
