// ContentRenderer over the built-in channel formatters (channels/builtin_channels.h).
#include "channels/builtin_channels.h"
#include "channels/channel_limits.h"
#include "dispatcher/app/app.h"
#include "dispatcher/render/templates.h"

namespace gd {
namespace {

class FormatterRenderer final : public ContentRenderer {
 public:
  static StatusOr<std::unique_ptr<FormatterRenderer>> Create(
      const std::filesystem::path& templates_dir, const std::filesystem::path& limits_file) {
    std::unique_ptr<FormatterRenderer> r(new FormatterRenderer());
    GD_ASSIGN_OR_RETURN(r->templates_, render::TemplateSet::Load(templates_dir));
    GD_ASSIGN_OR_RETURN(r->limits_, channels::LoadChannelLimits(limits_file));
    channels::FormatterEnv env{&r->templates_, &r->limits_};
    GD_ASSIGN_OR_RETURN(r->formatters_, channels::MakeBuiltinFormatters(env));
    return r;
  }

  Json RenderAll(const Content& content, int64_t ticket_id, TimeMs publish_time,
                 const std::vector<RenderTarget>& targets) const override {
    Json out = Json::array();
    for (const auto& t : targets) {
      channels::Account account;
      account.id = t.account.id;
      account.kind = t.account.kind;
      account.name = t.account.name;
      account.unit_id = t.account.unit_id;
      account.unit_name = t.unit_name;
      account.base_url = t.account.base_url;
      account.settings = t.account.settings;
      const ChannelTarget* target = nullptr;
      for (const auto& ch : content.channels)
        if (ch.account_id == t.account.id) target = &ch;
      Json entry = {
          {"account_id", t.account.id}, {"kind", t.account.kind}, {"name", t.account.name}};
      auto it = formatters_.find(t.account.kind);
      if (it == formatters_.end() || target == nullptr) {
        entry["rendering"] = Json::object();
        entry["problems"] = Json::array({{{"code", "unknown_channel"},
                                          {"field", "kind"},
                                          {"message", "不支持的渠道类型"},
                                          {"severity", "block"}}});
      } else {
        channels::RenderInput in;
        in.content = &content;
        in.account = &account;
        in.target = target;
        in.ticket_id = ticket_id;
        in.publish_time = publish_time;
        channels::Rendering r = it->second->Render(in);
        Json problems = Json::array();
        for (const auto& p : r.problems)
          problems.push_back({{"code", p.code},
                              {"field", p.field},
                              {"message", p.message},
                              {"severity", p.severity}});
        entry["rendering"] = std::move(r.body);
        entry["problems"] = std::move(problems);
      }
      out.push_back(std::move(entry));
    }
    return out;
  }

 private:
  FormatterRenderer() = default;
  render::TemplateSet templates_;
  channels::ChannelLimits limits_;
  std::map<std::string, std::unique_ptr<channels::Formatter>, std::less<>> formatters_;
};

}  // namespace

StatusOr<std::unique_ptr<ContentRenderer>> MakeRenderer(const std::filesystem::path& templates_dir,
                                                        const std::filesystem::path& policies_dir) {
  GD_ASSIGN_OR_RETURN(
      auto r, FormatterRenderer::Create(templates_dir, policies_dir / "channel_limits.json"));
  return std::unique_ptr<ContentRenderer>(std::move(r));
}

}  // namespace gd
