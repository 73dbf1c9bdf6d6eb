// Helpers shared by the formatters: body rendering, media lookup, text cutting, problems.
// Pure functions over the content model.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "channels/channel.h"
#include "dispatcher/render/sanitizer.h"

namespace gd::channels {

// The content body as a sanitised HTML fragment: Markdown -> md4c -> sanitiser under `policy`
// (whose media resolver is set here: `media:<sha256>` or `media:<media_id>` of this content's
// media). Attached images (role "image") the body does not reference are appended at the end,
// in attachment order, one per paragraph.
struct BodyHtml {
  std::string html;
  render::SanitizeReport report;
};
BodyHtml RenderBody(const Content& content, render::SanitizePolicy policy);

// The first attachment with `role`, or nullptr.
const MediaRef* FindMedia(const Content& content, std::string_view role);
// The attachment with this sha256, or nullptr.
const MediaRef* FindMediaBySha(const Content& content, std::string_view sha256);
// An attachment named by an option value: a sha256 string or a media id (number or digits).
const MediaRef* FindMediaByOption(const Content& content, const Json& value);

// A string option of the target (trimmed), or "" when absent or not a string.
std::string OptionString(const RenderInput& in, const char* key);
// A list-of-strings option (a single string is split on spaces, commas and 、), trimmed and
// de-duplicated, with leading/trailing '#' removed.
std::vector<std::string> OptionTags(const RenderInput& in, const char* key);
// Whether the ticket also targets a portal account (whose URL the dispatcher fills in).
bool TargetsPortal(const Content& content);
// 发布机构: the ticket's unit, else the account's unit.
std::string PublisherName(const RenderInput& in);

// Collapses all white space (newlines included) to single spaces and trims.
std::string CollapseSpaces(std::string_view text);
// The longest prefix of `text` made of whole sentences (ending in 。！？!? or ；) that satisfies
// `fits`; "" when not even the first sentence fits.
std::string CutAtSentence(std::string_view text, const std::function<bool(std::string_view)>& fits);
// `text` cut to at most `max_chars` code points, ending with "……" when cut.
std::string CutChars(std::string_view text, size_t max_chars);
size_t Chars(std::string_view text);

// "2026-11-29" (China Standard Time) of `t`.
std::string PublishDate(TimeMs t);

Problem MakeProblem(std::string code, std::string field, std::string message,
                    std::string severity = "block");
// Size/format problems of one attachment against a channel's rules.
void CheckMedia(const MediaRef& m, std::string_view field, std::string_view what, int64_t max_bytes,
                const std::vector<std::string>& mimes, std::vector<Problem>* problems);
// Problems for media references in the body that are not attachments of this content.
void ReportUnknownMedia(const render::SanitizeReport& report, std::vector<Problem>* problems);

}  // namespace gd::channels
