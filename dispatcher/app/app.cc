#include "dispatcher/app/app.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "dispatcher/core/crypto.h"
#include "dispatcher/core/log.h"

#ifndef GD_SOURCE_DIR
#define GD_SOURCE_DIR "."
#endif

namespace gd {

std::filesystem::path DefaultSourceDir() { return GD_SOURCE_DIR; }

namespace {
bool IsHex(const std::string& s) {
  return s.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
}

StatusOr<std::string> DecodeKey(const std::string& text, const std::string& origin) {
  std::string t = text;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
  if (t.size() == 64 && IsHex(t)) {
    std::string raw(32, '\0');
    for (size_t i = 0; i < 32; ++i)
      raw[i] = static_cast<char>(std::stoi(t.substr(2 * i, 2), nullptr, 16));
    return raw;
  }
  auto b = Base64Decode(t);
  if (b.ok() && b->size() == 32) return *b;
  return InvalidArgument(origin + " 应为 32 字节密钥（64 位十六进制或 base64）");
}
}  // namespace

StatusOr<std::string> LoadMasterKey(const std::filesystem::path& data_dir,
                                    const std::string& from_env) {
  if (!from_env.empty()) return DecodeKey(from_env, "DISPATCHER_MASTER_KEY");
  std::filesystem::path dir = data_dir / "keys";
  std::filesystem::path file = dir / "master.key";
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    std::ifstream in(file);
    std::stringstream ss;
    ss << in.rdbuf();
    return DecodeKey(ss.str(), file.string());
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) return Internal("无法创建密钥目录 " + dir.string());
  ::chmod(dir.c_str(), 0700);
  std::string key = RandomBytes(32);
  std::filesystem::path tmp = dir / "master.key.tmp";
  {
    std::ofstream out(tmp);
    out << HexEncode(key) << "\n";
    if (!out) return Internal("无法写入密钥文件");
  }
  ::chmod(tmp.c_str(), 0600);
  std::filesystem::rename(tmp, file, ec);
  if (ec) return Internal("无法写入密钥文件");
  log::Info("created master key file {}", file.string());
  return key;
}

StatusOr<std::unique_ptr<App>> App::Create(AppConfig cfg) {
  std::unique_ptr<App> app(new App());
  if (cfg.policies_dir.empty()) cfg.policies_dir = DefaultSourceDir() / "policies";
  if (cfg.templates_dir.empty()) cfg.templates_dir = DefaultSourceDir() / "templates";
  if (cfg.web_dir.empty()) cfg.web_dir = DefaultSourceDir() / "web" / "dist";
  app->cfg_ = cfg;
  app->clock_ = cfg.clock ? cfg.clock : &app->system_clock_;
  std::error_code ec;
  std::filesystem::create_directories(cfg.data_dir, ec);
  if (ec) return InvalidArgument("无法创建数据目录 " + cfg.data_dir.string() + ": " + ec.message());

  GD_ASSIGN_OR_RETURN(app->master_key_, LoadMasterKey(cfg.data_dir, cfg.master_key));
  const std::string audit_key = HmacSha256Raw(app->master_key_, "audit-chain");
  const std::string signing_key = HmacSha256Raw(app->master_key_, "decision-signing");

  GD_ASSIGN_OR_RETURN(app->store_,
                      Store::Open(cfg.data_dir / "dispatcher.db", audit_key, *app->clock_));
  GD_ASSIGN_OR_RETURN(auto policy, ReviewPolicy::Load(cfg.policies_dir / "review.json"));
  app->policy_ = std::move(policy);
  GD_ASSIGN_OR_RETURN(auto calendar, WorkCalendar::LoadDir(cfg.policies_dir / "calendar"));
  app->calendar_ = std::move(calendar);
  GD_ASSIGN_OR_RETURN(app->renderer_, MakeRenderer(cfg.templates_dir, cfg.policies_dir));
  GD_ASSIGN_OR_RETURN(app->checker_, MakeChecker(cfg.policies_dir));

  app->accounts_ = std::make_unique<AccountService>(*app->store_, *app->clock_, cfg.accounts);
  GD_RETURN_IF_ERROR(app->accounts_->Bootstrap(cfg.admin_password));
  app->review_ =
      std::make_unique<ReviewService>(*app->store_, *app->clock_, *app->policy_, *app->calendar_,
                                      *app->renderer_, *app->checker_, signing_key);
  app->channels_ = std::make_unique<ChannelService>(*app->store_, app->master_key_);
  app->media_ = std::make_unique<MediaService>(*app->store_, cfg.data_dir / "media");

  Services services;
  services.store = app->store_.get();
  services.accounts = app->accounts_.get();
  services.review = app->review_.get();
  services.channels = app->channels_.get();
  services.media = app->media_.get();
  ServerOptions opt;
  opt.host = cfg.host;
  opt.port = cfg.port;
  opt.web_dir = cfg.web_dir;
  opt.site_dir = cfg.data_dir / "site";
  opt.threads = cfg.threads;
  app->server_ = std::make_unique<HttpServer>(std::move(services), opt);
  return app;
}

App::~App() { Stop(); }

Status App::Start() {
  GD_RETURN_IF_ERROR(server_->Bind());
  thread_ = std::thread([this] { server_->Run(); });
  return Status::Ok();
}

void App::Stop() {
  if (server_) server_->Stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace gd
