#include "dispatcher/records/archive_format.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dispatcher/core/crypto.h"

namespace gd {

std::vector<std::string> ArchiveHeaders(const ArchiveSheet& sheet) {
  std::vector<std::string> h = {"序号", "工单号",   "标题",   "类别",     "栏目",    "发布渠道",
                                "版本", "审核环节", "审核人", "审核结论", "审核时间"};
  for (const auto& c : sheet.checklist_headers) h.push_back(c);
  for (const char* c : {"审核意见", "发布时间", "发布链接", "备注"}) h.push_back(c);
  return h;
}

namespace {

std::vector<std::string> RowCells(const ArchiveRow& r, size_t index) {
  std::vector<std::string> c = {std::to_string(index + 1),
                                std::to_string(r.ticket_id),
                                r.title,
                                r.category,
                                r.column,
                                r.channels,
                                "第" + std::to_string(r.version) + "版",
                                r.step,
                                r.reviewer,
                                r.decision,
                                r.decided_at};
  for (const auto& m : r.checklist) c.push_back(m);
  c.push_back(r.comment);
  c.push_back(r.published_at);
  c.push_back(r.links);
  c.push_back(r.note);
  return c;
}

}  // namespace

std::string CsvField(const std::string& v) {
  bool quote = v.find_first_of(",\"\r\n") != std::string::npos ||
               (!v.empty() && (v.front() == ' ' || v.back() == ' '));
  // A leading = + - @ would be read as a formula by spreadsheet programs: neutralise it.
  bool formula = !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@');
  std::string body = formula ? "'" + v : v;
  if (!quote) return body;
  std::string out = "\"";
  for (char ch : body) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string ArchiveCsv(const ArchiveSheet& sheet) {
  std::string out = "\xEF\xBB\xBF";
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) out += ',';
      out += CsvField(cells[i]);
    }
    out += "\r\n";
  };
  line(ArchiveHeaders(sheet));
  for (size_t i = 0; i < sheet.rows.size(); ++i) line(RowCells(sheet.rows[i], i));
  return out;
}

std::string ArchiveFileName(const ArchiveSheet& sheet, const std::string& ext) {
  return sheet.unit_name + "-" + sheet.month + "-审核记录." + ext;
}

namespace {

// Header/footer text: '&' starts a control code there.
std::string HeaderText(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += '&';
    out += c;
  }
  return out;
}

// Approximate display width in Excel character units (CJK counts double).
double DisplayWidth(const std::string& s) {
  double w = 0, line = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n') {
      w = std::max(w, line);
      line = 0;
      ++i;
      continue;
    }
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    line += len >= 3 ? 2.0 : 1.1;
    i += len;
  }
  return std::max(w, line);
}

}  // namespace

