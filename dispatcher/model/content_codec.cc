#include "dispatcher/model/content_codec.h"

#include "dispatcher/core/crypto.h"
#include "dispatcher/core/time_util.h"
#include "dispatcher/core/utf8.h"

namespace gd {
namespace {

// The largest id a client may send: 2^53 - 1 (exact in JavaScript).
constexpr int64_t kMaxId = (int64_t{1} << 53) - 1;

}  // namespace

Json ContentToJson(const Content& c) {
  Json media = Json::array();
  for (const auto& m : c.media)
    media.push_back({{"media_id", m.media_id},
                     {"role", m.role},
                     {"kind", m.kind},
                     {"mime", m.mime},
                     {"sha256", m.sha256},
                     {"size", m.size},
                     {"width", m.width},
                     {"height", m.height}});
  Json channels = Json::array();
  for (const auto& ch : c.channels)
    channels.push_back({{"account_id", ch.account_id}, {"kind", ch.kind}, {"options", ch.options}});
  return Json{{"category", std::string(CategoryKey(c.category))},
              {"title", c.title},
              {"summary", c.summary},
              {"body", c.body},
              {"source", c.source.empty() ? Json() : Json(c.source)},
              {"column", c.column},
              {"media", media},
              {"channels", channels},
              {"scheduled_at", c.scheduled_at ? Json(FormatRfc3339(*c.scheduled_at)) : Json()},
              {"urgent", c.urgent},
              {"out_of_scope", c.out_of_scope}};
}

StatusOr<Content> ContentFromJson(const Json& j) {
  Content c;
  auto cat = ParseCategory(j.value("category", ""));
  if (!cat) return Internal("stored content has an unknown category");
  c.category = *cat;
  c.title = j.value("title", "");
  c.summary = j.value("summary", "");
  c.body = j.value("body", "");
  if (j.contains("source") && j["source"].is_string()) c.source = j["source"].get<std::string>();
  c.column = j.value("column", "");
  for (const auto& m : j.value("media", Json::array())) {
    MediaRef r;
    r.media_id = m.value("media_id", int64_t{0});
    r.role = m.value("role", "");
    r.kind = m.value("kind", "");
    r.mime = m.value("mime", "");
    r.sha256 = m.value("sha256", "");
    r.size = m.value("size", int64_t{0});
    r.width = m.value("width", 0);
    r.height = m.value("height", 0);
    c.media.push_back(std::move(r));
  }
  for (const auto& ch : j.value("channels", Json::array()))
    c.channels.push_back({ch.value("account_id", int64_t{0}), ch.value("kind", ""),
                          ch.value("options", Json::object())});
  if (j.contains("scheduled_at") && j["scheduled_at"].is_string())
    c.scheduled_at = ParseRfc3339(j["scheduled_at"].get<std::string>());
  c.urgent = j.value("urgent", false);
  c.out_of_scope = j.value("out_of_scope", false);
  return c;
}

namespace {

// The string `key` of the request body; records a problem in *fields when it is missing but
// required, not a string, blank but required, or longer than max_chars code points.
std::string ReadString(const Json& body, const char* key, size_t max_chars, bool required,
                       Json* fields) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    if (required) (*fields)[key] = "必填";
    return "";
  }
  if (!it->is_string()) {
    (*fields)[key] = "应为字符串";
    return "";
  }
  std::string v = it->get<std::string>();
  if (required && v.find_first_not_of(" \t\r\n") == std::string::npos) (*fields)[key] = "不能为空";
  if (CodePointCount(v) > max_chars)
    (*fields)[key] = "超过 " + std::to_string(max_chars) + " 字的上限";
  return v;
}

// The id `key` of obj: an integer in [1, 2^53 - 1], else nullopt.
std::optional<int64_t> IdOf(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number_integer()) return std::nullopt;
  if (it->is_number_unsigned())
    return it->get<uint64_t>() <= static_cast<uint64_t>(kMaxId)
               ? std::optional<int64_t>(it->get<int64_t>())
               : std::nullopt;
  int64_t v = it->get<int64_t>();
  return v >= 1 && v <= kMaxId ? std::optional<int64_t>(v) : std::nullopt;
}

void ReadMedia(const Json& body, const ContentLimits& limits, Content* out, Json* fields) {
  Content& c = *out;
  if (auto it = body.find("media"); it != body.end() && !it->is_null()) {
    const Json& media = *it;
    if (!media.is_array() || media.size() > limits.max_media) {
      (*fields)["media"] = "应为不超过 " + std::to_string(limits.max_media) + " 项的数组";
    } else {
      for (size_t i = 0; i < media.size(); ++i) {
        const Json& m = media[i];
        std::string where = "media[" + std::to_string(i) + "]";
        std::optional<int64_t> id = m.is_object() ? IdOf(m, "media_id") : std::nullopt;
        if (!id) {
          (*fields)[where] = "需要 media_id（正整数）";
          continue;
        }
        std::string role = "image";
        if (auto r = m.find("role"); r != m.end() && !r->is_null())
          role = r->is_string() ? r->get<std::string>() : "";
        if (role != "cover" && role != "image" && role != "video") {
          (*fields)[where + ".role"] = "应为 cover、image 或 video";
          continue;
        }
        MediaRef ref;
        ref.media_id = *id;
        ref.role = role;
        c.media.push_back(std::move(ref));
      }
    }
  }
}

