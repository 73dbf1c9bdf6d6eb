// One source of truth for each channel's per-ticket options (issue 15): the registry entry
// declares them, the console renders their fields from GET /api/channel-kinds, the API accepts
// exactly those names, and the channel's formatter reads them. So every option a kind declares
// must change that kind's rendering when set; an option the formatter ignores fails here.
#include <gtest/gtest.h>

#include "channels/builtin_channels.h"
#include "tests/channels/formatters/test_support.h"

namespace gd::channels::testing {
namespace {

// A value of `o`'s type different from what the rendering uses without it; for a media option,
// the image `extra` (not the cover the formatter picks by default).
Json SampleValue(const Field& o, const MediaRef& extra) {
  switch (o.type) {
    case FieldType::kInteger:
      return o.default_value.is_number_integer() && o.default_value.get<int64_t>() == o.min
                 ? o.min + 1
                 : o.min;
    case FieldType::kBoolean:
      return !(o.default_value.is_boolean() && o.default_value.get<bool>());
    case FieldType::kSelect:
      for (const FieldChoice& c : o.choices)
        if (Json(c.value) != o.default_value) return c.value;
      return nullptr;
    case FieldType::kMedia:
      return extra.media_id;
    default:
      return "选项测试一二三";
  }
}

TEST(OptionsContract, EveryDeclaredOptionChangesItsChannelsRendering) {
  std::vector<Article> articles = LoadArticles();
  const Article* base = nullptr;
  for (const Article& a : articles)
    if (a.name == "flood-video") base = &a;
  ASSERT_NE(base, nullptr);
  int checked = 0;
  for (const BuiltinChannel& c : BuiltinChannels()) {
    for (const Field& o : c.options) {
      SCOPED_TRACE(c.kind + ".options." + o.name);
      Article plain = *base;
      // A second image the option can point at.
      MediaRef extra;
      extra.media_id = 9901;
      extra.role = "image";
      extra.kind = "image";
      extra.mime = "image/png";
      extra.sha256 = std::string(64, 'e');
      extra.size = 2048;
      extra.width = 1080;
      extra.height = 1920;
      plain.content.media.push_back(extra);
      bool targeted = false;
      for (ChannelTarget& t : plain.content.channels) {
        if (t.kind != c.kind) continue;
        t.options = Json::object();
        targeted = true;
      }
      if (!targeted) plain.content.channels.push_back({1, c.kind, Json::object()});
      Article set = plain;
      const Json value = SampleValue(o, extra);
      ASSERT_FALSE(value.is_null()) << "no sample value for this option's type";
      for (ChannelTarget& t : set.content.channels)
        if (t.kind == c.kind) t.options[o.name] = value;
      const Rendering without = RenderArticle(plain, c.kind);
      const Rendering with = RenderArticle(set, c.kind);
      EXPECT_NE(with.body.dump(), without.body.dump())
          << "setting " << o.name << " = " << value.dump()
          << " changed nothing: the formatter does not read the option its schema declares\n"
          << with.body.dump();
      ++checked;
    }
  }
  EXPECT_GT(checked, 10);
}

}  // namespace
}  // namespace gd::channels::testing
