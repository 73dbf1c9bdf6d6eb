// Sessions, accounts (art. 15), errors, channels and media over HTTP.
#include <gtest/gtest.h>

#include "tests/dispatcher/app/api_harness.h"

namespace gd::testing {
namespace {

class Api : public ::testing::Test {
 protected:
  Harness& h = Harness::Get();
};

TEST_F(Api, HealthzAndErrorShape) {
  Resp r = h.Call("GET", "/healthz", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json, (Json{{"ok", true}}));
  Resp none = h.Call("GET", "/api/tickets", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.Code(), "unauthenticated");
  EXPECT_TRUE(none.json["error"]["message"].is_string());
  Resp unknown = h.Call("GET", "/api/no-such-thing", h.Token("editor_a"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.Code(), "not_found");
}

TEST_F(Api, MalformedJsonAndInvalidUtf8AreBadRequests) {
  std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", "Bearer " + h.Token("editor_a")}};
  Resp bad = h.Raw("POST", "/api/tickets", auth, "{\"category\": ");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Code(), "bad_request");
  Resp utf =
      h.Raw("POST", "/api/tickets", auth, "{\"category\":\"work_news\",\"title\":\"\xC0\xAF\"}");
  EXPECT_EQ(utf.status, 400);
  EXPECT_NE(utf.json["error"]["message"].get<std::string>().find("UTF-8"), std::string::npos);
  Resp not_object = h.Raw("POST", "/api/tickets", auth, "[1,2]");
  EXPECT_EQ(not_object.status, 400);
}

TEST_F(Api, OversizedBodiesAre413InTheErrorShape) {
  std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", "Bearer " + h.Token("editor_a")}};
  std::string big = "{\"title\":\"" + std::string(5 * 1024 * 1024, 'a') + "\"}";
  Resp r = h.Raw("POST", "/api/tickets", auth, big);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.Code(), "too_large");
  std::string huge(120 * 1024 * 1024, 'b');
  Resp r2 = h.Raw("POST", "/api/media", auth, huge, "application/octet-stream");
  EXPECT_EQ(r2.status, 413);
  EXPECT_EQ(r2.Code(), "too_large");
}

TEST_F(Api, InvalidTicketFieldsNameTheField) {
  Json body = h.TicketBody("no_such_category", {h.portal_a});
  body["title"] = "";
  Resp r = h.Call("POST", "/api/tickets", h.Token("editor_a"), body);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.Code(), "invalid");
  EXPECT_TRUE(r.json["error"]["details"]["fields"].contains("category"));
  EXPECT_TRUE(r.json["error"]["details"]["fields"].contains("title"));
  // Another unit's account cannot be targeted.
  Resp other =
      h.Call("POST", "/api/tickets", h.Token("editor_a"), h.TicketBody("work_news", {h.portal_b}));
  EXPECT_EQ(other.status, 422);
  // Nothing was written by the refused requests.
  Resp mine = h.Call("GET", "/api/tickets?mine=1&per_page=200", h.Token("editor_a"));
  for (const auto& t : mine.json["items"]) EXPECT_NE(t["title"], "");
}

