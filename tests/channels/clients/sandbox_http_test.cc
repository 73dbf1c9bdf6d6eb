// The sandbox's own routes under /_sandbox (faults, posts, stats, quotas, expire_tokens, media,
// the inspection page) driven over real HTTP, the way the dispatch tests, the demo and a person
// with curl use them.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "channels/sandbox/server.h"
#include "channels/transport.h"
#include "dispatcher/core/json_util.h"

namespace gd::channels::sandbox {
namespace {

class SandboxHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SandboxOptions opts;
    opts.async_delay_ms = 20;
    opts.timeout_hang_ms = 50;
    opts.seed = 3;
    opts.weibo_safe_domains = {{"sandbox", "example.gov.cn"}};
    auto s = SandboxServer::Start("127.0.0.1", 0, opts);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    cli_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    cli_->set_read_timeout(5, 0);
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  // The JSON body of an answer, with its status checked.
  Json Expect(const httplib::Result& res, int status) {
    EXPECT_TRUE(res) << "no response";
    if (!res) return Json();
    EXPECT_EQ(res->status, status) << res->body;
    EXPECT_NE(res->get_header_value("Content-Type").find("application/json"), std::string::npos);
    auto j = ParseJson(res->body);
    EXPECT_TRUE(j.ok()) << res->body;
    return j.ok() ? *j : Json();
  }
  Json Get(const std::string& path, int status = 200) { return Expect(cli_->Get(path), status); }
  Json PostJson(const std::string& path, const std::string& body, int status = 200) {
    return Expect(cli_->Post(path, body, "application/json"), status);
  }
  // A bad-input answer: {"error": {"code", "message"}} with a Chinese message. `mentions` is
  // the field a person must fix; naming it in the message is the behaviour under test.
  void ExpectError(const Json& j, const std::string& code, const std::string& mentions = "") {
    ASSERT_TRUE(j.contains("error")) << j.dump();
    EXPECT_EQ(j["error"].value("code", ""), code);
    std::string msg = j["error"].value("message", "");
    EXPECT_FALSE(msg.empty());
    EXPECT_TRUE(std::any_of(msg.begin(), msg.end(), [](char c) { return c & 0x80; }))
        << "message for people should be Chinese: " << msg;
    if (!mentions.empty()) {
      EXPECT_NE(msg.find(mentions), std::string::npos) << msg;
    }
  }

  httplib::Result Share(const std::string& text) {
    return cli_->Post(
        "/weibo/2/statuses/share.json",
        BuildQuery({{"access_token", "sandbox-token"}, {"status", text}, {"rip", "203.0.113.10"}}),
        "application/x-www-form-urlencoded");
  }
  httplib::Result SharePic(const std::string& text, const std::string& pic) {
    httplib::MultipartFormDataItems items = {{"access_token", "sandbox-token", "", ""},
                                             {"status", text, "", ""},
                                             {"rip", "203.0.113.10", "", ""},
                                             {"pic", pic, "p.png", "image/png"}};
    return cli_->Post("/weibo/2/statuses/share.json", items);
  }

  std::unique_ptr<SandboxServer> server_;
  std::unique_ptr<httplib::Client> cli_;
};

const std::string kPng = std::string("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", 16) + "pixels";

TEST_F(SandboxHttpTest, FaultSpecTakesEffectAndShowsInStatsAndPosts) {
  EXPECT_EQ(Get("/_sandbox/faults"), Json({{"faults", Json::object()}}));

  // One injected "busy" on Weibo's publishing path only.
  Json ok = PostJson("/_sandbox/faults",
                     R"({"platform":"weibo","error_rate":1,"count":1,
                         "paths":["/2/statuses/share.json"]})");
  EXPECT_EQ(ok.value("ok", false), true);
  Json faults = Get("/_sandbox/faults")["faults"];
  ASSERT_TRUE(faults.contains("weibo")) << faults.dump();
  EXPECT_EQ(faults["weibo"]["error_rate"], 1.0);
  EXPECT_EQ(faults["weibo"]["count"], 1);
  EXPECT_EQ(faults["weibo"]["paths"], Json::array({"/2/statuses/share.json"}));
  EXPECT_FALSE(faults.contains("wechat"));

