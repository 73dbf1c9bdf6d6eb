#include "dispatcher/app/demo.h"

#include <zlib.h>

#include <map>

#include "dispatcher/core/log.h"
#include "dispatcher/http/routes/requests.h"
#include "dispatcher/model/content_codec.h"
#include "dispatcher/store/user_repo.h"

namespace gd {
namespace {

struct UserSpec {
  const char* username;
  const char* name;
  int unit;  // index into units
  std::vector<Role> roles;
};

AuthContext SystemActor(App& app, const std::string& username) {
  AuthContext ctx;
  (void)app.store().Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto u, user_repo::GetUserByName(tx, username));
    if (u) ctx.user = *u;
    GD_ASSIGN_OR_RETURN(auto unit, user_repo::GetUnit(tx, ctx.user.unit_id));
    if (unit) ctx.unit = *unit;
    return Status::Ok();
  });
  return ctx;
}

// A small solid-colour PNG with a lighter band, made here so the demo needs no files.
std::string DemoPng(int w, int h, unsigned char r, unsigned char g, unsigned char b) {
  std::string raw;
  for (int y = 0; y < h; ++y) {
    raw.push_back('\0');  // filter: none
    bool band = y > h / 3 && y < 2 * h / 3;
    for (int x = 0; x < w; ++x) {
      raw.push_back(static_cast<char>(band ? 255 : r));
      raw.push_back(static_cast<char>(band ? 255 : g));
      raw.push_back(static_cast<char>(band ? 255 : b));
    }
  }
  uLongf len = compressBound(static_cast<uLong>(raw.size()));
  std::string z(len, '\0');
  compress(reinterpret_cast<Bytef*>(z.data()), &len, reinterpret_cast<const Bytef*>(raw.data()),
           static_cast<uLong>(raw.size()));
  z.resize(len);
  auto be32 = [](uint32_t v) {
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i) s[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xFF);
    return s;
  };
  auto chunk = [&](const std::string& type, const std::string& data) {
    std::string c = type + data;
    uint32_t crc = crc32(0, reinterpret_cast<const Bytef*>(c.data()), static_cast<uInt>(c.size()));
    return be32(static_cast<uint32_t>(data.size())) + c + be32(crc);
  };
  std::string ihdr = be32(static_cast<uint32_t>(w)) + be32(static_cast<uint32_t>(h)) +
                     std::string("\x08\x02\x00\x00\x00", 5);
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", z) +
         chunk("IEND", "");
}

std::map<std::string, bool> Checklist() {
  return {{"secrets", true}, {"compliance", true}, {"promotion", true},
          {"typos", true},   {"statistics", true}, {"sensitive", true},
          {"timing", true},  {"harm", true},       {"other", true}};
}

const std::vector<std::string>& DemoUnitNames() {
  static const std::vector<std::string> names = {"市政务公开办", "市应急管理局", "城关镇"};
  return names;
}

const std::vector<UserSpec>& DemoUsers() {
  static const std::vector<UserSpec> specs = {
      {"office", "王主任", 0, {Role::kOffice}},
      {"auditor", "赵督查", 0, {Role::kAuditor}},
      {"operator", "孙运维", 0, {Role::kOperator}},
      {"editor", "李信息员", 1, {Role::kEditor}},
      {"reviewer", "陈科长", 1, {Role::kUnitReviewer}},
      {"deputy", "周副局长", 1, {Role::kDeputyLeader}},
      {"principal", "吴局长", 1, {Role::kPrincipalLeader}},
      {"sitemgr", "郑管理员", 1, {Role::kSiteManager}},
      {"editor3", "钱信息员", 2, {Role::kEditor}},
      {"reviewer3", "冯主任", 2, {Role::kUnitReviewer}},
      {"deputy3", "褚副镇长", 2, {Role::kDeputyLeader}},
      {"principal3", "卫镇长", 2, {Role::kPrincipalLeader}},
      {"sitemgr3", "蒋管理员", 2, {Role::kSiteManager}},
  };
  return specs;
}

