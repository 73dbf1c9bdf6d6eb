#include "dispatcher/render/templates.h"

#include <algorithm>
#include <fstream>
#include <kainjow/mustache.hpp>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <vector>

namespace gd::render {
namespace fs = std::filesystem;
namespace mus = kainjow::mustache;

namespace {

constexpr std::string_view kTemplateExt = ".mustache";
constexpr std::string_view kSampleExt = ".sample.json";

StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument("无法读取文件 " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

mus::data ToData(const Json& j) {
  switch (j.type()) {
    case Json::value_t::object: {
      mus::data d{mus::data::type::object};
      for (const auto& [key, value] : j.items()) d.set(key, ToData(value));
      return d;
    }
    case Json::value_t::array: {
      mus::data d{mus::data::type::list};
      for (const auto& value : j) d.push_back(ToData(value));
      return d;
    }
    case Json::value_t::string:
      return mus::data{j.get<std::string>()};
    case Json::value_t::boolean:
      return mus::data{j.get<bool>()};
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return mus::data{j.dump()};
    default:
      return mus::data{false};
  }
}

void CollectKeys(const Json& j, std::set<std::string>* keys) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      keys->insert(key);
      CollectKeys(value, keys);
    }
  } else if (j.is_array()) {
    for (const auto& value : j) CollectKeys(value, keys);
  }
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

struct Tag {
  char sigil;  // 0 for a plain variable
  std::string name;
};

// Scans the tags of a template written with the default delimiters. Returns false when the
// template changes its delimiters (then the names are not checked).
bool ScanTags(std::string_view src, std::vector<Tag>* tags) {
  size_t pos = 0;
  while ((pos = src.find("{{", pos)) != std::string_view::npos) {
    bool triple = pos + 2 < src.size() && src[pos + 2] == '{';
    size_t start = pos + (triple ? 3 : 2);
    size_t end = src.find(triple ? "}}}" : "}}", start);
    if (end == std::string_view::npos) return true;  // the parser reports unclosed tags
    std::string body = Trim(src.substr(start, end - start));
    pos = end + (triple ? 3 : 2);
    if (body.empty()) continue;
    char sigil = 0;
    if (std::string_view("#^/>!&=").find(body[0]) != std::string_view::npos) {
      sigil = body[0];
      body = Trim(std::string_view(body).substr(1));
    }
    if (sigil == '=') return false;
    if (sigil == '!' || sigil == '/') continue;
    tags->push_back({sigil, body});
  }
  return true;
}

std::string ChannelOf(std::string_view name) {
  size_t slash = name.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(name.substr(0, slash));
}

std::string BaseOf(std::string_view name) {
  size_t slash = name.rfind('/');
  return std::string(slash == std::string_view::npos ? name : name.substr(slash + 1));
}

std::string PartialKey(std::string_view name) {
  std::string base = BaseOf(name);
  return base.substr(0, base.find('.'));
}

// Partials nest at most this deep; deeper nesting (a partial including itself) fails the load.
constexpr int kMaxPartialDepth = 16;

}  // namespace

// A template parsed once with its partials inlined, and a pool of parsed copies: kainjow's
// render() is not const (it records errors in the object) and parses each partial anew on every
// render, so each render takes a copy no other thread uses and gives it back afterwards.
class TemplateSet::Parsed {
 public:
  explicit Parsed(mus::mustache prototype) : prototype_(std::move(prototype)) {}

  StatusOr<std::string> Render(const mus::data& data) {
    std::unique_ptr<mus::mustache> m;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        m = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    if (!m) m = std::make_unique<mus::mustache>(prototype_);
    std::string out = m->render(data);
    if (!m->is_valid()) return InvalidArgument(m->error_message());  // the copy is dropped
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(std::move(m));
    return out;
  }

 private:
  const mus::mustache prototype_;
  std::mutex mu_;
  std::vector<std::unique_ptr<mus::mustache>> idle_;  // at most one per concurrent render
};