StatusOr<std::string> ArchiveXlsx(const ArchiveSheet& sheet, const std::string& tmp_dir) {
  std::filesystem::path file =
      std::filesystem::path(tmp_dir) / ("archive-" + HexEncode(RandomBytes(8)) + ".xlsx");
  lxw_workbook_options options = {};
  options.tmpdir = const_cast<char*>(tmp_dir.c_str());
  lxw_workbook* wb = workbook_new_opt(file.c_str(), &options);
  if (!wb) return Internal("无法创建 Excel 文件");

  lxw_doc_properties props = {};
  std::string title = sheet.unit_name + " " + sheet.month_label + " 网站及政务新媒体信息审核记录";
  props.title = const_cast<char*>(title.c_str());
  props.company = const_cast<char*>(sheet.unit_name.c_str());
  workbook_set_properties(wb, &props);

  lxw_worksheet* ws = workbook_add_worksheet(wb, "审核记录");
  lxw_format* title_fmt = workbook_add_format(wb);
  format_set_bold(title_fmt);
  format_set_font_size(title_fmt, 16);
  format_set_align(title_fmt, LXW_ALIGN_CENTER);
  format_set_align(title_fmt, LXW_ALIGN_VERTICAL_CENTER);
  lxw_format* sub_fmt = workbook_add_format(wb);
  format_set_font_size(sub_fmt, 10);
  lxw_format* head_fmt = workbook_add_format(wb);
  format_set_bold(head_fmt);
  format_set_text_wrap(head_fmt);
  format_set_align(head_fmt, LXW_ALIGN_CENTER);
  format_set_align(head_fmt, LXW_ALIGN_VERTICAL_CENTER);
  format_set_bg_color(head_fmt, 0xD9E1F2);
  format_set_border(head_fmt, LXW_BORDER_THIN);
  lxw_format* cell_fmt = workbook_add_format(wb);
  format_set_text_wrap(cell_fmt);
  format_set_align(cell_fmt, LXW_ALIGN_VERTICAL_TOP);
  format_set_border(cell_fmt, LXW_BORDER_THIN);
  lxw_format* mark_fmt = workbook_add_format(wb);
  format_set_align(mark_fmt, LXW_ALIGN_CENTER);
  format_set_align(mark_fmt, LXW_ALIGN_VERTICAL_TOP);
  format_set_border(mark_fmt, LXW_BORDER_THIN);

  const std::vector<std::string> headers = ArchiveHeaders(sheet);
  const auto last_col = static_cast<lxw_col_t>(headers.size() - 1);
  const size_t n_check = sheet.checklist_headers.size();
  const size_t first_check = 11;

  // Widths: fixed for short columns, measured (and capped) for text.
  std::vector<double> widths(headers.size(), 10);
  const double fixed[] = {5, 8, 36, 10, 12, 18, 7, 10, 10, 9, 17};
  for (size_t i = 0; i < first_check; ++i) widths[i] = fixed[i];
  for (size_t i = 0; i < n_check; ++i) widths[first_check + i] = 5.5;
  widths[first_check + n_check] = 24;      // 审核意见
  widths[first_check + n_check + 1] = 17;  // 发布时间
  widths[first_check + n_check + 2] = 36;  // 发布链接
  widths[first_check + n_check + 3] = 16;  // 备注
  for (size_t c = 0; c < widths.size(); ++c)
    worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), widths[c],
                         nullptr);

  worksheet_set_row(ws, 0, 30, nullptr);
  worksheet_merge_range(ws, 0, 0, 0, last_col, title.c_str(), title_fmt);
  std::string sub = "单位：" + sheet.unit_name + "    月份：" + sheet.month_label + "    记录数：" +
                    std::to_string(sheet.rows.size()) + "    导出时间：" + sheet.generated_at;
  worksheet_merge_range(ws, 1, 0, 1, last_col, sub.c_str(), sub_fmt);
  worksheet_set_row(ws, 2, 32, nullptr);
  for (size_t c = 0; c < headers.size(); ++c)
    worksheet_write_string(ws, 2, static_cast<lxw_col_t>(c), headers[c].c_str(), head_fmt);

  for (size_t i = 0; i < sheet.rows.size(); ++i) {
    const auto row = static_cast<lxw_row_t>(3 + i);
    std::vector<std::string> cells = RowCells(sheet.rows[i], i);
    double lines = 1;
    for (size_t c = 0; c < cells.size(); ++c) {
      const bool mark = c >= first_check && c < first_check + n_check;
      const auto col = static_cast<lxw_col_t>(c);
      if (c == 0 || c == 1)
        worksheet_write_number(ws, row, col, std::stod(cells[c]), mark_fmt);
      else
        worksheet_write_string(ws, row, col, cells[c].c_str(), mark ? mark_fmt : cell_fmt);
      lines = std::max(lines, std::ceil(DisplayWidth(cells[c]) / std::max(1.0, widths[c] - 1)));
    }
    worksheet_set_row(ws, row, std::min(15.0 * lines, 200.0), nullptr);
  }

  worksheet_freeze_panes(ws, 3, 0);
  worksheet_repeat_rows(ws, 2, 2);
  worksheet_set_landscape(ws);
  worksheet_set_paper(ws, 9);  // A4
  worksheet_set_margins(ws, 0.4, 0.4, 0.7, 0.7);
  worksheet_fit_to_pages(ws, 1, 0);
  std::string header = "&L" + HeaderText("单位：" + sheet.unit_name) + "&C" +
                       HeaderText(sheet.month_label + " 信息审核记录") + "&R" +
                       HeaderText("按月归档（第十条第三项）");
  std::string footer = "&L" + HeaderText(sheet.unit_name + " " + sheet.month) +
                       "&C第 &P 页，共 &N 页&R" + HeaderText("导出：" + sheet.generated_at);
  worksheet_set_header(ws, header.c_str());
  worksheet_set_footer(ws, footer.c_str());
  if (!sheet.rows.empty())
    worksheet_autofilter(ws, 2, 0, static_cast<lxw_row_t>(2 + sheet.rows.size()), last_col);

  lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) {
    std::error_code ec;
    std::filesystem::remove(file, ec);
    return Internal(std::string("生成 Excel 文件失败：") + lxw_strerror(err));
  }
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::error_code ec;
  std::filesystem::remove(file, ec);
  if (!in) return Internal("读取生成的 Excel 文件失败");
  return ss.str();
}

}  // namespace gd