// The three units (the office's existing unit reused) and the demo users; the units' ids.
StatusOr<std::vector<int64_t>> SeedUnitsAndUsers(App& app, const std::vector<Unit>& units) {
  const std::vector<std::string>& unit_names = DemoUnitNames();
  std::vector<int64_t> unit_ids(3, 0);
  for (const auto& u : units)
    if (u.kind == "office") unit_ids[0] = u.id;
  // The demo prints its admin's password for everyone to use: no forced change at the first
  // sign-in (a server started with `serve` keeps it).
  GD_RETURN_IF_ERROR(app.accounts().ClearForcedPasswordChange("admin"));
  AuthContext admin = SystemActor(app, "admin");
  if (unit_ids[0] == 0) {
    GD_ASSIGN_OR_RETURN(Unit u, app.accounts().CreateUnit(admin, unit_names[0], "office"));
    unit_ids[0] = u.id;
  }
  GD_ASSIGN_OR_RETURN(Unit u1, app.accounts().CreateUnit(admin, unit_names[1], "department"));
  GD_ASSIGN_OR_RETURN(Unit u2, app.accounts().CreateUnit(admin, unit_names[2], "town"));
  unit_ids[1] = u1.id;
  unit_ids[2] = u2.id;
  for (const auto& s : DemoUsers()) {
    auto user = app.accounts().AddUserDirect(s.username, s.name, unit_ids[s.unit], s.roles,
                                             kDemoPassword, false);
    if (!user.ok()) return user.status();
  }
  return unit_ids;
}

// The accounts the demo tickets target.
struct DemoChannels {
  int64_t portal = 0, wechat = 0, weibo = 0;
};

// One account of every kind for `unit`, the platforms' ones on the sandboxes at sandbox_base.
StatusOr<DemoChannels> SeedChannels(App& app, int64_t unit, const std::string& sandbox_base) {
  AuthContext op = SystemActor(app, "operator");
  auto add = [&](Json body) -> StatusOr<int64_t> {
    body["unit_id"] = unit;
    // The sandboxes finish async jobs in seconds; poll them that often in the demo.
    if (body["kind"] != "portal" && body["kind"] != "manual")
      body["settings"]["poll_interval_ms"] = 2000;
    GD_ASSIGN_OR_RETURN(ChannelCreate request, DecodeChannelCreate(body));
    GD_ASSIGN_OR_RETURN(Json j, app.channels().Create(op, request));
    return j["id"].get<int64_t>();
  };
  GD_ASSIGN_OR_RETURN(int64_t portal,
                      add({{"kind", "portal"},
                           {"name", "市政府门户网站"},
                           {"settings", {{"mode", "builtin"}, {"site_name", "XX市人民政府"}}}}));
  GD_ASSIGN_OR_RETURN(int64_t wechat,
                      add({{"kind", "wechat_mp"},
                           {"name", "XX应急管理 公众号"},
                           {"base_url", sandbox_base + "/wechat"},
                           {"settings", {{"app_id", "sandbox"}, {"publish_mode", "publish"}}},
                           {"secrets", {{"app_secret", "sandbox-secret"}}}}));
  GD_ASSIGN_OR_RETURN(
      int64_t weibo,
      add({{"kind", "weibo"},
           {"name", "XX应急管理 微博"},
           {"base_url", sandbox_base + "/weibo"},
           // rip: an address of the documentation range (RFC 5737) stands in for the public one.
           {"settings",
            {{"app_key", "sandbox"},
             {"uid", "sandbox"},
             {"safe_domain", "127.0.0.1"},
             {"rip", "203.0.113.5"}}},
           {"secrets", {{"app_secret", "sandbox-secret"}, {"access_token", "sandbox-token"}}}}));
  GD_RETURN_IF_ERROR(add({{"kind", "douyin"},
                          {"name", "XX应急管理 抖音号"},
                          {"base_url", sandbox_base + "/douyin"},
                          {"settings", {{"client_key", "sandbox"}, {"open_id", "sandbox"}}},
                          {"secrets",
                           {{"client_secret", "sandbox-secret"},
                            {"access_token", "sandbox-token"},
                            {"refresh_token", "sandbox-refresh"}}}})
                         .status());
  GD_RETURN_IF_ERROR(add({{"kind", "kuaishou"},
                          {"name", "XX应急管理 快手号"},
                          {"base_url", sandbox_base + "/kuaishou"},
                          {"settings", {{"app_id", "sandbox"}, {"open_id", "sandbox"}}},
                          {"secrets",
                           {{"app_secret", "sandbox-secret"},
                            {"access_token", "sandbox-token"},
                            {"refresh_token", "sandbox-refresh"}}}})
                         .status());
  GD_RETURN_IF_ERROR(add({{"kind", "manual"},
                          {"name", "XX应急管理 视频号"},
                          {"settings", {{"platform", "视频号"}}}})
                         .status());

  return DemoChannels{portal, wechat, weibo};
}

