// Raw SQL on a database file, for tests that must reach under the repositories (tampering with
// rows, laying out a database as an older version left it). The only way tests outside
// tests/dispatcher/store/ speak SQL; everything else goes through the repositories.
#pragma once

#include <filesystem>
#include <string>

namespace gd::testing {

// Runs `sql` (one or more statements) on the database at `path`, on a connection of its own;
// a failure fails the calling test (gtest reports the exception).
void ExecSql(const std::filesystem::path& path, const std::string& sql);

// The first column of the first row `sql` answers, as text ("" when there is no row).
std::string QuerySql(const std::filesystem::path& path, const std::string& sql);

}  // namespace gd::testing
