#include "channels/short_video_formatter.h"

#include <fmt/format.h>

#include "channels/formatter_util.h"

namespace gd::channels {
namespace {

class ShortVideoFormatter final : public Formatter {
 public:
  ShortVideoFormatter(const render::TemplateSet& templates, ShortVideoLimits limits,
                      ShortVideoSpec spec)
      : templates_(templates), limits_(std::move(limits)), spec_(std::move(spec)) {}

  Rendering Render(const RenderInput& in) const override {
    Rendering r;
    const Content& c = *in.content;
    std::string caption = CollapseSpaces(OptionString(in, "caption"));
    if (caption.empty()) caption = CollapseSpaces(c.title);
    const std::vector<std::string> hashtags = OptionTags(in, "hashtags");

    std::string text;
    auto rendered =
        templates_.Render(spec_.template_name, {{"caption", caption}, {"hashtags", hashtags}});
    if (rendered.ok()) {
      text = CollapseSpaces(*rendered);
    } else {
      r.problems.push_back(
          MakeProblem("template_failed", spec_.caption_key,
                      spec_.label + "文案模板渲染失败：" + rendered.status().message()));
    }
    if (text.empty()) {
      r.problems.push_back(
          MakeProblem("caption_missing", spec_.caption_key, spec_.label + "视频文案不能为空"));
    }
    if (static_cast<int64_t>(Chars(text)) > limits_.caption_max_chars) {
      r.problems.push_back(
          MakeProblem("caption_too_long", spec_.caption_key,
                      fmt::format("{}视频文案（含话题）为 {} 字，超过上限 {} 字", spec_.label,
                                  Chars(text), limits_.caption_max_chars)));
    }
    if (static_cast<int64_t>(hashtags.size()) > limits_.hashtags_max) {
      r.problems.push_back(MakeProblem("hashtags_too_many", spec_.caption_key,
                                       fmt::format("{}话题为 {} 个，超过上限 {} 个", spec_.label,
                                                   hashtags.size(), limits_.hashtags_max)));
    }

    const MediaRef* video = FindMedia(c, "video");
    if (video == nullptr) {
      r.problems.push_back(
          MakeProblem("video_missing", "video", spec_.label + "发布需要一个视频文件，请上传视频"));
    } else {
      CheckMedia(*video, "video", "视频", limits_.video_max_bytes, limits_.video_mimes,
                 &r.problems);
    }
    const MediaRef* cover = nullptr;
    if (in.target != nullptr && in.target->options.contains("cover")) {
      cover = FindMediaByOption(c, in.target->options["cover"]);
      if (cover == nullptr) {
        r.problems.push_back(
            MakeProblem("cover_unknown", "cover", "指定的封面图片不在本工单的附件中"));
      }
    } else {
      cover = FindMedia(c, "cover");
      if (cover == nullptr) {
        r.problems.push_back(
            MakeProblem("cover_missing", "cover", spec_.label + "发布需要封面图片，请上传封面"));
      }
    }
    if (cover != nullptr) {
      CheckMedia(*cover, "cover", "封面图片", limits_.cover_max_bytes, limits_.cover_mimes,
                 &r.problems);
    }

    r.body = {
        {spec_.caption_key, text},
        {"video", video != nullptr ? Json(video->sha256) : Json(nullptr)},
        {"cover", cover != nullptr ? Json(cover->sha256) : Json(nullptr)},
    };
    return r;
  }

 private:
  const render::TemplateSet& templates_;
  const ShortVideoLimits limits_;
  ShortVideoSpec spec_;
};

}  // namespace

StatusOr<ShortVideoLimits> ReadShortVideoLimits(const LimitsSection& s, ShortVideoLimits l) {
  GD_RETURN_IF_ERROR(s.Int("caption_max_chars", &l.caption_max_chars));
  GD_RETURN_IF_ERROR(s.Int("hashtags_max", &l.hashtags_max));
  GD_RETURN_IF_ERROR(s.Int("video_max_bytes", &l.video_max_bytes));
  GD_RETURN_IF_ERROR(s.Strings("video_mimes", &l.video_mimes));
  GD_RETURN_IF_ERROR(s.Int("cover_max_bytes", &l.cover_max_bytes));
  GD_RETURN_IF_ERROR(s.Strings("cover_mimes", &l.cover_mimes));
  return l;
}

std::unique_ptr<Formatter> NewShortVideoFormatter(const render::TemplateSet& templates,
                                                  ShortVideoLimits limits, ShortVideoSpec spec) {
  return std::make_unique<ShortVideoFormatter>(templates, std::move(limits), std::move(spec));
}

}  // namespace gd::channels