  // Not on this path: the fault does not apply.
  Get("/weibo/2/statuses/user_timeline.json?access_token=sandbox-token");
  Json busy = Expect(Share("第一条 https://www.example.gov.cn/a.html"), 503);
  EXPECT_EQ(busy.value("error_code", ""), "10002");
  EXPECT_EQ(busy.value("request", ""), "/2/statuses/share.json");
  // count 1: the next call goes through.
  Json status = Expect(SharePic("第一条 https://www.example.gov.cn/a.html", kPng), 200);
  EXPECT_FALSE(status.value("idstr", "").empty());

  // A specific platform code (WeChat's daily quota) injected through error_code.
  PostJson("/_sandbox/faults",
           R"({"platform":"wechat","error_rate":1,"error_code":45009,"count":1})");
  Json wx = PostJson("/wechat/cgi-bin/stable_token",
                     R"({"grant_type":"client_credential","appid":"sandbox",
                         "secret":"sandbox-secret"})");
  EXPECT_EQ(wx.value("errcode", 0), 45009);
  EXPECT_NE(wx.value("errmsg", "").find(" rid: "), std::string::npos);
  Json token = PostJson("/wechat/cgi-bin/stable_token",
                        R"({"grant_type":"client_credential","appid":"sandbox",
                            "secret":"sandbox-secret"})");
  EXPECT_FALSE(token.value("access_token", "").empty()) << token.dump();

  Json stats = Get("/_sandbox/stats");
  ASSERT_TRUE(stats["calls"].is_object());
  EXPECT_EQ(stats["calls"]["weibo"]["/2/statuses/share.json"], 2);
  EXPECT_EQ(stats["calls"]["weibo"]["/2/statuses/user_timeline.json"], 1);
  EXPECT_EQ(stats["calls"]["wechat"]["/cgi-bin/stable_token"], 2);
  EXPECT_EQ(stats["injected"]["weibo"], 1);
  EXPECT_EQ(stats["injected"]["wechat"], 1);
  EXPECT_FALSE(stats["calls"].contains("douyin"));  // never called
  ASSERT_TRUE(stats["quota_refused"].is_object());
  EXPECT_EQ(stats["quota_refused"]["weibo"], 0);

  // The post registry: one Weibo post with its picture.
  Json posts = Get("/_sandbox/posts");
  ASSERT_TRUE(posts["items"].is_array());
  ASSERT_EQ(posts["items"].size(), 1u) << posts.dump();
  const Json& p = posts["items"][0];
  EXPECT_EQ(p["platform"], "weibo");
  EXPECT_EQ(p["remote_id"], status["idstr"]);
  // The platform keeps (and shows) every link as a t.cn short link.
  EXPECT_EQ(p.value("text", "").rfind("第一条 http://t.cn/", 0), 0u) << p.dump();
  EXPECT_EQ(p.value("text", "").find("example.gov.cn"), std::string::npos);
  EXPECT_TRUE(p["title"].is_string());
  EXPECT_NE(p.value("url", "").find(status.value("idstr", "")), std::string::npos);
  EXPECT_TRUE(p["created_at"].is_number_integer());
  EXPECT_EQ(p["deleted"], false);
  ASSERT_EQ(p["media"].size(), 1u);
  EXPECT_EQ(p["media"][0]["kind"], "image");
  std::string media_url = p["media"][0].value("url", "");
  ASSERT_EQ(media_url.rfind("/_sandbox/media/", 0), 0u) << media_url;
  auto media = cli_->Get(media_url.c_str());
  ASSERT_TRUE(media);
  EXPECT_EQ(media->status, 200);
  EXPECT_EQ(media->body, kPng);
  EXPECT_EQ(media->get_header_value("Content-Type"), "image/png");
  EXPECT_EQ(Get("/_sandbox/posts?platform=wechat")["items"].size(), 0u);
  EXPECT_EQ(Get("/_sandbox/posts?platform=weibo")["items"].size(), 1u);

  // Deleting it shows in the registry.
  Expect(
      cli_->Post("/weibo/2/statuses/destroy.json",
                 BuildQuery({{"access_token", "sandbox-token"}, {"id", status.value("idstr", "")}}),
                 "application/x-www-form-urlencoded"),
      200);
  EXPECT_EQ(Get("/_sandbox/posts?platform=weibo")["items"][0]["deleted"], true);

  // The page a person looks at shows the post.
  auto page = cli_->Get("/_sandbox/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->get_header_value("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(page->body.find("第一条"), std::string::npos);

  // DELETE clears every fault.
  EXPECT_EQ(Expect(cli_->Delete("/_sandbox/faults"), 200).value("ok", false), true);
  EXPECT_EQ(Get("/_sandbox/faults"), Json({{"faults", Json::object()}}));
  Expect(Share("第二条 https://www.example.gov.cn/b.html"), 200);
}

