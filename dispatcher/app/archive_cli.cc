#include "dispatcher/app/archive_cli.h"

#include <fstream>
#include <iostream>

namespace gd {

int RunArchiveCli(App& app, const std::string& unit, const std::string& month,
                  const std::string& out) {
  auto fail = [](const Status& s) {
    std::cerr << "错误：" << s.message() << "\n";
    return 2;
  };
  RecordsService* records = &app.records();
  auto parsed = ParseMonth(month, "--month");
  if (!parsed.ok()) return fail(parsed.status());
  int64_t unit_id = 0;
  if (!unit.empty() && unit.size() <= 15 &&
      unit.find_first_not_of("0123456789") == std::string::npos) {
    unit_id = std::stoll(unit);
  } else {
    auto units = app.accounts().ListUnits();
    if (!units.ok()) return fail(units.status());
    for (const auto& u : *units)
      if (u.name == unit) unit_id = u.id;
    if (unit_id == 0) return fail(NotFound("单位不存在：" + unit));
  }
  auto a = records->BuildArchive(unit_id, *parsed);
  if (!a.ok()) return fail(a.status());
  std::string ext = std::filesystem::path(out).extension().string();
  std::string bytes;
  if (ext == ".csv") {
    bytes = ArchiveCsv(a->sheet);
  } else if (ext == ".json") {
    bytes = DumpJson({{"unit_id", a->unit_id},
                      {"unit_name", a->sheet.unit_name},
                      {"month", a->sheet.month},
                      {"items", a->items},
                      {"total", a->items.size()}},
                     2);
  } else if (ext == ".xlsx") {
    auto x = records->ArchiveXlsxBytes(*a);
    if (!x.ok()) return fail(x.status());
    bytes = std::move(x).value();
  } else {
    return fail(InvalidArgument("--out 的扩展名应为 .xlsx、.csv 或 .json"));
  }
  std::ofstream f(out, std::ios::binary);
  f << bytes;
  f.close();
  if (!f) return fail(Internal("无法写入 " + out));
  std::cout << "已导出 " << a->sheet.unit_name << " " << a->sheet.month_label << " 的审核记录 "
            << a->sheet.rows.size() << " 条到 " << out << "\n";
  return 0;
}

}  // namespace gd
