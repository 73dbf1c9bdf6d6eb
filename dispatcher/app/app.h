// The composition root as a library: config -> store -> services -> server.
// main.cc (the CLI) and the integration tests both build the whole system through App.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "channels/token_cache.h"
#include "channels/transport.h"
#include "dispatcher/accounts/account_service.h"
#include "dispatcher/audit/audit_service.h"
#include "dispatcher/channel_accounts/channel_service.h"
#include "dispatcher/core/clock.h"
#include "dispatcher/dispatch/config.h"
#include "dispatcher/dispatch/engine.h"
#include "dispatcher/dispatch/publish_service.h"
#include "dispatcher/http/routes/routes.h"
#include "dispatcher/http/server.h"
#include "dispatcher/media/media_service.h"
#include "dispatcher/policy/calendar.h"
#include "dispatcher/policy/review_policy.h"
#include "dispatcher/records/records_service.h"
#include "dispatcher/render/templates.h"
#include "dispatcher/review/ports.h"
#include "dispatcher/review/review_service.h"
#include "dispatcher/store/db.h"

namespace gd {

struct AppConfig {
  std::filesystem::path data_dir = "var";
  std::filesystem::path policies_dir;   // default: <source>/policies
  std::filesystem::path templates_dir;  // default: <source>/templates
  std::filesystem::path web_dir;        // default: <source>/web/dist
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string admin_password;  // DISPATCHER_ADMIN_PASSWORD, used on first start only
  std::string master_key;      // DISPATCHER_MASTER_KEY (hex or base64 of 32 bytes); else a key file
  AccountPolicy accounts;
  int threads = 64;  // HTTP pool: one thread per open keep-alive connection (ServerOptions)
  const Clock* clock = nullptr;  // default: the system clock
  // Public base URL of this server (for the built-in portal's links), e.g.
  // "https://www.example.gov.cn/"; default "http://HOST:PORT/".
  std::string public_url;
  bool run_dispatch = true;                // start the dispatch workers with the server
  std::optional<DispatchConfig> dispatch;  // default: policies/dispatch.json
  std::string sandbox_proxy;               // demo: serve /_sandbox/ from this sandbox base URL
  // HTTP edge (ServerOptions): the session cookie's Secure flag (TLS terminates in front of
  // us), reverse proxies whose X-Forwarded-For is believed (addresses or CIDR prefixes; also
  // exempt from the per-address cap), simultaneous connections per client address (0 = no
  // cap), and the deadline for a request's header and body (connection.h).
  bool secure_cookies = false;
  std::vector<std::string> trusted_proxies;
  int max_connections_per_address = 32;
  int request_deadline_seconds = 30;
  // Outbound HTTP proxy for every call to the platforms, "http://[user:password@]host:port"
  // (docs/configuration.md); empty = connect directly.
  std::string outbound_proxy;
};

// The JSON configuration file (docs/configuration.md lists every key): applies the keys of
// `json` onto *cfg. A key not in that list, a value of the wrong type or out of range is an
// InvalidArgument naming `origin` and the key (details.fields), and nothing is applied.
Status ApplyConfigJson(const Json& json, const std::string& origin, AppConfig* cfg);
// The keys ApplyConfigJson accepts.
std::vector<std::string> ConfigKeys();
// Reads `file` and applies it as above; an unreadable file or one that is not a JSON object is
// an InvalidArgument too.
Status ApplyConfigFile(const std::filesystem::path& file, AppConfig* cfg);
// "HOST:PORT" ("[::1]:8080" for IPv6) into cfg->host and cfg->port.
Status ApplyListen(const std::string& listen, AppConfig* cfg);

// Makes `dir` (created if missing) and everything under it private to the process's user:
// directories 0700, files without group or other bits. Symbolic links are left alone.
// Returns how many entries had to be tightened (logged when not zero).
StatusOr<int> MakeDataDirPrivate(const std::filesystem::path& dir);

// Where the project's data files live when not configured: compiled in at build time.
std::filesystem::path DefaultSourceDir();

// Loads (or creates, 0600) the 32-byte master key.
StatusOr<std::string> LoadMasterKey(const std::filesystem::path& data_dir,
                                    const std::string& from_env);

class App {
 public:
  // Sets the process's umask to 077 (every file the server writes is private to its user) and
  // makes an existing data dir private (MakeDataDirPrivate) before opening anything in it.
  static StatusOr<std::unique_ptr<App>> Create(AppConfig cfg);
  ~App();

  // Binds and serves on a background thread.
  Status Start();
  void Stop();
  int port() const { return server_ ? server_->port() : 0; }

  Store& store() { return *store_; }
  AccountService& accounts() { return *accounts_; }
  ReviewService& review() { return *review_; }
  ChannelService& channels() { return *channels_; }
  MediaService& media() { return *media_; }
  HttpServer& server() { return *server_; }
  const AppConfig& config() const { return cfg_; }
  const ContentChecker& checker() const { return *checker_; }
  DispatchEngine& engine() { return *engine_; }
  PublishService& publish() { return *publish_; }
  RecordsService& records() { return *records_; }
  AuditService& audit() { return *audit_; }
  ChannelEventService& channel_events() { return *events_; }
  ChannelOAuthService& channel_oauth() { return *oauth_; }
  TokenKeeper& token_keeper() { return *keeper_; }
  // What the API's handlers were given (the same services as above), for serving them
  // elsewhere (the router fuzz target's in-process server).
  const RouteDeps& route_deps() const { return route_deps_; }

 private:
  App() = default;
  AppConfig cfg_;
  SystemClock system_clock_;
  const Clock* clock_ = nullptr;
  std::string master_key_;
  std::unique_ptr<Store> store_;
  std::optional<ReviewPolicy> policy_;
  std::optional<WorkCalendar> calendar_;
  std::unique_ptr<ContentRenderer> renderer_;
  std::unique_ptr<ContentChecker> checker_;
  std::unique_ptr<AccountService> accounts_;
  std::unique_ptr<ReviewService> review_;
  std::unique_ptr<ChannelService> channels_;
  std::unique_ptr<MediaService> media_;
  std::unique_ptr<channels::Transport> transport_;
  std::unique_ptr<channels::TokenStore> token_store_;
  std::unique_ptr<channels::TokenCache> tokens_;
  render::TemplateSet site_templates_;
  std::unique_ptr<DispatchEngine> engine_;
  std::unique_ptr<PublishService> publish_;
  std::unique_ptr<RecordsService> records_;
  std::unique_ptr<AuditService> audit_;
  std::unique_ptr<ChannelEventService> events_;
  std::unique_ptr<TokenKeeper> keeper_;
  std::unique_ptr<ChannelOAuthService> oauth_;
  RouteDeps route_deps_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

// Factories for the ports, wired to channels/ and dispatcher/checks/ (adapters.cc).
StatusOr<std::unique_ptr<ContentRenderer>> MakeRenderer(const std::filesystem::path& templates_dir,
                                                        const std::filesystem::path& policies_dir);
StatusOr<std::unique_ptr<ContentChecker>> MakeChecker(const std::filesystem::path& policies_dir);

}  // namespace gd