TEST_F(SandboxHttpTest, LatencyTimeoutAndRateLimitOverHttp) {
  // latency_ms on every call of one platform.
  PostJson("/_sandbox/faults", R"({"platform":"douyin","latency_ms":150})");
  auto t0 = std::chrono::steady_clock::now();
  Get("/douyin/api/douyin/v1/video/video_list/?open_id=sandbox&cursor=0&count=1");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(150));

  // A timeout after the platform accepted: no answer, but the post exists.
  PostJson("/_sandbox/faults",
           R"({"platform":"weibo","timeout_rate":1,"after_accept_ratio":1,"count":1})");
  auto lost = Share("超时但已发出 https://www.example.gov.cn/t.html");
  EXPECT_TRUE(!lost || lost->body.empty() || lost->status != 200 || !ParseJson(lost->body).ok())
      << "the answer should never arrive complete";
  Json posts = Get("/_sandbox/posts?platform=weibo");
  ASSERT_EQ(posts["items"].size(), 1u);
  EXPECT_EQ(Get("/_sandbox/stats")["injected"]["weibo"], 1);

  // rate_limit_per_s: a bucket of one, then the platform's own rate-limit code.
  PostJson("/_sandbox/faults", R"({"platform":"douyin","rate_limit_per_s":0.001})");
  cli_->set_default_headers({{"access-token", "sandbox-token"}});
  Json first = Get("/douyin/api/douyin/v1/video/video_list/?open_id=sandbox&cursor=0&count=1");
  EXPECT_EQ(first["data"]["error_code"], 0) << first.dump();
  Json second = Get("/douyin/api/douyin/v1/video/video_list/?open_id=sandbox&cursor=0&count=1");
  EXPECT_EQ(second["data"]["error_code"], 28003018) << second.dump();
  EXPECT_EQ(second["extra"]["error_code"], 28003018);
  EXPECT_EQ(Get("/_sandbox/stats")["rate_limited"]["douyin"], 1);
}

TEST_F(SandboxHttpTest, ExpireTokensOverHttp) {
  Json token = PostJson("/wechat/cgi-bin/stable_token",
                        R"({"grant_type":"client_credential","appid":"sandbox",
                            "secret":"sandbox-secret"})");
  std::string t = token.value("access_token", "");
  ASSERT_FALSE(t.empty());
  Json count = PostJson("/wechat/cgi-bin/freepublish/batchget?access_token=" + t,
                        R"({"offset":0,"count":1,"no_content":1})");
  EXPECT_EQ(count.value("total_count", -1), 0) << count.dump();

  PostJson("/_sandbox/expire_tokens", R"({"platform":"wechat"})");
  Json expired = PostJson("/wechat/cgi-bin/freepublish/batchget?access_token=" + t,
                          R"({"offset":0,"count":1,"no_content":1})");
  EXPECT_EQ(expired.value("errcode", 0), 42001);
  // Other platforms keep theirs.
  Json tl = Get("/weibo/2/statuses/user_timeline.json?access_token=sandbox-token");
  EXPECT_TRUE(tl.contains("statuses")) << tl.dump();
  // An empty body expires every platform's tokens.
  Expect(cli_->Post("/_sandbox/expire_tokens", "", "application/json"), 200);
  Json weibo =
      Expect(cli_->Get("/weibo/2/statuses/user_timeline.json?access_token=sandbox-token"), 401);
  EXPECT_EQ(weibo.value("error_code", ""), "21327");
}

