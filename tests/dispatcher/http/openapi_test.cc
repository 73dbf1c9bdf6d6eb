// docs/openapi.yaml against the server's own route table: every route described, every
// described operation a route, the roles and the password-expiry flag as the route checks them,
// at least one error answer per operation; and GET /api/openapi.json served as the document.
#include "dispatcher/http/openapi.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "dispatcher/core/json_util.h"
#include "dispatcher/http/routes/routes.h"
#include "dispatcher/http/server.h"

namespace gd {
namespace {

// "/api/users/(\d+)/unlock" -> "/api/users/{}/unlock": each capture group becomes a slot.
std::string SlotsOfPattern(const std::string& pattern) {
  std::string out;
  int depth = 0;
  for (char c : pattern) {
    if (c == '(') {
      if (depth++ == 0) out += "{}";
    } else if (c == ')') {
      --depth;
    } else if (depth == 0) {
      out += c;
    }
  }
  return out;
}

// "/api/users/{id}/unlock" -> "/api/users/{}/unlock".
std::string SlotsOfTemplate(const std::string& path) {
  return std::regex_replace(path, std::regex(R"(\{[^}]*\})"), "{}");
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

const Json& Document() {
  static const Json* doc = new Json(Json::parse(OpenApiJson()));
  return *doc;
}

struct Operation {
  std::string path;  // as written in the document
  const Json* op;
};

// "GET /api/users/{}" -> the operation.
std::map<std::string, Operation> Operations() {
  static const std::set<std::string> kMethods = {"get", "put", "post", "patch", "delete"};
  std::map<std::string, Operation> out;
  for (const auto& [path, item] : Document().at("paths").items())
    for (const auto& [method, op] : item.items())
      if (kMethods.count(method)) out[Upper(method) + " " + SlotsOfTemplate(path)] = {path, &op};
  return out;
}

std::string KeyOf(const Route& r) { return r.method + " " + SlotsOfPattern(r.path); }

// A parameter, with a $ref to components/parameters resolved.
const Json& Resolve(const Json& p) {
  if (!p.contains("$ref")) return p;
  const std::string ref = p.at("$ref").get<std::string>();
  const std::string prefix = "#/components/parameters/";
  EXPECT_EQ(ref.rfind(prefix, 0), 0u) << ref;
  return Document().at("components").at("parameters").at(ref.substr(prefix.size()));
}

TEST(OpenApi, DocumentIsOpenApi31) {
  EXPECT_EQ(Document().at("openapi").get<std::string>().rfind("3.1", 0), 0u);
  EXPECT_TRUE(Document().at("components").at("schemas").contains("Error"));
}

TEST(OpenApi, EveryRouteIsDescribedAndEveryDescriptionIsARoute) {
  const auto ops = Operations();
  std::set<std::string> routes;
  for (const Route& r : RouteTable()) {
    routes.insert(KeyOf(r));
    EXPECT_TRUE(ops.count(KeyOf(r)))
        << "route without a description in docs/openapi.yaml: " << r.method << " " << r.path;
  }
  for (const auto& [key, op] : ops)
    EXPECT_TRUE(routes.count(key))
        << "docs/openapi.yaml describes a route the server does not have: "
        << key.substr(0, key.find(' ')) << " " << op.path;
}

TEST(OpenApi, EveryOperationNamesItsRolesAndAnError) {
  for (const auto& [key, o] : Operations()) {
    const Json& op = *o.op;
    ASSERT_TRUE(op.contains("x-roles") && op["x-roles"].is_array() && !op["x-roles"].empty())
        << key << " (" << o.path << ") has no x-roles";
    EXPECT_TRUE(op.contains("summary")) << key << " has no summary";
    bool error = false;
    for (const auto& [code, response] : op.at("responses").items()) {
      ASSERT_EQ(code.size(), 3u) << key << ": response " << code;
      error = error || code >= "400";
    }
    EXPECT_TRUE(error) << key << " (" << o.path << ") lists no error response";
  }
}

TEST(OpenApi, RolesAndPasswordExpiryAreWhatTheRouteChecks) {
  const auto ops = Operations();
  std::set<std::string> known = {"anonymous", "signed_in"};
  for (Role r : AllRoles()) known.insert(std::string(RoleKey(r)));
  for (const Route& r : RouteTable()) {
    auto it = ops.find(KeyOf(r));
    if (it == ops.end()) continue;  // reported by the completeness test
    const Json& op = *it->second.op;
    if (!op.contains("x-roles")) continue;
    std::set<std::string> described;
    for (const auto& value : op["x-roles"]) {
      const std::string role = value.get<std::string>();
      EXPECT_TRUE(known.count(role)) << KeyOf(r) << ": unknown role " << role;
      described.insert(role);
    }
    const std::string where = r.method + " " + r.path;
    if (r.public_route) {
      // A public route may name the roles its handler checks itself (/metrics off loopback).
      EXPECT_TRUE(described.count("anonymous")) << where << " is public: x-roles needs anonymous";
      EXPECT_FALSE(described.count("signed_in")) << where;
    } else if (r.roles.empty()) {
      EXPECT_EQ(described, std::set<std::string>{"signed_in"}) << where;
    } else {
      std::set<std::string> expected;
      for (Role role : r.roles) expected.insert(std::string(RoleKey(role)));
      EXPECT_EQ(described, expected) << where;
    }
    EXPECT_EQ(op.value("x-password-expired-allowed", false), r.allow_password_expired) << where;
  }
}

TEST(OpenApi, PathParametersAreDeclared) {
  for (const auto& [key, o] : Operations()) {
    std::set<std::string> declared;
    for (const auto& p : o.op->value("parameters", Json::array())) {
      const Json& param = Resolve(p);
      if (param.at("in") == "path") {
        const std::string name = param.at("name").get<std::string>();
        EXPECT_TRUE(param.value("required", false)) << key << ": " << name;
        declared.insert(name);
      }
    }
    std::set<std::string> in_path;
    std::regex slot(R"(\{([^}]*)\})");
    for (auto m = std::sregex_iterator(o.path.begin(), o.path.end(), slot);
         m != std::sregex_iterator(); ++m)
      in_path.insert((*m)[1].str());
    EXPECT_EQ(declared, in_path) << key << " (" << o.path << ")";
  }
}

TEST(OpenApi, ServedPubliclyAsJsonWithTheSecurityHeaders) {
  ServerOptions opt;
  opt.host = "127.0.0.1";
  opt.port = 0;
  HttpServer server(ApiDescriptionRoutes(), nullptr, opt);
  ASSERT_TRUE(server.Bind().ok());
  std::thread run([&] { server.Run(); });
  httplib::Client cli("127.0.0.1", server.port());
  auto res = cli.Get("/api/openapi.json");
  server.Stop();
  run.join();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(res->get_header_value("Content-Security-Policy"),
            "default-src 'none'; frame-ancestors 'none'; sandbox");
  EXPECT_EQ(res->get_header_value("X-Frame-Options"), "DENY");
  EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(res->get_header_value("Referrer-Policy"), "same-origin");
  Json served = Json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(served.is_discarded()) << "not JSON";
  EXPECT_EQ(served, Document());
  EXPECT_TRUE(served.at("paths").contains("/api/openapi.json"));
}

}  // namespace
}  // namespace gd
