#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/core/time_util.h"
#include "dispatcher/http/decode.h"
#include "dispatcher/http/routes/requests.h"
#include "dispatcher/http/routes/routes.h"

namespace gd {
namespace {

using R = Role;

constexpr const char* kNoUser = "用户不存在";

// Roles by their keys: a non-empty array of known ones.
std::optional<std::vector<Role>> DecodeRoles(const JsonReader& in, bool required) {
  auto items = in.Array("roles", 16, required);
  if (!items) return std::nullopt;
  if (items->empty()) {
    in.errors().Add(in.PathOf("roles"), "至少需要一个角色");
    return std::nullopt;
  }
  std::vector<Role> roles;
  bool ok = true;
  for (const auto& [value, path] : *items) {
    std::optional<Role> role;
    if (value->is_string()) role = ParseRole(value->get_ref<const std::string&>());
    if (!role) {
      in.errors().Add(path, "未知角色");
      ok = false;
    } else if (std::find(roles.begin(), roles.end(), *role) == roles.end()) {
      roles.push_back(*role);
    }
  }
  if (!ok) return std::nullopt;
  return roles;
}

struct Credentials {
  std::string username, password;
};

StatusOr<Credentials> DecodeLogin(const Json& body) {
  GD_RETURN_IF_ERROR(RequireObjectBody(body));
  FieldErrors errors;
  JsonReader in(body, "", errors);
  Credentials c;
  c.username = in.String("username", {.required = true, .max_chars = 200}).value_or("");
  c.password = in.String("password", {.required = true, .max_chars = 1000}).value_or("");
  GD_RETURN_IF_ERROR(errors.ToStatus());
  return c;
}

struct PasswordChange {
  std::string old_password, new_password;
};

StatusOr<PasswordChange> DecodePasswordChange(const Json& body) {
  GD_RETURN_IF_ERROR(RequireObjectBody(body));
  FieldErrors errors;
  JsonReader in(body, "", errors);
  PasswordChange c;
  c.old_password = in.String("old_password", {.required = true, .max_chars = 1000}).value_or("");
  c.new_password = in.String("new_password", {.required = true, .max_chars = 1000}).value_or("");
  GD_RETURN_IF_ERROR(errors.ToStatus());
  return c;
}

struct NewUnit {
  std::string name, kind;
};

StatusOr<NewUnit> DecodeNewUnit(const Json& body) {
  GD_RETURN_IF_ERROR(RequireObjectBody(body));
  FieldErrors errors;
  JsonReader in(body, "", errors);
  NewUnit u;
  u.name = in.String("name", {.required = true, .max_chars = 1000}).value_or("");
  u.kind = in.String("kind", {.required = true, .max_chars = 40}).value_or("");
  GD_RETURN_IF_ERROR(errors.ToStatus());
  return u;
}

// A sign-in lock as the API shows it, with the person's id and name when the username exists.
Json LockJson(const LoginLock& l, const std::map<std::string, User>& users) {
  Json j = {{"id", l.id},
            {"username", l.username},
            {"address", l.address},
            {"failures", l.failures},
            {"first_failed_at", FormatRfc3339(l.first_failed_at)},
            {"locked_at", FormatRfc3339(l.locked_at)},
            {"locked_until", FormatRfc3339(l.locked_until)},
            {"user_id", nullptr},
            {"name", nullptr}};
  if (auto it = users.find(l.username); it != users.end()) {
    j["user_id"] = it->second.id;
    j["name"] = it->second.name;
  }
  return j;
}

}  // namespace

StatusOr<NewUser> DecodeNewUser(const Json& body) {
  GD_RETURN_IF_ERROR(RequireObjectBody(body));
  FieldErrors errors;
  JsonReader in(body, "", errors);
  NewUser u;
  u.username = in.String("username", {.required = true, .max_chars = 200}).value_or("");
  u.name = in.String("name", {.required = true, .max_chars = 1000}).value_or("");
  u.unit_id = in.Id("unit_id", true).value_or(0);
  u.roles = DecodeRoles(in, true).value_or(std::vector<Role>{});
  u.password = in.String("password", {.required = true, .max_chars = 1000}).value_or("");
  GD_RETURN_IF_ERROR(errors.ToStatus());
  return u;
}

StatusOr<UserPatch> DecodeUserPatch(const Json& body) {
  GD_RETURN_IF_ERROR(RequireObjectBody(body));
  FieldErrors errors;
  JsonReader in(body, "", errors);
  UserPatch p;
  p.roles = DecodeRoles(in, false);
  p.unit_id = in.Id("unit_id");
  p.disabled = in.Bool("disabled");
  p.name = in.String("name", {.max_chars = 1000});
  p.password = in.String("password", {.max_chars = 1000});
  GD_RETURN_IF_ERROR(errors.ToStatus());
  return p;
}

namespace {

// Sign-in, sign-out, and the signed-in user.
void AddSessionRoutes(const RouteDeps& d, std::vector<Route>& routes) {
  AccountService* acc = d.accounts;
  const bool secure = d.secure_cookies;
  auto user_json = [acc](const AuthContext& a) { return acc->UserJson(a.user, a.unit.name); };
  routes.push_back({
      .method = "POST",
      .path = "/api/session",
      .public_route = true,
      .allow_password_expired = true,
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(Credentials c, DecodeLogin(r.body));
        GD_ASSIGN_OR_RETURN(LoginResult lr, acc->Login(c.username, c.password, r.client_address));
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
        std::string cookie =
            std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
        if (secure) cookie += "; Secure";
        res.headers.push_back({"Set-Cookie", cookie});
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
        GD_ASSIGN_OR_RETURN(PasswordChange c, DecodePasswordChange(r.body));
        GD_RETURN_IF_ERROR(acc->ChangePassword(*r.auth, c.old_password, c.new_password));
        return JsonResponse({{"ok", true}, {"message", "密码已修改"}});
      },
  });
}

// Units (单位).
void AddUnitRoutes(const RouteDeps& d, std::vector<Route>& routes) {
  AccountService* acc = d.accounts;
  routes.push_back({
      .method = "GET",
      .path = "/api/units",
      // Operators choose a channel account's unit by name (渠道账号 form).
      .roles = {R::kAdmin, R::kOffice, R::kOperator},
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
        GD_ASSIGN_OR_RETURN(NewUnit n, DecodeNewUnit(r.body));
        GD_ASSIGN_OR_RETURN(Unit u, acc->CreateUnit(*r.auth, n.name, n.kind));
        return JsonResponse(UnitJson(u), 201);
      },
  });
}

