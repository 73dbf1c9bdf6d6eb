#include "dispatcher/accounts/account_service.h"

#include <algorithm>
#include <array>
#include <mutex>

#include "dispatcher/core/crypto.h"
#include "dispatcher/core/time_util.h"
#include "dispatcher/core/utf8.h"

namespace gd {
namespace {

// scrypt (N=2^15, r=8) takes 32 MB per call: one call at a time keeps a burst of sign-ins
// from multiplying the server's memory (seven concurrent sign-ins peaked at 239 MB; the
// budget is 64 MB).
std::mutex& KdfMutex() {
  static std::mutex mu;
  return mu;
}
std::string BoundedHashPassword(std::string_view password) {
  std::lock_guard<std::mutex> lock(KdfMutex());
  return HashPassword(password);
}
bool BoundedVerifyPassword(std::string_view password, std::string_view encoded) {
  std::lock_guard<std::mutex> lock(KdfMutex());
  return VerifyPassword(password, encoded);
}

constexpr std::array<std::string_view, 4> kUnitKinds = {"town", "street", "department", "office"};

Json RolesJson(const std::vector<Role>& roles) {
  Json a = Json::array();
  for (Role r : roles) a.push_back(std::string(RoleKey(r)));
  return a;
}

}  // namespace

Json UnitJson(const Unit& u) {
  return {{"id", u.id},
          {"name", u.name},
          {"kind", u.kind},
          {"created_at", FormatRfc3339(u.created_at)}};
}

Json AccountService::UserJson(const User& u, const std::string& unit_name) const {
  Json roles = RolesJson(u.roles);
  Json labels = Json::array();
  for (Role r : u.roles) labels.push_back(std::string(RoleLabel(r)));
  return {{"id", u.id},
          {"username", u.username},
          {"name", u.name},
          {"unit_id", u.unit_id},
          {"unit_name", unit_name},
          {"roles", roles},
          {"role_labels", labels},
          {"disabled", u.disabled},
          {"password_expired", PasswordExpired(u)},
          {"locked", u.locked_until > clock_.Now()}};
}

bool AccountService::PasswordExpired(const User& u) const {
  if (u.must_change_password) return true;
  return policy_.password_max_age_ms > 0 &&
         clock_.Now() - u.password_changed_at > policy_.password_max_age_ms;
}

Status AccountService::CheckPasswordStrength(const std::string& username,
                                             const std::string& password) const {
  auto weak = [](std::string why) {
    return InvalidArgument("密码强度不足：" + why, "invalid", {{"fields", {{"password", why}}}});
  };
  if (!IsValidUtf8(password)) return weak("包含无效字符");
  if (CodePointCount(password) < policy_.password_min_length)
    return weak("长度至少 " + std::to_string(policy_.password_min_length) + " 位");
  if (password.size() > 256) return weak("长度不能超过 256 字节");
  int lower = 0, upper = 0, digit = 0, other = 0;
  for (unsigned char c : password) {
    if (c >= 'a' && c <= 'z')
      lower = 1;
    else if (c >= 'A' && c <= 'Z')
      upper = 1;
    else if (c >= '0' && c <= '9')
      digit = 1;
    else
      other = 1;
  }
  if (lower + upper + digit + other < 3)
    return weak("须包含大写字母、小写字母、数字、符号中的至少三类");
  std::string lp = password, lu = username;
  std::transform(lp.begin(), lp.end(), lp.begin(), ::tolower);
  std::transform(lu.begin(), lu.end(), lu.begin(), ::tolower);
  if (!lu.empty() && lp.find(lu) != std::string::npos) return weak("不能包含用户名");
  static const std::array<std::string_view, 6> kCommon = {"password", "12345678", "qwerty",
                                                          "admin123", "abc123",   "11111111"};
  for (auto c : kCommon)
    if (lp.find(c) != std::string::npos) return weak("包含常见弱口令片段");
  return Status::Ok();
}

Status AccountService::Bootstrap(const std::string& admin_password) {
  return store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(int64_t n, tx.CountUsers());
    if (n > 0) return Status::Ok();
    if (admin_password.empty())
      return FailedPrecondition(
          "首次启动需要设置环境变量 DISPATCHER_ADMIN_PASSWORD（管理员初始密码）");
    GD_RETURN_IF_ERROR(CheckPasswordStrength("admin", admin_password));
    GD_ASSIGN_OR_RETURN(auto units, tx.ListUnits());
    int64_t office_id = 0;
    for (const auto& u : units)
      if (u.kind == "office") office_id = u.id;
    if (office_id == 0) {
      GD_ASSIGN_OR_RETURN(office_id, tx.InsertUnit(Unit{0, "市政务公开办", "office", 0}));
      GD_RETURN_IF_ERROR(tx.Audit(0, "unit.create", "unit", office_id, {{"name", "市政务公开办"}}));
    }
    User admin;
    admin.username = "admin";
    admin.name = "系统管理员";
    admin.unit_id = office_id;
    admin.roles = {Role::kAdmin};
    admin.password_hash = BoundedHashPassword(admin_password);
    admin.password_changed_at = tx.now();
    GD_ASSIGN_OR_RETURN(int64_t id, tx.InsertUser(admin));
    GD_RETURN_IF_ERROR(
        tx.AppendPersonnel(0, id, office_id, {{"action", "create"}, {"roles", {"admin"}}}));
    return tx.Audit(0, "user.create", "user", id, {{"username", "admin"}, {"roles", {"admin"}}});
  });
}

