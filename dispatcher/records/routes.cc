#include "dispatcher/records/routes.h"

#include <fstream>
#include <iostream>

#include "dispatcher/app/app.h"
#include "dispatcher/core/log.h"

namespace gd {
namespace {

using R = Role;

ApiResponse JsonOk(Json j, int status = 200) {
  ApiResponse r;
  r.status = status;
  r.json = std::move(j);
  return r;
}

ApiResponse FileResponse(std::string body, const std::string& content_type,
                         const std::string& ascii_name, const std::string& utf8_name) {
  ApiResponse r;
  r.content_type = content_type;
  r.body = std::move(body);
  std::string encoded;
  static const char* kHex = "0123456789ABCDEF";
  for (unsigned char c : utf8_name) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.') {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  r.headers.push_back({"Content-Disposition",
                       "attachment; filename=\"" + ascii_name + "\"; filename*=UTF-8''" + encoded});
  r.headers.push_back({"Cache-Control", "no-store"});
  return r;
}

StatusOr<std::optional<int64_t>> OptionalId(const ApiRequest& r, const std::string& key) {
  std::string v = r.Query(key);
  if (v.empty()) return std::optional<int64_t>();
  if (v.size() > 12 || v.find_first_not_of("0123456789") != std::string::npos)
    return InvalidArgument(key + " 应为整数", "bad_request");
  return std::optional<int64_t>(std::stoll(v));
}

const Clock& ClockOf(App& app) {
  static const SystemClock kSystemClock;
  return app.config().clock ? *app.config().clock : kSystemClock;
}

}  // namespace

StatusOr<std::shared_ptr<RecordsService>> MakeRecordsService(App& app) {
  GD_ASSIGN_OR_RETURN(FreshnessPolicy freshness,
                      FreshnessPolicy::Load(app.config().policies_dir / "freshness.json"));
  auto records = std::make_shared<RecordsService>(
      app.store(), ClockOf(app), app.review().policy(), app.review().checker(), app.review(),
      std::move(freshness), app.config().data_dir / "tmp");
  GD_RETURN_IF_ERROR(records->Init());
  return records;
}

StatusOr<std::vector<Route>> MakeRecordRoutes(App& app) {
  GD_ASSIGN_OR_RETURN(auto records, MakeRecordsService(app));
  auto ran = records->RescanIfVersionChanged();
  if (!ran.ok()) log::Error("start-up rescan failed: {}", ran.status().ToString());
  return MakeRecordRoutes(records);
}

