#include "dispatcher/checks/rules.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "dispatcher/core/crypto.h"
#include "dispatcher/core/json_util.h"
#include "dispatcher/core/utf8.h"

namespace gd::checks {

const std::string& FamilyConfig::Message(const std::string& kind) const {
  static const std::string kEmpty = "{text}";
  auto it = messages.find(kind);
  if (it != messages.end()) return it->second;
  it = messages.find("default");
  return it != messages.end() ? it->second : kEmpty;
}

namespace {

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t at = s.find(sep, start);
    out.emplace_back(
        s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return out;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

struct Line {
  int number;
  std::vector<std::string> cols;
};

Status Err(const std::string& file, int line, const std::string& what) {
  return InvalidArgument("规则文件 " + file + " 第 " + std::to_string(line) + " 行：" + what);
}

// Non-comment, non-blank lines split on tabs.
std::vector<Line> TsvLines(const std::string& content) {
  std::vector<Line> out;
  int n = 0;
  for (const std::string& raw : Split(content, '\n')) {
    ++n;
    std::string line = Trim(raw);
    if (line.empty() || line[0] == '#') continue;
    Line l{n, {}};
    for (auto& c : Split(line, '\t')) l.cols.push_back(Trim(c));
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  for (auto& x : Split(s, '|')) {
    std::string t = Trim(x);
    if (!t.empty()) out.push_back(t);
  }
  return out;
}

Status CheckColumns(const std::string& file, const Line& l, size_t min, size_t max) {
  if (l.cols.size() < min || l.cols.size() > max)
    return Err(file, l.number,
               "应有 " + std::to_string(min) + "–" + std::to_string(max) +
                   " 列（以制表符分隔），实有 " + std::to_string(l.cols.size()) + " 列");
  if (l.cols[0].empty()) return Err(file, l.number, "第 1 列为空");
  return Status::Ok();
}

Status CheckSeverity(const std::string& file, const Line& l, const std::string& sev) {
  if (sev.empty() || sev == "block" || sev == "warn") return Status::Ok();
  return Err(file, l.number, "级别应为 block 或 warn，而不是 “" + sev + "”");
}

// term [exceptions]
Status ParseSecret(const std::string& file, const std::string& content, RuleSet* rs) {
  for (const Line& l : TsvLines(content)) {
    GD_RETURN_IF_ERROR(CheckColumns(file, l, 1, 2));
    TermRule r;
    r.term = l.cols[0];
    if (l.cols.size() > 1) r.exceptions = SplitList(l.cols[1]);
    r.kind = "marking";
    r.where = file + ":" + std::to_string(l.number);
    rs->secret_markings.push_back(std::move(r));
  }
  return Status::Ok();
}

// term category severity [exceptions]
Status ParseSensitive(const std::string& file, const std::string& content, RuleSet* rs) {
  for (const Line& l : TsvLines(content)) {
    GD_RETURN_IF_ERROR(CheckColumns(file, l, 3, 4));
    if (l.cols[1].empty()) return Err(file, l.number, "第 2 列（类别）为空");
    GD_RETURN_IF_ERROR(CheckSeverity(file, l, l.cols[2]));
    if (l.cols[2].empty()) return Err(file, l.number, "第 3 列（级别）为空");
    TermRule r;
    r.term = l.cols[0];
    r.kind = l.cols[1];
    r.severity = l.cols[2];
    if (l.cols.size() > 3) r.exceptions = SplitList(l.cols[3]);
    r.where = file + ":" + std::to_string(l.number);
    rs->sensitive_words.push_back(std::move(r));
  }
  return Status::Ok();
}

// wrong right kind severity [exceptions]
Status ParseExpression(const std::string& file, const std::string& content, RuleSet* rs) {
  for (const Line& l : TsvLines(content)) {
    GD_RETURN_IF_ERROR(CheckColumns(file, l, 4, 5));
    if (l.cols[1].empty()) return Err(file, l.number, "第 2 列（正确表述）为空");
    if (l.cols[2].empty()) return Err(file, l.number, "第 3 列（类型）为空");
    GD_RETURN_IF_ERROR(CheckSeverity(file, l, l.cols[3]));
    TermRule r{l.cols[0], l.cols[1], l.cols[2],
               l.cols[3], {},        file + ":" + std::to_string(l.number)};
    if (l.cols.size() > 4) r.exceptions = SplitList(l.cols[4]);
    rs->expressions.push_back(std::move(r));
  }
  return Status::Ok();
}

// wrong right [exceptions]
Status ParseTypo(const std::string& file, const std::string& content, RuleSet* rs) {
  for (const Line& l : TsvLines(content)) {
    GD_RETURN_IF_ERROR(CheckColumns(file, l, 2, 3));
    if (l.cols[1].empty()) return Err(file, l.number, "第 2 列（正确写法）为空");
    if (l.cols[0] == l.cols[1]) return Err(file, l.number, "错误写法与正确写法相同");
    TermRule r{l.cols[0], l.cols[1], "confusion", "", {}, file + ":" + std::to_string(l.number)};
    if (l.cols.size() > 2) r.exceptions = SplitList(l.cols[2]);
    rs->typos.push_back(std::move(r));
  }
  return Status::Ok();
}

// name titles rank
Status ParseLeaders(const std::string& file, const std::string& content, RuleSet* rs) {
  for (const Line& l : TsvLines(content)) {
    GD_RETURN_IF_ERROR(CheckColumns(file, l, 3, 3));
    LeaderRule r;
    r.name = l.cols[0];
    r.titles = SplitList(l.cols[1]);
    if (r.titles.empty()) return Err(file, l.number, "第 2 列（职务）为空");
    try {
      size_t used = 0;
      r.rank = std::stoi(l.cols[2], &used);
      if (used != l.cols[2].size()) throw std::invalid_argument("rank");
    } catch (const std::exception&) {
      return Err(file, l.number, "第 3 列（排序）应为整数");
    }
    rs->leaders.push_back(std::move(r));
  }
  return Status::Ok();
}

// code name
Status ParseRegions(const std::string& file, const std::string& content, RuleSet* rs) {
  for (const Line& l : TsvLines(content)) {
    GD_RETURN_IF_ERROR(CheckColumns(file, l, 1, 2));
    const std::string& code = l.cols[0];
    bool digits =
        std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || (code.size() != 2 && code.size() != 4 && code.size() != 6))
      return Err(file, l.number, "行政区划代码应为 2、4 或 6 位数字：“" + code + "”");
    rs->id_regions.insert(code);
    if (code.size() >= 4) {
      rs->id_regions.insert(code.substr(0, 2) + "*");
      rs->id_regions.insert(code.substr(0, 4));
    }
  }
  for (const auto& c : rs->id_regions)
    if (c.size() == 4 && !rs->id_regions.count(c.substr(0, 2)))
      return InvalidArgument("规则文件 " + file + "：代码 " + c + " 所属的省级代码 " +
                             c.substr(0, 2) + " 未列出");
  return Status::Ok();
}

Status ParseDomains(const std::string& file, const std::string& content, RuleSet* rs) {
  for (const Line& l : TsvLines(content)) {
    GD_RETURN_IF_ERROR(CheckColumns(file, l, 1, 1));
    std::string d = l.cols[0];
    std::transform(d.begin(), d.end(), d.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    bool ok = d.find('.') != std::string::npos && d.front() != '.' && d.back() != '.';
    for (char c : d)
      ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.');
    if (!ok) return Err(file, l.number, "域名格式不正确：“" + l.cols[0] + "”");
    rs->link_domains.push_back(d);
  }
  return Status::Ok();
}

Status ParseWords(const std::string& file, const std::string& content,
                  std::vector<std::string>* out) {
  for (const Line& l : TsvLines(content)) {
    GD_RETURN_IF_ERROR(CheckColumns(file, l, 1, 1));
    out->push_back(l.cols[0]);
  }
  return Status::Ok();
}

// traditional simplified (one character each)
Status ParseVariants(const std::string& file, const std::string& content, RuleSet* rs) {
  for (const Line& l : TsvLines(content)) {
    GD_RETURN_IF_ERROR(CheckColumns(file, l, 2, 2));
    if (CodePointCount(l.cols[0]) != 1 || CodePointCount(l.cols[1]) != 1)
      return Err(file, l.number, "每列应恰好是一个字符");
    size_t a = 0, b = 0;
    char32_t from = DecodeUtf8(l.cols[0], &a), to = DecodeUtf8(l.cols[1], &b);
    if (from < 0x80 || to < 0x80) return Err(file, l.number, "异体字映射不能涉及 ASCII 字符");
    rs->variants[from] = to;
  }
  return Status::Ok();
}

Status ParseFamilies(const std::string& file, const std::string& content, RuleSet* rs) {
  auto parsed = ParseJson(content);
  if (!parsed.ok()) return InvalidArgument("规则文件 " + file + "：" + parsed.status().message());
  const Json& j = *parsed;
  if (!j.is_object()) return InvalidArgument("规则文件 " + file + "：顶层应为对象");
  for (const char* fam : kFamilies) {
    std::string f = fam;
    if (!j.contains(f) || !j[f].is_object())
      return InvalidArgument("规则文件 " + file + "：缺少规则族 “" + f + "”");
    const Json& o = j[f];
    FamilyConfig c;
    if (!o.contains("severity") || !o["severity"].is_string() ||
        (o["severity"] != "block" && o["severity"] != "warn"))
      return InvalidArgument("规则文件 " + file + "：" + f +
                             ".severity 应为 \"block\" 或 \"warn\"");
    c.severity = o["severity"].get<std::string>();
    if (o.contains("overridable")) {
      if (!o["overridable"].is_boolean())
        return InvalidArgument("规则文件 " + file + "：" + f + ".overridable 应为布尔值");
      c.overridable = o["overridable"].get<bool>();
    }
    if (!o.contains("messages") || !o["messages"].is_object() || o["messages"].empty())
      return InvalidArgument("规则文件 " + file + "：" + f + ".messages 应为非空对象");
    for (auto it = o["messages"].begin(); it != o["messages"].end(); ++it) {
      if (!it.value().is_string() || it.value().get<std::string>().empty())
        return InvalidArgument("规则文件 " + file + "：" + f + ".messages." + it.key() +
                               " 应为非空字符串");
      c.messages[it.key()] = it.value().get<std::string>();
    }
    rs->families[f] = std::move(c);
  }
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!rs->families.count(it.key()))
      return InvalidArgument("规则文件 " + file + "：未知的规则族 “" + it.key() + "”");
  // Secret markings are never overridable (art. 6), whatever the file says.
  rs->families["secret_marking"].overridable = false;
  return Status::Ok();
}

}  // namespace

StatusOr<RuleSet> LoadRuleSet(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return InvalidArgument("规则目录不存在：" + dir.string());
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (!e.is_regular_file()) continue;
    std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (name.size() > 3 && name.substr(name.size() - 3) == ".md") continue;
    names.push_back(name);
  }
  if (ec) return InvalidArgument("无法读取规则目录 " + dir.string() + "：" + ec.message());
  std::sort(names.begin(), names.end());

