#include "channels/bilibili/formatter.h"

#include <fmt/format.h>

#include "channels/formatter_util.h"
#include "channels/short_video_formatter.h"

namespace gd::channels {
namespace {

constexpr const char* kTemplate = "bilibili/desc.txt";

struct BilibiliLimits {
  ShortVideoLimits video{2000, 10, 4294967296, {"video/mp4"}, 5242880, {"image/jpeg", "image/png"}};
  int64_t title_max_chars = 80;
  int64_t tag_max_chars = 20;
};

StatusOr<BilibiliLimits> ReadLimits(const LimitsSection& s) {
  BilibiliLimits l;
  GD_RETURN_IF_ERROR(s.Int("title_max_chars", &l.title_max_chars));
  GD_RETURN_IF_ERROR(s.Int("desc_max_chars", &l.video.caption_max_chars));
  GD_RETURN_IF_ERROR(s.Int("tags_max", &l.video.hashtags_max));
  GD_RETURN_IF_ERROR(s.Int("tag_max_chars", &l.tag_max_chars));
  GD_RETURN_IF_ERROR(s.Int("video_max_bytes", &l.video.video_max_bytes));
  GD_RETURN_IF_ERROR(s.Strings("video_mimes", &l.video.video_mimes));
  GD_RETURN_IF_ERROR(s.Int("cover_max_bytes", &l.video.cover_max_bytes));
  GD_RETURN_IF_ERROR(s.Strings("cover_mimes", &l.video.cover_mimes));
  return l;
}

// The description, video and cover come from the shared short-video formatter (its caption is the
// archive's `desc`); the title, tags and partition are the archive's own fields.
class BilibiliFormatter final : public Formatter {
 public:
  BilibiliFormatter(const render::TemplateSet& templates, BilibiliLimits limits)
      : limits_(std::move(limits)),
        inner_(NewShortVideoFormatter(templates, limits_.video, {"哔哩哔哩", "desc", kTemplate})) {}

  Rendering Render(const RenderInput& in) const override {
    Rendering r = inner_->Render(in);
    std::string title = CollapseSpaces(OptionString(in, "title"));
    if (title.empty()) title = CollapseSpaces(in.content->title);
    if (title.empty()) {
      r.problems.push_back(MakeProblem("title_missing", "title", "哔哩哔哩稿件标题不能为空"));
    } else if (static_cast<int64_t>(Chars(title)) > limits_.title_max_chars) {
      r.problems.push_back(MakeProblem("title_too_long", "title",
                                       fmt::format("哔哩哔哩稿件标题为 {} 字，超过上限 {} 字",
                                                   Chars(title), limits_.title_max_chars)));
    }
    std::string tags;
    for (const std::string& t : OptionTags(in, "hashtags")) {
      if (static_cast<int64_t>(Chars(t)) > limits_.tag_max_chars) {
        r.problems.push_back(MakeProblem("tag_too_long", "tag",
                                         fmt::format("哔哩哔哩标签「{}」为 {} 字，超过上限 {} 字",
                                                     t, Chars(t), limits_.tag_max_chars)));
      }
      if (!tags.empty()) tags += ",";
      tags += t;
    }
    int64_t tid = 0;
    if (in.target != nullptr && in.target->options.contains("tid") &&
        in.target->options["tid"].is_number_integer()) {
      tid = in.target->options["tid"].get<int64_t>();
    } else if (in.account != nullptr && in.account->settings.is_object()) {
      const Json& s = in.account->settings;
      if (s.contains("tid") && s["tid"].is_number_integer()) tid = s["tid"].get<int64_t>();
    }
    if (tid <= 0) {
      r.problems.push_back(MakeProblem("tid_missing", "tid",
                                       "哔哩哔哩投稿需要分区，请在账号或本渠道选项中设置分区"));
    }
    r.body["title"] = title;
    r.body["tag"] = tags;
    r.body["tid"] = tid;
    r.body["copyright"] = 1;
    return r;
  }

 private:
  BilibiliLimits limits_;
  std::unique_ptr<Formatter> inner_;
};

}  // namespace

StatusOr<std::unique_ptr<Formatter>> MakeBilibiliFormatter(const FormatterEnv& env) {
  if (!env.templates->Has(kTemplate)) {
    return InvalidArgument("缺少模板 templates/bilibili/desc.txt.mustache");
  }
  GD_ASSIGN_OR_RETURN(BilibiliLimits limits, ReadLimits(env.limits->Section("bilibili")));
  return std::unique_ptr<Formatter>(
      std::make_unique<BilibiliFormatter>(*env.templates, std::move(limits)));
}

}  // namespace gd::channels
