// The event URL platforms push to (GET/POST /api/channel-events/{id}, docs/api.md §4.2), driven
// over HTTP: WeChat's URL verification, PUBLISHJOBFINISH in plain and 安全 (AES) mode waking the
// awaiting dispatch once, hostile requests that must change nothing, and the sandbox pushing a
// real job's end to the server. The dispatch workers are off in this binary: the tests read the
// dispatch row to see whether an event woke it.
#include <gtest/gtest.h>

#include <fstream>

#include "channels/client.h"
#include "channels/sandbox/server.h"
#include "channels/token_cache.h"
#include "channels/transport.h"
#include "channels/wechat_mp/msg_crypt.h"
#include "dispatcher/core/crypto.h"
#include "dispatcher/store/dispatch_repo.h"
#include "tests/dispatcher/app/api_harness.h"
#include "tests/support/status_matchers.h"

namespace gd::testing {
namespace {

using channels::wechat_mp::EncryptMessage;
using channels::wechat_mp::SortedSha1;

const bool kWorkersOff = [] {
  Harness::ConfigHook() = [](AppConfig& cfg) { cfg.run_dispatch = false; };
  return true;
}();

constexpr const char* kToken = "evtToken2026";
constexpr const char* kAesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
constexpr TimeMs kLater = 3600 * 1000;

std::string EventXml(const std::string& publish_id) {
  return "<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[sandbox]]>"
         "</FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[event]]></MsgType>"
         "<Event><![CDATA[PUBLISHJOBFINISH]]></Event><PublishEventInfo><publish_id>" +
         publish_id + "</publish_id><publish_status>0</publish_status></PublishEventInfo></xml>";
}

class ChannelEvents : public ::testing::Test {
 protected:
  void SetUp() override { (void)kWorkersOff; }

