#include "dispatcher/accounts/account_service.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <thread>

#include "dispatcher/core/crypto.h"
#include "dispatcher/core/time_util.h"
#include "dispatcher/core/utf8.h"
#include "dispatcher/store/audit_repo.h"
#include "dispatcher/store/user_repo.h"

namespace gd {
namespace {

// A scrypt hash of a random password nobody knows, with the parameters HashPassword uses: an
// unknown username's password is verified against it, so that sign-in costs what a known
// one's does.
constexpr std::string_view kDummyHash =
    "scrypt$32768$8$1$Ny0J8/JHTLsUzgMkWWj8gg==$A8b4FzPvxaj0bOM+sVFH9Xzo/8dX1oONav0QYJ992hU=";

LoginThrottle::Options ThrottleOptions(const AccountPolicy& p) {
  LoginThrottle::Options o;
  o.threshold = p.lockout_threshold;
  o.window_ms = p.lockout_window_ms;
  o.lock_ms = p.lockout_duration_ms;
  o.delay_base_ms = p.failure_delay_base_ms;
  o.delay_max_ms = p.failure_delay_max_ms;
  o.max_pairs = p.throttle_max_pairs;
  o.max_in_flight_per_address = p.max_logins_in_flight_per_address;
  return o;
}

int HashSlots(const AccountPolicy& p) { return std::max(1, p.max_concurrent_hashes); }

// The address sign-ins are throttled by: IPv6 clients by their /64 (one subscriber usually
// holds a whole /64, so per-address limits on single IPv6 addresses would not limit anyone).
std::string ThrottleAddress(const std::string& address) {
  in6_addr a6{};
  if (inet_pton(AF_INET6, address.c_str(), &a6) != 1) return address;
  for (int i = 8; i < 16; ++i) a6.s6_addr[i] = 0;
  char buf[INET6_ADDRSTRLEN] = {0};
  if (!inet_ntop(AF_INET6, &a6, buf, sizeof buf)) return address;
  return std::string(buf) + "/64";
}

constexpr std::array<std::string_view, 4> kUnitKinds = {"town", "street", "department", "office"};

Json RolesJson(const std::vector<Role>& roles) {
  Json a = Json::array();
  for (Role r : roles) a.push_back(std::string(RoleKey(r)));
  return a;
}

}  // namespace

AccountService::AccountService(Store& store, const Clock& clock, AccountPolicy policy)
    : store_(store),
      clock_(clock),
      policy_(policy),
      throttle_(ThrottleOptions(policy)),
      kdf_(HashSlots(policy)) {}

std::string AccountService::HashBounded(std::string_view password) {
  auto permit = kdf_.Acquire();
  ++hashes_run_;
  return gd::HashPassword(password);
}

bool AccountService::VerifyBounded(std::string_view password, std::string_view encoded) {
  auto permit = kdf_.Acquire();
  ++hashes_run_;
  return gd::VerifyPassword(password, encoded);
}

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
          {"locked", throttle_.AnyLocked(u.username, clock_.Now())}};
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
  int64_t users = 0;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(users, user_repo::CountUsers(tx));
    return Status::Ok();
  }));
  if (users > 0) return Status::Ok();
  if (admin_password.empty())
    return FailedPrecondition(
        "首次启动需要设置环境变量 DISPATCHER_ADMIN_PASSWORD（管理员初始密码）");
  GD_RETURN_IF_ERROR(CheckPasswordStrength("admin", admin_password));
  const std::string hash = HashBounded(admin_password);
  return store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(int64_t n, user_repo::CountUsers(tx));
    if (n > 0) return Status::Ok();
    GD_ASSIGN_OR_RETURN(auto units, user_repo::ListUnits(tx));
    int64_t office_id = 0;
    for (const auto& u : units)
      if (u.kind == "office") office_id = u.id;
    if (office_id == 0) {
      GD_ASSIGN_OR_RETURN(office_id,
                          user_repo::InsertUnit(tx, Unit{0, "市政务公开办", "office", 0}));
      GD_RETURN_IF_ERROR(
          audit_repo::Audit(tx, 0, "unit.create", "unit", office_id, {{"name", "市政务公开办"}}));
    }
    User admin;
    admin.username = "admin";
    admin.name = "系统管理员";
    admin.unit_id = office_id;
    admin.roles = {Role::kAdmin};
    admin.password_hash = hash;
    admin.password_changed_at = tx.now();
    // The password came through the environment (process listings, shell history, unit files):
    // the admin replaces it at the first sign-in.
    admin.must_change_password = true;
    GD_ASSIGN_OR_RETURN(int64_t id, user_repo::InsertUser(tx, admin));
    GD_RETURN_IF_ERROR(user_repo::AppendPersonnel(tx, 0, id, office_id,
                                                  {{"action", "create"}, {"roles", {"admin"}}}));
    return audit_repo::Audit(tx, 0, "user.create", "user", id,
                             {{"username", "admin"}, {"roles", {"admin"}}});
  });
}

