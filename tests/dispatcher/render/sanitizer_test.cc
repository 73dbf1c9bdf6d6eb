#include "dispatcher/render/sanitizer.h"

#include <gtest/gtest.h>

#include "dispatcher/render/markdown.h"

namespace gd::render {
namespace {

const std::string kSha(64, 'b');

struct Case {
  const char* name;
  std::string input;
  std::string expected;
};

// Hostile and broken inputs, with exactly what must come out.
const Case kCases[] = {
    {"script element", "<p>a<script>alert(1)</script>b</p>", "<p>ab</p>"},
    {"script in head", "<script>alert(1)</script><p>x</p>", "<p>x</p>"},
    {"uppercase script", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>ok", "ok"},
    {"style element", "<style>body{display:none}</style><p>x</p>", "<p>x</p>"},
    {"style attribute", "<p style=\"position:fixed\">x</p>", "<p>x</p>"},
    {"event handler", "<img src=x onerror=alert(1)>", ""},
    {"event handler on kept tag", "<p onclick=\"alert(1)\" onmouseover=x>t</p>", "<p>t</p>"},
    {"javascript link", "<a href=\"javascript:alert(1)\">t</a>", "<a>t</a>"},
    {"javascript link mixed case", "<a href=\"JaVaScRiPt:alert(1)\">t</a>", "<a>t</a>"},
    {"javascript with tab", "<a href=\"java\tscript:alert(1)\">t</a>", "<a>t</a>"},
    {"javascript with entities", "<a href=\"&#106;avascript&#58;alert(1)\">t</a>", "<a>t</a>"},
    {"javascript leading space", "<a href=\" \x01javascript:alert(1)\">t</a>", "<a>t</a>"},
    {"vbscript link", "<a href=\"vbscript:msgbox(1)\">t</a>", "<a>t</a>"},
    {"data link", "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">t</a>", "<a>t</a>"},
    {"data image", "<img src=\"data:image/png;base64,AAAA\" alt=\"a\">", ""},
    {"iframe", "<iframe src=\"https://evil.example\"></iframe>x", "x"},
    {"object and embed", "<object data=x></object><embed src=x>y", "y"},
    {"form controls", "<form action=x><input name=a><button>b</button>t</form>", "t"},
    {"svg with script", "<svg><script>alert(1)</script><a xlink:href=\"javascript:1\">s</a></svg>z",
     "z"},
    {"math", "<math><mi>x</mi></math>y", "y"},
    {"meta refresh", "<meta http-equiv=refresh content=\"0;url=javascript:1\">x", "x"},
    {"base href", "<base href=\"https://evil.example/\">x", "x"},
    {"comment", "a<!-- <script>alert(1)</script> -->b", "ab"},
    {"conditional comment", "<!--[if IE]><script>alert(1)</script><![endif]-->x", "x"},
    {"broken nesting", "<p><b>a<i>b</b>c</i></p>", "<p><b>a<i>b</i></b><i>c</i></p>"},
    {"unclosed tags", "<ul><li>a<li>b", "<ul><li>a</li><li>b</li></ul>"},
    {"stray end tags", "</div></p>x</b>", "x"},
    {"unknown tags unwrapped", "<custom-el x=1>t</custom-el><font color=red>u</font>", "tu"},
    {"text escaped", "a &lt;script&gt; &amp; b", "a &lt;script&gt; &amp; b"},
    {"attribute quote breakout", "<a href='x\" onclick=\"alert(1)'>t</a>",
     "<a href=\"x&quot;onclick=&quot;alert(1)\">t</a>"},
    {"noscript", "<noscript><img src=x onerror=alert(1)></noscript>k", "k"},
    {"textarea breakout", "<textarea></textarea><script>alert(1)</script>k", "k"},
    {"table kept", "<table><tr><td colspan=2 align=center onclick=x>a</td></tr></table>",
     "<table><tbody><tr><td colspan=\"2\" align=\"center\">a</td></tr></tbody></table>"},
    {"bad colspan", "<table><tr><td colspan=\"2;x\">a</td></tr></table>",
     "<table><tbody><tr><td>a</td></tr></tbody></table>"},
    {"https link kept", "<a href=\"https://www.example.gov.cn/a?b=1&c=2\" target=_blank>t</a>",
     "<a href=\"https://www.example.gov.cn/a?b=1&amp;c=2\">t</a>"},
    {"relative and mail links", "<a href=\"/zwgk/\">a</a><a href=\"mailto:x@example.gov.cn\">b</a>",
     "<a href=\"/zwgk/\">a</a><a href=\"mailto:x@example.gov.cn\">b</a>"},
    {"portal url link", "<a href=\"{{portal_url}}\">原文</a>",
     "<a href=\"{{portal_url}}\">原文</a>"},
    {"media image kept", "<img src=\"media:" + kSha + "\" alt=\"图\" class=\"x\">",
     "<img src=\"media:" + kSha + "\" alt=\"图\">"},
    {"media short hash dropped", "<img src=\"media:abc\">", ""},
    {"video media only", "<video src=\"https://evil.example/v.mp4\" controls></video>", ""},
    {"video media", "<video src=\"media:" + kSha + "\" controls autoplay onplay=x></video>",
     "<video src=\"media:" + kSha + "\" controls></video>"},
    {"nested quote depth", "<blockquote><blockquote><p>x</p></blockquote></blockquote>",
     "<blockquote><blockquote><p>x</p></blockquote></blockquote>"},
    {"invalid utf8", std::string("<p>a\xC3(b</p>"), "<p>a\xEF\xBF\xBD(b</p>"},
};

TEST(SanitizerTest, HostileInputs) {
  for (const Case& c : kCases) {
    EXPECT_EQ(SanitizeHtml(c.input, {}), c.expected) << c.name;
  }
}

TEST(SanitizerTest, OutputIsAFixedPoint) {
  for (const Case& c : kCases) {
    std::string once = SanitizeHtml(c.input, {});
    EXPECT_EQ(SanitizeHtml(once, {}), once) << c.name;
  }
}

TEST(SanitizerTest, ReportCountsRemovals) {
  SanitizeReport report;
  SanitizeHtml("<a href=\"javascript:x\" onclick=y>a</a><script></script><img src=media:" + kSha +
                   "><img src=\"media:" + kSha + "\"><img src=\"https://x.example/a.png\">",
               {}, &report);
  EXPECT_EQ(report.unsafe_urls, 1);
  EXPECT_EQ(report.removed_attributes, 2);
  EXPECT_EQ(report.removed_elements, 1);
  EXPECT_EQ(report.media, std::vector<std::string>{kSha});
  EXPECT_EQ(report.external_images, std::vector<std::string>{"https://x.example/a.png"});
}

TEST(SanitizerTest, ExternalImagesByPolicy) {
  SanitizePolicy policy;
  policy.allow_external_images = false;
  EXPECT_EQ(SanitizeHtml("<img src=\"https://x.example/a.png\">t", policy), "t");
}

TEST(SanitizerTest, ResolverMapsMediaIds) {
  SanitizePolicy policy;
  policy.resolve_media = [](std::string_view key) -> std::optional<std::string> {
    if (key == "7") return kSha;
    return std::nullopt;
  };
  SanitizeReport report;
  EXPECT_EQ(SanitizeHtml("<img src=\"media:7\"><img src=\"media:8\">", policy, &report),
            "<img src=\"media:" + kSha + "\">");
  EXPECT_EQ(report.unknown_media, std::vector<std::string>{"8"});
}

TEST(SanitizerTest, LinkHostsAndInlineStyles) {
  SanitizePolicy policy;
  policy.link_hosts = {"mp.weixin.qq.com"};
  policy.inline_styles = {{"p", "margin:0 0 1em;"}, {"a", "color:#1e5fa8;"}};
  SanitizeReport report;
  EXPECT_EQ(SanitizeHtml("<p style=\"x\"><a href=\"https://mp.weixin.qq.com/s/1\">a</a>"
                         "<a href=\"https://evil.mp.weixin.qq.com.example/\">b</a></p>",
                         policy, &report),
            "<p style=\"margin:0 0 1em;\"><a href=\"https://mp.weixin.qq.com/s/1\" "
            "style=\"color:#1e5fa8;\">a</a>b</p>");
  EXPECT_EQ(report.unwrapped_links, 1);
}

TEST(SanitizerTest, VideoDroppedByPolicy) {
  SanitizePolicy policy;
  policy.allow_video = false;
  EXPECT_EQ(SanitizeHtml("<video src=\"media:" + kSha + "\"></video>x", policy), "x");
}

TEST(SanitizerTest, DeepNestingDoesNotRecurse) {
  std::string deep;
  for (int i = 0; i < 3000; ++i) deep += "<span>";
  deep += "x";
  std::string out = SanitizeHtml(deep, {});
  EXPECT_NE(out.find('x'), std::string::npos);
}

TEST(HtmlToTextTest, BlocksAndWhitespace) {
  EXPECT_EQ(HtmlToText("<h2>标题</h2><p>第一段\n  内容。</p><ul><li>一</li><li>二</li></ul>"
                       "<script>x</script><table><tr><td>a</td><td>b</td></tr></table>"),
            "标题\n第一段 内容。\n一\n二\na b");
}

TEST(MediaRefTest, Parse) {
  std::string sha;
  EXPECT_TRUE(ParseMediaRef("media:" + kSha, &sha));
  EXPECT_EQ(sha, kSha);
  EXPECT_FALSE(ParseMediaRef("media:" + std::string(64, 'G')));
  EXPECT_FALSE(ParseMediaRef("https://x"));
}

}  // namespace
}  // namespace gd::render
