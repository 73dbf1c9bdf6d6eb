// dispatcher: one binary, several subcommands (docs/api.md §5). The composition root.
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string_view>

#include "channels/sandbox/server.h"
#include "dispatcher/app/app.h"
#include "dispatcher/app/archive_cli.h"
#include "dispatcher/app/demo.h"
#include "dispatcher/checks/check_cli.h"
#include "dispatcher/core/json_util.h"
#include "dispatcher/core/log.h"
#include "dispatcher/store/user_repo.h"

namespace {

using gd::App;
using gd::AppConfig;

struct CommonFlags {
  std::string listen;  // empty: from the config file, else 127.0.0.1:8080
  std::string data;
  std::string config;
  std::string policies, templates, web;
};

void AddCommon(CLI::App* cmd, CommonFlags* f, bool listen = true) {
  if (listen) cmd->add_option("--listen", f->listen, "监听地址 HOST:PORT（默认 127.0.0.1:8080）");
  cmd->add_option("--data", f->data, "数据目录（数据库、素材、门户站点、密钥）");
  cmd->add_option("--config", f->config,
                  "JSON 配置文件（配置项见 docs/configuration.md；命令行参数优先）");
  cmd->add_option("--policies", f->policies, "策略目录（审核链、检查词库、节假日）");
  cmd->add_option("--templates", f->templates, "模板目录");
  cmd->add_option("--web", f->web, "控制台静态文件目录（web/dist）");
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Flags win over the config file (typed, unknown keys rejected: ApplyConfigFile), which wins
// over the defaults.
gd::StatusOr<AppConfig> BuildConfig(const CommonFlags& f, const std::string& default_data) {
  AppConfig cfg;
  cfg.data_dir = default_data;
  if (!f.config.empty()) GD_RETURN_IF_ERROR(gd::ApplyConfigFile(f.config, &cfg));
  if (!f.listen.empty()) GD_RETURN_IF_ERROR(gd::ApplyListen(f.listen, &cfg));
  if (!f.data.empty()) cfg.data_dir = f.data;
  if (!f.policies.empty()) cfg.policies_dir = f.policies;
  if (!f.templates.empty()) cfg.templates_dir = f.templates;
  if (!f.web.empty()) cfg.web_dir = f.web;
  cfg.admin_password = Env("DISPATCHER_ADMIN_PASSWORD");
  cfg.master_key = Env("DISPATCHER_MASTER_KEY");
  return cfg;
}

int Fail(const gd::Status& s) {
  std::cerr << "错误：" << s.message() << "\n";
  if (s.details().contains("findings"))
    for (const auto& f : s.details()["findings"])
      std::cerr << "  - " << f.value("message", "") << "\n";
  if (s.details().contains("fields")) std::cerr << "  " << s.details()["fields"].dump() << "\n";
  return 2;
}

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

// Installed before the server starts, so a SIGTERM right after "serving on" (systemd stopping
// a unit it just started) stops it cleanly instead of killing it.
void CatchStopSignals() {
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
}

void WaitForSignal() {
  CatchStopSignals();
  while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
}

// Production runs under its own user (deploy/dispatcher.service); root still works (CI and
// containers), with this said plainly.
void WarnIfRoot() {
  if (::geteuid() != 0) return;
  std::cerr << "警告：dispatcher serve 正以 root 身份运行。生产环境请以专用的非特权用户运行"
               "（见 deploy/dispatcher.service 与 docs/deploy.md）。\n"
               "Warning: dispatcher serve is running as root. In production run it as its own "
               "unprivileged user (see deploy/dispatcher.service and docs/deploy.md).\n";
}

int Serve(const CommonFlags& f) {
  auto cfg = BuildConfig(f, "var");
  if (!cfg.ok()) return Fail(cfg.status());
  WarnIfRoot();
  CatchStopSignals();
  auto app = App::Create(*cfg);
  if (!app.ok()) return Fail(app.status());
  gd::Status st = (*app)->Start();
  if (!st.ok()) return Fail(st);
  gd::log::Info("serving on http://{}:{}/ (data {})", cfg->host, (*app)->port(),
                cfg->data_dir.string());
  WaitForSignal();
  (*app)->Stop();
  return 0;
}

int Demo(const CommonFlags& f) {
  auto cfg = BuildConfig(f, "var/demo");
  if (!cfg.ok()) return Fail(cfg.status());
  if (cfg->admin_password.empty()) cfg->admin_password = gd::kDemoPassword;
  // Every platform's sandbox, in-process; the demo's channel accounts point at it.
  gd::channels::sandbox::SandboxOptions sopt;
  sopt.async_delay_ms = 1500;
  sopt.enforce_quotas = true;  // the platforms' documented daily/hourly quotas, as in production
  // On loopback whatever --listen says: channel base URLs may use plain http:// only to loopback
  // hosts (docs/decisions.md); visitors reach the sandbox through /_sandbox/ on the server.
  auto sandbox = gd::channels::sandbox::SandboxServer::Start("127.0.0.1", 0, sopt);
  if (!sandbox.ok()) return Fail(sandbox.status());
  cfg->sandbox_proxy = (*sandbox)->base_url();
  auto app = App::Create(*cfg);
  if (!app.ok()) return Fail(app.status());
  gd::Status st = (*app)->Start();
  if (!st.ok()) return Fail(st);
  std::string base = "http://" + cfg->host + ":" + std::to_string((*app)->port());
  auto users = gd::SeedDemo(**app, (*sandbox)->base_url());
  if (!users.ok()) return Fail(users.status());
  std::cout << "\n政务新媒体统一审核分发系统 — 演示环境已启动\n"
            << "  控制台：   " << base << "/\n"
            << "  门户网站： " << base << "/site/\n"
            << "  平台沙箱： " << base << "/_sandbox/（各平台收到的内容）\n"
            << "  数据目录： " << cfg->data_dir.string() << "\n\n"
            << "演示账号（密码均为 " << gd::kDemoPassword << "）：\n"
            << "  admin        系统管理员\n";
  for (const auto& u : *users)
    std::cout << "  " << u.username
              << std::string(13 - std::min<size_t>(12, u.username.size()), ' ') << u.name << "（"
              << u.unit << "，" << u.roles_label << "）\n";
  std::cout << "\n按 Ctrl+C 停止。\n" << std::flush;
  WaitForSignal();
  (*app)->Stop();
  (*sandbox)->Stop();
  return 0;
}

// glibc malloc settings for the long-running server, applied by starting the process once more
// with GLIBC_TUNABLES set (tcache_count can only be set that way, before the first malloc).
// A larger per-thread cache (256 chunks per size instead of 7) and no fast bins: request
// handling frees many small JSON and string nodes, which otherwise overflow the 7-entry cache
// into the fast bins, and each request's 4 KB cpp-httplib read buffer then makes malloc
// consolidate them (bench/RESULTS.md, API: about -9 % server CPU per request). An operator's own
// GLIBC_TUNABLES is left as it is.
void ApplyMallocTunables(int argc, char** argv) {
  if (argc < 2) return;
  std::string_view cmd = argv[1];
  if (cmd != "serve" && cmd != "demo") return;
  if (std::getenv("GLIBC_TUNABLES") != nullptr) return;
  if (setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=256:glibc.malloc.mxfast=0", 1) != 0)
    return;
  execv("/proc/self/exe", argv);
  // exec failed (no /proc): run with the defaults.
  unsetenv("GLIBC_TUNABLES");
}

// The offline commands (they open the store directly) and their arguments, as CLI11 fills them.
struct OfflineCommands {
  CLI::App* user_add = nullptr;
  CLI::App* user_passwd = nullptr;
  CLI::App* user_disable = nullptr;
  CLI::App* audit_verify = nullptr;
  CLI::App* backup = nullptr;
  CLI::App* archive = nullptr;
  std::string username, name, roles_csv;
  int64_t unit_id = 0;
  std::string out_file, archive_unit, archive_month;
};

void AddUserCommands(CLI::App& cli, CommonFlags* flags, OfflineCommands* c) {
  auto* user = cli.add_subcommand("user", "用户管理");
  user->require_subcommand(1);
  c->user_add =
      user->add_subcommand("add", "新增用户（初始密码取自环境变量 DISPATCHER_USER_PASSWORD）");
  AddCommon(c->user_add, flags, false);
  c->user_add->add_option("--username", c->username)->required();
  c->user_add->add_option("--name", c->name)->required();
  c->user_add->add_option("--unit-id", c->unit_id)->required();
  c->user_add->add_option("--roles", c->roles_csv, "逗号分隔，如 editor,unit_reviewer")->required();
  c->user_passwd =
      user->add_subcommand("passwd", "重置密码（新密码取自环境变量 DISPATCHER_USER_PASSWORD）");
  AddCommon(c->user_passwd, flags, false);
  c->user_passwd->add_option("--username", c->username)->required();
  c->user_disable = user->add_subcommand("disable", "停用用户");
  AddCommon(c->user_disable, flags, false);
  c->user_disable->add_option("--username", c->username)->required();
}

void AddRecordCommands(CLI::App& cli, CommonFlags* flags, OfflineCommands* c) {
  auto* audit = cli.add_subcommand("audit", "审计日志");
  audit->require_subcommand(1);
  c->audit_verify = audit->add_subcommand("verify", "校验审计日志哈希链");
  AddCommon(c->audit_verify, flags, false);

  c->backup = cli.add_subcommand("backup", "在线备份数据库");
  AddCommon(c->backup, flags, false);
  c->backup->add_option("--out", c->out_file, "备份文件")->required();
  c->archive = cli.add_subcommand("archive", "导出单位月度审核记录（第十条第三项）");
  AddCommon(c->archive, flags, false);
  c->archive->add_option("--unit", c->archive_unit, "单位 ID 或名称")->required();
  c->archive->add_option("--month", c->archive_month, "月份 YYYY-MM")->required();
  c->archive->add_option("--out", c->out_file, "输出文件（.xlsx、.csv 或 .json）")->required();
}

// `check` takes its own arguments (dispatcher/checks/check_cli.h).
int RunCheck(int argc, char** argv) {
  std::vector<std::string> args(argv + 2, argv + argc);
  if (Env("DISPATCHER_POLICIES").empty()) {
    bool has_policies = false;
    for (const auto& a : args) has_policies = has_policies || a.rfind("--policies", 0) == 0;
    if (!has_policies) {
      args.insert(args.begin(), (gd::DefaultSourceDir() / "policies" / "checks").string());
      args.insert(args.begin(), "--policies");
    }
  }
  return gd::checks::RunCheckCli(args, std::cout, std::cerr);
}

int AuditVerify(App& app) {
  gd::AuditVerdict v = app.store().VerifyAudit();
  if (v.ok) {
    std::cout << "审计日志完整：共 " << v.rows << " 条记录，哈希链校验通过。\n";
    return 0;
  }
  std::cout << "审计日志校验失败：" << v.problem << "（第 " << v.broken_id << " 条）\n";
  return 1;
}

int Backup(App& app, const std::string& out_file) {
  gd::Status st = app.store().Backup(out_file);
  if (!st.ok()) return Fail(st);
  std::cout << "已备份到 " << out_file << "\n";
  return 0;
}

int AddUser(App& app, const OfflineCommands& c, const std::string& password) {
  const std::string& username = c.username;
  std::vector<gd::Role> roles;
  std::stringstream ss(c.roles_csv);
  std::string item;
  while (std::getline(ss, item, ',')) {
    auto r = gd::ParseRole(item);
    if (!r) return Fail(gd::InvalidArgument("未知角色 " + item));
    roles.push_back(*r);
  }
  gd::Status strength = app.accounts().CheckPasswordStrength(username, password);
  if (!strength.ok()) return Fail(strength);
  auto u = app.accounts().AddUserDirect(username, c.name, c.unit_id, roles, password, true);
  if (!u.ok()) return Fail(u.status());
  std::cout << "已创建用户 " << username << "（首次登录须修改密码）\n";
  return 0;
}

// user passwd / user disable.
int ChangeUser(App& app, const OfflineCommands& c, const std::string& password) {
  const std::string& username = c.username;
  gd::AuthContext cli_actor;  // id 0: the command line
  std::optional<gd::User> found;
  gd::Status st = app.store().Read([&](gd::Tx& tx) -> gd::Status {
    GD_ASSIGN_OR_RETURN(found, gd::user_repo::GetUserByName(tx, username));
    return gd::Status::Ok();
  });
  if (!st.ok()) return Fail(st);
  if (!found) return Fail(gd::NotFound("用户不存在：" + username));
  gd::UserPatch patch;
  if (c.user_disable->parsed())
    patch.disabled = true;
  else
    patch.password = password;
  auto u = app.accounts().UpdateUser(cli_actor, found->id, patch);
  if (!u.ok()) return Fail(u.status());
  std::cout << (c.user_disable->parsed() ? "已停用用户 " : "已重置密码（下次登录须修改）：")
            << username << "\n";
  return 0;
}

// Offline commands open the store directly (the server may be running: SQLite WAL allows it).
int RunOffline(const CommonFlags& flags, const OfflineCommands& c) {
  auto cfg = BuildConfig(flags, "var");
  if (!cfg.ok()) return Fail(cfg.status());
  if (cfg->admin_password.empty()) cfg->admin_password = Env("DISPATCHER_ADMIN_PASSWORD");
  const bool user_command =
      c.user_add->parsed() || c.user_passwd->parsed() || c.user_disable->parsed();
  if (!c.audit_verify->parsed() && !c.archive->parsed() && !c.backup->parsed() && !user_command)
    return 2;
  auto app = App::Create(*cfg);
  if (!app.ok()) return Fail(app.status());
  if (c.audit_verify->parsed()) return AuditVerify(**app);
  if (c.archive->parsed())
    return gd::RunArchiveCli(**app, c.archive_unit, c.archive_month, c.out_file);
  if (c.backup->parsed()) return Backup(**app, c.out_file);
  std::string password = Env("DISPATCHER_USER_PASSWORD");
  if (c.user_add->parsed()) return AddUser(**app, c, password);
  return ChangeUser(**app, c, password);
}

}  // namespace

int main(int argc, char** argv) {
  // Whatever a command writes (database, media, keys, backups, exports) is private to this user.
  ::umask(077);
  ApplyMallocTunables(argc, argv);
  if (argc >= 2 && std::string(argv[1]) == "check") return RunCheck(argc, argv);
  if (argc >= 2 && std::string(argv[1]) == "sandbox")
    return gd::channels::sandbox::RunSandboxCli(std::vector<std::string>(argv + 2, argv + argc));

  CLI::App cli{"政务新媒体统一审核分发系统 dispatcher"};
  cli.require_subcommand(1);
  CommonFlags flags;

  auto* serve = cli.add_subcommand("serve", "启动服务");
  AddCommon(serve, &flags);
  auto* demo = cli.add_subcommand("demo", "启动演示环境（内置门户、沙箱、演示账号）");
  AddCommon(demo, &flags);
  OfflineCommands offline;
  AddUserCommands(cli, &flags, &offline);
  AddRecordCommands(cli, &flags, &offline);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }

  if (serve->parsed()) return Serve(flags);
  if (demo->parsed()) return Demo(flags);
  return RunOffline(flags, offline);
}
