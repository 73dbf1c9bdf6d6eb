#include "channels/sandbox/server.h"

#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "channels/sandbox/page.h"
#include "channels/sandbox/registry.h"
#include "channels/transport.h"
#include "dispatcher/core/log.h"

namespace gd::channels::sandbox {

StatusOr<FaultSpec> FaultSpec::FromJson(const Json& j) {
  if (!j.is_object()) return InvalidArgument("故障配置必须是 JSON 对象");
  static const char* kFields[] = {
      "platform",   "error_rate",  "timeout_rate",     "after_accept_ratio",
      "latency_ms", "token_ttl_s", "rate_limit_per_s", "error_code",
      "paths",      "count"};
  for (const auto& [k, v] : j.items()) {
    if (std::find(std::begin(kFields), std::end(kFields), k) == std::end(kFields)) {
      return InvalidArgument("故障配置含未知字段：" + k);
    }
  }
  FaultSpec f;
  auto rate = [&](const char* name, double* out) -> Status {
    if (!j.contains(name)) return Status::Ok();
    if (!j[name].is_number() || j[name].get<double>() < 0 || j[name].get<double>() > 1) {
      return InvalidArgument(std::string(name) + " 必须是 0 到 1 之间的数");
    }
    *out = j[name].get<double>();
    return Status::Ok();
  };
  GD_RETURN_IF_ERROR(rate("error_rate", &f.error_rate));
  GD_RETURN_IF_ERROR(rate("timeout_rate", &f.timeout_rate));
  GD_RETURN_IF_ERROR(rate("after_accept_ratio", &f.after_accept_ratio));
  if (j.contains("latency_ms")) {
    if (!j["latency_ms"].is_number_integer() || j["latency_ms"].get<int>() < 0) {
      return InvalidArgument("latency_ms 必须是非负整数");
    }
    f.latency_ms = j["latency_ms"].get<int>();
  }
  if (j.contains("token_ttl_s") && !j["token_ttl_s"].is_null()) {
    if (!j["token_ttl_s"].is_number_integer() || j["token_ttl_s"].get<int>() < 1) {
      return InvalidArgument("token_ttl_s 必须是正整数");
    }
    f.token_ttl_s = j["token_ttl_s"].get<int>();
  }
  if (j.contains("rate_limit_per_s") && !j["rate_limit_per_s"].is_null()) {
    if (!j["rate_limit_per_s"].is_number() || j["rate_limit_per_s"].get<double>() <= 0) {
      return InvalidArgument("rate_limit_per_s 必须是正数");
    }
    f.rate_limit_per_s = j["rate_limit_per_s"].get<double>();
  }
  if (j.contains("error_code") && !j["error_code"].is_null()) {
    if (!j["error_code"].is_number_integer()) return InvalidArgument("error_code 必须是整数");
    f.error_code = j["error_code"].get<int>();
  }
  if (j.contains("paths")) {
    if (!j["paths"].is_array()) return InvalidArgument("paths 必须是字符串数组");
    for (const auto& p : j["paths"]) {
      if (!p.is_string()) return InvalidArgument("paths 必须是字符串数组");
      f.paths.push_back(p.get<std::string>());
    }
  }
  if (j.contains("count")) {
    if (!j["count"].is_number_integer() || j["count"].get<int>() < -1) {
      return InvalidArgument("count 必须是非负整数（-1 表示不限）");
    }
    f.count = j["count"].get<int>();
  }
  return f;
}

Json FaultSpec::ToJson() const {
  Json j = {{"error_rate", error_rate},
            {"timeout_rate", timeout_rate},
            {"after_accept_ratio", after_accept_ratio},
            {"latency_ms", latency_ms},
            {"paths", paths},
            {"count", count}};
  j["token_ttl_s"] = token_ttl_s ? Json(*token_ttl_s) : Json();
  j["rate_limit_per_s"] = rate_limit_per_s ? Json(*rate_limit_per_s) : Json();
  j["error_code"] = error_code ? Json(*error_code) : Json();
  return j;
}

namespace {

enum class Action { kPass, kError, kRateLimited, kTimeoutBefore, kTimeoutAfter };

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

void WriteJson(httplib::Response& res, const Json& j, int status = 200) {
  res.status = status;
  res.set_content(DumpJson(j), "application/json; charset=utf-8");
}

// {"error": {"code", "message"}} with 400 for bad input, 404 for an unknown platform.
void WriteError(httplib::Response& res, const Status& st) {
  bool missing = st.code() == Code::kNotFound;
  WriteJson(
      res,
      Json{{"error", {{"code", missing ? "not_found" : "bad_request"}, {"message", st.message()}}}},
      missing ? 404 : 400);
}

// Sends headers announcing a body, then closes the connection without it: to the client this
// is a response that never completes.
void DropConnection(httplib::Response& res) {
  res.status = 200;
  res.set_content_provider(64, "application/json",
                           [](size_t, size_t, httplib::DataSink&) { return false; });
}

}  // namespace

struct SandboxServer::Impl {
  explicit Impl(SandboxOptions options) : env(std::move(options)), rng(env.options().seed) {
    for (const auto& e : SandboxEntries())
      if (e.make != nullptr) platforms.push_back(e.make(env));
    for (auto& p : platforms) {
      env.InitQuotas(p->name(), p->DefaultQuotas(), env.options().enforce_quotas);
    }
  }

