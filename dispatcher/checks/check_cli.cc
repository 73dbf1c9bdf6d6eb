#include "dispatcher/checks/check_cli.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "dispatcher/checks/engine.h"
#include "dispatcher/core/utf8.h"

namespace gd::checks {

namespace {

const char kUsage[] =
    "用法：dispatcher check [--category 类别] [--source 来源] [--format text|json] "
    "[--policies 目录] 文件\n"
    "  类别：work_news announcement policy_document key_area interactive reposted（默认 "
    "work_news）\n"
    "  退出码：0 无阻断项，1 有阻断项，2 用法或输入错误\n";

const char* RuleLabel(const std::string& rule) {
  if (rule == "secret_marking") return "密级标志";
  if (rule == "sensitive_word") return "敏感词";
  if (rule == "expression") return "表述错误";
  if (rule == "typo") return "错别字";
  if (rule == "pii") return "个人信息";
  if (rule == "missing_source") return "缺少来源";
  if (rule == "date") return "日期";
  if (rule == "number") return "数字";
  if (rule == "link") return "链接";
  return "其他";
}

const char* FieldLabel(const std::string& field) {
  if (field == "title") return "标题";
  if (field == "summary") return "摘要";
  if (field == "source") return "来源";
  return "正文";
}

}  // namespace

int RunCheckCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string category_key = "work_news", source, format = "text", policies, file;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string* dst) -> bool {
      size_t eq = a.find('=');
      if (eq != std::string::npos) {
        *dst = a.substr(eq + 1);
        return true;
      }
      if (i + 1 >= args.size()) return false;
      *dst = args[++i];
      return true;
    };
    auto is = [&](const char* name) {
      return a == name || a.rfind(std::string(name) + "=", 0) == 0;
    };
    if (a == "-h" || a == "--help") {
      out << kUsage;
      return 0;
    } else if (is("--category")) {
      if (!value(&category_key)) return err << "缺少 --category 的值\n" << kUsage, 2;
    } else if (is("--source")) {
      if (!value(&source)) return err << "缺少 --source 的值\n" << kUsage, 2;
    } else if (is("--format")) {
      if (!value(&format)) return err << "缺少 --format 的值\n" << kUsage, 2;
    } else if (is("--policies")) {
      if (!value(&policies)) return err << "缺少 --policies 的值\n" << kUsage, 2;
    } else if (a.size() > 1 && a[0] == '-') {
      err << "未知选项：" << a << "\n" << kUsage;
      return 2;
    } else if (file.empty()) {
      file = a;
    } else {
      err << "只能检查一个文件\n" << kUsage;
      return 2;
    }
  }
  if (file.empty()) {
    err << "缺少要检查的文件\n" << kUsage;
    return 2;
  }
  if (format != "text" && format != "json") {
    err << "--format 只能是 text 或 json\n";
    return 2;
  }
  auto category = ParseCategory(category_key);
  if (!category) {
    err << "未知的信息类别：" << category_key << "\n" << kUsage;
    return 2;
  }
  if (policies.empty()) {
    const char* env = std::getenv("DISPATCHER_POLICIES");
    policies = env && *env ? std::string(env) + "/checks" : "policies/checks";
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    err << "无法读取文件：" << file << "\n";
    return 2;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string body = ss.str();
  if (!IsValidUtf8(body)) {
    err << "文件不是有效的 UTF-8：" << file << "\n";
    return 2;
  }
  if (!IsValidUtf8(source)) {
    err << "--source 不是有效的 UTF-8\n";
    return 2;
  }
  auto engine = CheckEngine::Load(policies);
  if (!engine.ok()) {
    err << "无法加载检查规则：" << engine.status().message() << "\n";
    return 2;
  }
  CheckInput input;
  input.category = *category;
  input.body = body;
  input.source = source;
  std::vector<Finding> findings = (*engine)->Run(input);
  bool blocking = AnyBlocking(findings);
  if (format == "json") {
    out << DumpJson(FindingsToJson(findings), 2) << "\n";
    return blocking ? 1 : 0;
  }
  size_t blocks = 0;
  for (const Finding& f : findings) {
    blocks += f.severity == "block";
    // Line and column (1-based, in characters) for people.
    std::string_view text = f.field == "body" ? std::string_view(body) : std::string_view(source);
    size_t line = 1, line_start = 0;
    for (size_t i = 0; i < f.start && i < text.size(); ++i)
      if (text[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    size_t col = CodePointCount(text.substr(line_start, f.start - line_start)) + 1;
    out << file << ":" << line << ":" << col << ": [" << (f.severity == "block" ? "阻断" : "提示")
        << "] " << RuleLabel(f.rule) << "（" << FieldLabel(f.field) << "） " << f.message;
    if (!f.suggestion.empty()) out << "  建议：" << f.suggestion;
    if (!f.overridable) out << "  （不可忽略）";
    out << "  [" << f.id << "]\n";
  }
  if (findings.empty()) {
    out << "未发现问题。\n";
  } else {
    out << "共 " << findings.size() << " 项，其中阻断 " << blocks << " 项、提示 "
        << findings.size() - blocks << " 项。\n";
  }
  return blocking ? 1 : 0;
}

}  // namespace gd::checks