std::vector<Route> MakeRecordRoutes(std::shared_ptr<RecordsService> records) {
  std::vector<Route> routes;
  auto add = [&](const char* method, const char* pattern, std::vector<Role> roles, Handler h) {
    Route r;
    r.method = method;
    r.pattern = pattern;
    r.roles = std::move(roles);
    r.handler = std::move(h);
    routes.push_back(std::move(r));
  };

  // Monthly archive (art. 10-3).
  add("GET", "/api/archive", {R::kOffice, R::kAuditor, R::kDeputyLeader, R::kPrincipalLeader},
      [records](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(auto unit, OptionalId(r, "unit_id"));
        if (!unit)
          return InvalidArgument("请指定单位 unit_id", "invalid",
                                 {{"fields", {{"unit_id", "必填"}}}});
        std::string format = r.Query("format").empty() ? "json" : r.Query("format");
        if (format != "json" && format != "csv" && format != "xlsx")
          return InvalidArgument("format 应为 json、csv 或 xlsx", "invalid",
                                 {{"fields", {{"format", "应为 json、csv 或 xlsx"}}}});
        GD_ASSIGN_OR_RETURN(ArchiveData a, records->Archive(*r.auth, *unit, r.Query("month")));
        const std::string ascii =
            "archive-unit" + std::to_string(a.unit_id) + "-" + a.sheet.month + "." + format;
        if (format == "csv")
          return FileResponse(ArchiveCsv(a.sheet), "text/csv; charset=utf-8", ascii,
                              ArchiveFileName(a.sheet, "csv"));
        if (format == "xlsx") {
          GD_ASSIGN_OR_RETURN(std::string bytes, records->ArchiveXlsxBytes(a));
          return FileResponse(std::move(bytes),
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                              ascii, ArchiveFileName(a.sheet, "xlsx"));
        }
        return JsonOk({{"unit_id", a.unit_id},
                       {"unit_name", a.sheet.unit_name},
                       {"month", a.sheet.month},
                       {"month_label", a.sheet.month_label},
                       {"items", a.items},
                       {"total", a.items.size()}});
      });
  add("GET", "/api/archive/filings", {R::kOffice, R::kAuditor},
      [records](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, records->Filings(r.Query("month")));
        return JsonOk(j);
      });
  add("POST", "/api/archive/filings", {R::kDeputyLeader, R::kPrincipalLeader, R::kSiteManager},
      [records](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, records->File(*r.auth, r.body));
        return JsonOk(j, 201);
      });

  // Freshness (art. 4).
  add("GET", "/api/monitor/freshness", {R::kOffice, R::kAuditor, R::kAdmin},
      [records](ApiRequest&) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, records->Freshness());
        return JsonOk(j);
      });

  // Personnel register (art. 8).
  add("GET", "/api/personnel", {R::kOffice, R::kAdmin, R::kAuditor},
      [records](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(auto unit, OptionalId(r, "unit_id"));
        std::string format = r.Query("format").empty() ? "json" : r.Query("format");
        if (format == "csv") {
          GD_ASSIGN_OR_RETURN(std::string csv, records->PersonnelCsv(unit));
          std::string suffix = unit ? "-unit" + std::to_string(*unit) : "";
          return FileResponse(std::move(csv), "text/csv; charset=utf-8",
                              "personnel" + suffix + ".csv",
                              "信息管理人员备案登记" + suffix + ".csv");
        }
        if (format != "json")
          return InvalidArgument("format 应为 json 或 csv", "invalid",
                                 {{"fields", {{"format", "应为 json 或 csv"}}}});
        GD_ASSIGN_OR_RETURN(Json j, records->Personnel(unit));
        return JsonOk(j);
      });

  // Rescans (art. 16).
  add("GET", "/api/monitor/rescans",
      {R::kOffice, R::kAuditor, R::kDeputyLeader, R::kPrincipalLeader},
      [records](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(auto unit, OptionalId(r, "unit_id"));
        GD_ASSIGN_OR_RETURN(Json j, records->Rescans(*r.auth, unit));
        return JsonOk(j);
      });
  add("POST", "/api/monitor/rescans", {R::kOffice},
      [records](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, records->Rescan(r.auth->user.id, "manual"));
        return JsonOk(j, 201);
      });
  add("POST", R"(/api/monitor/rescans/(\d+)/correction)", {R::kEditor},
      [records](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, records->OpenCorrection(*r.auth, r.Id()));
        return JsonOk(j, 201);
      });
  return routes;
}

int RunArchiveCli(App& app, const std::string& unit, const std::string& month,
                  const std::string& out) {
  auto fail = [](const Status& s) {
    std::cerr << "错误：" << s.message() << "\n";
    return 2;
  };
  auto records = MakeRecordsService(app);
  if (!records.ok()) return fail(records.status());
  auto parsed = ParseMonth(month, "--month");
  if (!parsed.ok()) return fail(parsed.status());
  int64_t unit_id = 0;
  if (!unit.empty() && unit.find_first_not_of("0123456789") == std::string::npos) {
    unit_id = std::stoll(unit);
  } else {
    auto units = app.accounts().ListUnits();
    if (!units.ok()) return fail(units.status());
    for (const auto& u : *units)
      if (u.name == unit) unit_id = u.id;
    if (unit_id == 0) return fail(NotFound("单位不存在：" + unit));
  }
  auto a = (*records)->BuildArchive(unit_id, *parsed);
  if (!a.ok()) return fail(a.status());
  std::string ext = std::filesystem::path(out).extension().string();
  std::string bytes;
  if (ext == ".csv") {
    bytes = ArchiveCsv(a->sheet);
  } else if (ext == ".json") {
    bytes = DumpJson({{"unit_id", a->unit_id},
                      {"unit_name", a->sheet.unit_name},
                      {"month", a->sheet.month},
                      {"items", a->items},
                      {"total", a->items.size()}},
                     2);
  } else if (ext == ".xlsx") {
    auto x = (*records)->ArchiveXlsxBytes(*a);
    if (!x.ok()) return fail(x.status());
    bytes = std::move(x).value();
  } else {
    return fail(InvalidArgument("--out 的扩展名应为 .xlsx、.csv 或 .json"));
  }
  std::ofstream f(out, std::ios::binary);
  f << bytes;
  f.close();
  if (!f) return fail(Internal("无法写入 " + out));
  std::cout << "已导出 " << a->sheet.unit_name << " " << a->sheet.month_label << " 的审核记录 "
            << a->sheet.rows.size() << " 条到 " << out << "\n";
  return 0;
}

}  // namespace gd
