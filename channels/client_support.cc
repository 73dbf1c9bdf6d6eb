#include "channels/client_support.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "dispatcher/core/time_util.h"

namespace gd::channels::support {

namespace {

std::string MediaFilename(const MediaRef& m, const std::string& sha256) {
  std::string ext = "bin";
  if (m.mime == "image/jpeg") ext = "jpg";
  if (m.mime == "image/png") ext = "png";
  if (m.mime == "image/gif") ext = "gif";
  if (m.mime == "video/mp4") ext = "mp4";
  return sha256.substr(0, 16) + "." + ext;
}

}  // namespace

FileRange MediaFile::Range(int64_t offset, int64_t length) const {
  const int64_t from = std::clamp<int64_t>(offset, 0, size);
  return {path, from, std::clamp<int64_t>(length, 0, size - from)};
}

StatusOr<MediaFile> LocateMedia(const PublishJob& job, const std::string& sha256) {
  for (const auto& m : job.media) {
    if (m.sha256 != sha256) continue;
    std::error_code ec;
    const auto size = std::filesystem::file_size(m.path, ec);
    if (ec) return Internal("无法读取媒体文件 " + sha256.substr(0, 12));
    return MediaFile{&m, m.path, static_cast<int64_t>(size), MediaFilename(m, sha256)};
  }
  return InvalidArgument("渲染结果引用的媒体文件不在本工单中：" + sha256.substr(0, 12));
}

StatusOr<MediaBytes> ReadMedia(const PublishJob& job, const std::string& sha256) {
  for (const auto& m : job.media) {
    if (m.sha256 != sha256) continue;
    std::ifstream in(m.path, std::ios::binary);
    if (!in) return Internal("无法读取媒体文件 " + sha256.substr(0, 12));
    std::ostringstream buf;
    buf << in.rdbuf();
    MediaBytes out;
    out.ref = &m;
    out.data = buf.str();
    out.filename = MediaFilename(m, sha256);
    return out;
  }
  return InvalidArgument("渲染结果引用的媒体文件不在本工单中：" + sha256.substr(0, 12));
}

Status PlatformError(Code code, std::string_view platform_label, std::string_view platform_code,
                     std::string_view platform_message, std::string_view explanation,
                     std::string reason) {
  std::string msg = std::string(platform_label) + "：" + std::string(explanation) + "（平台返回 " +
                    std::string(platform_code);
  if (!platform_message.empty()) msg += "：" + std::string(platform_message);
  msg += "）";
  return Status(code, std::move(msg), std::move(reason),
                Json{{"platform", std::string(platform_label)},
                     {"code", std::string(platform_code)},
                     {"platform_message", std::string(platform_message)}});
}

Status WithRetryAfter(const Status& s, TimeMs ms) {
  Json d = s.details().is_object() ? s.details() : Json::object();
  d["retry_after_ms"] = ms;
  return Status(s.code(), s.message(), s.reason(), d);
}

TimeMs MsUntilNextCstMidnight(TimeMs now) {
  CivilDate today = CstDate(now);
  return CstMidnight(CivilFromDays(DaysFromCivil(today) + 1)) - now;
}

TimeMs RetryAfterMs(const HttpResponse& resp) {
  auto it = resp.headers.find("retry-after");
  if (it == resp.headers.end()) return 0;
  const std::string& v = it->second;
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 9) return 0;
  return std::stoll(v) * 1000;
}

Status BadResponse(std::string_view platform_label, const HttpResponse& resp) {
  if (resp.status == 429) {
    Status s(Code::kResourceExhausted,
             std::string(platform_label) + "：超过平台调用频次或配额限制（HTTP 429），稍后重试");
    TimeMs wait = RetryAfterMs(resp);
    return wait > 0 ? WithRetryAfter(s, wait) : s;
  }
  return Status(Code::kUnavailable, std::string(platform_label) + "返回了无法识别的响应（HTTP " +
                                        std::to_string(resp.status) + "）");
}

StatusOr<Json> ParseBody(std::string_view platform_label, const HttpResponse& resp) {
  auto j = ParseJson(resp.body);
  if (!j.ok() || !j->is_object()) return BadResponse(platform_label, resp);
  return j;
}

std::string IdString(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number()) return std::to_string(static_cast<int64_t>(v.get<double>()));
  return "";
}

