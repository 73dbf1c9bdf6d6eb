#include "channels/sandbox/page.h"

#include <iterator>
#include <regex>
#include <utility>
#include <vector>

#include "channels/builtin_channels.h"
#include "dispatcher/core/time_util.h"

namespace gd::channels::sandbox {
namespace {

std::string Esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string Blob(const PostRecord& p, const std::string& kind) {
  for (const auto& m : p.media) {
    if (m.value("kind", "") == kind) return "/_sandbox/media/" + m.value("blob", "");
  }
  return "";
}

// Article HTML shown inside a sandboxed iframe (no scripts run), with the fake platform's
// image URLs pointed at the sandbox's own media store.
std::string ArticleFrame(const std::string& html) {
  static const std::regex kMmbiz("http://mmbiz\\.qpic\\.cn/sandbox/(b[0-9]+)/0");
  std::string body = std::regex_replace(html, kMmbiz, "/_sandbox/media/$1");
  std::string doc =
      "<!doctype html><meta charset=utf-8><style>body{font:15px/1.75 -apple-system,'PingFang SC',"
      "sans-serif;margin:0;padding:0 4px;color:#333}img{max-width:100%}</style>" +
      body;
  return "<iframe sandbox class=art srcdoc=\"" + Esc(doc) + "\"></iframe>";
}

// The Chinese name of a sandbox's platform: the channel registry's label for a sandbox named
// after its kind, else the name itself.
std::string PlatformLabel(const std::string& platform) {
  const BuiltinChannel* c = FindBuiltinChannel(platform);
  return c != nullptr ? c->label : platform;
}

std::string Card(const PostRecord& p) {
  std::string cls = p.deleted ? " deleted" : "";
  std::string when = FormatRfc3339(p.created_at).substr(0, 16);
  std::string out = "<div class=\"phone" + cls + "\">";
  if (p.platform == "wechat") {
    out += "<div class=bar>公众号文章</div><div class=wx><h2>" + Esc(p.title) +
           "</h2><div class=meta>" + Esc(p.author) + " <span class=acct>沙箱政务公众号</span> " +
           Esc(when) + "</div>";
    std::string cover = Blob(p, "cover");
    if (!cover.empty()) out += "<img class=cover alt=封面 src=\"" + cover + "\">";
    out += ArticleFrame(p.text) + "</div>";
  } else if (p.platform == "weibo") {
    out +=
        "<div class=bar>微博</div><div class=wb><div class=who><span class=avatar>政</span>"
        "<b>沙箱政务微博</b><div class=meta>" +
        Esc(when) +
        " 来自 政务新媒体统一审核分发系统</div></div>"
        "<p>" +
        Esc(p.text) + "</p>";
    std::string pic = Blob(p, "image");
    if (!pic.empty()) out += "<img class=pic alt=配图 src=\"" + pic + "\">";
    out += "<div class=acts><span>转发</span><span>评论</span><span>赞</span></div></div>";
  } else if (!Blob(p, "video").empty()) {
    std::string cover = Blob(p, "cover");
    std::string video = Blob(p, "video");
    out += "<div class=bar>" + Esc(PlatformLabel(p.platform)) + "</div><div class=sv>";
    if (!video.empty()) {
      out += "<video controls preload=none src=\"" + video + "\"" +
             (cover.empty() ? "" : " poster=\"" + cover + "\"") + "></video>";
    }
    out += "<div class=cap><b>@沙箱政务号</b><p>" + Esc(p.text) + "</p></div></div>";
  } else {
    out += "<div class=bar>政府网站</div><div class=wx><h2>" + Esc(p.title) +
           "</h2><div class=meta>" + Esc(p.author) + " " + Esc(when) + "</div>" +
           ArticleFrame(p.text) + "</div>";
  }
  out += "<div class=foot><code>" + Esc(p.remote_id) + "</code>";
  if (p.deleted) out += " <span class=tag>已删除</span>";
  out += "<br><span class=url>" + Esc(p.url) + "</span></div></div>";
  return out;
}

}  // namespace

std::string RenderInspectionPage(const std::vector<PostRecord>& posts) {
  std::string html =
      "<!doctype html><html lang=zh-CN><head><meta charset=utf-8>"
      "<meta name=viewport content=\"width=device-width,initial-scale=1\">"
      "<title>平台沙箱 · 收到的内容</title><style>"
      "body{margin:0;background:#eef0f3;font:14px/1.6 -apple-system,'PingFang SC','Microsoft "
      "YaHei',sans-serif;color:#222}"
      "header{background:#b71c1c;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}"
      "header p{margin:4px 0 0;opacity:.85}section{padding:8px 24px}h3{border-left:4px solid "
      "#b71c1c;padding-left:8px}"
      ".row{display:flex;flex-wrap:wrap;gap:18px}"
      ".phone{width:320px;background:#fff;border:10px solid "
      "#222;border-radius:28px;overflow:hidden;box-shadow:0 4px 14px #0002}"
      ".phone.deleted{opacity:.55}.bar{background:#f7f7f7;text-align:center;padding:6px;font-size:"
      "12px;color:#666;border-bottom:1px solid #eee}"
      ".wx{padding:12px}.wx h2{font-size:19px;line-height:1.4;margin:4px 0 "
      "8px}.meta{color:#999;font-size:12px}"
      ".acct{color:#576b95}.cover{width:100%;margin:8px 0;border-radius:4px}"
      ".art{width:100%;height:420px;border:0}.wb{padding:12px}.who b{margin-left:6px}"
      ".avatar{display:inline-block;width:34px;height:34px;border-radius:50%;background:#f5a623;"
      "color:#fff;text-align:center;line-height:34px}"
      ".pic{width:100%;border-radius:6px}.acts{display:flex;justify-content:space-around;color:#"
      "888;border-top:1px solid #eee;margin-top:8px;padding-top:6px}"
      ".sv{background:#000;color:#fff;position:relative;min-height:420px}.sv "
      "video{width:100%;max-height:520px;display:block}"
      ".cap{padding:10px}.cap p{margin:4px 0}.foot{font-size:11px;color:#777;padding:8px "
      "12px;border-top:1px solid #eee;word-break:break-all}"
      ".tag{background:#c62828;color:#fff;border-radius:3px;padding:0 4px}.empty{color:#888}"
      "</style></head><body><header><h1>平台沙箱 · 各平台收到的内容</h1>"
      "<p>本页展示本地沙箱中各模拟平台已公开的内容，按手机上的样子呈现。接口：/_sandbox/posts、/"
      "_sandbox/stats、/_sandbox/faults、/_sandbox/quotas</p>"
      "</header>";
  const std::pair<const char*, const char*> kPlatforms[] = {{"portal", "政府网站（推送）"},
                                                            {"wechat", "微信公众号"},
                                                            {"weibo", "新浪微博"},
                                                            {"douyin", "抖音"},
                                                            {"kuaishou", "快手"}};
  // Then every other platform that received posts, in the order they first did.
  std::vector<std::pair<std::string, std::string>> sections(std::begin(kPlatforms),
                                                            std::end(kPlatforms));
  for (const PostRecord& p : posts) {
    bool listed = false;
    for (const auto& [key, label] : sections) listed = listed || key == p.platform;
    if (!listed) sections.emplace_back(p.platform, PlatformLabel(p.platform));
  }
  for (const auto& [key, label] : sections) {
    std::string cards;
    int n = 0;
    for (auto it = posts.rbegin(); it != posts.rend(); ++it) {
      if (it->platform != key) continue;
      cards += Card(*it);
      ++n;
    }
    html += "<section><h3>" + std::string(label) + "（" + std::to_string(n) + " 条）</h3>";
    html += n == 0 ? "<p class=empty>尚未收到内容。</p>" : "<div class=row>" + cards + "</div>";
    html += "</section>";
  }
  html += "</body></html>";
  return html;
}

}  // namespace gd::channels::sandbox