  struct Bucket {
    double tokens = 0;
    TimeMs last = 0;
  };

  Env env;
  std::vector<std::unique_ptr<PlatformSandbox>> platforms;
  httplib::Server svr;
  std::thread thread;
  std::string host;
  int port = 0;

  mutable std::mutex mu;
  std::mt19937_64 rng;
  std::map<std::string, FaultSpec> faults;
  std::map<std::string, int> injected;
  std::map<std::string, int> rate_limited;  // answers of the per-second rate-limit fault
  std::map<std::string, Bucket> buckets;
  std::map<std::string, std::map<std::string, int64_t>> calls;

  PlatformSandbox* Find(const std::string& name) {
    for (auto& p : platforms) {
      if (p->name() == name) return p.get();
    }
    return nullptr;
  }

  void SetFaults(const std::string& platform, const FaultSpec& spec) {
    std::lock_guard lock(mu);
    for (auto& p : platforms) {
      if (!platform.empty() && p->name() != platform) continue;
      faults[p->name()] = spec;
      injected[p->name()] = 0;
      rate_limited[p->name()] = 0;
      buckets.erase(p->name());
      if (spec.token_ttl_s) env.SetTokenTtlSeconds(p->name(), spec.token_ttl_s);
    }
  }

  void ClearFaults() {
    std::lock_guard lock(mu);
    for (auto& p : platforms) env.SetTokenTtlSeconds(p->name(), std::nullopt);
    faults.clear();
    injected.clear();
    rate_limited.clear();
    buckets.clear();
  }

  Action Decide(const std::string& platform, const std::string& path, int* latency_ms,
                std::optional<int>* error_code) {
    std::lock_guard lock(mu);
    ++calls[platform][path];
    auto it = faults.find(platform);
    if (it == faults.end()) return Action::kPass;
    const FaultSpec& f = it->second;
    *latency_ms = f.latency_ms;
    *error_code = f.error_code;
    if (f.rate_limit_per_s) {
      Bucket& b = buckets[platform];
      TimeMs now = env.Now();
      double cap = std::max(1.0, *f.rate_limit_per_s);
      if (b.last == 0) b.tokens = cap;
      b.tokens = std::min(cap, b.tokens + (now - b.last) / 1000.0 * *f.rate_limit_per_s);
      b.last = now;
      if (b.tokens < 1.0) {
        ++rate_limited[platform];
        return Action::kRateLimited;
      }
      b.tokens -= 1.0;
    }
    if (!f.paths.empty() && std::find(f.paths.begin(), f.paths.end(), path) == f.paths.end()) {
      return Action::kPass;
    }
    if (f.count >= 0 && injected[platform] >= f.count) return Action::kPass;
    std::uniform_real_distribution<double> u(0.0, 1.0);
    double r = u(rng);
    Action a = Action::kPass;
    if (r < f.error_rate) {
      a = Action::kError;
    } else if (r < f.error_rate + f.timeout_rate) {
      a = u(rng) < f.after_accept_ratio ? Action::kTimeoutAfter : Action::kTimeoutBefore;
    }
    if (a != Action::kPass) ++injected[platform];
    return a;
  }