StatusOr<LoginResult> AccountService::Login(const std::string& username,
                                            const std::string& password,
                                            const std::string& client_address) {
  const std::string address = ThrottleAddress(client_address);
  auto slot = throttle_.Enter(address);
  if (!slot)
    return Status(Code::kResourceExhausted, "来自同一地址的登录请求过多，请稍后再试",
                  "rate_limited");
  const TimeMs now = clock_.Now();
  auto locked = [&](TimeMs until) {
    int minutes = static_cast<int>((until - now + 59999) / 60000);
    return Status(Code::kLocked,
                  "连续登录失败次数过多，已暂停此账号从当前地址登录，请 " +
                      std::to_string(minutes) + " 分钟后再试或联系管理员解除锁定",
                  "locked", {{"locked_until", FormatRfc3339(until)}});
  };
  // A locked pair answers at once and hashes nothing, whether the username exists or not:
  // no password is tried while locked, and a 423 takes the same time for every username.
  if (auto until = throttle_.LockedUntil(username, address, now)) return locked(*until);

  std::optional<User> user;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(user, user_repo::GetUserByName(tx, username));
    return Status::Ok();
  }));
  // The expensive hash runs outside the store lock, bounded by kdf_. Unknown usernames verify
  // against the dummy hash, so their answers take as long as a known username's.
  const bool matches =
      VerifyBounded(password, user ? std::string_view(user->password_hash) : kDummyHash);
  const bool good = user.has_value() && matches;

  if (good) {
    if (!throttle_.RecordSuccess(username, address, now))
      return locked(throttle_.LockedUntil(username, address, now).value_or(now));
    LoginResult result;
    GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
      GD_ASSIGN_OR_RETURN(auto fresh, user_repo::GetUser(tx, user->id));
      if (!fresh) return Unauthenticated("用户名或密码错误");
      const User& u = *fresh;
      if (u.disabled)
        return audit_repo::Audit(tx, u.id, "login.disabled", "user", u.id,
                                 {{"address", client_address}});
      result.token = RandomToken(32);
      result.csrf_token = RandomToken(24);
      Session s{Sha256Hex(result.token),
                u.id,
                result.csrf_token,
                now,
                now + std::min(policy_.session_idle_ms, policy_.session_max_ms),
                now};
      GD_RETURN_IF_ERROR(user_repo::InsertSession(tx, s));
      GD_ASSIGN_OR_RETURN(auto unit, user_repo::GetUnit(tx, u.unit_id));
      result.auth.user = u;
      result.auth.unit = unit.value_or(Unit{});
      result.auth.token_hash = s.token_hash;
      result.auth.csrf_token = s.csrf_token;
      result.auth.password_expired = PasswordExpired(u);
      return audit_repo::Audit(tx, u.id, "login", "user", u.id, {{"address", client_address}});
    }));
    if (result.token.empty()) return Unauthenticated("账号已停用，请联系管理员");
    return result;
  }

  LoginThrottle::Failure f = throttle_.RecordFailure(username, address, now);
  if (f.was_locked) return locked(f.locked_until);
  const int64_t user_id = user ? user->id : 0;
  Json detail = {{"username", LoginThrottle::KeyPart(username)},
                 {"address", client_address},
                 {"failures", f.failures}};
  // The failure is recorded (committed) before the answer goes out, for known and unknown
  // usernames alike.
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    GD_RETURN_IF_ERROR(audit_repo::Audit(tx, user_id, "login.failed", "user", user_id, detail));
    if (!f.locked_now) return Status::Ok();
    Json lock = detail;
    lock["locked_until"] = FormatRfc3339(f.locked_until);
    return audit_repo::Audit(tx, user_id, "account.locked", "user", user_id, lock);
  }));
  if (f.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(f.delay_ms));
  return Unauthenticated("用户名或密码错误");
}

