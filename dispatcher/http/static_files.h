// The one way this server answers a request with a file from disk (the console, its assets, the
// built-in portal site). Every path that reaches the file system passes ResolveUnder.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace gd {

// Resolves `rel`, an already percent-decoded request path relative to `root`, to the canonical
// path of a regular file that lies under `root` (symlinks resolved), or nullopt.
// Refused, whatever the file system holds: an empty root; NUL, backslashes, control characters
// or invalid UTF-8 (overlong forms included); an absolute path; empty segments ("a//b"); and any
// segment that starts with a dot ("..", ".", ".git"). A directory (or an empty `rel`) stands for
// its index.html. Thread-safe; touches the file system read-only.
std::optional<std::filesystem::path> ResolveUnder(const std::filesystem::path& root,
                                                  std::string_view rel);

// The media type for a served file, by its extension; empty for any extension not on the list
// (backups, editor files, archives, sources: ASVS 12.5.1), which is then not served.
std::string MimeTypeFor(const std::filesystem::path& file);

}  // namespace gd