TEST_F(SandboxHttpTest, WechatMaterialTypesAndSizes) {
  Json token = PostJson("/wechat/cgi-bin/stable_token",
                        R"({"grant_type":"client_credential","appid":"sandbox",
                            "secret":"sandbox-secret"})");
  std::string t = token.value("access_token", "");
  auto add = [&](const std::string& type, const std::string& data) {
    httplib::MultipartFormDataItems items = {{"media", data, "f.bin", "application/octet-stream"}};
    return Expect(
        cli_->Post(
            ("/wechat/cgi-bin/material/add_material?type=" + type + "&access_token=" + t).c_str(),
            items),
        200);
  };
  const std::string jpeg = std::string("\xFF\xD8\xFF\xE0", 4);
  EXPECT_FALSE(add("thumb", jpeg + "small").value("media_id", "").empty());
  EXPECT_EQ(add("thumb", kPng).value("errcode", 0), 40005);  // thumb: JPG only
  EXPECT_EQ(add("thumb", jpeg + std::string(64 * 1024, 'x')).value("errcode", 0), 40006);
  EXPECT_FALSE(add("image", jpeg + std::string(64 * 1024, 'x')).value("url", "").empty());
  EXPECT_EQ(add("voice", std::string(2 * 1024 * 1024 + 1, 'x')).value("errcode", 0), 40006);
  EXPECT_EQ(add("gif", jpeg).value("errcode", 0), 40004);
  // uploadimg: jpg/png under 1 MB.
  httplib::MultipartFormDataItems big = {
      {"media", jpeg + std::string(1024 * 1024, 'x'), "a.jpg", "image/jpeg"}};
  EXPECT_EQ(
      Expect(cli_->Post(("/wechat/cgi-bin/media/uploadimg?access_token=" + t).c_str(), big), 200)
          .value("errcode", 0),
      40009);
}

TEST_F(SandboxHttpTest, BadInputGetsAClear4xx) {
  ExpectError(PostJson("/_sandbox/faults", "{not json", 400), "bad_request", "JSON");
  ExpectError(PostJson("/_sandbox/faults", "[1,2]", 400), "bad_request");
  ExpectError(PostJson("/_sandbox/faults", R"({"error_rate":2})", 400), "bad_request",
              "error_rate");
  ExpectError(PostJson("/_sandbox/faults", R"({"timeout_rate":"half"})", 400), "bad_request",
              "timeout_rate");
  ExpectError(PostJson("/_sandbox/faults", R"({"latency_ms":-5})", 400), "bad_request",
              "latency_ms");
  ExpectError(PostJson("/_sandbox/faults", R"({"token_ttl_s":0})", 400), "bad_request",
              "token_ttl_s");
  ExpectError(PostJson("/_sandbox/faults", R"({"rate_limit_per_s":-1})", 400), "bad_request",
              "rate_limit_per_s");
  ExpectError(PostJson("/_sandbox/faults", R"({"error_code":"45009"})", 400), "bad_request",
              "error_code");
  ExpectError(PostJson("/_sandbox/faults", R"({"paths":"/x"})", 400), "bad_request", "paths");
  ExpectError(PostJson("/_sandbox/faults", R"({"count":-3})", 400), "bad_request", "count");
  // A misspelt field is an error, not a silently ignored fault.
  ExpectError(PostJson("/_sandbox/faults", R"({"eror_rate":0.5})", 400), "bad_request",
              "eror_rate");
  ExpectError(PostJson("/_sandbox/faults", R"({"platform":"myspace","error_rate":1})", 404),
              "not_found", "myspace");
  ExpectError(PostJson("/_sandbox/faults", R"({"platform":7})", 400), "bad_request", "platform");
  // Nothing was applied by the rejected requests.
  EXPECT_EQ(Get("/_sandbox/faults"), Json({{"faults", Json::object()}}));

  ExpectError(PostJson("/_sandbox/expire_tokens", R"({"platform":"myspace"})", 404), "not_found",
              "myspace");
  ExpectError(PostJson("/_sandbox/expire_tokens", "nope", 400), "bad_request");

  ExpectError(PostJson("/_sandbox/quotas", "{", 400), "bad_request", "JSON");
  ExpectError(PostJson("/_sandbox/quotas", R"({"enabled":"yes"})", 400), "bad_request", "enabled");
  ExpectError(PostJson("/_sandbox/quotas", R"({"platform":"myspace","enabled":true})", 404),
              "not_found", "myspace");
  ExpectError(PostJson("/_sandbox/quotas", R"({"rules":[]})", 400), "bad_request", "platform");
  ExpectError(
      PostJson("/_sandbox/quotas",
               R"({"platform":"wechat","rules":[{"path":"/cgi-bin/token","limit":-1}]})", 400),
      "bad_request", "limit");
  ExpectError(
      PostJson(
          "/_sandbox/quotas",
          R"({"platform":"wechat","rules":[{"path":"/cgi-bin/token","limit":1,"window":"week"}]})",
          400),
      "bad_request", "window");
  ExpectError(PostJson("/_sandbox/quotas", R"({"platform":"wechat","enable":true})", 400),
              "bad_request", "enable");
  EXPECT_EQ(Get("/_sandbox/quotas")["quotas"]["wechat"]["enabled"], false);

  ExpectError(Get("/_sandbox/nothing", 404), "not_found");
  ExpectError(Get("/_sandbox/media/b999999", 404), "not_found");
  ExpectError(Get("/myspace/api", 404), "not_found");
}