  static const char* const kRequired[] = {
      "families.json",  "secret_marking.tsv", "expression.tsv",  "typo.tsv",    "leaders.tsv",
      "id_regions.tsv", "link_domains.txt",   "share_words.txt", "variants.tsv"};
  for (const char* r : kRequired)
    if (!std::binary_search(names.begin(), names.end(), std::string(r)))
      return InvalidArgument("规则目录 " + dir.string() + " 缺少文件 " + r);

  RuleSet rs;
  std::string hashed;
  // families.json first so the dictionaries can rely on it.
  std::stable_partition(names.begin(), names.end(),
                        [](const std::string& n) { return n == "families.json"; });
  for (const std::string& name : names) {
    std::ifstream in(dir / name, std::ios::binary);
    if (!in) return InvalidArgument("无法读取规则文件 " + name);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string content = ss.str();
    if (!IsValidUtf8(content)) return InvalidArgument("规则文件 " + name + " 不是有效的 UTF-8");
    Status st;
    if (name == "families.json")
      st = ParseFamilies(name, content, &rs);
    else if (name == "secret_marking.tsv")
      st = ParseSecret(name, content, &rs);
    else if (name.rfind("sensitive_words", 0) == 0 && name.size() > 4 &&
             name.substr(name.size() - 4) == ".tsv")
      st = ParseSensitive(name, content, &rs);
    else if (name == "expression.tsv")
      st = ParseExpression(name, content, &rs);
    else if (name == "typo.tsv")
      st = ParseTypo(name, content, &rs);
    else if (name == "leaders.tsv")
      st = ParseLeaders(name, content, &rs);
    else if (name == "id_regions.tsv")
      st = ParseRegions(name, content, &rs);
    else if (name == "link_domains.txt")
      st = ParseDomains(name, content, &rs);
    else if (name == "share_words.txt")
      st = ParseWords(name, content, &rs.share_words);
    else if (name == "variants.tsv")
      st = ParseVariants(name, content, &rs);
    else
      st = InvalidArgument("规则目录中有未知的规则文件：" + name);
    GD_RETURN_IF_ERROR(st);
    rs.files.push_back(name);
    hashed += name;
    hashed.push_back('\0');
    hashed += Sha256Hex(content);
    hashed.push_back('\n');
  }
  rs.version = Sha256Hex(hashed);
  return rs;
}

}  // namespace gd::checks
