#include <optional>
#include <string>

#include "dispatcher/http/decode.h"
#include "dispatcher/http/routes/routes.h"

namespace gd {
namespace {

using R = Role;

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

StatusOr<FilingRequest> DecodeFiling(const Json& body) {
  GD_RETURN_IF_ERROR(RequireObjectBody(body));
  FieldErrors errors;
  JsonReader in(body, "", errors);
  FilingRequest f;
  f.unit_id = in.Id("unit_id", true).value_or(0);
  f.month = in.String("month", {.required = true, .max_chars = 20}).value_or("");
  GD_RETURN_IF_ERROR(errors.ToStatus());
  return f;
}

// Monthly archive (art. 10-3) and its filings.
void AddArchiveRoutes(const RouteDeps& d, std::vector<Route>& routes) {
  RecordsService* records = d.records;
  routes.push_back({
      .method = "GET",
      .path = "/api/archive",
      .roles = {R::kOffice, R::kAuditor, R::kDeputyLeader, R::kPrincipalLeader},
      .handler = [records](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(auto unit, QueryId(r, "unit_id"));
        if (!unit)
          return InvalidArgument("请指定单位 unit_id", "invalid",
                                 {{"fields", {{"unit_id", "必填"}}}});
        GD_ASSIGN_OR_RETURN(auto format_given, QueryString(r, "format", 10));
        const std::string format = format_given.value_or("json");
        if (format != "json" && format != "csv" && format != "xlsx")
          return InvalidArgument("format 应为 json、csv 或 xlsx", "invalid",
                                 {{"fields", {{"format", "应为 json、csv 或 xlsx"}}}});
        GD_ASSIGN_OR_RETURN(auto month, QueryString(r, "month", 20));
        GD_ASSIGN_OR_RETURN(ArchiveData a, records->Archive(*r.auth, *unit, month.value_or("")));
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
        return JsonResponse({{"unit_id", a.unit_id},
                             {"unit_name", a.sheet.unit_name},
                             {"month", a.sheet.month},
                             {"month_label", a.sheet.month_label},
                             {"items", a.items},
                             {"total", a.items.size()}});
      },
  });
  routes.push_back({
      .method = "GET",
      .path = "/api/archive/filings",
      .roles = {R::kOffice, R::kAuditor},
      .handler = [records](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(auto month, QueryString(r, "month", 20));
        GD_ASSIGN_OR_RETURN(Json j, records->Filings(month.value_or("")));
        return JsonResponse(j);
      },
  });
  routes.push_back({
      .method = "POST",
      .path = "/api/archive/filings",
      .roles = {R::kDeputyLeader, R::kPrincipalLeader, R::kSiteManager},
      .handler = [records](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(FilingRequest f, DecodeFiling(r.body));
        GD_ASSIGN_OR_RETURN(Json j, records->File(*r.auth, f));
        return JsonResponse(j, 201);
      },
  });
}

// Freshness (art. 4).
void AddFreshnessRoutes(const RouteDeps& d, std::vector<Route>& routes) {
  RecordsService* records = d.records;
  routes.push_back({
      .method = "GET",
      .path = "/api/monitor/freshness",
      .roles = {R::kOffice, R::kAuditor, R::kAdmin},
      .handler = [records](ApiRequest&) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Json j, records->Freshness());
        return JsonResponse(j);
      },
  });
}

// Personnel register (art. 8).
void AddPersonnelRoutes(const RouteDeps& d, std::vector<Route>& routes) {
  RecordsService* records = d.records;
  routes.push_back({
      .method = "GET",
      .path = "/api/personnel",
      .roles = {R::kOffice, R::kAdmin, R::kAuditor},
      .handler = [records](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(auto unit, QueryId(r, "unit_id"));
        GD_ASSIGN_OR_RETURN(auto format_given, QueryString(r, "format", 10));
        const std::string format = format_given.value_or("json");
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
        return JsonResponse(j);
      },
  });
}

// Rescans (art. 16).
// The trigger of a rescan a person asked for (docs/api.md).
constexpr const char* kRescanAsked = "manual";  // not a channel kind

void AddRescanRoutes(const RouteDeps& d, std::vector<Route>& routes) {
  RecordsService* records = d.records;
  routes.push_back({
      .method = "GET",
      .path = "/api/monitor/rescans",
      .roles = {R::kOffice, R::kAuditor, R::kDeputyLeader, R::kPrincipalLeader},
      .handler = [records](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(auto unit, QueryId(r, "unit_id"));
        GD_ASSIGN_OR_RETURN(Json j, records->Rescans(*r.auth, unit));
        return JsonResponse(j);
      },
  });
  routes.push_back({
      .method = "POST",
      .path = "/api/monitor/rescans",
      .roles = {R::kOffice},
      .handler = [records](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_RETURN_IF_ERROR(RequireObjectBody(r.body));
        GD_ASSIGN_OR_RETURN(Json j, records->Rescan(r.auth->user.id, kRescanAsked));
        return JsonResponse(j, 201);
      },
  });
  routes.push_back({
      .method = "POST",
      .path = R"(/api/monitor/rescans/(\d+)/correction)",
      .roles = {R::kEditor},
      .handler = [records](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(r, 0, "工单不存在"));
        GD_RETURN_IF_ERROR(RequireObjectBody(r.body));
        GD_ASSIGN_OR_RETURN(Json j, records->OpenCorrection(*r.auth, id));
        return JsonResponse(j, 201);
      },
  });
}

}  // namespace

std::vector<Route> RecordRoutes(const RouteDeps& d) {
  std::vector<Route> routes;
  AddArchiveRoutes(d, routes);
  AddFreshnessRoutes(d, routes);
  AddPersonnelRoutes(d, routes);
  AddRescanRoutes(d, routes);
  return routes;
}

}  // namespace gd