StatusOr<LoginResult> AccountService::Login(const std::string& username,
                                            const std::string& password) {
  // The expensive hash runs outside the store lock so sign-ins do not stall other requests.
  std::optional<User> user;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(user, tx.GetUserByName(username));
    return Status::Ok();
  }));
  static const std::string kDummy = BoundedHashPassword("dummy-password-for-timing");
  const TimeMs now = clock_.Now();
  if (!user) {
    (void)BoundedVerifyPassword(password, kDummy);
    return Unauthenticated("用户名或密码错误");
  }
  if (user->locked_until > now) {
    int minutes = static_cast<int>((user->locked_until - now + 59999) / 60000);
    return Status(Code::kLocked,
                  "连续登录失败次数过多，账号已锁定，请 " + std::to_string(minutes) +
                      " 分钟后再试或联系管理员",
                  "locked", {{"locked_until", FormatRfc3339(user->locked_until)}});
  }
  const bool good = BoundedVerifyPassword(password, user->password_hash);
  LoginResult result;
  Status st = store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto fresh, tx.GetUser(user->id));
    if (!fresh) return Unauthenticated("用户名或密码错误");
    User u = *fresh;
    if (!good) {
      if (u.first_failed_at == 0 || now - u.first_failed_at > policy_.lockout_window_ms) {
        u.failed_count = 0;
        u.first_failed_at = now;
      }
      ++u.failed_count;
      Json detail = {{"username", u.username}, {"failures", u.failed_count}};
      if (u.failed_count >= policy_.lockout_threshold) {
        u.locked_until = now + policy_.lockout_duration_ms;
        u.failed_count = 0;
        u.first_failed_at = 0;
        GD_RETURN_IF_ERROR(tx.Audit(u.id, "account.locked", "user", u.id, detail));
      }
      GD_RETURN_IF_ERROR(tx.UpdateUser(u));
      return tx.Audit(u.id, "login.failed", "user", u.id, detail);
    }
    if (u.disabled) return tx.Audit(u.id, "login.disabled", "user", u.id, Json::object());
    u.failed_count = 0;
    u.first_failed_at = 0;
    u.locked_until = 0;
    GD_RETURN_IF_ERROR(tx.UpdateUser(u));
    result.token = RandomToken(32);
    result.csrf_token = RandomToken(24);
    Session s{Sha256Hex(result.token),
              u.id,
              result.csrf_token,
              now,
              now + std::min(policy_.session_idle_ms, policy_.session_max_ms),
              now};
    GD_RETURN_IF_ERROR(tx.InsertSession(s));
    GD_ASSIGN_OR_RETURN(auto unit, tx.GetUnit(u.unit_id));
    result.auth.user = u;
    result.auth.unit = unit.value_or(Unit{});
    result.auth.token_hash = s.token_hash;
    result.auth.csrf_token = s.csrf_token;
    result.auth.password_expired = PasswordExpired(u);
    return tx.Audit(u.id, "login", "user", u.id, Json::object());
  });
  // The failure is recorded (committed) before the answer goes out.
  if (!st.ok()) return st;
  if (!good) return Unauthenticated("用户名或密码错误");
  if (result.token.empty()) return Unauthenticated("账号已停用，请联系管理员");
  return result;
}