Status BeginStep(Progress& progress, const Checkpoint& checkpoint, const std::string& step,
                 TimeMs now) {
  progress.state["inflight"] = Json{{"step", step}, {"at", now}};
  return checkpoint ? checkpoint(progress) : Status::Ok();
}

std::string InflightStep(const Progress& progress) {
  auto it = progress.state.find("inflight");
  if (it == progress.state.end() || !it->is_object()) return "";
  return it->value("step", "");
}

Status EndStep(Progress& progress, const Checkpoint& checkpoint) {
  progress.state.erase("inflight");
  return checkpoint ? checkpoint(progress) : Status::Ok();
}

StatusOr<Json> RetryRead(const std::function<StatusOr<Json>()>& read, int tries) {
  for (int i = 1;; ++i) {
    StatusOr<Json> got = read();
    const Code k = got.ok() ? Code::kOk : got.status().code();
    if (got.ok() || i >= tries || (k != Code::kUnavailable && k != Code::kDeadlineExceeded)) {
      return got;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100 << (i - 1)));
  }
}

Status StepFailed(Progress& progress, const Checkpoint& checkpoint, const Status& failure) {
  const Json& d = failure.details();
  const bool platform_answered = d.is_object() && d.contains("code") && d["code"].is_string() &&
                                 !d["code"].get<std::string>().empty();
  const Code k = failure.code();
  const bool refused = k == Code::kResourceExhausted || k == Code::kInvalidArgument ||
                       k == Code::kUnauthenticated || k == Code::kPermissionDenied ||
                       failure.reason() == "platform_rejected";
  if (platform_answered && refused) GD_RETURN_IF_ERROR(EndStep(progress, checkpoint));
  return failure;
}

Status NeedsDecision(std::string message) {
  return Status(Code::kFailedPrecondition, std::move(message), "needs_decision");
}

Status UnknownOutcome(Progress& progress, const Checkpoint& checkpoint, const Status& retry_later,
                      std::string message) {
  const int looks = progress.state.value("unknown_looks", 0) + 1;
  progress.state["unknown_looks"] = looks;
  if (checkpoint) GD_RETURN_IF_ERROR(checkpoint(progress));
  return looks < kMaxUnknownLooks ? retry_later : NeedsDecision(std::move(message));
}

Status WithQuotaScope(const Status& s, std::string_view api) {
  Json d = s.details().is_object() ? s.details() : Json::object();
  d["quota_scope"] = std::string(api);
  return Status(s.code(), s.message(), s.reason(), d);
}

Status ApiPaused(const PublishJob& job, std::string_view api, TimeMs now,
                 std::string_view platform_label) {
  auto it = job.paused_apis.find(std::string(api));
  if (it == job.paused_apis.end() || it->second <= now) return Status::Ok();
  const TimeMs rest = it->second - now;
  const TimeMs minutes = (rest + 59999) / 60000;
  Status s(Code::kResourceExhausted,
           std::string(platform_label) + "接口 " + std::string(api) + " 的调用额度已用完，约 " +
               std::to_string(minutes) + " 分钟后再试（本次未调用平台）",
           "api_paused");
  return WithQuotaScope(WithRetryAfter(s, rest), api);
}

StatusOr<std::string> SecretField(const Json& secrets, const char* field,
                                  std::string_view platform_label) {
  if (secrets.is_object()) {
    auto it = secrets.find(field);
    if (it != secrets.end() && it->is_string() && !it->get<std::string>().empty()) {
      return it->get<std::string>();
    }
  }
  return Status(Code::kUnauthenticated, std::string(platform_label) + "账号未配置密钥 " + field,
                "missing_secret");
}

StatusOr<std::string> SettingField(const Account& account, const char* field,
                                   std::string_view platform_label) {
  auto it = account.settings.find(field);
  if (it != account.settings.end() && it->is_string() && !it->get<std::string>().empty()) {
    return it->get<std::string>();
  }
  return InvalidArgument(std::string(platform_label) + "账号未配置 settings." + field,
                         "missing_setting");
}

std::string BaseUrl(const Account& account) {
  std::string u = account.base_url;
  while (!u.empty() && u.back() == '/') u.pop_back();
  return u;
}

Status TransportError(std::string_view platform_label, const Status& s) {
  return Status(s.code(), std::string(platform_label) + "：" + s.message(), s.reason(),
                s.details());
}

}  // namespace gd::channels::support