StatusOr<TemplateSet> TemplateSet::Load(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return InvalidArgument("模板目录不存在：" + dir.string());
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file()) files.push_back(it->path());
  }
  if (ec) return InvalidArgument("无法读取模板目录 " + dir.string() + "：" + ec.message());
  std::sort(files.begin(), files.end());

  TemplateSet set;
  std::vector<std::pair<std::string, fs::path>> loaded;
  for (const fs::path& file : files) {
    std::string rel = fs::relative(file, dir).generic_string();
    if (rel.ends_with(kTemplateExt)) {
      std::string name = rel.substr(0, rel.size() - kTemplateExt.size());
      GD_ASSIGN_OR_RETURN(std::string source, ReadFile(file));
      Template t;
      t.source = std::move(source);
      t.plain_text = name.ends_with(".txt");
      if (!BaseOf(name).starts_with("_")) {
        fs::path sample_path = file.parent_path() / (BaseOf(name) + std::string(kSampleExt));
        auto sample_text = ReadFile(sample_path);
        if (!sample_text.ok()) {
          return InvalidArgument("模板 " + file.string() + " 缺少示例数据文件 " +
                                 sample_path.string());
        }
        auto sample = ParseJson(*sample_text);
        if (!sample.ok() || !sample->is_object()) {
          return InvalidArgument("示例数据文件 " + sample_path.string() + " 不是 JSON 对象：" +
                                 sample.status().message());
        }
        t.sample = std::move(*sample);
      }
      set.templates_.emplace(name, std::move(t));
      loaded.emplace_back(name, file);
    } else if (rel.ends_with(".json") && !rel.ends_with(kSampleExt)) {
      GD_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
      auto asset = ParseJson(text);
      if (!asset.ok()) {
        return InvalidArgument("数据文件 " + file.string() + " 无效：" + asset.status().message());
      }
      set.assets_.emplace(rel.substr(0, rel.size() - 5), std::move(*asset));
    }
  }
  for (const auto& [name, file] : loaded) {
    GD_RETURN_IF_ERROR(set.Validate(name, &set.templates_.at(name), file.string()));
  }
  return set;
}

Status TemplateSet::Add(std::string name, std::string source, const Json& sample) {
  Template t;
  t.source = std::move(source);
  t.sample = sample;
  t.plain_text = name.ends_with(".txt");
  GD_RETURN_IF_ERROR(Validate(name, &t, name));
  const bool partial = BaseOf(name).starts_with("_");
  const std::string channel = ChannelOf(name);
  templates_.insert_or_assign(std::move(name), std::move(t));
  if (partial) {
    // The templates of the channel inline the new partial from now on.
    for (auto& [other, tmpl] : templates_) {
      if (ChannelOf(other) == channel) GD_RETURN_IF_ERROR(Parse(other, &tmpl));
    }
  }
  return Status::Ok();
}

Status TemplateSet::Validate(const std::string& name, Template* t, const std::string& file) const {
  mus::mustache parsed{t->source};
  if (!parsed.is_valid()) {
    return InvalidArgument("模板 " + file + " 解析失败：" + parsed.error_message());
  }
  if (Status st = Parse(name, t); !st.ok()) {
    return InvalidArgument("模板 " + file + " " + st.message());
  }
  if (BaseOf(name).starts_with("_")) return Status::Ok();  // checked through its users

  std::set<std::string> keys;
  CollectKeys(t->sample, &keys);
  // Walk this template and the partials it includes; every name must occur in the sample.
  std::vector<std::string> pending = {name};
  std::set<std::string> seen;
  const std::string channel = ChannelOf(name);
  while (!pending.empty()) {
    std::string current = pending.back();
    pending.pop_back();
    if (!seen.insert(current).second) continue;
    const std::string& src = current == name ? t->source : templates_.at(current).source;
    std::vector<Tag> tags;
    if (!ScanTags(src, &tags)) continue;
    for (const Tag& tag : tags) {
      if (tag.sigil == '>') {
        const auto* partial = FindPartial(channel, tag.name);
        if (partial == nullptr) {
          return InvalidArgument("模板 " + file + " 引用了不存在的子模板 " + tag.name);
        }
        pending.push_back(partial->first);
        continue;
      }
      if (tag.name == ".") continue;
      std::string head = tag.name.substr(0, tag.name.find('.'));
      if (!keys.count(head)) {
        return InvalidArgument("模板 " + file + " 使用了示例数据中没有的变量 " + tag.name);
      }
    }
  }
  auto rendered = RenderTemplate(name, *t, t->sample);
  if (!rendered.ok()) {
    return InvalidArgument("模板 " + file + " 用示例数据渲染失败：" + rendered.status().message());
  }
  if (rendered->empty()) return InvalidArgument("模板 " + file + " 用示例数据渲染结果为空");
  return Status::Ok();
}