  // A WeChat account with the receiver on in `mode`, pointing at `base_url`.
  int64_t Account(const std::string& mode, const std::string& base_url = "http://127.0.0.1:9") {
    Json secrets = {{"app_secret", "sandbox-secret"}, {"event_token", kToken}};
    if (mode == "aes") secrets["encoding_aes_key"] = kAesKey;
    Resp r = h.Call("POST", "/api/channels", h.Token("operator"),
                    {{"kind", "wechat_mp"},
                     {"name", "推送公众号" + std::to_string(++accounts_)},
                     {"unit_id", h.unit_a},
                     {"base_url", base_url + "/wechat"},
                     {"settings", {{"app_id", "sandbox"}, {"events", mode}}},
                     {"secrets", secrets}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.value("id", int64_t{0});
  }

  // An awaiting dispatch of `account` whose platform job is `publish_id`, due in an hour.
  int64_t Awaiting(int64_t account, const std::string& publish_id) {
    // A ticket of its own: one dispatch per ticket version and account.
    Dispatch d;
    d.ticket_id =
        h.Create("editor_a", h.TicketBody("work_news", {h.portal_a}))["id"].get<int64_t>();
    d.version = 1;
    d.account_id = account;
    d.kind = "wechat_mp";
    d.state = "awaiting";
    d.progress = {{"publish_id", publish_id}, {"draft_media_id", "D-1"}};
    d.not_before = h.clock.Now() + kLater;
    EXPECT_THAT(h.app->store().Write([&](Tx& tx) { return dispatch_repo::Insert(tx, d); }), IsOk());
    return d.id;
  }

  TimeMs NotBefore(int64_t dispatch) {
    TimeMs out = -1;
    EXPECT_THAT(h.app->store().Read([&](Tx& tx) -> Status {
      GD_ASSIGN_OR_RETURN(auto d, dispatch_repo::Get(tx, dispatch));
      if (d) out = d->not_before;
      return Status::Ok();
    }),
                IsOk());
    return out;
  }

  // The query of a request signed with `token` at the harness's time (offset by `skew_s`).
  std::string Signed(const std::string& token, int64_t skew_s = 0, const std::string& extra = "") {
    const std::string ts = std::to_string(h.clock.Now() / 1000 + skew_s);
    const std::string nonce = std::to_string(++nonce_);
    return "?signature=" + SortedSha1({token, ts, nonce}) + "&timestamp=" + ts + "&nonce=" + nonce +
           extra;
  }

  Resp Post(int64_t account, const std::string& query, const std::string& body) {
    return h.Raw("POST", "/api/channel-events/" + std::to_string(account) + query, {}, body,
                 "text/xml");
  }

  Harness& h = Harness::Get();
  int nonce_ = 100;
  static inline int accounts_ = 0;
};

TEST_F(ChannelEvents, UrlVerificationEchoesOnlyWithTheRightSignature) {
  int64_t id = Account("plain");
  const std::string path = "/api/channel-events/" + std::to_string(id);
  Resp ok = h.Raw("GET", path + Signed(kToken, 0, "&echostr=hello123"), {}, "");
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.body, "hello123");
  Resp bad = h.Raw("GET", path + Signed("wrong-token", 0, "&echostr=hello123"), {}, "");
  EXPECT_EQ(bad.status, 401) << bad.body;
  EXPECT_EQ(bad.body.find("hello123"), std::string::npos);
}

TEST_F(ChannelEvents, PublishJobFinishWakesTheAwaitingDispatchOnce) {
  int64_t id = Account("plain");
  int64_t d = Awaiting(id, "2247483999");
  int64_t other = Awaiting(id, "2247484000");
  Resp r = Post(id, Signed(kToken), EventXml("2247483999"));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "success");
  EXPECT_EQ(NotBefore(d), h.clock.Now());
  EXPECT_EQ(NotBefore(other), h.clock.Now() + kLater);  // another job: untouched
  // The platform repeats the push: nothing is woken again.
  const int64_t woken = h.app->channel_events().woken();
  ASSERT_THAT(h.app->store().Write([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(auto row, dispatch_repo::Get(tx, d));
    row->not_before = h.clock.Now() + kLater;
    return dispatch_repo::Update(tx, *row, "");
  }),
              IsOk());
  Resp again = Post(id, Signed(kToken), EventXml("2247483999"));
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(NotBefore(d), h.clock.Now() + kLater);
  EXPECT_EQ(h.app->channel_events().woken(), woken);
}

TEST_F(ChannelEvents, EncryptedEventIsCheckedByMsgSignatureAndDecrypted) {
  int64_t id = Account("aes");
  int64_t d = Awaiting(id, "2247485001");
  auto key = channels::wechat_mp::AesKeyFromEncodingAesKey(kAesKey);
  ASSERT_THAT(key, IsOk());
  auto enc = EncryptMessage(*key, EventXml("2247485001"), "sandbox", std::string(16, 'z'));
  ASSERT_THAT(enc, IsOk());
  const std::string ts = std::to_string(h.clock.Now() / 1000);
  const std::string body = "<xml><ToUserName><![CDATA[gh_x]]></ToUserName><Encrypt><![CDATA[" +
                           *enc + "]]></Encrypt></xml>";
  // A plain signature alone is not enough in 安全 mode.
  EXPECT_EQ(Post(id, Signed(kToken), EventXml("2247485001")).status, 401);
  EXPECT_EQ(NotBefore(d), h.clock.Now() + kLater);
  const std::string q = "?signature=" + SortedSha1({kToken, ts, "77"}) + "&timestamp=" + ts +
                        "&nonce=77&encrypt_type=aes&msg_signature=";
  // msg_signature over another Encrypt value.
  EXPECT_EQ(Post(id, q + SortedSha1({kToken, ts, "77", "other"}), body).status, 401);
  EXPECT_EQ(NotBefore(d), h.clock.Now() + kLater);
  Resp r = Post(id, q + SortedSha1({kToken, ts, "77", *enc}), body);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "success");
  EXPECT_EQ(NotBefore(d), h.clock.Now());
}

// Hostile input: each answer is an error and the dispatch stays as it was.
TEST_F(ChannelEvents, HostileRequestsChangeNothing) {
  int64_t id = Account("plain");
  int64_t d = Awaiting(id, "2247486001");
  const std::string event = EventXml("2247486001");
  EXPECT_EQ(Post(id, Signed("not-the-token"), event).status, 401);               // wrong signature
  EXPECT_EQ(Post(id, "", event).status, 401);                                    // none at all
  EXPECT_EQ(Post(id, Signed(kToken, -3600), event).status, 401);                 // an old replay
  EXPECT_EQ(Post(id, Signed(kToken), std::string(70 * 1024, '<')).status, 413);  // oversized
  EXPECT_EQ(Post(id, Signed(kToken), "<xml><MsgType>event").status, 400);        // malformed
  EXPECT_EQ(Post(id, Signed(kToken),
                 "<xml><MsgType>event</MsgType><Event>PUBLISHJOBFINISH</Event>"
                 "<PublishEventInfo><publish_id>1 OR 1=1</publish_id></PublishEventInfo></xml>")
                .status,
            400);
  EXPECT_EQ(Post(999999, Signed(kToken), event).status, 404);      // unknown account
  EXPECT_EQ(Post(h.wechat_a, Signed(kToken), event).status, 404);  // receiver not configured
  EXPECT_EQ(NotBefore(d), h.clock.Now() + kLater);
}

// The sandbox ends a real publish job and pushes PUBLISHJOBFINISH, encrypted, to the server,
// which wakes the dispatch waiting for that job.
TEST_F(ChannelEvents, SandboxPushOfAnEndedJobWakesTheDispatch) {
  channels::sandbox::SandboxOptions opts;
  opts.clock = &h.clock;
  opts.async_delay_ms = 60 * 1000;
  auto server = channels::sandbox::SandboxServer::Start("127.0.0.1", 0, opts);
  ASSERT_THAT(server, IsOk());
  int64_t id = Account("aes", (*server)->base_url());
  auto http = channels::NewHttpTransport();
  channels::HttpRequest cfg;
  cfg.method = "POST";
  cfg.url = (*server)->base_url() + "/wechat/cgi-bin/sandbox/server_config";
  cfg.content_type = "application/json";
  cfg.body = DumpJson(Json{{"appid", "sandbox"},
                           {"secret", "sandbox-secret"},
                           {"url", "http://127.0.0.1:" + std::to_string(h.port) +
                                       "/api/channel-events/" + std::to_string(id)},
                           {"token", kToken},
                           {"encoding_aes_key", kAesKey},
                           {"mode", "aes"}});
  auto configured = http->Send(cfg);
  ASSERT_THAT(configured, IsOk());
  ASSERT_EQ(Json::parse(configured->body).value("errcode", -1), 0) << configured->body;

  // Publish through the real client up to the accepted submit.
  channels::MemoryTokenStore token_store;
  channels::TokenCache tokens(h.clock, &token_store);
  auto client = channels::NewClient("wechat_mp", {http.get(), &tokens, &h.clock, 5000});
  ASSERT_THAT(client, IsOk());
  channels::Account account;
  account.id = id;
  account.kind = "wechat_mp";
  account.base_url = (*server)->base_url() + "/wechat";
  account.settings = {{"app_id", "sandbox"}, {"events", "aes"}};
  const std::string jpeg = std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", 11) + "ev\xFF\xD9";
  const auto cover_path = h.dir / "event-cover.jpg";
  std::ofstream(cover_path, std::ios::binary) << jpeg;
  channels::PublishJob job;
  job.account = &account;
  job.secrets = []() -> StatusOr<Json> { return Json{{"app_secret", "sandbox-secret"}}; };
  MediaRef cover;
  cover.media_id = 1;
  cover.kind = "image";
  cover.mime = "image/jpeg";
  cover.sha256 = Sha256Hex(jpeg);
  cover.size = static_cast<int64_t>(jpeg.size());
  cover.path = cover_path.string();
  job.media = {cover};
  job.rendering = {{"title", "推送测试"}, {"content", "<p>正文</p>"}, {"cover", Sha256Hex(jpeg)}};
  channels::Progress progress;
  auto r =
      (*client)->Publish(job, progress, [](const channels::Progress&) { return Status::Ok(); });
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->kind, channels::PublishResult::Kind::kAwaiting);
  EXPECT_GE(r->poll_after_ms, 10 * 60 * 1000) << "with pushes on, polling is the slow fallback";
  int64_t d = Awaiting(id, progress.state.value("publish_id", ""));

  h.clock.Advance(61 * 1000);
  (void)(*server)->Posts("wechat");  // the platform ends due jobs and pushes their events
  EXPECT_EQ(NotBefore(d), h.clock.Now());
  (*server)->Stop();
}

}  // namespace
}  // namespace gd::testing
