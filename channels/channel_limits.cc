#include "channels/channel_limits.h"

#include <fstream>
#include <sstream>

namespace gd::channels {
namespace {

class Reader {
 public:
  Reader(const Json& doc, const std::string& file) : doc_(doc), file_(file) {}

  Status Int(const char* section, const char* field, int64_t* out) {
    const Json* v = Find(section, field);
    if (v == nullptr) return Status::Ok();  // the default stands
    if (!v->is_number_integer() || v->get<int64_t>() <= 0) {
      return Error(section, field, "应为正整数");
    }
    *out = v->get<int64_t>();
    return Status::Ok();
  }

  Status Strings(const char* section, const char* field, std::vector<std::string>* out) {
    const Json* v = Find(section, field);
    if (v == nullptr) return Status::Ok();
    if (!v->is_array()) return Error(section, field, "应为字符串数组");
    std::vector<std::string> list;
    for (const Json& item : *v) {
      if (!item.is_string() || item.get<std::string>().empty()) {
        return Error(section, field, "应为非空字符串数组");
      }
      list.push_back(item.get<std::string>());
    }
    *out = std::move(list);
    return Status::Ok();
  }

  Status Error(std::string_view section, std::string_view field, std::string_view what) const {
    return InvalidArgument(file_ + "：字段 " + std::string(section) + "." + std::string(field) +
                           " " + std::string(what));
  }

 private:
  const Json* Find(const char* section, const char* field) const {
    auto s = doc_.find(section);
    if (s == doc_.end() || !s->is_object()) return nullptr;
    auto f = s->find(field);
    return f == s->end() ? nullptr : &*f;
  }

