#include "channels/portal/demo.h"

#include "channels/portal/sandbox.h"

namespace gd::channels::portal {
namespace {

Json Account(const std::string& /*base*/) {
  // The demo's and the tests' portal is the built-in one (the sandbox serves push mode).
  return {{"kind", "portal"},
          {"name", "市政府门户网站"},
          {"settings", {{"mode", "builtin"}, {"site_name", "XX市人民政府"}}}};
}

}  // namespace

sandbox::SandboxEntry Sandbox() { return {"portal", NewSandbox, Account, true}; }

}  // namespace gd::channels::portal