Status AccountService::Logout(const std::string& token_hash) {
  return store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto s, tx.GetSession(token_hash));
    GD_RETURN_IF_ERROR(tx.DeleteSession(token_hash));
    if (s) return tx.Audit(s->user_id, "logout", "user", s->user_id, Json::object());
    return Status::Ok();
  });
}

StatusOr<AuthContext> AccountService::Authenticate(const std::string& token) {
  if (token.empty() || token.size() > 200) return Unauthenticated("请先登录");
  const std::string hash = Sha256Hex(token);
  const TimeMs now = clock_.Now();
  AuthContext ctx;
  bool touch = false;
  Session session;
  Status st = store_.Read([&](Tx& tx) -> Status {
    // Session, user and unit in one query (the sessions' user_id is a foreign key).
    GD_ASSIGN_OR_RETURN(auto a, tx.GetSessionAuth(hash));
    if (!a || a->session.expires_at <= now || now - a->session.created_at > policy_.session_max_ms)
      return Unauthenticated("登录已过期，请重新登录");
    if (a->user.disabled) return Unauthenticated("账号已停用，请联系管理员");
    ctx.user = std::move(a->user);
    ctx.unit = a->unit.value_or(Unit{});
    ctx.token_hash = hash;
    ctx.csrf_token = a->session.csrf_token;
    ctx.password_expired = PasswordExpired(ctx.user);
    session = std::move(a->session);
    touch = now - session.last_seen_at > 30 * 1000;  // sliding expiry, written at most every 30 s
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (touch) {
    TimeMs expires =
        std::min(now + policy_.session_idle_ms, session.created_at + policy_.session_max_ms);
    GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) { return tx.TouchSession(hash, now, expires); }));
  }
  return ctx;
}

Status AccountService::ChangePassword(const AuthContext& who, const std::string& old_password,
                                      const std::string& new_password) {
  if (!BoundedVerifyPassword(old_password, who.user.password_hash))
    return InvalidArgument("原密码不正确", "invalid",
                           {{"fields", {{"old_password", "原密码不正确"}}}});
  if (old_password == new_password)
    return InvalidArgument("新密码不能与原密码相同", "invalid",
                           {{"fields", {{"new_password", "不能与原密码相同"}}}});
  Status strength = CheckPasswordStrength(who.user.username, new_password);
  if (!strength.ok())
    return InvalidArgument(
        strength.message(), "invalid",
        {{"fields", {{"new_password", strength.details()["fields"]["password"]}}}});
  std::string hash = BoundedHashPassword(new_password);
  return store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto u, tx.GetUser(who.user.id));
    if (!u) return NotFound("用户不存在");
    u->password_hash = hash;
    u->password_changed_at = tx.now();
    u->must_change_password = false;
    GD_RETURN_IF_ERROR(tx.UpdateUser(*u));
    return tx.Audit(u->id, "password.change", "user", u->id, Json::object());
  });
}

