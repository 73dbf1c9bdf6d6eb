// `dispatcher check [--category C] [--source S] [--format text|json] [--policies DIR] FILE`
// (docs/api.md §5): the automated checks on a Markdown file.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace gd::checks {

// `args` are the arguments after "check". Returns the exit code: 0 nothing blocking, 1 something
// blocking, 2 usage or input error (message on `err`, in Chinese). `--policies` defaults to
// $DISPATCHER_POLICIES/checks when that variable is set, else ./policies/checks.
int RunCheckCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace gd::checks
