#include "dispatcher/media/media_service.h"

#include <fstream>

#include "dispatcher/core/crypto.h"
#include "dispatcher/core/time_util.h"
#include "dispatcher/core/utf8.h"
#include "dispatcher/store/audit_repo.h"
#include "dispatcher/store/media_repo.h"

namespace gd {
namespace {

uint32_t Be32(std::string_view b, size_t i) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(b[i])) << 24) |
         (static_cast<uint32_t>(static_cast<unsigned char>(b[i + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<unsigned char>(b[i + 2])) << 8) |
         static_cast<uint32_t>(static_cast<unsigned char>(b[i + 3]));
}
uint16_t Be16(std::string_view b, size_t i) {
  return static_cast<uint16_t>((static_cast<unsigned char>(b[i]) << 8) |
                               static_cast<unsigned char>(b[i + 1]));
}

void JpegSize(std::string_view b, int* w, int* h) {
  size_t i = 2;
  while (i + 9 < b.size()) {
    if (static_cast<unsigned char>(b[i]) != 0xFF) return;
    unsigned char marker = static_cast<unsigned char>(b[i + 1]);
    uint16_t len = Be16(b, i + 2);
    if ((marker >= 0xC0 && marker <= 0xC3) ||
        (marker >= 0xC5 && marker <= 0xCB && marker != 0xC8)) {
      *h = Be16(b, i + 5);
      *w = Be16(b, i + 7);
      return;
    }
    i += 2 + len;
  }
}

}  // namespace

SniffResult SniffMedia(std::string_view b) {
  SniffResult r;
  if (b.size() >= 4 && b.substr(0, 3) == "\xFF\xD8\xFF") {
    r = {"image", "image/jpeg"};
    JpegSize(b, &r.width, &r.height);
  } else if (b.size() >= 24 && b.substr(0, 8) == "\x89PNG\r\n\x1a\n") {
    r = {"image", "image/png"};
    r.width = static_cast<int>(Be32(b, 16));
    r.height = static_cast<int>(Be32(b, 20));
  } else if (b.size() >= 10 && (b.substr(0, 6) == "GIF87a" || b.substr(0, 6) == "GIF89a")) {
    r = {"image", "image/gif"};
    r.width = static_cast<unsigned char>(b[6]) | (static_cast<unsigned char>(b[7]) << 8);
    r.height = static_cast<unsigned char>(b[8]) | (static_cast<unsigned char>(b[9]) << 8);
  } else if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") {
    r = {"image", "image/webp"};
  } else if (b.size() >= 12 && b.substr(4, 4) == "ftyp") {
    std::string_view brand = b.substr(8, 4);
    if (brand == "qt  ")
      r = {"video", "video/quicktime"};
    else
      r = {"video", "video/mp4"};
  }
  return r;
}

bool CanReadMedia(const AuthContext& who, const MediaRow& m) {
  return who.user.CityWide() || who.user.unit_id == m.unit_id;
}

std::filesystem::path MediaService::PathFor(const std::string& sha256) const {
  return dir_ / sha256.substr(0, 2) / sha256;
}

Json MediaService::View(const MediaRow& m) {
  return {{"id", m.id},       {"kind", m.kind},     {"mime", m.mime},
          {"size", m.size},   {"sha256", m.sha256}, {"filename", m.filename},
          {"width", m.width}, {"height", m.height}, {"created_at", FormatRfc3339(m.created_at)}};
}

StatusOr<Json> MediaService::Upload(const AuthContext& who, const std::string& filename,
                                    std::string_view bytes) {
  if (bytes.empty())
    return InvalidArgument("文件为空", "invalid", {{"fields", {{"file", "文件为空"}}}});
  SniffResult s = SniffMedia(bytes);
  if (s.kind.empty())
    return InvalidArgument("不支持的文件类型：仅接受 JPEG、PNG、GIF、WebP 图片和 MP4 视频",
                           "invalid", {{"fields", {{"file", "文件类型不支持"}}}});
  int64_t limit = s.kind == "image" ? limits_.image_max_bytes : limits_.video_max_bytes;
  if (static_cast<int64_t>(bytes.size()) > limit)
    return Status(Code::kTooLarge,
                  (s.kind == "image" ? "图片" : "视频") + std::string("超过大小上限 ") +
                      std::to_string(limit / 1024 / 1024) + " MB",
                  "too_large");
  std::string sha = Sha256Hex(bytes);
  std::filesystem::path path = PathFor(sha);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    std::filesystem::create_directories(path.parent_path(), ec);
    std::filesystem::path tmp = path;
    tmp += ".tmp" + RandomToken(6);
    {
      std::ofstream out(tmp, std::ios::binary);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (!out) return Internal("保存文件失败");
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) return Internal("保存文件失败");
  }
  MediaRow m;
  m.sha256 = sha;
  m.kind = s.kind;
  m.mime = s.mime;
  m.size = static_cast<int64_t>(bytes.size());
  m.filename = IsValidUtf8(filename) ? std::string(TruncateCodePoints(filename, 200)) : "file";
  m.uploaded_by = who.user.id;
  m.unit_id = who.user.unit_id;
  m.width = s.width;
  m.height = s.height;
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(m.id, media_repo::InsertMedia(tx, m));
    m.created_at = tx.now();
    return audit_repo::Audit(tx, who.user.id, "media.upload", "media", m.id,
                             {{"sha256", sha}, {"kind", s.kind}, {"size", m.size}});
  }));
  return View(m);
}

StatusOr<std::pair<MediaRow, std::filesystem::path>> MediaService::Open(const AuthContext& who,
                                                                        int64_t id) {
  std::optional<MediaRow> row;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(row, media_repo::GetMedia(tx, id));
    return Status::Ok();
  }));
  if (!row || !CanReadMedia(who, *row)) return NotFound("素材不存在");
  return std::make_pair(*row, PathFor(row->sha256));
}

StatusOr<std::pair<MediaRow, std::filesystem::path>> MediaService::OpenBySha(
    const AuthContext& who, const std::string& sha256) {
  if (sha256.size() != 64 || sha256.find_first_not_of("0123456789abcdef") != std::string::npos)
    return NotFound("素材不存在");
  std::optional<MediaRow> row;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(std::vector<int64_t> ids, media_repo::MediaIdsBySha(tx, sha256));
    for (int64_t id : ids) {
      GD_ASSIGN_OR_RETURN(auto candidate, media_repo::GetMedia(tx, id));
      if (candidate && CanReadMedia(who, *candidate)) {
        row = std::move(candidate);
        break;
      }
    }
    return Status::Ok();
  }));
  if (!row) return NotFound("素材不存在");
  return std::make_pair(*row, PathFor(row->sha256));
}

}  // namespace gd