StatusOr<Unit> AccountService::CreateUnit(const AuthContext& who, const std::string& name,
                                          const std::string& kind) {
  if (name.empty() || CodePointCount(name) > 100)
    return InvalidArgument("单位名称不能为空且不超过 100 字", "invalid",
                           {{"fields", {{"name", "长度不符"}}}});
  if (std::find(kUnitKinds.begin(), kUnitKinds.end(), kind) == kUnitKinds.end())
    return InvalidArgument("单位类型应为 town、street、department 或 office", "invalid",
                           {{"fields", {{"kind", "未知类型"}}}});
  Unit unit{0, name, kind, clock_.Now()};
  Status st = store_.Write([&](Tx& tx) -> Status {
    auto id = tx.InsertUnit(unit);
    if (!id.ok()) return id.status();
    unit.id = *id;
    return tx.Audit(who.user.id, "unit.create", "unit", unit.id, {{"name", name}, {"kind", kind}});
  });
  if (st.code() == Code::kAlreadyExists)
    return Status(Code::kFailedPrecondition, "单位名称已存在", "conflict");
  if (!st.ok()) return st;
  return unit;
}

StatusOr<std::vector<Unit>> AccountService::ListUnits() {
  std::vector<Unit> out;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(out, tx.ListUnits());
    return Status::Ok();
  }));
  return out;
}

StatusOr<User> AccountService::AddUserDirect(const std::string& username, const std::string& name,
                                             int64_t unit_id, const std::vector<Role>& roles,
                                             const std::string& password, bool must_change) {
  User u;
  u.username = username;
  u.name = name;
  u.unit_id = unit_id;
  u.roles = roles;
  u.password_hash = BoundedHashPassword(password);
  u.must_change_password = must_change;
  Status st = store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto unit, tx.GetUnit(unit_id));
    if (!unit)
      return InvalidArgument("单位不存在", "invalid", {{"fields", {{"unit_id", "单位不存在"}}}});
    u.password_changed_at = tx.now();
    u.created_at = tx.now();
    auto id = tx.InsertUser(u);
    if (!id.ok()) return id.status();
    u.id = *id;
    Json roles_json = RolesJson(roles);
    GD_RETURN_IF_ERROR(tx.AppendPersonnel(
        0, u.id, unit_id, {{"action", "create"}, {"roles", roles_json}, {"name", name}}));
    return tx.Audit(0, "user.create", "user", u.id,
                    {{"username", username}, {"roles", roles_json}});
  });
  if (st.code() == Code::kAlreadyExists)
    return Status(Code::kFailedPrecondition, "用户名已存在", "conflict");
  if (!st.ok()) return st;
  return u;
}

StatusOr<User> AccountService::CreateUser(const AuthContext& who, const NewUser& request) {
  const std::string& username = request.username;
  const std::string& name = request.name;
  const int64_t unit_id = request.unit_id;
  const std::string& password = request.password;
  bool ok_name = !username.empty() && username.size() <= 64;
  for (char c : username)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
      ok_name = false;
  if (!ok_name)
    return InvalidArgument("用户名只能包含字母、数字、下划线、点和连字符，长度 1–64", "invalid",
                           {{"fields", {{"username", "格式不正确"}}}});
  if (name.empty() || CodePointCount(name) > 50)
    return InvalidArgument("姓名不能为空且不超过 50 字", "invalid",
                           {{"fields", {{"name", "长度不符"}}}});
  const std::vector<Role>& roles = request.roles;
  if (roles.empty())
    return InvalidArgument("至少需要一个角色", "invalid",
                           {{"fields", {{"roles", "至少需要一个角色"}}}});
  GD_RETURN_IF_ERROR(CheckPasswordStrength(username, password));
  User u;
  u.username = username;
  u.name = name;
  u.unit_id = unit_id;
  u.roles = roles;
  u.password_hash = BoundedHashPassword(password);
  u.must_change_password = true;  // created by someone else: must choose their own
  Status st = store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto unit, tx.GetUnit(unit_id));
    if (!unit)
      return InvalidArgument("单位不存在", "invalid", {{"fields", {{"unit_id", "单位不存在"}}}});
    u.password_changed_at = tx.now();
    u.created_at = tx.now();
    auto id = tx.InsertUser(u);
    if (!id.ok()) return id.status();
    u.id = *id;
    Json roles_json = RolesJson(roles);
    GD_RETURN_IF_ERROR(tx.AppendPersonnel(
        who.user.id, u.id, unit_id, {{"action", "create"}, {"roles", roles_json}, {"name", name}}));
    return tx.Audit(who.user.id, "user.create", "user", u.id,
                    {{"username", username}, {"roles", roles_json}, {"unit_id", unit_id}});
  });
  if (st.code() == Code::kAlreadyExists)
    return Status(Code::kFailedPrecondition, "用户名已存在", "conflict");
  if (!st.ok()) return st;
  return u;
}