  SbRequest ToSbRequest(const httplib::Request& req, const std::string& tail) {
    SbRequest s;
    s.method = req.method;
    s.path = tail.empty() ? "/" : tail;
    s.host = req.get_header_value("Host");
    s.remote_addr = req.remote_addr;
    for (const auto& [k, v] : req.headers) s.headers.emplace(Lower(k), v);
    s.content_type = req.get_header_value("Content-Type");
    s.body = req.body;
    for (const auto& [k, v] : req.params) s.params.emplace(k, v);
    if (s.content_type.rfind("application/x-www-form-urlencoded", 0) == 0) {
      for (auto& [k, v] : ParseQuery(req.body)) {
        if (!s.params.count(k)) s.params.emplace(k, v);
      }
    }
    for (const auto& [name, part] : req.files) {
      if (part.filename.empty()) {
        s.params.emplace(name, part.content);
      } else {
        s.files.emplace(name, SbFile{part.filename, part.content_type, part.content});
      }
    }
    return s;
  }

  void Serve(const httplib::Request& req, httplib::Response& res) {
    const std::string& path = req.path;
    if (path.rfind("/_sandbox", 0) == 0) return Inspect(req, res);
    size_t slash = path.find('/', 1);
    std::string name = path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
    PlatformSandbox* p = Find(name);
    if (p == nullptr) {
      return WriteJson(
          res, Json{{"error", {{"code", "not_found"}, {"message", "没有这个沙箱平台"}}}}, 404);
    }
    std::string tail = slash == std::string::npos ? "/" : path.substr(slash);
    SbRequest sreq = ToSbRequest(req, tail);
    int latency = 0;
    std::optional<int> code;
    Action action = Decide(name, sreq.path, &latency, &code);
    if (latency > 0) std::this_thread::sleep_for(std::chrono::milliseconds(latency));
    SbResponse out;
    switch (action) {
      case Action::kRateLimited:
        out = p->RateLimited(sreq);
        break;
      case Action::kError:
        if (code && p->InjectedErrorProcesses(*code)) (void)p->Handle(sreq);
        out = p->InjectedError(sreq, code);
        break;
      case Action::kTimeoutAfter:
        (void)p->Handle(sreq);
        [[fallthrough]];
      case Action::kTimeoutBefore:
        std::this_thread::sleep_for(std::chrono::milliseconds(env.options().timeout_hang_ms));
        return DropConnection(res);
      case Action::kPass:
        out = p->Handle(sreq);
        break;
    }
    res.status = out.status;
    for (const auto& [k, v] : out.headers) res.set_header(k, v);
    res.set_content(out.body, out.content_type.c_str());
  }

