// Media files (images, video) under --data/media, named by SHA-256, type checked by content.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "dispatcher/accounts/account_service.h"
#include "dispatcher/model/media.h"
#include "dispatcher/store/db.h"

namespace gd {

struct MediaLimits {
  int64_t image_max_bytes = 10 * 1024 * 1024;
  int64_t video_max_bytes = 100 * 1024 * 1024;
};

// What the bytes are, judged by their content (never by the name or the declared type).
struct SniffResult {
  std::string kind;  // image | video ("" = not accepted)
  std::string mime;
  int width = 0, height = 0;
};
SniffResult SniffMedia(std::string_view bytes);

// The one rule for reading a media file, whatever the route: the uploader's unit and the
// city-wide roles. Everyone else is told the file does not exist (404), as for a wrong id.
bool CanReadMedia(const AuthContext& who, const MediaRow& m);

class MediaService {
 public:
  MediaService(Store& store, std::filesystem::path dir, MediaLimits limits = {})
      : store_(store), dir_(std::move(dir)), limits_(limits) {}

  StatusOr<Json> Upload(const AuthContext& who, const std::string& filename,
                        std::string_view bytes);
  // The row and the file path, if `who` may read it (CanReadMedia); else NotFound.
  StatusOr<std::pair<MediaRow, std::filesystem::path>> Open(const AuthContext& who, int64_t id);
  // The same by content: a row with that digest `who` may read (each unit that uploaded the
  // bytes has its own row), else NotFound exactly as Open answers for another unit's id.
  StatusOr<std::pair<MediaRow, std::filesystem::path>> OpenBySha(const AuthContext& who,
                                                                 const std::string& sha256);
  std::filesystem::path PathFor(const std::string& sha256) const;
  static Json View(const MediaRow& m);

 private:
  Store& store_;
  std::filesystem::path dir_;
  MediaLimits limits_;
};

}  // namespace gd
