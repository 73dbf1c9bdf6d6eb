// An uploaded image or video.
#pragma once

#include <cstdint>
#include <string>

#include "dispatcher/core/clock.h"

namespace gd {

struct MediaRow {
  int64_t id = 0;
  std::string sha256;
  std::string kind;  // image | video
  std::string mime;
  int64_t size = 0;
  std::string filename;
  int64_t uploaded_by = 0;
  int64_t unit_id = 0;
  int width = 0, height = 0;
  TimeMs created_at = 0;
};

}  // namespace gd