  const Json& doc_;
  const std::string& file_;
};

Status ReadShortVideo(Reader& r, const char* section, ShortVideoLimits* l) {
  GD_RETURN_IF_ERROR(r.Int(section, "caption_max_chars", &l->caption_max_chars));
  GD_RETURN_IF_ERROR(r.Int(section, "hashtags_max", &l->hashtags_max));
  GD_RETURN_IF_ERROR(r.Int(section, "video_max_bytes", &l->video_max_bytes));
  GD_RETURN_IF_ERROR(r.Strings(section, "video_mimes", &l->video_mimes));
  GD_RETURN_IF_ERROR(r.Int(section, "cover_max_bytes", &l->cover_max_bytes));
  GD_RETURN_IF_ERROR(r.Strings(section, "cover_mimes", &l->cover_mimes));
  return Status::Ok();
}

Status ReadManual(const Json& j, const std::string& path, const std::string& file,
                  ManualLimits* out) {
  if (!j.is_object()) return InvalidArgument(file + "：字段 " + path + " 应为对象");
  for (const char* field : {"title_max_chars", "text_max_chars"}) {
    auto it = j.find(field);
    if (it == j.end()) continue;
    if (!it->is_number_integer() || it->get<int64_t>() <= 0) {
      return InvalidArgument(file + "：字段 " + path + "." + field + " 应为正整数");
    }
    (std::string_view(field) == "title_max_chars" ? out->title_max_chars : out->text_max_chars) =
        it->get<int64_t>();
  }
  return Status::Ok();
}

}  // namespace

Status LimitsSection::Int(std::string_view field, int64_t* out) const {
  const Json* v = Find(field);
  if (v == nullptr) return Status::Ok();  // the default stands
  if (!v->is_number_integer() || v->get<int64_t>() <= 0) return Error(field, "应为正整数");
  *out = v->get<int64_t>();
  return Status::Ok();
}

Status LimitsSection::Strings(std::string_view field, std::vector<std::string>* out) const {
  const Json* v = Find(field);
  if (v == nullptr) return Status::Ok();
  if (!v->is_array() || v->empty()) return Error(field, "应为非空字符串数组");
  std::vector<std::string> list;
  for (const Json& item : *v) {
    if (!item.is_string() || item.get<std::string>().empty())
      return Error(field, "应为非空字符串数组");
    list.push_back(item.get<std::string>());
  }
  *out = std::move(list);
  return Status::Ok();
}

const Json* LimitsSection::Find(std::string_view field) const {
  if (section_ == nullptr || !section_->is_object()) return nullptr;
  auto f = section_->find(field);
  return f == section_->end() ? nullptr : &*f;
}

Status LimitsSection::Error(std::string_view field, std::string_view what) const {
  return InvalidArgument(file_ + "：字段 " + name_ + "." + std::string(field) + " " +
                         std::string(what));
}

LimitsSection ChannelLimits::Section(std::string_view kind) const {
  auto it = doc.find(kind);
  return LimitsSection(it == doc.end() ? nullptr : &*it, file, std::string(kind));
}

const ManualLimits& ChannelLimits::Manual(std::string_view platform) const {
  auto it = manual_platforms.find(platform);
  return it == manual_platforms.end() ? manual_default : it->second;
}

StatusOr<ChannelLimits> ParseChannelLimits(const Json& doc, const std::string& file) {
  if (!doc.is_object()) return InvalidArgument(file + "：应为 JSON 对象");
  ChannelLimits l;
  l.doc = doc;
  l.file = file;
  Reader r(doc, file);
  GD_RETURN_IF_ERROR(r.Int("portal", "title_max_chars", &l.portal.title_max_chars));
  WechatLimits& w = l.wechat_mp;
  GD_RETURN_IF_ERROR(r.Int("wechat_mp", "title_max_chars", &w.title_max_chars));
  GD_RETURN_IF_ERROR(r.Int("wechat_mp", "author_max_chars", &w.author_max_chars));
  GD_RETURN_IF_ERROR(r.Int("wechat_mp", "digest_max_chars", &w.digest_max_chars));
  GD_RETURN_IF_ERROR(r.Int("wechat_mp", "digest_default_chars", &w.digest_default_chars));
  GD_RETURN_IF_ERROR(r.Int("wechat_mp", "content_max_chars", &w.content_max_chars));
  GD_RETURN_IF_ERROR(r.Int("wechat_mp", "content_max_bytes", &w.content_max_bytes));
  GD_RETURN_IF_ERROR(r.Int("wechat_mp", "source_url_max_bytes", &w.source_url_max_bytes));
  GD_RETURN_IF_ERROR(r.Int("wechat_mp", "image_max_bytes", &w.image_max_bytes));
  GD_RETURN_IF_ERROR(r.Strings("wechat_mp", "image_mimes", &w.image_mimes));
  GD_RETURN_IF_ERROR(r.Int("wechat_mp", "cover_max_bytes", &w.cover_max_bytes));
  GD_RETURN_IF_ERROR(r.Strings("wechat_mp", "cover_mimes", &w.cover_mimes));
  GD_RETURN_IF_ERROR(r.Strings("wechat_mp", "link_hosts", &w.link_hosts));
  if (w.digest_default_chars > w.digest_max_chars) {
    return r.Error("wechat_mp", "digest_default_chars", "不能大于 digest_max_chars");
  }
  WeiboLimits& wb = l.weibo;
  GD_RETURN_IF_ERROR(r.Int("weibo", "text_max_units", &wb.text_max_units));
  GD_RETURN_IF_ERROR(r.Int("weibo", "link_units", &wb.link_units));
  GD_RETURN_IF_ERROR(r.Int("weibo", "topics_max", &wb.topics_max));
  GD_RETURN_IF_ERROR(r.Int("weibo", "pic_max_bytes", &wb.pic_max_bytes));
  GD_RETURN_IF_ERROR(r.Strings("weibo", "pic_mimes", &wb.pic_mimes));
  if (wb.link_units >= wb.text_max_units) {
    return r.Error("weibo", "link_units", "必须小于 text_max_units");
  }
  GD_RETURN_IF_ERROR(ReadShortVideo(r, "douyin", &l.douyin));
  GD_RETURN_IF_ERROR(ReadShortVideo(r, "kuaishou", &l.kuaishou));
  if (auto m = doc.find("manual"); m != doc.end()) {
    if (!m->is_object()) return InvalidArgument(file + "：字段 manual 应为对象");
    if (auto d = m->find("default"); d != m->end()) {
      GD_RETURN_IF_ERROR(ReadManual(*d, "manual.default", file, &l.manual_default));
    }
    if (auto p = m->find("platforms"); p != m->end()) {
      if (!p->is_object()) return InvalidArgument(file + "：字段 manual.platforms 应为对象");
      for (const auto& [name, value] : p->items()) {
        ManualLimits ml = l.manual_default;
        GD_RETURN_IF_ERROR(ReadManual(value, "manual.platforms." + name, file, &ml));
        l.manual_platforms.emplace(name, ml);
      }
    }
  }
  return l;
}

StatusOr<ChannelLimits> LoadChannelLimits(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return InvalidArgument("无法读取渠道限制文件 " + file.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  auto doc = ParseJson(ss.str());
  if (!doc.ok()) return InvalidArgument(file.string() + "：" + doc.status().message());
  return ParseChannelLimits(*doc, file.string());
}

}  // namespace gd::channels