Status AccountService::Logout(const std::string& token_hash) {
  return store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto s, user_repo::GetSession(tx, token_hash));
    GD_RETURN_IF_ERROR(user_repo::DeleteSession(tx, token_hash));
    if (s) return audit_repo::Audit(tx, s->user_id, "logout", "user", s->user_id, Json::object());
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
    GD_ASSIGN_OR_RETURN(auto a, user_repo::GetSessionAuth(tx, hash));
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
    GD_RETURN_IF_ERROR(
        store_.Write([&](Tx& tx) { return user_repo::TouchSession(tx, hash, now, expires); }));
  }
  return ctx;
}

Status AccountService::ChangePassword(const AuthContext& who, const std::string& old_password,
                                      const std::string& new_password) {
  if (!VerifyBounded(old_password, who.user.password_hash))
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
  std::string hash = HashBounded(new_password);
  return store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto u, user_repo::GetUser(tx, who.user.id));
    if (!u) return NotFound("用户不存在");
    u->password_hash = hash;
    u->password_changed_at = tx.now();
    u->must_change_password = false;
    GD_RETURN_IF_ERROR(user_repo::UpdateUser(tx, *u));
    // Whoever else held a session of this person (a stolen token, a forgotten browser) is out.
    GD_RETURN_IF_ERROR(user_repo::DeleteOtherSessions(tx, u->id, who.token_hash));
    return audit_repo::Audit(tx, u->id, "password.change", "user", u->id,
                             {{"other_sessions_ended", true}});
  });
}

std::vector<LoginLock> AccountService::ListLoginLocks() const {
  return throttle_.Locks(clock_.Now());
}

StatusOr<LoginLock> AccountService::UnlockLogin(const AuthContext& who, int64_t lock_id) {
  std::optional<LoginLock> lifted;
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    lifted = throttle_.Unlock(lock_id, clock_.Now());
    if (!lifted) return NotFound("没有这个登录锁定（可能已到期或已解除）");
    GD_ASSIGN_OR_RETURN(auto u, user_repo::GetUserByName(tx, lifted->username));
    int64_t uid = u ? u->id : 0;
    return audit_repo::Audit(tx, who.user.id, "login.unlock", "user", uid,
                             {{"username", lifted->username},
                              {"address", lifted->address},
                              {"lock_id", lifted->id},
                              {"locked_until", FormatRfc3339(lifted->locked_until)}});
  }));
  return *lifted;
}

StatusOr<std::vector<LoginLock>> AccountService::UnlockUser(const AuthContext& who,
                                                            int64_t user_id) {
  std::vector<LoginLock> lifted;
  GD_RETURN_IF_ERROR(store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto u, user_repo::GetUser(tx, user_id));
    if (!u) return NotFound("用户不存在");
    lifted = throttle_.UnlockUser(u->username, clock_.Now());
    Json addresses = Json::array();
    for (const auto& l : lifted) addresses.push_back(l.address);
    return audit_repo::Audit(tx, who.user.id, "login.unlock", "user", u->id,
                             {{"username", u->username}, {"addresses", addresses}});
  }));
  return lifted;
}

Status AccountService::ClearForcedPasswordChange(const std::string& username) {
  return store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto u, user_repo::GetUserByName(tx, username));
    if (!u) return NotFound("用户不存在：" + username);
    if (!u->must_change_password) return Status::Ok();
    u->must_change_password = false;
    GD_RETURN_IF_ERROR(user_repo::UpdateUser(tx, *u));
    return audit_repo::Audit(tx, 0, "user.update", "user", u->id,
                             {{"must_change_password", false}});
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
    auto id = user_repo::InsertUnit(tx, unit);
    if (!id.ok()) return id.status();
    unit.id = *id;
    return audit_repo::Audit(tx, who.user.id, "unit.create", "unit", unit.id,
                             {{"name", name}, {"kind", kind}});
  });
  if (st.code() == Code::kAlreadyExists)
    return Status(Code::kFailedPrecondition, "单位名称已存在", "conflict");
  if (!st.ok()) return st;
  return unit;
}

