#include "dispatcher/http/static_files.h"

#include <algorithm>

#include "dispatcher/core/utf8.h"

namespace gd {
namespace {

// True if `rel` is a relative path of plain, non-hidden segments (a trailing slash allowed).
bool IsPlainRelativePath(std::string_view rel) {
  if (!IsValidUtf8(rel)) return false;
  for (unsigned char c : rel)
    if (c < 0x20 || c == 0x7f || c == '\\') return false;
  if (rel.empty()) return true;
  if (rel.front() == '/') return false;
  size_t pos = 0;
  while (pos < rel.size()) {
    size_t end = rel.find('/', pos);
    if (end == std::string_view::npos) end = rel.size();
    std::string_view segment = rel.substr(pos, end - pos);
    bool trailing_slash = segment.empty() && end == rel.size();
    if (!trailing_slash && (segment.empty() || segment.front() == '.')) return false;
    pos = end + 1;
  }
  return true;
}

// True if `path` equals `root` or lies below it (both canonical).
bool IsWithin(const std::filesystem::path& root, const std::filesystem::path& path) {
  auto [r, p] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return r == root.end();
}

}  // namespace

std::optional<std::filesystem::path> ResolveUnder(const std::filesystem::path& root,
                                                  std::string_view rel) {
  if (root.empty() || !IsPlainRelativePath(rel)) return std::nullopt;
  std::error_code ec;
  std::filesystem::path canonical_root = std::filesystem::canonical(root, ec);
  if (ec) return std::nullopt;
  std::filesystem::path candidate = canonical_root / std::filesystem::path(std::string(rel));
  if (std::filesystem::is_directory(candidate, ec)) candidate /= "index.html";
  std::filesystem::path resolved = std::filesystem::canonical(candidate, ec);
  if (ec || !IsWithin(canonical_root, resolved) || resolved == canonical_root) return std::nullopt;
  if (!std::filesystem::is_regular_file(resolved, ec)) return std::nullopt;
  return resolved;
}

std::string MimeTypeFor(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".gif") return "image/gif";
  if (ext == ".webp") return "image/webp";
  if (ext == ".mp4") return "video/mp4";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".woff") return "font/woff";
  if (ext == ".ttf") return "font/ttf";
  if (ext == ".xml") return "application/xml; charset=utf-8";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  if (ext == ".ico") return "image/x-icon";
  return "";
}

}  // namespace gd