// Failed sign-ins lock the (username, client address) pair, not the account: every request
// here comes from 127.0.0.1 (tests/security/accounts_test.cc covers other addresses).
TEST_F(Api, LockoutAfterFiveFailuresFromOneAddress) {
  h.AddUser("lockme", h.unit_a, {Role::kEditor});
  for (int i = 1; i <= 5; ++i) {
    Resp r =
        h.Call("POST", "/api/session", "", {{"username", "lockme"}, {"password", "wrong-Pass-1"}});
    EXPECT_EQ(r.status, 401) << "attempt " << i;
  }
  Resp locked = h.Call("POST", "/api/session", "",
                       {{"username", "lockme"}, {"password", Harness::kPassword}});
  EXPECT_EQ(locked.status, 423) << locked.body;
  EXPECT_EQ(locked.Code(), "locked");
  EXPECT_TRUE(locked.json["error"]["details"]["locked_until"].is_string());
  // An unknown username goes through the same answers.
  for (int i = 1; i <= 5; ++i)
    EXPECT_EQ(
        h.Call("POST", "/api/session", "", {{"username", "nobody"}, {"password", "x"}}).status, 401)
        << "attempt " << i;
  EXPECT_EQ(h.Call("POST", "/api/session", "", {{"username", "nobody"}, {"password", "x"}}).status,
            423);
  // After the lock period the right password works again.
  h.clock.Advance(16 * 60 * 1000);
  Resp ok = h.Call("POST", "/api/session", "",
                   {{"username", "lockme"}, {"password", Harness::kPassword}});
  h.clock.Set(h.start_time);
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_F(Api, CreatedUsersMustChangeTheirPasswordFirst) {
  Resp created = h.Call("POST", "/api/users", h.Token("admin"),
                        {{"username", "newbie"},
                         {"name", "新同事"},
                         {"unit_id", h.unit_a},
                         {"roles", {"editor"}},
                         {"password", "Initial#Pass2026"}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_TRUE(created.json["password_expired"].get<bool>());
  Resp login = h.Call("POST", "/api/session", "",
                      {{"username", "newbie"}, {"password", "Initial#Pass2026"}});
  ASSERT_EQ(login.status, 200);
  EXPECT_TRUE(login.json["user"]["password_expired"].get<bool>());
  std::string token = login.json["token"];
  Resp blocked = h.Call("GET", "/api/tickets", token);
  EXPECT_EQ(blocked.status, 403);
  EXPECT_EQ(blocked.Code(), "password_expired");
  Resp weak = h.Call("POST", "/api/me/password", token,
                     {{"old_password", "Initial#Pass2026"}, {"new_password", "short"}});
  EXPECT_EQ(weak.status, 422);
  // Eleven characters of every class are still too short (ASVS 4.0.3 V2.1.1: at least 12).
  Resp eleven = h.Call("POST", "/api/me/password", token,
                       {{"old_password", "Initial#Pass2026"}, {"new_password", "Ab#45678901"}});
  EXPECT_EQ(eleven.status, 422) << eleven.body;
  EXPECT_NE(eleven.body.find("长度至少 12 位"), std::string::npos) << eleven.body;
  Resp changed =
      h.Call("POST", "/api/me/password", token,
             {{"old_password", "Initial#Pass2026"}, {"new_password", "Mine&Strong2026"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(h.Call("GET", "/api/tickets", token).status, 200);
  // Weak passwords are refused at creation too.
  Resp weak_create = h.Call("POST", "/api/users", h.Token("admin"),
                            {{"username", "weak"},
                             {"name", "弱"},
                             {"unit_id", h.unit_a},
                             {"roles", {"editor"}},
                             {"password", "abc"}});
  EXPECT_EQ(weak_create.status, 422);
}

TEST_F(Api, PasswordsExpireAfterTheConfiguredPeriod) {
  h.AddUser("aging", h.unit_a, {Role::kEditor});
  h.clock.Advance(91LL * 24 * 3600 * 1000);
  Resp login =
      h.Call("POST", "/api/session", "", {{"username", "aging"}, {"password", Harness::kPassword}});
  h.clock.Set(h.start_time);
  ASSERT_EQ(login.status, 200);
  EXPECT_TRUE(login.json["user"]["password_expired"].get<bool>());
}

TEST_F(Api, SessionsExpireWhenIdle) {
  h.AddUser("idle", h.unit_a, {Role::kEditor});
  Resp login =
      h.Call("POST", "/api/session", "", {{"username", "idle"}, {"password", Harness::kPassword}});
  std::string token = login.json["token"];
  EXPECT_EQ(h.Call("GET", "/api/me", token).status, 200);
  h.clock.Advance(31 * 60 * 1000);
  Resp r = h.Call("GET", "/api/me", token);
  h.clock.Set(h.start_time);
  EXPECT_EQ(r.status, 401);
}

TEST_F(Api, CookieSessionsNeedTheCsrfHeaderOnWrites) {
  Resp login = h.Call("POST", "/api/session", "",
                      {{"username", "editor_a"}, {"password", Harness::kPassword}});
  ASSERT_EQ(login.status, 200);
  EXPECT_NE(login.header_set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(login.header_set_cookie.find("SameSite=Strict"), std::string::npos);
  std::string cookie = "gd_session=" + login.json["token"].get<std::string>();
  std::string body = h.TicketBody("work_news", {h.portal_a}).dump();
  Resp get = h.Raw("GET", "/api/me", {{"Cookie", cookie}}, "");
  EXPECT_EQ(get.status, 200);
  Resp no_csrf = h.Raw("POST", "/api/tickets", {{"Cookie", cookie}}, body);
  EXPECT_EQ(no_csrf.status, 403);
  Resp with_csrf = h.Raw(
      "POST", "/api/tickets",
      {{"Cookie", cookie}, {"X-CSRF-Token", login.json["csrf_token"].get<std::string>()}}, body);
  EXPECT_EQ(with_csrf.status, 201) << with_csrf.body;
  Resp out = h.Raw(
      "DELETE", "/api/session",
      {{"Cookie", cookie}, {"X-CSRF-Token", login.json["csrf_token"].get<std::string>()}}, "");
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(h.Raw("GET", "/api/me", {{"Cookie", cookie}}, "").status, 401);
}

TEST_F(Api, ChannelSecretsAreWriteOnly) {
  std::string op = h.Token("operator");
  Resp created = h.Call("POST", "/api/channels", op,
                        {{"kind", "wechat_mp"},
                         {"name", "测试公众号"},
                         {"unit_id", h.unit_a},
                         {"base_url", "https://api.weixin.qq.com"},
                         {"settings", {{"app_id", "wx123"}, {"publish_mode", "publish"}}},
                         {"secrets", {{"app_secret", "super-secret-value-123"}}}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.body.find("super-secret-value-123"), std::string::npos);
  EXPECT_EQ(created.json["secrets"]["app_secret"], "***");
  int64_t id = created.json["id"];
  for (const auto& who : {"operator", "editor_a", "office"}) {
    Resp g = h.Call("GET", "/api/channels/" + std::to_string(id), h.Token(who));
    EXPECT_EQ(g.status, 200) << who;
    EXPECT_EQ(g.body.find("super-secret"), std::string::npos) << who;
  }
  // The mask echoed back does not overwrite; a new value does.
  Resp patched = h.Call("PATCH", "/api/channels/" + std::to_string(id), op,
                        {{"name", "测试公众号（改）"}, {"secrets", {{"app_secret", "***"}}}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto row = [&] {
    std::optional<ChannelAccountRow> r;
    (void)h.app->store().Read([&](Tx& tx) -> Status {
      r = *tx.GetChannel(id);
      return Status::Ok();
    });
    return *r;
  };
  EXPECT_EQ((*h.app->channels().Secrets(row()))["app_secret"], "super-secret-value-123");
  EXPECT_EQ(row().secrets_sealed.find("super-secret"), std::string::npos) << "sealed at rest";
  ASSERT_EQ(h.Call("PATCH", "/api/channels/" + std::to_string(id), op,
                   {{"secrets", {{"app_secret", "rotated-456"}}}})
                .status,
            200);
  EXPECT_EQ((*h.app->channels().Secrets(row()))["app_secret"], "rotated-456");
  // Another unit's users do not see this unit's accounts.
  Resp list_b = h.Call("GET", "/api/channels", h.Token("editor_b"));
  for (const auto& c : list_b.json["items"]) EXPECT_NE(c["id"], id);
  // Unknown kind and missing settings name the field.
  Resp bad = h.Call("POST", "/api/channels", op,
                    {{"kind", "wechat_mp"}, {"name", "x"}, {"base_url", "https://a"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_TRUE(bad.json["error"]["details"]["fields"].contains("settings.app_id"));
}

TEST_F(Api, MediaTypeIsCheckedByContent) {
  std::string token = h.Token("editor_a");
  auto upload = [&](const std::string& name, const std::string& bytes) {
    std::string boundary = "----gdtestboundary";
    std::string body =
        "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name +
        "\"\r\nContent-Type: image/png\r\n\r\n" + bytes + "\r\n--" + boundary + "--\r\n";
    return h.Raw("POST", "/api/media", {{"Authorization", "Bearer " + token}}, body,
                 "multipart/form-data; boundary=" + boundary);
  };
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x08\x08\x02\0\0\0", 29);
  Resp ok = upload("图.png", png);
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ok.json["mime"], "image/png");
  EXPECT_EQ(ok.json["width"], 16);
  EXPECT_EQ(ok.json["sha256"].get<std::string>().size(), 64u);
  Resp fake = upload("evil.png", "<script>alert(1)</script>");
  EXPECT_EQ(fake.status, 422) << fake.body;
  Resp got = h.Call("GET", "/api/media/" + std::to_string(ok.json["id"].get<int64_t>()), token);
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, png);
  EXPECT_EQ(h.Call("GET", "/api/media/" + std::to_string(ok.json["id"].get<int64_t>()),
                   h.Token("editor_b"))
                .status,
            404);
}

TEST_F(Api, AwaitingMeListsWhatEachReviewerMustDecide) {
  Json t = h.Create("editor_a", h.TicketBody("work_news", {h.portal_a}));
  t = h.Submit("editor_a", t["id"]);
  auto awaiting = [&](const std::string& who) {
    Resp r = h.Call("GET", "/api/tickets?awaiting_me=1&per_page=200", h.Token(who));
    EXPECT_EQ(r.status, 200);
    for (const auto& i : r.json["items"])
      if (i["id"] == t["id"]) return true;
    return false;
  };
  EXPECT_TRUE(awaiting("reviewer_a"));
  EXPECT_FALSE(awaiting("deputy_a"));
  EXPECT_FALSE(awaiting("reviewer_b"));
  ASSERT_EQ(h.Decide("reviewer_a", t["id"], t["content_hash"]).status, 200);
  EXPECT_FALSE(awaiting("reviewer_a"));
  EXPECT_TRUE(awaiting("deputy_a"));
}

TEST_F(Api, PreviewsCarryEveryChannelsRendering) {
  Json t = h.Create("editor_a", h.TicketBody("work_news", {h.portal_a, h.weibo_a}));
  Resp r = h.Call("GET", "/api/tickets/" + std::to_string(t["id"].get<int64_t>()) + "/previews",
                  h.Token("editor_a"));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json["channels"].size(), 2u);
  EXPECT_EQ(r.json["channels"][0]["kind"], "portal");
  EXPECT_TRUE(r.json["channels"][0]["rendering"].contains("page_html"));
  EXPECT_EQ(r.json["channels"][1]["kind"], "weibo");
  EXPECT_NE(r.json["channels"][1]["rendering"]["text"].get<std::string>().find("{{portal_url}}"),
            std::string::npos);
}

TEST_F(Api, LiveCheckFindsPii) {
  Resp r = h.Call("POST", "/api/check", h.Token("editor_a"),
                  {{"category", "work_news"}, {"title", "通知"}, {"body", "电话 13812341234"}});
  ASSERT_EQ(r.status, 200) << r.body;
  bool mobile = false;
  for (const auto& f : r.json["findings"])
    mobile = mobile || (f["rule"] == "pii" && f["suggestion"] == "138****1234");
  EXPECT_TRUE(mobile) << r.body;
}

// Where an answer carries a user id a person reads, it carries the user's name beside it
// (API.md is extended, never changed: the ids stay).
TEST_F(Api, AnswersNameThePeopleBesideTheirIds) {
  Json t = h.Create("editor_a", h.TicketBody("work_news", {h.portal_a}));
  const int64_t id = t["id"];
  const std::string path = "/api/tickets/" + std::to_string(id);
  t = h.Submit("editor_a", id);
  ASSERT_EQ(h.Decide("reviewer_a", id, t["content_hash"]).status, 200);

  Resp got = h.Call("GET", path, h.Token("deputy_a"));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json["author_name"], "editor_a");
  const Json& first = got.json["steps"][0];
  EXPECT_EQ(first["state"], "approved");
  EXPECT_TRUE(first["decided_by"].is_number_integer());
  EXPECT_EQ(first["decided_by_name"], "reviewer_a");
  EXPECT_FALSE(got.json["steps"][1].contains("decided_by_name"));

  Resp list = h.Call("GET", "/api/tickets?awaiting_me=1&per_page=200", h.Token("deputy_a"));
  ASSERT_EQ(list.status, 200);
  bool listed = false;
  for (const auto& i : list.json["items"])
    if (i["id"] == id) {
      listed = true;
      EXPECT_EQ(i["steps"][0]["decided_by_name"], "reviewer_a");
    }
  EXPECT_TRUE(listed);

  Resp hist = h.Call("GET", path + "/history", h.Token("deputy_a"));
  ASSERT_EQ(hist.status, 200) << hist.body;
  int versions = 0, decisions = 0, submits = 0;
  for (const auto& e : hist.json["items"]) {
    if (e["type"] == "check_run") continue;  // the system's, no person
    if (e["type"] == "version") {
      ++versions;
      EXPECT_EQ(e["by_name"], "editor_a");
    } else if (e["type"] == "decision") {
      ++decisions;
      EXPECT_EQ(e["by"], first["decided_by"]);
      EXPECT_EQ(e["by_name"], "reviewer_a");
    } else if (e.value("action", "") == "ticket.submit") {
      ++submits;
      EXPECT_EQ(e["by_name"], "editor_a");
    }
  }
  EXPECT_EQ(versions, 1);
  EXPECT_EQ(decisions, 1);
  EXPECT_EQ(submits, 1);

  Resp audit = h.Call("GET", "/api/audit?ticket_id=" + std::to_string(id), h.Token("auditor"));
  ASSERT_EQ(audit.status, 200) << audit.body;
  ASSERT_FALSE(audit.json["items"].empty());
  for (const auto& row : audit.json["items"]) {
    ASSERT_TRUE(row.contains("actor_id")) << row.dump();
    if (row["action"] == "ticket.decision") {
      EXPECT_EQ(row["actor_name"], "reviewer_a");
    }
    if (row["action"] == "ticket.create") {
      EXPECT_EQ(row["actor_name"], "editor_a");
    }
  }
}

}  // namespace
}  // namespace gd::testing
