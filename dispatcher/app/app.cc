#include "dispatcher/app/app.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "channels/client.h"
#include "channels/portal/builtin_client.h"
#include "dispatcher/core/crypto.h"
#include "dispatcher/core/log.h"
#include "dispatcher/dispatch/token_store.h"
#include "dispatcher/http/routes/routes.h"

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
// The HTTP server's options from the configuration.
ServerOptions ServerOptionsFor(const AppConfig& cfg) {
  ServerOptions opt;
  opt.host = cfg.host;
  opt.port = cfg.port;
  opt.web_dir = cfg.web_dir;
  opt.site_dir = cfg.data_dir / "site";
  opt.threads = cfg.threads;
  opt.sandbox_proxy = cfg.sandbox_proxy;
  opt.secure_cookies = cfg.secure_cookies;
  opt.trusted_proxies = cfg.trusted_proxies;
  opt.max_connections_per_address = cfg.max_connections_per_address;
  opt.request_deadline_seconds = cfg.request_deadline_seconds;
  return opt;
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

StatusOr<int> MakeDataDirPrivate(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return InvalidArgument("无法创建数据目录 " + dir.string() + ": " + ec.message());
  int tightened = 0;
  // The data dir itself may be a symbolic link to the real one; links below it are skipped.
  auto tighten = [&](const fs::path& p, bool follow) {
    struct stat st {};
    if ((follow ? ::stat(p.c_str(), &st) : ::lstat(p.c_str(), &st)) != 0) return;
    mode_t want;
    if (S_ISDIR(st.st_mode))
      want = 0700;
    else if (S_ISREG(st.st_mode))
      want = st.st_mode & 0700;
    else
      return;  // symbolic links (chmod would follow them), sockets, ...
    if ((st.st_mode & 07777) == want) return;
    if (::chmod(p.c_str(), want) == 0)
      ++tightened;
    else
      log::Warn("cannot make {} private: {}", p.string(), std::strerror(errno));
  };
  tighten(dir, true);
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    tighten(it->path(), false);
  if (tightened > 0)
    log::Warn(
        "data dir {}: {} files or directories were open to other users; now private to the "
        "server's user (directories 0700, files 0600)",
        dir.string(), tightened);
  return tightened;
}

StatusOr<std::unique_ptr<App>> App::Create(AppConfig cfg) {
  ::umask(077);
  std::unique_ptr<App> app(new App());
  if (cfg.policies_dir.empty()) cfg.policies_dir = DefaultSourceDir() / "policies";
  if (cfg.templates_dir.empty()) cfg.templates_dir = DefaultSourceDir() / "templates";
  if (cfg.web_dir.empty()) cfg.web_dir = DefaultSourceDir() / "web" / "dist";
  app->cfg_ = cfg;
  app->clock_ = cfg.clock ? cfg.clock : &app->system_clock_;
  GD_RETURN_IF_ERROR(MakeDataDirPrivate(cfg.data_dir).status());

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
  // Before anything reads secrets: old values are re-sealed bound to their host.
  GD_RETURN_IF_ERROR(app->channels_->RebindLegacySecrets().status());
  app->media_ = std::make_unique<MediaService>(*app->store_, cfg.data_dir / "media");

  // Channels: one outbound transport, tokens cached per account and persisted sealed.
  channels::HttpTransportOptions transport;
  transport.proxy_url = cfg.outbound_proxy;
  app->transport_ = channels::NewHttpTransport(std::move(transport));
  app->token_store_ = std::make_unique<SealedTokenStore>(
      *app->store_, HmacSha256Raw(app->master_key_, "token-store"));
  app->tokens_ = std::make_unique<channels::TokenCache>(*app->clock_, app->token_store_.get());
  app->channels_->SetTokenForgetter([tokens = app->tokens_.get()](int64_t account_id) {
    Status st = tokens->Forget(account_id);
    if (!st.ok())
      log::Warn("channel account {}: stored access token not erased: {}", account_id,
                st.ToString());
  });
  GD_ASSIGN_OR_RETURN(app->site_templates_, render::TemplateSet::Load(cfg.templates_dir));
  DispatchConfig dcfg;
  if (cfg.dispatch) {
    dcfg = *cfg.dispatch;
  } else {
    GD_ASSIGN_OR_RETURN(dcfg, DispatchConfig::Load(cfg.policies_dir / "dispatch.json"));
  }
  DispatchEngine::Deps deps;
  deps.store = app->store_.get();
  deps.clock = app->clock_;
  deps.channels = app->channels_.get();
  deps.media = app->media_.get();
  deps.transport = app->transport_.get();
  deps.tokens = app->tokens_.get();
  deps.templates = &app->site_templates_;
  deps.site_dir = cfg.data_dir / "site";
  std::string base = cfg.public_url.empty()
                         ? "http://" + cfg.host + ":" + std::to_string(cfg.port) + "/"
                         : cfg.public_url;
  if (base.back() != '/') base += "/";
  deps.site_base_url = base + "site/";
  app->engine_ = std::make_unique<DispatchEngine>(std::move(deps), dcfg);
  app->publish_ = std::make_unique<PublishService>(*app->store_, *app->review_, *app->engine_);

  // Records (art. 4, 8, 10-3, 16): tables created; a rescan when the check dictionary changed
  // since the last one. A missing or invalid policies/freshness.json stops the start.
  GD_ASSIGN_OR_RETURN(FreshnessPolicy freshness,
                      FreshnessPolicy::Load(cfg.policies_dir / "freshness.json"));
  app->records_ =
      std::make_unique<RecordsService>(*app->store_, *app->clock_, *app->policy_, *app->checker_,
                                       *app->review_, std::move(freshness), cfg.data_dir / "tmp");
  GD_RETURN_IF_ERROR(app->records_->Init());
  auto rescan = app->records_->RescanIfVersionChanged();
  if (!rescan.ok()) log::Error("start-up rescan failed: {}", rescan.status().ToString());

  app->audit_ = std::make_unique<AuditService>(*app->store_);
  RouteDeps& deps_http = app->route_deps_;
  deps_http.audit = app->audit_.get();
  deps_http.accounts = app->accounts_.get();
  deps_http.review = app->review_.get();
  deps_http.channels = app->channels_.get();
  deps_http.media = app->media_.get();
  deps_http.publish = app->publish_.get();
  deps_http.engine = app->engine_.get();
  deps_http.records = app->records_.get();
  app->events_ =
      std::make_unique<ChannelEventService>(*app->store_, *app->channels_, *app->clock_,
                                            [engine = app->engine_.get()] { engine->Wake(); });
  deps_http.events = app->events_.get();
  app->keeper_ = std::make_unique<TokenKeeper>(TokenKeeper::Deps{
      app->store_.get(), app->clock_, app->channels_.get(),
      channels::ClientDeps{app->transport_.get(), app->tokens_.get(), app->clock_, 10000}});
  app->oauth_ = std::make_unique<ChannelOAuthService>(
      ChannelOAuthService::Deps{app->channels_.get(), app->clock_, app->transport_.get(),
                                app->tokens_.get(), app->keeper_.get()});
  app->channels_->SetViewExtras(
      [oauth = app->oauth_.get()](Json& view) { oauth->AddStatus(view); });
  deps_http.oauth = app->oauth_.get();
  App* raw = app.get();
  deps_http.tester = [raw](const ChannelAccountRow& row, const Json& secrets) -> Status {
    if (channels::portal::IsBuiltinPortal(row.kind, row.settings)) return Status::Ok();
    channels::ClientDeps cd{raw->transport_.get(), raw->tokens_.get(), raw->clock_, 10000};
    GD_ASSIGN_OR_RETURN(auto client, channels::NewClient(row.kind, cd));
    return client->CheckCredentials(ClientAccount(row),
                                    [secrets]() -> StatusOr<Json> { return secrets; });
  };
  ServerOptions opt = ServerOptionsFor(cfg);
  deps_http.secure_cookies = opt.secure_cookies;
  app->server_ =
      std::make_unique<HttpServer>(AllRoutes(deps_http), app->accounts_.get(), std::move(opt));
  return app;
}

App::~App() { Stop(); }

Status App::Start() {
  GD_RETURN_IF_ERROR(server_->Bind());
  thread_ = std::thread([this] { server_->Run(); });
  if (cfg_.run_dispatch) {
    GD_RETURN_IF_ERROR(engine_->Start());
    keeper_->Start();  // authorised accounts' grants checked daily (token_keeper.h)
  }
  return Status::Ok();
}

void App::Stop() {
  if (keeper_) keeper_->Stop();
  if (engine_) engine_->Stop();
  if (server_) server_->Stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace gd
