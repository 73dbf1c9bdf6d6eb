#include <optional>
#include <string>

#include "dispatcher/http/routes/routes.h"

namespace gd {
namespace {

using R = Role;

std::optional<int> IntQuery(const ApiRequest& r, const std::string& key) {
  std::string v = r.Query(key);
  if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoi(v);
}

}  // namespace

std::vector<Route> SessionAndUserRoutes(const RouteDeps& d) {
  AccountService* acc = d.accounts;
  const bool secure = d.secure_cookies;
  auto user_json = [acc](const AuthContext& a) { return acc->UserJson(a.user, a.unit.name); };
  std::vector<Route> routes;
  routes.push_back({
      .method = "POST",
      .path = "/api/session",
      .public_route = true,
      .allow_password_expired = true,
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(std::string username, GetString(r.body, "username"));
        GD_ASSIGN_OR_RETURN(std::string password, GetString(r.body, "password"));
        GD_ASSIGN_OR_RETURN(LoginResult lr, acc->Login(username, password));
        ApiResponse res = JsonResponse(
            {{"token", lr.token}, {"csrf_token", lr.csrf_token}, {"user", user_json(lr.auth)}});
        std::string cookie =
            std::string(kSessionCookie) + "=" + lr.token + "; Path=/; HttpOnly; SameSite=Strict";
        if (secure) cookie += "; Secure";
        res.headers.push_back({"Set-Cookie", cookie});
        return res;
      },
  });
  routes.push_back({
      .method = "DELETE",
      .path = "/api/session",
      .allow_password_expired = true,
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_RETURN_IF_ERROR(acc->Logout(r.auth->token_hash));
        ApiResponse res = JsonResponse({{"ok", true}});
        res.headers.push_back(
            {"Set-Cookie",
             std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"});
        return res;
      },
  });
  routes.push_back({
      .method = "GET",
      .path = "/api/me",
      .allow_password_expired = true,
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        Json u = user_json(*r.auth);
        u["unit"] = UnitJson(r.auth->unit);
        u["csrf_token"] = r.auth->csrf_token;
        return JsonResponse(std::move(u));
      },
  });
  routes.push_back({
      .method = "POST",
      .path = "/api/me/password",
      .allow_password_expired = true,
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(std::string old_pw, GetString(r.body, "old_password"));
        GD_ASSIGN_OR_RETURN(std::string new_pw, GetString(r.body, "new_password"));
        GD_RETURN_IF_ERROR(acc->ChangePassword(*r.auth, old_pw, new_pw));
        return JsonResponse({{"ok", true}, {"message", "密码已修改"}});
      },
  });
  routes.push_back({
      .method = "GET",
      .path = "/api/units",
      .roles = {R::kAdmin, R::kOffice},
      .handler = [=](ApiRequest&) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(auto units, acc->ListUnits());
        Json items = Json::array();
        for (const auto& u : units) items.push_back(UnitJson(u));
        return JsonResponse({{"items", items}, {"total", items.size()}});
      },
  });
  routes.push_back({
      .method = "POST",
      .path = "/api/units",
      .roles = {R::kAdmin},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Unit u, acc->CreateUnit(*r.auth, r.body));
        return JsonResponse(UnitJson(u), 201);
      },
  });
  routes.push_back({
      .method = "GET",
      .path = "/api/users",
      .roles = {R::kAdmin, R::kOffice},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        std::optional<int64_t> unit;
        if (auto u = IntQuery(r, "unit_id")) unit = *u;
        GD_ASSIGN_OR_RETURN(auto users, acc->ListUsers(unit));
        GD_ASSIGN_OR_RETURN(auto units, acc->ListUnits());
        Json items = Json::array();
        for (const auto& u : users) {
          std::string unit_name;
          for (const auto& un : units)
            if (un.id == u.unit_id) unit_name = un.name;
          items.push_back(acc->UserJson(u, unit_name));
        }
        return JsonResponse({{"items", items}, {"total", items.size()}});
      },
  });
  routes.push_back({
      .method = "POST",
      .path = "/api/users",
      .roles = {R::kAdmin},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(User u, acc->CreateUser(*r.auth, r.body));
        return JsonResponse(acc->UserJson(u, ""), 201);
      },
  });
  routes.push_back({
      .method = "PATCH",
      .path = R"(/api/users/(\d+))",
      .roles = {R::kAdmin},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(User u, acc->UpdateUser(*r.auth, r.Id(), r.body));
        return JsonResponse(acc->UserJson(u, ""));
      },
  });
  return routes;
}

}  // namespace gd
