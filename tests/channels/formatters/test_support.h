// Shared fixtures for the formatter tests: the project's templates and limits, the demo accounts
// of every built-in kind, and the articles of tests/testdata/articles.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "channels/builtin_channels.h"
#include "channels/channel.h"

namespace gd::channels::testing {

std::filesystem::path SourceDir();

// Loaded once per process; aborts the test binary when the project's data does not load.
const FormatterEnv& ProjectEnv();
const Formatter& ProjectFormatter(std::string_view kind);

// One account per kind, as the demo configures them.
const Account& TestAccount(std::string_view kind);

struct Article {
  std::string name;
  Content content;
  int64_t ticket_id = 0;
  TimeMs publish_time = 0;
  std::string unit_name;
};

// Every tests/testdata/articles/*.json, sorted by name. Each targets every built-in kind with
// the per-kind options of its "options" field.
std::vector<Article> LoadArticles();

// Renders `article` for `kind` with that kind's test account and options.
Rendering RenderArticle(const Article& article, std::string_view kind);

}  // namespace gd::channels::testing
