#include "test_support.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "dispatcher/core/time_util.h"

namespace gd::channels::testing {
namespace fs = std::filesystem;

namespace {

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

[[noreturn]] void Die(const std::string& msg) {
  std::cerr << msg << "\n";
  std::abort();
}

struct Project {
  render::TemplateSet templates;
  ChannelLimits limits;
  FormatterEnv env;
  std::map<std::string, std::unique_ptr<Formatter>, std::less<>> formatters;
};

const Project& GetProject() {
  static const Project* project = [] {
    auto* p = new Project;
    auto t = render::TemplateSet::Load(SourceDir() / "templates");
    if (!t.ok()) Die(t.status().message());
    p->templates = std::move(*t);
    auto l = LoadChannelLimits(SourceDir() / "policies" / "channel_limits.json");
    if (!l.ok()) Die(l.status().message());
    p->limits = std::move(*l);
    p->env = {&p->templates, &p->limits};
    auto f = MakeBuiltinFormatters(p->env);
    if (!f.ok()) Die(f.status().message());
    p->formatters = std::move(*f);
    return p;
  }();
  return *project;
}

}  // namespace

fs::path SourceDir() {
  const char* env = std::getenv("GD_SOURCE_DIR");
  return env != nullptr ? fs::path(env) : fs::path(GD_SOURCE_DIR);
}

const FormatterEnv& ProjectEnv() { return GetProject().env; }

const Formatter& ProjectFormatter(std::string_view kind) {
  const auto& f = GetProject().formatters;
  auto it = f.find(kind);
  if (it == f.end()) Die("no formatter for " + std::string(kind));
  return *it->second;
}

const Account& TestAccount(std::string_view kind) {
  static const std::map<std::string, Account, std::less<>> accounts = [] {
    std::map<std::string, Account, std::less<>> m;
    auto add = [&](int64_t id, const char* k, const char* name, Json settings) {
      Account a;
      a.id = id;
      a.kind = k;
      a.name = name;
      a.unit_id = 1;
      a.unit_name = "示例市人民政府办公室";
      a.settings = std::move(settings);
      m.emplace(k, std::move(a));
    };
    add(1, "portal", "示例市人民政府门户网站",
        {{"mode", "builtin"},
         {"site_name", "示例市人民政府"},
         {"index_no_prefix", "11370100MB0000000X"},
         {"columns", {{"工作动态", "gzdt"}, {"通知公告", "tzgg"}}}});
    add(2, "wechat_mp", "示例市发布", {{"app_id", "sandbox"}, {"publish_mode", "publish"}});
    add(3, "weibo", "示例市发布微博", {{"app_key", "sandbox"}, {"uid", "sandbox"}});
    add(4, "douyin", "示例市发布抖音号", {{"client_key", "sandbox"}, {"open_id", "sandbox"}});
    add(5, "kuaishou", "示例市发布快手号", {{"app_id", "sandbox"}, {"open_id", "sandbox"}});
    add(6, "manual", "示例市发布视频号", {{"platform", "视频号"}});
    // Any other kind of the registry: an account with its settings' defaults.
    int64_t id = 100;
    for (const BuiltinChannel& b : BuiltinChannels()) {
      if (m.count(b.kind) != 0) continue;
      Json settings = Json::object();
      for (const Field& f : b.settings) {
        if (!f.default_value.is_null()) settings[f.name] = f.default_value;
      }
      add(id++, b.kind.c_str(), b.label.c_str(), std::move(settings));
    }
    return m;
  }();
  auto it = accounts.find(kind);
  if (it == accounts.end()) Die("no test account for " + std::string(kind));
  return it->second;
}

std::vector<Article> LoadArticles() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(SourceDir() / "tests/testdata/articles")) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Article> out;
  for (const fs::path& file : files) {
    auto doc = ParseJson(ReadAll(file));
    if (!doc.ok()) Die(file.string() + ": " + doc.status().message());
    const Json& j = *doc;
    Article a;
    a.name = file.stem().string();
    a.ticket_id = j.at("ticket_id").get<int64_t>();
    a.publish_time = *ParseRfc3339(j.at("publish_time").get<std::string>());
    a.unit_name = j.value("unit_name", "");
    Content& c = a.content;
    c.category = *ParseCategory(j.at("category").get<std::string>());
    c.title = j.value("title", "");
    c.summary = j.value("summary", "");
    c.source = j.value("source", "");
    c.column = j.value("column", "");
    c.body = j.contains("body_file")
                 ? ReadAll(file.parent_path() / j.at("body_file").get<std::string>())
                 : j.value("body", "");
    for (const Json& m : j.value("media", Json::array())) {
      MediaRef r;
      r.media_id = m.at("media_id").get<int64_t>();
      r.role = m.at("role").get<std::string>();
      r.kind = m.at("kind").get<std::string>();
      r.mime = m.at("mime").get<std::string>();
      r.sha256 = m.at("sha256").get<std::string>();
      r.size = m.at("size").get<int64_t>();
      c.media.push_back(r);
    }
    const Json options = j.value("options", Json::object());
    for (const BuiltinChannel& b : BuiltinChannels()) {
      ChannelTarget t;
      t.account_id = TestAccount(b.kind).id;
      t.kind = std::string(b.kind);
      t.options = options.value(std::string(b.kind), Json::object());
      c.channels.push_back(t);
    }
    out.push_back(std::move(a));
  }
  return out;
}

Rendering RenderArticle(const Article& article, std::string_view kind) {
  RenderInput in;
  in.content = &article.content;
  in.account = &TestAccount(kind);
  for (const ChannelTarget& t : article.content.channels) {
    if (t.kind == kind) in.target = &t;
  }
  in.ticket_id = article.ticket_id;
  in.publish_time = article.publish_time;
  in.unit_name = article.unit_name;
  return ProjectFormatter(kind).Render(in);
}

}  // namespace gd::channels::testing