StatusOr<std::vector<Unit>> AccountService::ListUnits() {
  std::vector<Unit> out;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(out, user_repo::ListUnits(tx));
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
  u.password_hash = HashBounded(password);
  u.must_change_password = must_change;
  Status st = store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto unit, user_repo::GetUnit(tx, unit_id));
    if (!unit)
      return InvalidArgument("单位不存在", "invalid", {{"fields", {{"unit_id", "单位不存在"}}}});
    u.password_changed_at = tx.now();
    u.created_at = tx.now();
    auto id = user_repo::InsertUser(tx, u);
    if (!id.ok()) return id.status();
    u.id = *id;
    Json roles_json = RolesJson(roles);
    GD_RETURN_IF_ERROR(user_repo::AppendPersonnel(
        tx, 0, u.id, unit_id, {{"action", "create"}, {"roles", roles_json}, {"name", name}}));
    return audit_repo::Audit(tx, 0, "user.create", "user", u.id,
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
  u.password_hash = HashBounded(password);
  u.must_change_password = true;  // created by someone else: must choose their own
  Status st = store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto unit, user_repo::GetUnit(tx, unit_id));
    if (!unit)
      return InvalidArgument("单位不存在", "invalid", {{"fields", {{"unit_id", "单位不存在"}}}});
    u.password_changed_at = tx.now();
    u.created_at = tx.now();
    auto id = user_repo::InsertUser(tx, u);
    if (!id.ok()) return id.status();
    u.id = *id;
    Json roles_json = RolesJson(roles);
    GD_RETURN_IF_ERROR(
        user_repo::AppendPersonnel(tx, who.user.id, u.id, unit_id,
                                   {{"action", "create"}, {"roles", roles_json}, {"name", name}}));
    return audit_repo::Audit(tx, who.user.id, "user.create", "user", u.id,
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
  std::optional<std::string> new_hash;
  std::string username;
  if (patch.password) {
    // Checked and hashed before the write: scrypt never runs under the store's write lock.
    std::optional<User> existing;
    GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
      GD_ASSIGN_OR_RETURN(existing, user_repo::GetUser(tx, id));
      return Status::Ok();
    }));
    if (!existing) return NotFound("用户不存在");
    username = existing->username;
    GD_RETURN_IF_ERROR(CheckPasswordStrength(username, *patch.password));
    new_hash = HashBounded(*patch.password);
  }
  User out;
  Status st = store_.Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto existing, user_repo::GetUser(tx, id));
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
      GD_ASSIGN_OR_RETURN(auto unit, user_repo::GetUnit(tx, unit_id));
      if (!unit)
        return InvalidArgument("单位不存在", "invalid", {{"fields", {{"unit_id", "单位不存在"}}}});
      change["unit_before"] = u.unit_id;
      change["unit_id"] = unit_id;
      u.unit_id = unit_id;
    }
    if (patch.disabled) {
      u.disabled = *patch.disabled;
      change["disabled"] = u.disabled;
      if (u.disabled) GD_RETURN_IF_ERROR(user_repo::DeleteUserSessions(tx, u.id));
    }
    if (patch.name) {
      if (patch.name->empty() || CodePointCount(*patch.name) > 50)
        return InvalidArgument("姓名不能为空且不超过 50 字", "invalid",
                               {{"fields", {{"name", "长度不符"}}}});
      change["name_before"] = u.name;
      u.name = *patch.name;
      change["name"] = u.name;
    }
    if (new_hash) {
      u.password_hash = *new_hash;
      u.password_changed_at = tx.now();
      u.must_change_password = true;
      change["password_reset"] = true;
      GD_RETURN_IF_ERROR(user_repo::DeleteUserSessions(tx, u.id));
    }
    GD_RETURN_IF_ERROR(user_repo::UpdateUser(tx, u));
    GD_RETURN_IF_ERROR(user_repo::AppendPersonnel(tx, who.user.id, u.id, u.unit_id, change));
    out = u;
    return audit_repo::Audit(tx, who.user.id, "user.update", "user", u.id, change);
  });
  if (!st.ok()) return st;
  // A reset is how the office helps someone who locked themselves out: their sign-in locks
  // (from any address) end with it, as the account lock used to.
  if (new_hash) (void)throttle_.UnlockUser(out.username, clock_.Now());
  return out;
}

StatusOr<std::vector<User>> AccountService::ListUsers(std::optional<int64_t> unit_id) {
  std::vector<User> out;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(out, user_repo::ListUsers(tx, unit_id));
    return Status::Ok();
  }));
  return out;
}

}  // namespace gd
