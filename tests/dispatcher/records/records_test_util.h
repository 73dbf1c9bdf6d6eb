// Helpers for the records tests: seeding published pieces (through the store's repositories),
// and reading what the records produce (CSV, the XLSX zip).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dispatcher/store/db.h"

namespace gd::testing {

// Marks a ticket published at `at` (state, published_at) with one published dispatch per
// (account id, public URL), for its current version.
void MarkPublished(Store& store, int64_t ticket_id, TimeMs at,
                   const std::vector<std::pair<int64_t, std::string>>& links);

// RFC 4180 CSV into rows of fields. A leading UTF-8 BOM is reported through `had_bom`.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text, bool* had_bom);

// One entry of a zip archive (stored or deflated), or nullopt.
std::optional<std::string> ZipEntry(const std::string& zip, const std::string& name);

// The first worksheet of an .xlsx: cell reference ("A1") -> text, shared strings resolved.
std::map<std::string, std::string> XlsxCells(const std::string& xlsx);
// The same cells as rows (1-based row number -> values in column order, gaps as "").
std::map<int, std::vector<std::string>> XlsxRows(const std::string& xlsx);

}  // namespace gd::testing
