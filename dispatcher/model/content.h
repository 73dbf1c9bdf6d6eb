// The content model: what an editor writes once, for every channel. Plain types, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dispatcher/core/clock.h"
#include "dispatcher/core/json_util.h"

namespace gd {

// 信息类别 (art. 10 decides the review chain by category).
enum class Category {
  kWorkNews,        // work_news 工作动态
  kAnnouncement,    // announcement 公示公告
  kPolicyDocument,  // policy_document 政策文件
  kKeyArea,         // key_area 重点领域
  kInteractive,     // interactive 互动
  kReposted,        // reposted 转载 (art. 7: source required)
};

std::string_view CategoryKey(Category c);
std::string_view CategoryLabel(Category c);  // Chinese name
std::optional<Category> ParseCategory(std::string_view key);

// A media file attached to a ticket. Files live under --data, named by their SHA-256.
struct MediaRef {
  int64_t media_id = 0;
  std::string role;  // "cover", "image", "video"
  std::string kind;  // "image" or "video"
  std::string mime;
  std::string sha256;
  int64_t size = 0;
  std::string path;  // absolute path on this server (filled in by the store; not hashed)
  int width = 0, height = 0;
};

// One target channel account of a ticket, with per-channel options (WeChat digest/author,
// Weibo text/topics, short-video caption/hashtags, ...).
struct ChannelTarget {
  int64_t account_id = 0;
  std::string kind;  // filled in from the account: "portal", "wechat_mp", ...
  Json options = Json::object();
};

// The canonical content of one ticket version.
struct Content {
  Category category = Category::kWorkNews;
  std::string title;
  std::string summary;
  std::string body;    // Markdown, the canonical source
  std::string source;  // empty = no source
  std::string column;  // portal column 栏目
  std::vector<MediaRef> media;
  std::vector<ChannelTarget> channels;
  std::optional<TimeMs> scheduled_at;
  bool urgent = false;
  bool out_of_scope = false;
};

}  // namespace gd
