// `dispatcher archive`: a unit's monthly review records (art. 10-3) written to a file.
#pragma once

#include <string>

#include "dispatcher/app/app.h"

namespace gd {

// `dispatcher archive --unit U --month YYYY-MM --out F`: U is a unit id or name; the format
// follows F's extension (.xlsx, .csv or .json). Returns the process exit code (0 ok, 2 error).
int RunArchiveCli(App& app, const std::string& unit, const std::string& month,
                  const std::string& out);

}  // namespace gd
