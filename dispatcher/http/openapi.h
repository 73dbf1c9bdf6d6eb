// The API's description: docs/openapi.yaml as compact JSON, converted at build time
// (scripts/openapi_to_cc.py, a CMake custom command) and compiled into the binary. Served at
// GET /api/openapi.json; tests/dispatcher/http/openapi_test.cc holds it against the route table.
#pragma once

#include <string_view>

namespace gd {

// The whole document, UTF-8 JSON. Static storage; valid for the life of the program.
std::string_view OpenApiJson();

}  // namespace gd