// Users: list, create, change.
void AddUserRoutes(const RouteDeps& d, std::vector<Route>& routes) {
  AccountService* acc = d.accounts;
  routes.push_back({
      .method = "GET",
      .path = "/api/users",
      .roles = {R::kAdmin, R::kOffice},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(std::optional<int64_t> unit, QueryId(r, "unit_id"));
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
        GD_ASSIGN_OR_RETURN(NewUser n, DecodeNewUser(r.body));
        GD_ASSIGN_OR_RETURN(User u, acc->CreateUser(*r.auth, n));
        return JsonResponse(acc->UserJson(u, ""), 201);
      },
  });
  routes.push_back({
      .method = "PATCH",
      .path = R"(/api/users/(\d+))",
      .roles = {R::kAdmin},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(r, 0, kNoUser));
        GD_ASSIGN_OR_RETURN(UserPatch p, DecodeUserPatch(r.body));
        GD_ASSIGN_OR_RETURN(User u, acc->UpdateUser(*r.auth, id, p));
        return JsonResponse(acc->UserJson(u, ""));
      },
  });
}

// Sign-in locks of (username, address) pairs, and lifting them (the office or an admin).
void AddLoginLockRoutes(const RouteDeps& d, std::vector<Route>& routes) {
  AccountService* acc = d.accounts;
  routes.push_back({
      .method = "GET",
      .path = "/api/login-locks",
      .roles = {R::kAdmin, R::kOffice},
      .handler = [=](ApiRequest&) -> StatusOr<ApiResponse> {
        std::vector<LoginLock> locks = acc->ListLoginLocks();
        std::map<std::string, User> users;
        if (!locks.empty()) {
          GD_ASSIGN_OR_RETURN(auto all, acc->ListUsers(std::nullopt));
          for (auto& u : all) users.emplace(u.username, std::move(u));
        }
        Json items = Json::array();
        for (const auto& l : locks) items.push_back(LockJson(l, users));
        return JsonResponse({{"items", items}, {"total", items.size()}});
      },
  });
  routes.push_back({
      .method = "DELETE",
      .path = R"(/api/login-locks/(\d+))",
      .roles = {R::kAdmin, R::kOffice},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(r, 0, "没有这个登录锁定"));
        GD_ASSIGN_OR_RETURN(LoginLock l, acc->UnlockLogin(*r.auth, id));
        return JsonResponse({{"ok", true}, {"lock", LockJson(l, {})}});
      },
  });
  routes.push_back({
      .method = "POST",
      .path = R"(/api/users/(\d+)/unlock)",
      .roles = {R::kAdmin, R::kOffice},
      .handler = [=](ApiRequest& r) -> StatusOr<ApiResponse> {
        GD_ASSIGN_OR_RETURN(int64_t id, PathId(r, 0, kNoUser));
        GD_ASSIGN_OR_RETURN(auto lifted, acc->UnlockUser(*r.auth, id));
        Json items = Json::array();
        for (const auto& l : lifted) items.push_back(LockJson(l, {}));
        return JsonResponse({{"ok", true}, {"unlocked", items}});
      },
  });
}

}  // namespace

std::vector<Route> SessionAndUserRoutes(const RouteDeps& d) {
  std::vector<Route> routes;
  AddSessionRoutes(d, routes);
  AddUnitRoutes(d, routes);
  AddUserRoutes(d, routes);
  AddLoginLockRoutes(d, routes);
  return routes;
}

}  // namespace gd