Status TemplateSet::Parse(const std::string& name, Template* t) const {
  t->parsed.reset();
  GD_ASSIGN_OR_RETURN(std::optional<std::string> source,
                      InlinePartials(ChannelOf(name), t->source, 0));
  if (!source) return Status::Ok();  // changes delimiters: parsed on each render
  mus::mustache parsed{*source};
  if (!parsed.is_valid()) return InvalidArgument("解析失败：" + parsed.error_message());
  if (t->plain_text) parsed.set_custom_escape([](const std::string& s) { return s; });
  t->parsed = std::make_shared<Parsed>(std::move(parsed));
  return Status::Ok();
}

// Mirrors kainjow's scan: a tag starts at the next "{{", "{{{" ends at "}}}" and holds a
// variable, a partial tag's name is what follows '>' trimmed. kainjow renders a partial with the
// line state of the template that includes it, so the inlined source renders the same.
StatusOr<std::optional<std::string>> TemplateSet::InlinePartials(const std::string& channel,
                                                                 std::string_view source,
                                                                 int depth) const {
  if (depth > kMaxPartialDepth) {
    return InvalidArgument("子模板嵌套超过 " + std::to_string(kMaxPartialDepth) +
                           " 层（子模板引用了自身？）");
  }
  std::string out;
  size_t copied = 0;
  size_t pos = 0;
  while ((pos = source.find("{{", pos)) != std::string_view::npos) {
    const bool triple = pos + 2 < source.size() && source[pos + 2] == '{';
    const size_t start = pos + (triple ? 3 : 2);
    const size_t end = source.find(triple ? "}}}" : "}}", start);
    if (end == std::string_view::npos) break;  // the parser reports the unclosed tag
    const size_t after = end + (triple ? 3 : 2);
    const std::string body = Trim(source.substr(start, end - start));
    if (!body.empty() && body[0] == '=') return std::optional<std::string>();
    if (!triple && !body.empty() && body[0] == '>') {
      const std::string key = Trim(std::string_view(body).substr(1));
      const auto* partial = FindPartial(channel, key);
      if (partial == nullptr) return InvalidArgument("引用了不存在的子模板 " + key);
      GD_ASSIGN_OR_RETURN(std::optional<std::string> inner,
                          InlinePartials(channel, partial->second.source, depth + 1));
      if (!inner) return std::optional<std::string>();
      out.append(source.substr(copied, pos - copied));
      out += *inner;
      copied = after;
    }
    pos = after;
  }
  out.append(source.substr(copied));
  return std::optional<std::string>(std::move(out));
}

const std::pair<const std::string, TemplateSet::Template>* TemplateSet::FindPartial(
    const std::string& channel, std::string_view key) const {
  for (const auto& entry : templates_) {
    if (BaseOf(entry.first).starts_with("_") && ChannelOf(entry.first) == channel &&
        PartialKey(entry.first) == key) {
      return &entry;
    }
  }
  return nullptr;
}

StatusOr<std::string> TemplateSet::RenderTemplate(const std::string& name, const Template& t,
                                                  const Json& data) const {
  if (!data.is_object()) return InvalidArgument("模板数据必须是 JSON 对象");
  mus::data root = ToData(data);
  if (t.parsed) {
    auto out = t.parsed->Render(root);
    if (!out.ok()) return InvalidArgument("模板 " + name + " 渲染失败：" + out.status().message());
    return out;
  }
  // A template that changes delimiters: kainjow parses it, and each partial it includes, here.
  const std::string channel = ChannelOf(name);
  for (const auto& [other, tmpl] : templates_) {
    if (ChannelOf(other) == channel && BaseOf(other).starts_with("_")) {
      std::string source = tmpl.source;
      root.set(PartialKey(other), mus::data{mus::partial{[source] { return source; }}});
    }
  }
  mus::mustache parsed{t.source};
  if (t.plain_text) parsed.set_custom_escape([](const std::string& s) { return s; });
  std::string out = parsed.render(root);
  if (!parsed.is_valid()) {
    return InvalidArgument("模板 " + name + " 渲染失败：" + parsed.error_message());
  }
  return out;
}

StatusOr<std::string> TemplateSet::Render(std::string_view name, const Json& data) const {
  auto it = templates_.find(name);
  if (it == templates_.end()) return NotFound("模板不存在：" + std::string(name));
  return RenderTemplate(it->first, it->second, data);
}

const Json* TemplateSet::Asset(std::string_view name) const {
  auto it = assets_.find(name);
  return it == assets_.end() ? nullptr : &it->second;
}

const Json* TemplateSet::Sample(std::string_view name) const {
  auto it = templates_.find(name);
  return it == templates_.end() ? nullptr : &it->second.sample;
}

}  // namespace gd::render