  // POST /_sandbox/quotas: {"platform"?, "enabled"?, "rules"?, "defaults"?, "reset"?}.
  Status ConfigureQuotas(const Json& body) {
    if (!body.is_object()) return InvalidArgument("配额配置必须是 JSON 对象");
    for (const auto& [k, v] : body.items()) {
      if (k != "platform" && k != "enabled" && k != "rules" && k != "defaults" && k != "reset") {
        return InvalidArgument("配额配置含未知字段：" + k);
      }
    }
    if (body.contains("platform") && !body["platform"].is_string()) {
      return InvalidArgument("platform 必须是字符串");
    }
    std::string platform = body.value("platform", "");
    if (!platform.empty() && Find(platform) == nullptr) {
      return NotFound("没有这个沙箱平台：" + platform);
    }
    std::optional<bool> enabled;
    if (body.contains("enabled")) {
      if (!body["enabled"].is_boolean()) return InvalidArgument("enabled 必须是 true 或 false");
      enabled = body["enabled"].get<bool>();
    }
    auto flag = [&](const char* name, bool* out) -> Status {
      if (!body.contains(name)) return Status::Ok();
      if (!body[name].is_boolean())
        return InvalidArgument(std::string(name) + " 必须是 true 或 false");
      *out = body[name].get<bool>();
      return Status::Ok();
    };
    bool defaults = false, reset = false;
    GD_RETURN_IF_ERROR(flag("defaults", &defaults));
    GD_RETURN_IF_ERROR(flag("reset", &reset));
    std::optional<std::vector<QuotaRule>> rules;
    if (body.contains("rules")) {
      if (platform.empty()) return InvalidArgument("设置 rules 时必须指定 platform");
      if (!body["rules"].is_array()) return InvalidArgument("rules 必须是配额规则数组");
      rules.emplace();
      for (const auto& r : body["rules"]) {
        GD_ASSIGN_OR_RETURN(QuotaRule rule, QuotaRule::FromJson(r));
        rules->push_back(std::move(rule));
      }
    }
    for (auto& p : platforms) {
      if (!platform.empty() && p->name() != platform) continue;
      GD_RETURN_IF_ERROR(env.ConfigureQuotas(p->name(), enabled, rules, defaults, reset));
    }
    return Status::Ok();
  }

  Json PostsJson(const std::string& platform) {
    for (auto& p : platforms) p->Settle();
    Json items = Json::array();
    for (const auto& post : env.Posts(platform)) {
      Json media = Json::array();
      for (const auto& m : post.media) {
        media.push_back(
            Json{{"kind", m.value("kind", "")}, {"url", "/_sandbox/media/" + m.value("blob", "")}});
      }
      items.push_back(Json{{"platform", post.platform},
                           {"remote_id", post.remote_id},
                           {"title", post.title},
                           {"text", post.text},
                           {"url", post.url},
                           {"media", media},
                           {"created_at", post.created_at},
                           {"deleted", post.deleted}});
    }
    return Json{{"items", items}};
  }

  Json StatsJson() const {
    std::lock_guard lock(mu);
    Json c = Json::object();
    for (const auto& [platform, paths] : calls) {
      for (const auto& [path, n] : paths) c[platform][path] = n;
    }
    Json inj = Json::object();
    for (const auto& [platform, n] : injected) inj[platform] = n;
    Json limited = Json::object();
    for (const auto& [platform, n] : rate_limited) limited[platform] = n;
    Json refused = Json::object();
    const Json quotas = env.QuotasJson();
    for (const auto& [platform, q] : quotas.items()) refused[platform] = q["refused"];
    return Json{
        {"calls", c}, {"injected", inj}, {"rate_limited", limited}, {"quota_refused", refused}};
  }

