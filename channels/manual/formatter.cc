#include "channels/manual/formatter.h"

#include <fmt/format.h>

#include "channels/formatter_util.h"

namespace gd::channels {
namespace {

constexpr std::string_view kTemplate = "manual/instructions.txt";
constexpr std::string_view kDefaultPlatform = "视频号";

std::string RoleLabel(std::string_view role) {
  if (role == "cover") return "封面";
  if (role == "video") return "视频";
  return "图片";
}

class ManualFormatter final : public Formatter {
 public:
  ManualFormatter(const render::TemplateSet& templates, ManualLimitsTable limits)
      : templates_(templates), limits_(std::move(limits)) {}

  Rendering Render(const RenderInput& in) const override {
    Rendering r;
    const Content& c = *in.content;
    std::string platform;
    if (in.account != nullptr) {
      auto it = in.account->settings.find("platform");
      if (it != in.account->settings.end() && it->is_string()) {
        platform = CollapseSpaces(it->get<std::string>());
      }
    }
    if (platform.empty()) platform = kDefaultPlatform;
    const ManualLimits& limits = limits_.For(platform);

    std::string title = CollapseSpaces(OptionString(in, "title"));
    if (title.empty()) title = CollapseSpaces(c.title);
    if (static_cast<int64_t>(Chars(title)) > limits.title_max_chars) {
      r.problems.push_back(
          MakeProblem("title_too_long", "title",
                      fmt::format("{}标题为 {} 字，超过上限 {} 字；可在渠道选项中另填短标题",
                                  platform, Chars(title), limits.title_max_chars)));
    }

    std::string tags;
    for (const std::string& t : OptionTags(in, "hashtags")) tags += " #" + t;
    const std::string explicit_text = CollapseSpaces(OptionString(in, "text"));
    std::string text;
    if (!explicit_text.empty()) {
      text = explicit_text + tags;
    } else {
      std::string lead = CollapseSpaces(c.summary);
      if (lead.empty()) lead = CollapseSpaces(render::HtmlToText(RenderBody(c, {}).html));
      const int64_t room = limits.text_max_chars - static_cast<int64_t>(Chars(tags));
      if (static_cast<int64_t>(Chars(lead)) > room && room > 0) {
        std::string cut = CutAtSentence(
            lead, [&](std::string_view s) { return static_cast<int64_t>(Chars(s)) <= room; });
        lead = cut.empty() ? CutChars(lead, static_cast<size_t>(room)) : cut;
      }
      text = lead + tags;
    }
    if (static_cast<int64_t>(Chars(text)) > limits.text_max_chars) {
      r.problems.push_back(MakeProblem("text_too_long", "text",
                                       fmt::format("{}文案为 {} 字，超过上限 {} 字", platform,
                                                   Chars(text), limits.text_max_chars)));
    }

    Json media = Json::array();
    Json files = Json::array();
    int index = 0;
    for (const MediaRef& m : c.media) {
      media.push_back({{"sha256", m.sha256},
                       {"role", m.role},
                       {"kind", m.kind},
                       {"mime", m.mime},
                       {"size", m.size}});
      files.push_back({{"index", ++index}, {"role", RoleLabel(m.role)}, {"sha256", m.sha256}});
    }
    const MediaRef* video = FindMedia(c, "video");
    const MediaRef* cover = FindMedia(c, "cover");
    if (c.media.empty()) {
      r.problems.push_back(MakeProblem("media_missing", "media",
                                       platform + "人工发布包没有任何图片或视频附件", "warn"));
    }

    Json data = {
        {"platform", platform},
        {"title", title},
        {"text", text},
        {"has_video", video != nullptr},
        {"has_cover", cover != nullptr},
        {"files", files},
        {"publish_date", PublishDate(in.publish_time)},
        {"portal_url", TargetsPortal(c) ? std::string(kPortalUrlPlaceholder) : std::string()},
        {"account_name", in.account != nullptr ? in.account->name : std::string()},
    };
    std::string instructions;
    auto rendered = templates_.Render(kTemplate, data);
    if (rendered.ok()) {
      instructions = *rendered;
    } else {
      r.problems.push_back(MakeProblem("template_failed", "instructions",
                                       "人工发布说明模板渲染失败：" + rendered.status().message()));
    }

    r.body = {
        {"platform", platform},
        {"title", title},
        {"text", text},
        {"media", media},
        {"cover", cover != nullptr ? Json(cover->sha256) : Json(nullptr)},
        {"instructions", instructions},
    };
    return r;
  }

 private:
  const render::TemplateSet& templates_;
  const ManualLimitsTable limits_;
};

// One object of limits at `path` (under the section): its fields over `out`'s.
Status ReadOne(const LimitsSection& s, const Json& j, const std::string& path, ManualLimits* out) {
  if (!j.is_object()) return s.Error(path, "应为对象");
  for (const auto& [field, target] : {std::pair{"title_max_chars", &out->title_max_chars},
                                      std::pair{"text_max_chars", &out->text_max_chars}}) {
    auto it = j.find(field);
    if (it == j.end()) continue;
    if (!it->is_number_integer() || it->get<int64_t>() <= 0)
      return s.Error(path + "." + field, "应为正整数");
    *target = it->get<int64_t>();
  }
  return Status::Ok();
}

}  // namespace

const ManualLimits& ManualLimitsTable::For(std::string_view platform) const {
  auto it = platforms.find(platform);
  return it == platforms.end() ? fallback : it->second;
}

StatusOr<ManualLimitsTable> ReadManualLimits(const LimitsSection& s) {
  ManualLimitsTable t;
  if (const Json* d = s.Find("default")) GD_RETURN_IF_ERROR(ReadOne(s, *d, "default", &t.fallback));
  if (const Json* p = s.Find("platforms")) {
    if (!p->is_object()) return s.Error("platforms", "应为对象");
    for (const auto& [name, value] : p->items()) {
      ManualLimits m = t.fallback;
      GD_RETURN_IF_ERROR(ReadOne(s, value, "platforms." + name, &m));
      t.platforms.emplace(name, m);
    }
  }
  return t;
}

StatusOr<std::unique_ptr<Formatter>> MakeManualFormatter(const FormatterEnv& env) {
  if (!env.templates->Has(kTemplate)) {
    return InvalidArgument("缺少模板 templates/manual/instructions.txt.mustache");
  }
  GD_ASSIGN_OR_RETURN(ManualLimitsTable limits, ReadManualLimits(env.limits->Section("manual")));
  return std::unique_ptr<Formatter>(new ManualFormatter(*env.templates, std::move(limits)));
}

}  // namespace gd::channels
