// The channels' limits as data (policies/channel_limits.json), parsed and validated once at
// start-up. Character counts are Unicode code points; byte limits are inclusive maxima.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"

namespace gd::channels {

// One platform's section ("<kind>") of the limits document, read by the platform's own code
// (its formatter factory): each field is optional (the platform's default stands), and an error
// names the file and the field path.
class LimitsSection {
 public:
  LimitsSection(const Json* section, std::string file, std::string name)
      : section_(section), file_(std::move(file)), name_(std::move(name)) {}
  // A positive integer.
  Status Int(std::string_view field, int64_t* out) const;
  // A non-empty array of non-empty strings.
  Status Strings(std::string_view field, std::vector<std::string>* out) const;
  // The raw value, or nullptr when absent.
  const Json* Find(std::string_view field) const;
  // kInvalidArgument: "<file>：字段 <name>.<field> <what>".
  Status Error(std::string_view field, std::string_view what) const;

 private:
  const Json* section_;  // null: the document has no such section
  std::string file_;
  std::string name_;
};

struct PortalLimits {
  int64_t title_max_chars = 100;
};

struct WechatLimits {
  int64_t title_max_chars = 32;
  int64_t author_max_chars = 16;
  int64_t digest_max_chars = 128;
  int64_t digest_default_chars = 54;  // the platform's own default digest length
  int64_t content_max_chars = 19999;
  int64_t content_max_bytes = 1048575;
  int64_t source_url_max_bytes = 1024;
  int64_t image_max_bytes = 1048575;  // in-article images (uploadimg)
  std::vector<std::string> image_mimes = {"image/jpeg", "image/png"};
  int64_t cover_max_bytes = 10485760;  // permanent material
  std::vector<std::string> cover_mimes = {"image/jpeg", "image/png", "image/gif", "image/bmp"};
  std::vector<std::string> link_hosts = {"mp.weixin.qq.com"};
};

// Weibo counts in 字: a non-ASCII character is 1, an ASCII character 1/2, a link `link_units`
// whatever its length (the platform shortens every link); the total is rounded up.
struct WeiboLimits {
  int64_t text_max_units = 140;
  int64_t link_units = 11;
  int64_t topics_max = 3;
  int64_t pic_max_bytes = 5242879;
  std::vector<std::string> pic_mimes = {"image/jpeg", "image/png", "image/gif"};
};

struct ShortVideoLimits {
  int64_t caption_max_chars = 1000;
  int64_t hashtags_max = 5;
  int64_t video_max_bytes = 4294967296;
  std::vector<std::string> video_mimes = {"video/mp4"};
  int64_t cover_max_bytes = 10485760;
  std::vector<std::string> cover_mimes = {"image/jpeg", "image/png"};
};

struct ManualLimits {
  int64_t title_max_chars = 30;
  int64_t text_max_chars = 1000;
};

struct ChannelLimits {
  Json doc = Json::object();  // the whole document, for the sections read by kind
  std::string file;           // where it came from, for error messages
  // The section of `kind` (empty when the document has none).
  LimitsSection Section(std::string_view kind) const;

  PortalLimits portal;
  WechatLimits wechat_mp;
  WeiboLimits weibo;
  ShortVideoLimits douyin;
  ShortVideoLimits kuaishou{500};
  ManualLimits manual_default;
  std::map<std::string, ManualLimits, std::less<>> manual_platforms;

  const ManualLimits& Manual(std::string_view platform) const;
};

// Parses the limits document; errors are kInvalidArgument naming `file` and the field path.
StatusOr<ChannelLimits> ParseChannelLimits(const Json& doc, const std::string& file);
StatusOr<ChannelLimits> LoadChannelLimits(const std::filesystem::path& file);

}  // namespace gd::channels
