// The allow-list HTML sanitiser (gumbo). It stands between any HTML (Markdown output, pasted
// markup) and every channel's output: only the tags and attributes listed in sanitizer.cc
// survive; scripts, styles, frames, forms, event handlers and every URL whose scheme is not
// allowed are removed; broken nesting comes out well-formed.
//
// Media references: an uploaded file is referenced as `media:<sha256>` (64 lowercase hex digits)
// in `<img src>`, `<video src>` and `<video poster>`. Markdown may also name a file by its media
// id (`media:7`); the policy's resolver turns either form into the canonical `media:<sha256>`,
// and a reference it does not know is dropped and reported.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gd::render {

inline constexpr std::string_view kMediaScheme = "media:";

// What a caller allows beyond the fixed tag/attribute allow-list.
struct SanitizePolicy {
  // <img src="http(s)://..."> kept (true) or dropped (false). Media references are always kept.
  bool allow_external_images = true;
  // <video> kept (portal) or dropped with its content (channels that carry video separately).
  bool allow_video = true;
  // When non-empty, <a href> to a host not in this list is unwrapped: its text stays, the link
  // goes (WeChat limits outbound links). Hosts match exactly or as a parent domain.
  std::vector<std::string> link_hosts;
  // Inline style written on every kept element of that tag (WeChat). Never taken from the input.
  std::map<std::string, std::string, std::less<>> inline_styles;
  // Maps the text after "media:" to a sha256, or nullopt when the reference is unknown. Without
  // a resolver, only well-formed sha256 references are kept.
  std::function<std::optional<std::string>(std::string_view)> resolve_media;
};

// What the sanitiser did, for problems and for the renderings' media lists.
struct SanitizeReport {
  int removed_elements = 0;                  // dropped tags (content dropped or unwrapped)
  int removed_attributes = 0;                // dropped attributes, unsafe URLs included
  int unsafe_urls = 0;                       // URLs removed for their scheme
  int unwrapped_links = 0;                   // links unwrapped by SanitizePolicy::link_hosts
  std::vector<std::string> media;            // sha256 of kept media references, in order, unique
  std::vector<std::string> unknown_media;    // references the resolver did not know
  std::vector<std::string> external_images;  // http(s) image URLs (kept or not, per policy)
};

// Returns a well-formed HTML fragment. Deterministic; never fails (invalid UTF-8 is replaced).
std::string SanitizeHtml(std::string_view html, const SanitizePolicy& policy,
                         SanitizeReport* report = nullptr);

// The text of an HTML fragment: block elements end lines, runs of white space collapse, image
// alt text is left out. Used for digests, summaries and plain-text channels.
std::string HtmlToText(std::string_view html);

// True for "media:<64 lowercase hex>"; sets *sha256 when given.
bool ParseMediaRef(std::string_view url, std::string* sha256 = nullptr);
bool IsSha256Hex(std::string_view s);

// Escapes & < > " ' for HTML text and attribute values.
std::string EscapeHtml(std::string_view text);

}  // namespace gd::render