void ReadChannels(const Json& body, const ContentLimits& limits, Content* out, Json* fields) {
  Content& c = *out;
  if (auto it = body.find("channels"); it != body.end() && !it->is_null()) {
    const Json& chans = *it;
    if (!chans.is_array() || chans.size() > limits.max_channels) {
      (*fields)["channels"] = "应为不超过 " + std::to_string(limits.max_channels) + " 项的数组";
    } else {
      for (size_t i = 0; i < chans.size(); ++i) {
        const Json& ch = chans[i];
        std::string where = "channels[" + std::to_string(i) + "]";
        std::optional<int64_t> id = ch.is_object() ? IdOf(ch, "account_id") : std::nullopt;
        if (!id) {
          (*fields)[where] = "需要 account_id（正整数）";
          continue;
        }
        Json options = Json::object();
        if (auto o = ch.find("options"); o != ch.end() && !o->is_null()) {
          if (!o->is_object() || o->size() > limits.max_options) {
            (*fields)[where + ".options"] =
                "应为不超过 " + std::to_string(limits.max_options) + " 项的对象";
            continue;
          }
          options = *o;
        }
        for (const auto& prev : c.channels)
          if (prev.account_id == *id) (*fields)[where] = "渠道重复";
        c.channels.push_back({*id, "", std::move(options)});
      }
    }
  }
}

void ReadSchedule(const Json& body, Content* out, Json* fields) {
  Content& c = *out;
  if (auto it = body.find("scheduled_at"); it != body.end() && !it->is_null()) {
    if (!it->is_string() || it->get_ref<const std::string&>().size() > 64) {
      (*fields)["scheduled_at"] = "应为 RFC 3339 时间";
    } else {
      c.scheduled_at = ParseRfc3339(it->get<std::string>());
      if (!c.scheduled_at) (*fields)["scheduled_at"] = "时间格式应为 2026-11-29T09:30:00+08:00";
    }
  }
}

void ReadFlags(const Json& body, Content* out, Json* fields) {
  Content& c = *out;
  const std::pair<const char*, bool*> flags[] = {{"urgent", &c.urgent},
                                                 {"out_of_scope", &c.out_of_scope}};
  for (auto [flag, out] : flags) {
    auto it = body.find(flag);
    if (it == body.end() || it->is_null()) continue;
    if (it->is_boolean())
      *out = it->get<bool>();
    else
      (*fields)[flag] = "应为 true 或 false";
  }
}

}  // namespace

StatusOr<Content> ContentFromRequest(const Json& body, const ContentLimits& limits) {
  if (!body.is_object()) return InvalidArgument("请求体应为 JSON 对象", "bad_request");
  Json fields = Json::object();
  Content c;
  auto str = [&](const char* key, size_t max_chars, bool required) {
    return ReadString(body, key, max_chars, required, &fields);
  };
  std::string category = str("category", 40, true);
  if (!category.empty()) {
    auto cat = ParseCategory(category);
    if (!cat)
      fields["category"] = "未知类别";
    else
      c.category = *cat;
  }
  c.title = str("title", limits.title_max_chars, true);
  c.summary = str("summary", limits.summary_max_chars, false);
  c.body = str("body", SIZE_MAX, false);
  if (c.body.size() > limits.body_max_bytes) fields["body"] = "正文过长";
  c.source = str("source", limits.source_max_chars, false);
  if (c.source.find_first_not_of(" \t\r\n") == std::string::npos) c.source.clear();
  c.column = str("column", limits.column_max_chars, false);

  ReadMedia(body, limits, &c, &fields);
  ReadChannels(body, limits, &c, &fields);
  ReadSchedule(body, &c, &fields);
  ReadFlags(body, &c, &fields);
  if (!fields.empty())
    return InvalidArgument("内容填写有误，请检查标注的字段", "invalid", {{"fields", fields}});
  return c;
}

std::string ContentHash(const Content& c, const Json& renderings) {
  return ContentHashOfText(ContentToJson(c).dump(), renderings.dump());
}

std::string ContentHashOfText(std::string_view content_json, std::string_view renderings_json) {
  // What Json{{"content", ...}, {"renderings", ...}}.dump() writes: keys in order, no spaces.
  std::string all;
  all.reserve(content_json.size() + renderings_json.size() + 28);
  all.append(R"({"content":)").append(content_json);
  all.append(R"(,"renderings":)").append(renderings_json).append("}");
  return Sha256Hex(all);
}

}  // namespace gd
