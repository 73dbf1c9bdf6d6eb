// The monthly archive of review records (art. 10-3) as files people hand in: CSV (UTF-8 with
// BOM, so Excel opens it as Chinese text) and XLSX formatted for printing. Pure: rows in,
// bytes out.
#pragma once

#include <string>
#include <vector>

#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"

namespace gd {

// One review decision, already in the words people read.
struct ArchiveRow {
  int64_t ticket_id = 0;
  int version = 0;
  std::string title;
  std::string category;  // 工作动态 ...
  std::string column;    // 栏目
  std::string channels;  // account names, 、-separated
  std::string step;      // 初审 / 复审 / 终审 ...
  std::string reviewer;  // the reviewer's name
  std::string decision;  // 通过 / 退回
  std::string decided_at;
  std::vector<std::string> checklist;  // one mark per checklist item: √ confirmed, × not
  std::string comment;
  std::string published_at;  // empty when not published
  std::string links;         // public URLs, one per line
  std::string note;          // e.g. 此后内容已修改，该审核意见已失效
};

struct ArchiveSheet {
  std::string unit_name;
  std::string month;        // YYYY-MM
  std::string month_label;  // 2026年10月
  std::string generated_at;
  std::vector<std::string> checklist_headers;  // short Chinese headers, one per item
  std::vector<ArchiveRow> rows;
};

// The column headers, in file order.
std::vector<std::string> ArchiveHeaders(const ArchiveSheet& sheet);
// RFC 4180 CSV with a UTF-8 BOM and CRLF line ends.
std::string ArchiveCsv(const ArchiveSheet& sheet);
// An .xlsx workbook; `tmp_dir` holds the intermediate file.
StatusOr<std::string> ArchiveXlsx(const ArchiveSheet& sheet, const std::string& tmp_dir);
// A file name like 市应急管理局-2026-10-审核记录.xlsx.
std::string ArchiveFileName(const ArchiveSheet& sheet, const std::string& ext);

// CSV quoting of one field.
std::string CsvField(const std::string& v);

}  // namespace gd
