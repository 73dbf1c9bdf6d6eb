// The channel registry: the one explicit list of built-in channel kinds (no static
// self-registration: a static library drops registrars nothing references). A platform is one
// entry, defined in its own folder (channels/<kind>/kind.cc): its kind key and Chinese label,
// the factories of its formatter and client, the schema of its account (API address, settings,
// secrets), its per-ticket options and covers, and the capabilities the dispatcher asks by
// kind instead of naming platforms. GET /api/channel-kinds serialises these entries.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "channels/client.h"
#include "channels/formatter_env.h"
#include "dispatcher/core/json_util.h"

namespace gd::channels {

enum class FieldType { kString, kText, kUrl, kInteger, kBoolean, kSelect, kMedia, kObject };

struct FieldChoice {
  std::string value = {};
  std::string label = {};  // zh-CN
};

// A field applies (is shown, and required if `required`) only when the setting `setting` has
// one of `values`; an empty `setting` means always.
struct FieldWhen {
  std::string setting = {};
  std::vector<std::string> values = {};
};

struct Field {
  std::string name = {};   // key in settings / secrets / options ("base_url" for the API address)
  std::string label = {};  // zh-CN
  FieldType type = FieldType::kString;
  bool required = false;
  Json default_value = nullptr;
  std::string help = {};                  // zh-CN, may be empty
  std::vector<FieldChoice> choices = {};  // kSelect only
  FieldWhen when = {};
  int64_t max_chars = 2000;  // strings; integers use [min, max]
  int64_t min = 1;
  int64_t max = int64_t{1} << 32;
  bool listed = true;  // false: accepted but not offered in the console (kObject settings)
};

// A cover image the channel uses. Sizes are 0 where no cited source gives them.
struct Cover {
  std::string name = {};
  std::string label = {};
  std::string aspect = {};
  int64_t min_width = 0;
  int64_t min_height = 0;
};

struct OAuthSpec;  // channels/oauth.h

using ClientFactory = std::unique_ptr<Client> (*)(const ClientDeps& deps);

// The shortest awaiting deadline a kind may have: WeChat's "API 群发保护" confirmation alone may
// take 30 minutes.
inline constexpr TimeMs kMinAwaitingDeadlineMs = 3600 * 1000;

// A request the platform sent to an account's event URL (docs/api.md, channel events).
struct ChannelEventRequest {
  std::string method = {};                        // GET (URL verification) or POST (an event)
  std::map<std::string, std::string> query = {};  // first value of each query parameter
  std::string body = {};
};

// What the kind made of an authentic request.
struct ChannelEvent {
  std::string reply = {};  // the body the platform expects back (text/plain)
  // The platform's id of the publish job that ended ("" when the request names none), and the
  // key under which the client keeps that id in the dispatch's progress.state.
  std::string job_key = {};
  std::string job_id = {};
};

// Checks and reads one pushed request for an account with `settings` and decrypted `secrets`,
// at `now`. The signature is checked before anything else is read. Errors: kUnauthenticated
// (signature or timestamp wrong), kInvalidArgument (malformed), kFailedPrecondition (the
// account has no event receiver configured). Pure; thread-safe.
using EventHook = StatusOr<ChannelEvent> (*)(const Json& settings, const Json& secrets,
                                             const ChannelEventRequest& request, TimeMs now);

struct BuiltinChannel {
  std::string kind = {};   // the account kind key, e.g. "wechat_mp"
  std::string label = {};  // Chinese name shown to people, e.g. "微信公众号"
  // How the console previews a rendering of this kind: "site_page" (a page of the website),
  // "article" (an article in a phone frame), "post" (a short post with a picture), "video" (a
  // cover and a caption), "handoff" (what a person posts by hand); anything else: the fields.
  std::string preview = {};
  FormatterFactory make_formatter = nullptr;
  ClientFactory make_client = nullptr;
  std::optional<Field> base_url = {};  // nullopt: the kind has no API address
  std::vector<Field> settings = {};
  std::vector<Field> secrets = {};
  std::vector<Field> options = {};  // per-ticket options of the channel
  std::vector<Cover> covers = {};
  // Capabilities the dispatcher asks instead of comparing kind names.
  bool publishes_by_hand = false;  // staff post it themselves and confirm (manual hand-off)
  bool is_portal = false;          // its published URL is the ticket's {{portal_url}}
  // How long a dispatch may wait in `awaiting` for the platform (review, processing) before
  // the engine stops polling and hands it to a person (needs_decision). Never below
  // kMinAwaitingDeadlineMs; manual hand-offs (waiting for a person already) have none.
  TimeMs awaiting_deadline_ms = 24 * 3600 * 1000;
  // Whether an account with `settings` is served in-process (the built-in portal); null: never.
  bool (*in_process)(const Json& settings) = nullptr;
  // The platform's authorisation-code flow (channels/oauth.h); null: tokens are pasted.
  const OAuthSpec* oauth = nullptr;
  // Events the platform pushes to the account's URL (publish results); null: none.
  EventHook events = nullptr;

  const Field* FindSetting(std::string_view name) const;
  const Field* FindSecret(std::string_view name) const;
  // Whether `f` applies to an account with `settings` (its `when` holds).
  static bool Applies(const Field& f, const Json& settings);
  // Whether an account with `settings` needs an API address (its base_url field applies).
  bool NeedsBaseUrl(const Json& settings) const;
  // Whether an account with `settings` needs sealed secrets to work.
  bool NeedsSecrets(const Json& settings) const;
  bool InProcess(const Json& settings) const { return in_process && in_process(settings); }
};

// Every built-in channel, in display order.
std::span<const BuiltinChannel> BuiltinChannels();
// The entry for `kind`, or nullptr.
const BuiltinChannel* FindBuiltinChannel(std::string_view kind);

// The JSON of GET /api/channel-kinds: {"items": [kind, ...]} (docs/api.md).
Json ChannelKindsJson();
Json FieldJson(const Field& f);

// Builds every built-in formatter, keyed by kind. Fails with the first factory's error (a
// missing or invalid template names its file), so a bad template stops the start-up.
StatusOr<std::map<std::string, std::unique_ptr<Formatter>, std::less<>>> MakeBuiltinFormatters(
    const FormatterEnv& env);

}  // namespace gd::channels
