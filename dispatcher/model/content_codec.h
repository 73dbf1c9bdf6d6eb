// Content <-> JSON: the canonical stored form, and the validated API request body.
#pragma once

#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"
#include "dispatcher/model/content.h"

namespace gd {

// Canonical JSON of the content (stable key order; media without server paths).
Json ContentToJson(const Content& c);
StatusOr<Content> ContentFromJson(const Json& j);

// Limits on what an editor may send (bytes).
struct ContentLimits {
  size_t title_max_chars = 200;
  size_t summary_max_chars = 1000;
  size_t body_max_bytes = 2 * 1024 * 1024;
  size_t source_max_chars = 200;
  size_t column_max_chars = 100;
  size_t max_channels = 20;
  size_t max_media = 50;
  size_t max_options = 64;  // keys of one channel's options
};

// Validates an API ticket body (docs/api.md §3.1) and returns the content: every field's
// type, ids in [1, 2^53 - 1], lengths and counts. Channel options stay JSON objects (each
// formatter reads its own, checking types). Errors: kInvalidArgument with reason "invalid" and
// details.fields {field: 中文说明}; a body that is not an object, "bad_request".
// Media and channel references are returned unresolved (ids only); the service resolves them.
StatusOr<Content> ContentFromRequest(const Json& body, const ContentLimits& limits = {});

// SHA-256 hex over the canonical content and every channel's rendering: of the compact JSON
// text {"content":ContentToJson(c),"renderings":renderings}.
std::string ContentHash(const Content& c, const Json& renderings);
// The same hash from the two parts already serialised (ContentToJson(c).dump() and
// renderings.dump()), for a caller that stores those texts anyway.
std::string ContentHashOfText(std::string_view content_json, std::string_view renderings_json);

}  // namespace gd
