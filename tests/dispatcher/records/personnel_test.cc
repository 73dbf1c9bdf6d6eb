// The personnel register (art. 8): each unit's designated staff and the full history of changes.
#include <gtest/gtest.h>

#include "records_test_util.h"
#include "tests/dispatcher/app/api_harness.h"

namespace gd::testing {
namespace {

TEST(PersonnelRegister, StaffRolesAndEveryChangeWithWhoAndWhen) {
  Harness& h = Harness::Get();
  h.clock.Set(h.start_time);
  // A new designated person, created by the admin, promoted, then transferred to unit B.
  Resp created = h.Call("POST", "/api/users", h.Token("admin"),
                        {{"username", "rec_person"},
                         {"name", "郑登记"},
                         {"unit_id", h.unit_a},
                         {"roles", {"editor"}},
                         {"password", "Quite-Long-Pass-2026"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const int64_t id = created.json["id"];
  const std::string patch = "/api/users/" + std::to_string(id);
  h.clock.Advance(60 * 1000);
  ASSERT_EQ(
      h.Call("PATCH", patch, h.Token("admin"), {{"roles", {"editor", "site_manager"}}}).status,
      200);
  h.clock.Advance(60 * 1000);

  std::string path = "/api/personnel?unit_id=" + std::to_string(h.unit_a);
  Resp r = h.Call("GET", path, h.Token("office"));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json["units"].size(), 1u);
  const Json& unit = r.json["units"][0];
  EXPECT_EQ(unit["unit_name"], "市应急管理局");
  bool staffed = false;
  for (const auto& s : unit["staff"])
    if (s["user_id"] == id) {
      staffed = true;
      EXPECT_EQ(s["name"], "郑登记");
      EXPECT_EQ(s["role_labels"], Json::array({"信息员", "网站信息管理员"}));
      EXPECT_EQ(s["status_label"], "在岗");
    }
  EXPECT_TRUE(staffed);
  std::vector<Json> mine;
  for (const auto& e : unit["history"])
    if (e["user_id"] == id) mine.push_back(e);
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0]["actor_name"], "系统管理员");
  EXPECT_EQ(mine[0]["description"], "新增人员，角色：信息员");
  EXPECT_EQ(mine[1]["description"], "角色由「信息员」调整为「信息员、网站信息管理员」");
  EXPECT_EQ(mine[1]["at"], "2026-11-23T10:01:00+08:00");

  // A transfer shows in the history of the unit left behind, and of the new one.
  ASSERT_EQ(h.Call("PATCH", patch, h.Token("admin"), {{"unit_id", h.unit_b}}).status, 200);
  Resp after = h.Call("GET", path, h.Token("auditor"));
  ASSERT_EQ(after.status, 200);
  bool left = false;
  for (const auto& e : after.json["units"][0]["history"])
    left = left ||
           (e["user_id"] == id && e["description"] == "所在单位由「市应急管理局」调整为「城关镇」");
  EXPECT_TRUE(left) << after.json["units"][0]["history"].dump(2);
  for (const auto& s : after.json["units"][0]["staff"]) EXPECT_NE(s["user_id"], id);
  Resp b = h.Call("GET", "/api/personnel?unit_id=" + std::to_string(h.unit_b), h.Token("admin"));
  bool joined = false;
  for (const auto& s : b.json["units"][0]["staff"]) joined = joined || s["user_id"] == id;
  EXPECT_TRUE(joined);

  // Every unit without a filter; roles outside office/admin/auditor are refused.
  Resp every = h.Call("GET", "/api/personnel", h.Token("office"));
  EXPECT_GE(every.json["units"].size(), 3u);
  EXPECT_EQ(h.Call("GET", path, h.Token("deputy_a")).status, 403);
  EXPECT_EQ(h.Call("GET", "/api/personnel?unit_id=999999", h.Token("office")).status, 404);
  h.clock.Set(h.start_time);
}

TEST(PersonnelRegister, CsvExport) {
  Harness& h = Harness::Get();
  Resp r = h.Call("GET", "/api/personnel?format=csv&unit_id=" + std::to_string(h.unit_a),
                  h.Token("office"));
  ASSERT_EQ(r.status, 200) << r.body;
  bool bom = false;
  auto rows = ParseCsv(r.body, &bom);
  EXPECT_TRUE(bom);
  ASSERT_GE(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"单位", "记录类型", "姓名", "用户名", "角色", "状态",
                                               "时间", "操作人", "变更内容"}));
  bool staff = false, change = false;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    ASSERT_EQ(row.size(), 9u);
    EXPECT_EQ(row[0], "市应急管理局");
    staff = staff || (row[1] == "在册人员" && row[2] == "reviewer_a" && row[4] == "单位初审");
    change = change || (row[1] == "变更记录" && row[8].find("新增人员") != std::string::npos);
  }
  EXPECT_TRUE(staff);
  EXPECT_TRUE(change);
}

}  // namespace
}  // namespace gd::testing