StatusOr<User> AccountService::UpdateUser(const AuthContext& who, int64_t id,
                                          const UserPatch& patch) {
  const std::optional<std::vector<Role>>& roles = patch.roles;
  if (roles && roles->empty())
    return InvalidArgument("至少需要一个角色", "invalid",
                           {{"fields", {{"roles", "至少需要一个角色"}}}});
  const std::optional<std::string>& new_password = patch.password;
  User out;
  Status st = store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto existing, tx.GetUser(id));
    if (!existing) return NotFound("用户不存在");
    User u = *existing;
    Json change = {{"action", "update"}};
    if (roles) {
      change["roles_before"] = RolesJson(u.roles);
      change["roles"] = RolesJson(*roles);
      u.roles = *roles;
    }
    if (patch.unit_id) {
      const int64_t unit_id = *patch.unit_id;
      GD_ASSIGN_OR_RETURN(auto unit, tx.GetUnit(unit_id));
      if (!unit)
        return InvalidArgument("单位不存在", "invalid", {{"fields", {{"unit_id", "单位不存在"}}}});
      change["unit_before"] = u.unit_id;
      change["unit_id"] = unit_id;
      u.unit_id = unit_id;
    }
    if (patch.disabled) {
      u.disabled = *patch.disabled;
      change["disabled"] = u.disabled;
      if (u.disabled) GD_RETURN_IF_ERROR(tx.DeleteUserSessions(u.id));
    }
    if (patch.name) {
      if (patch.name->empty() || CodePointCount(*patch.name) > 50)
        return InvalidArgument("姓名不能为空且不超过 50 字", "invalid",
                               {{"fields", {{"name", "长度不符"}}}});
      change["name_before"] = u.name;
      u.name = *patch.name;
      change["name"] = u.name;
    }
    if (new_password) {
      GD_RETURN_IF_ERROR(CheckPasswordStrength(u.username, *new_password));
      u.password_hash = BoundedHashPassword(*new_password);
      u.password_changed_at = tx.now();
      u.must_change_password = true;
      u.locked_until = 0;
      u.failed_count = 0;
      change["password_reset"] = true;
      GD_RETURN_IF_ERROR(tx.DeleteUserSessions(u.id));
    }
    GD_RETURN_IF_ERROR(tx.UpdateUser(u));
    GD_RETURN_IF_ERROR(tx.AppendPersonnel(who.user.id, u.id, u.unit_id, change));
    out = u;
    return tx.Audit(who.user.id, "user.update", "user", u.id, change);
  });
  if (!st.ok()) return st;
  return out;
}

StatusOr<std::vector<User>> AccountService::ListUsers(std::optional<int64_t> unit_id) {
  std::vector<User> out;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(out, tx.ListUsers(unit_id));
    return Status::Ok();
  }));
  return out;
}

}  // namespace gd