TEST_F(SandboxHttpTest, QuotasRouteShowsAndChangesTheRules) {
  Json q = Get("/_sandbox/quotas")["quotas"];
  for (const char* p : {"portal", "wechat", "weibo", "douyin", "kuaishou"}) {
    ASSERT_TRUE(q.contains(p)) << q.dump();
    EXPECT_EQ(q[p]["enabled"], false) << p;  // off unless asked for
    EXPECT_TRUE(q[p]["rules"].is_array());
    EXPECT_TRUE(q[p]["usage"].is_array());
  }
  // The documented numbers are there, ready to be switched on.
  bool submit = false;
  for (const auto& r : q["wechat"]["rules"]) {
    if (r["path"] == "/cgi-bin/freepublish/submit") {
      submit = true;
      EXPECT_EQ(r["limit"], 100);
      EXPECT_EQ(r["window"], "day");
    }
  }
  EXPECT_TRUE(submit);
  EXPECT_EQ(q["weibo"]["rules"][0], Json({{"path", "/2/statuses/share.json"},
                                          {"limit", 30},
                                          {"window", "hour"},
                                          {"per", "account"},
                                          {"code", 10024}}));

  // Own rules for one platform, then on: the third timeline call is refused with 10023.
  Json set = PostJson("/_sandbox/quotas", R"({"platform":"weibo","enabled":true,
      "rules":[{"path":"/2/statuses/user_timeline.json","limit":2,"window":"hour"}]})");
  EXPECT_EQ(set["quotas"]["weibo"]["enabled"], true);
  const std::string tl = "/weibo/2/statuses/user_timeline.json?access_token=sandbox-token";
  Get(tl);
  Get(tl);
  Json refused = Get(tl, 403);
  EXPECT_EQ(refused.value("error_code", ""), "10023");
  Json usage = Get("/_sandbox/quotas")["quotas"]["weibo"]["usage"];
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_EQ(usage[0]["used"], 2);
  EXPECT_EQ(usage[0]["limit"], 2);
  EXPECT_EQ(Get("/_sandbox/stats")["quota_refused"]["weibo"], 1);
  // Other paths are not limited by that rule.
  Expect(Share("配额之外 https://www.example.gov.cn/q.html"), 200);

  // DELETE: a new day, every counter at zero.
  Expect(cli_->Delete("/_sandbox/quotas"), 200);
  Get(tl);
  // Per caller IP, with an explicit code.
  PostJson("/_sandbox/quotas", R"({"platform":"weibo",
      "rules":[{"path":"*","limit":1,"window":"hour","per":"ip","code":10022}]})");
  Get(tl);
  EXPECT_EQ(Get(tl, 403).value("error_code", ""), "10022");
  // Back to the documented rules, then off.
  Json back = PostJson("/_sandbox/quotas", R"({"platform":"weibo","defaults":true})");
  EXPECT_EQ(back["quotas"]["weibo"]["rules"].size(), 3u);
  PostJson("/_sandbox/quotas", R"({"enabled":false})");
  for (int i = 0; i < 3; ++i) Get(tl);
}

}  // namespace
}  // namespace gd::channels::sandbox