  void Inspect(const httplib::Request& req, httplib::Response& res) {
    const std::string& path = req.path;
    if ((path == "/_sandbox" || path == "/_sandbox/") && req.method == "GET") {
      for (auto& p : platforms) p->Settle();
      res.set_content(RenderInspectionPage(env.Posts("")), "text/html; charset=utf-8");
      return;
    }
    if (path == "/_sandbox/posts" && req.method == "GET") {
      return WriteJson(res, PostsJson(req.get_param_value("platform")));
    }
    if (path == "/_sandbox/stats" && req.method == "GET") return WriteJson(res, StatsJson());
    if (path == "/_sandbox/faults") {
      if (req.method == "DELETE") {
        ClearFaults();
        return WriteJson(res, Json{{"ok", true}});
      }
      if (req.method == "GET") {
        std::lock_guard lock(mu);
        Json out = Json::object();
        for (const auto& [p, f] : faults) out[p] = f.ToJson();
        return WriteJson(res, Json{{"faults", out}});
      }
      if (req.method == "POST") {
        auto body = ParseJson(req.body);
        StatusOr<FaultSpec> spec =
            body.ok() ? FaultSpec::FromJson(*body)
                      : StatusOr<FaultSpec>(
                            InvalidArgument("请求体不是合法的 JSON：" + body.status().message()));
        if (!spec.ok()) return WriteError(res, spec.status());
        if (body->contains("platform") && !(*body)["platform"].is_string()) {
          return WriteError(res, InvalidArgument("platform 必须是字符串"));
        }
        std::string platform = body->value("platform", "");
        if (!platform.empty() && Find(platform) == nullptr) {
          return WriteError(res, NotFound("没有这个沙箱平台：" + platform));
        }
        SetFaults(platform, *spec);
        return WriteJson(res, Json{{"ok", true}});
      }
    }
    if (path == "/_sandbox/quotas") {
      if (req.method == "GET") return WriteJson(res, Json{{"quotas", env.QuotasJson()}});
      if (req.method == "DELETE") {  // a new day: every counter back to zero
        for (auto& p : platforms) {
          (void)env.ConfigureQuotas(p->name(), std::nullopt, std::nullopt, false, true);
        }
        return WriteJson(res, Json{{"ok", true}});
      }
      if (req.method == "POST") {
        auto body = ParseJson(req.body);
        Status st = body.ok()
                        ? ConfigureQuotas(*body)
                        : InvalidArgument("请求体不是合法的 JSON：" + body.status().message());
        if (!st.ok()) return WriteError(res, st);
        return WriteJson(res, Json{{"ok", true}, {"quotas", env.QuotasJson()}});
      }
    }
    if (path == "/_sandbox/expire_tokens" && req.method == "POST") {
      std::string platform;
      if (!req.body.empty()) {
        auto body = ParseJson(req.body);
        if (!body.ok() || !body->is_object() ||
            (body->contains("platform") && !(*body)["platform"].is_string())) {
          return WriteError(res, InvalidArgument("请求体应为 {\"platform\": \"平台名\"} 或为空"));
        }
        platform = body->value("platform", "");
      }
      if (!platform.empty() && Find(platform) == nullptr) {
        return WriteError(res, NotFound("没有这个沙箱平台：" + platform));
      }
      for (auto& p : platforms) {
        if (platform.empty() || p->name() == platform) p->ExpireTokens();
      }
      return WriteJson(res, Json{{"ok", true}});
    }
    if (path.rfind("/_sandbox/media/", 0) == 0 && req.method == "GET") {
      auto blob = env.GetBlob(path.substr(16));
      if (!blob)
        return WriteJson(res, Json{{"error", {{"code", "not_found"}, {"message", "没有这个文件"}}}},
                         404);
      res.set_content(blob->data, blob->content_type.empty() ? "application/octet-stream"
                                                             : blob->content_type.c_str());
      return;
    }
    WriteJson(res, Json{{"error", {{"code", "not_found"}, {"message", "没有这个接口"}}}}, 404);
  }
};

SandboxServer::SandboxServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SandboxServer::~SandboxServer() { Stop(); }

StatusOr<std::unique_ptr<SandboxServer>> SandboxServer::Start(const std::string& host, int port,
                                                              SandboxOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  Impl* raw = impl.get();
  auto handler = [raw](const httplib::Request& req, httplib::Response& res) {
    raw->Serve(req, res);
  };
  raw->svr.Get(".*", handler);
  raw->svr.Post(".*", handler);
  raw->svr.Put(".*", handler);
  raw->svr.Delete(".*", handler);
  raw->svr.set_payload_max_length(600ull * 1024 * 1024);
  raw->svr.new_task_queue = [] { return new httplib::ThreadPool(32); };
  int bound =
      port == 0 ? raw->svr.bind_to_any_port(host) : (raw->svr.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return Unavailable("沙箱无法监听 " + host + ":" + std::to_string(port));
  }
  raw->host = host;
  raw->port = bound;
  raw->thread = std::thread([raw] { raw->svr.listen_after_bind(); });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!raw->svr.is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::unique_ptr<SandboxServer>(new SandboxServer(std::move(impl)));
}

int SandboxServer::port() const { return impl_->port; }

std::string SandboxServer::base_url() const {
  std::string h = impl_->host == "0.0.0.0" ? "127.0.0.1" : impl_->host;
  return "http://" + h + ":" + std::to_string(impl_->port);
}

void SandboxServer::Stop() {
  if (!impl_) return;
  impl_->svr.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void SandboxServer::SetFaults(const std::string& platform, const FaultSpec& spec) {
  impl_->SetFaults(platform, spec);
}
void SandboxServer::ClearFaults() { impl_->ClearFaults(); }
void SandboxServer::ExpireTokens(const std::string& platform) {
  for (auto& p : impl_->platforms) {
    if (platform.empty() || p->name() == platform) p->ExpireTokens();
  }
}
std::vector<PostRecord> SandboxServer::Posts(const std::string& platform) {
  for (auto& p : impl_->platforms) p->Settle();
  return impl_->env.Posts(platform);
}
Json SandboxServer::Stats() const { return impl_->StatsJson(); }
Status SandboxServer::ConfigureQuotas(const Json& body) { return impl_->ConfigureQuotas(body); }
Json SandboxServer::Quotas() const { return impl_->env.QuotasJson(); }
int64_t SandboxServer::Calls(const std::string& platform, const std::string& path) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->calls.find(platform);
  if (it == impl_->calls.end()) return 0;
  auto jt = it->second.find(path);
  return jt == it->second.end() ? 0 : jt->second;
}

std::vector<std::string> SandboxServer::PlatformNames() const {
  std::vector<std::string> out;
  for (const auto& p : impl_->platforms) out.push_back(p->name());
  return out;
}

int RunSandboxCli(const std::vector<std::string>& args) {
  std::string listen = "127.0.0.1:8090";
  SandboxOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    auto next = [&]() -> const std::string* { return i + 1 < args.size() ? &args[++i] : nullptr; };
    const std::string& a = args[i];
    const std::string* v = nullptr;
    if (a == "--listen" && (v = next())) {
      listen = *v;
    } else if (a == "--async-delay-ms" && (v = next())) {
      options.async_delay_ms = std::atoi(v->c_str());
    } else if (a == "--seed" && (v = next())) {
      options.seed = std::strtoull(v->c_str(), nullptr, 10);
    } else if (a == "--quotas") {
      options.enforce_quotas = true;
    } else if (a == "--weibo-timeline-window" && (v = next())) {
      options.weibo_timeline_window = std::atoi(v->c_str());
    } else if (a == "--weibo-safe-domain" && (v = next())) {
      options.weibo_safe_domains["sandbox"] = *v;
    } else if (a == "--kuaishou-invisible-ms" && (v = next())) {
      options.kuaishou_invisible_ms = std::atoi(v->c_str());
    } else {
      std::fprintf(stderr,
                   "用法：dispatcher sandbox [--listen HOST:PORT] [--async-delay-ms N] [--seed N] "
                   "[--quotas] [--weibo-timeline-window N] [--weibo-safe-domain D] "
                   "[--kuaishou-invisible-ms N]\n"
                   "  --quotas  从启动起执行各平台公开的调用配额（也可用 POST /_sandbox/quotas "
                   "开关）\n"
                   "  --weibo-timeline-window N  微博 user_timeline 只返回最近 N 条（默认 5）\n"
                   "  --weibo-safe-domain D  微博沙箱应用的安全域名（默认 127.0.0.1）\n"
                   "  --kuaishou-invisible-ms N  快手发布后 N 毫秒内查询不到新视频（默认 2000）\n");
      return 2;
    }
  }
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "--listen 需要 HOST:PORT 形式，例如 127.0.0.1:8090\n");
    return 2;
  }
  std::string host = listen.substr(0, colon);
  int port = std::atoi(listen.c_str() + colon + 1);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  auto server = SandboxServer::Start(host, port, options);
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", server.status().message().c_str());
    return 1;
  }
  std::printf("沙箱已启动：%s/_sandbox/\n", (*server)->base_url().c_str());
  std::string paths;
  for (const auto& p : (*server)->PlatformNames()) paths += " /" + p;
  std::printf("各平台地址：%s（演示凭据见 docs/api.md §6）\n", paths.c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  (*server)->Stop();
  return 0;
}

}  // namespace gd::channels::sandbox