// A few tickets in different states, with a cover image for WeChat.
Status SeedTickets(App& app, const DemoChannels& ch) {
  AuthContext editor = SystemActor(app, "editor");
  GD_ASSIGN_OR_RETURN(Json cover,
                      app.media().Upload(editor, "封面.png", DemoPng(480, 270, 0xB7, 0x1C, 0x1C)));
  const int64_t cover_id = cover["id"].get<int64_t>();
  auto ticket = [&](const std::string& category, const std::string& title,
                    const std::string& body) -> StatusOr<Json> {
    GD_ASSIGN_OR_RETURN(
        Content content,
        ContentFromRequest({{"category", category},
                            {"title", title},
                            {"summary", title},
                            {"body", body},
                            {"column", category == "work_news" ? "工作动态" : "通知公告"},
                            {"media", {{{"media_id", cover_id}, {"role", "cover"}}}},
                            {"channels",
                             {{{"account_id", ch.portal}},
                              {{"account_id", ch.wechat}},
                              {{"account_id", ch.weibo}}}}}));
    return app.review().Create(editor, content);
  };
  GD_ASSIGN_OR_RETURN(Json draft, ticket("work_news", "我局开展汛期安全生产大检查",
                                         "6月12日，市应急管理局组织开展汛期安全生产大检查。\n\n"
                                         "检查组深入企业一线，排查隐患 **32** 处，已督促整改。"));
  (void)draft;
  GD_ASSIGN_OR_RETURN(Json pending,
                      ticket("work_news", "市应急管理局召开防汛工作部署会",
                             "会议传达学习了上级关于防汛工作的部署要求，对全市防汛工作作出安排。"));
  GD_ASSIGN_OR_RETURN(Json submitted, app.review().Submit(editor, pending["id"].get<int64_t>(),
                                                          {.proofread = true}));
  (void)submitted;
  GD_ASSIGN_OR_RETURN(
      Json approved_t,
      ticket("announcement", "关于开展应急避难场所排查工作的公告",
             "为做好应急避难场所管理工作，现将有关事项公告如下：\n\n"
             "1. 排查时间：7月1日至7月31日；\n2. 排查范围：全市各类应急避难场所。"));
  int64_t aid = approved_t["id"].get<int64_t>();
  GD_ASSIGN_OR_RETURN(Json s2, app.review().Submit(editor, aid, {.proofread = true}));
  for (const char* who : {"reviewer", "deputy", "principal"}) {
    AuthContext r = SystemActor(app, who);
    GD_ASSIGN_OR_RETURN(s2,
                        app.review().Decide(r, aid,
                                            {.decision = "approve",
                                             .version_hash = s2["content_hash"].get<std::string>(),
                                             .comment = "同意",
                                             .checklist = Checklist()}));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::vector<DemoUser>> SeedDemo(App& app, const std::string& sandbox_base) {
  std::vector<DemoUser> printed;
  auto units = app.accounts().ListUnits();
  if (!units.ok()) return units.status();
  bool seeded = false;
  for (const auto& u : *units)
    if (u.name == "市应急管理局") seeded = true;
  if (!seeded) {
    GD_ASSIGN_OR_RETURN(std::vector<int64_t> unit_ids, SeedUnitsAndUsers(app, *units));
    GD_ASSIGN_OR_RETURN(DemoChannels channels, SeedChannels(app, unit_ids[1], sandbox_base));
    GD_RETURN_IF_ERROR(SeedTickets(app, channels));
    log::Info("demo data seeded");
  }
  for (const auto& s : DemoUsers()) {
    std::string roles;
    for (Role r : s.roles) roles += std::string(RoleLabel(r));
    printed.push_back({s.username, s.name, DemoUnitNames()[static_cast<size_t>(s.unit)], roles});
  }
  return printed;
}

}  // namespace gd
