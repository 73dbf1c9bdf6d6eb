// Mustache templates (kainjow) loaded once from `templates/` and validated at start-up.
//
// Layout: `<dir>/<channel>/<name>.<ext>.mustache`, named "<channel>/<name>.<ext>" (e.g.
// "portal/article.html"). Each template needs a sibling `<name>.<ext>.sample.json` holding the
// sample data it is rendered with at load time; a template that does not parse, fails to render
// with its sample, or uses a variable its sample does not define fails the load with the file
// name. Templates whose file name starts with "_" are partials, usable from the templates of the
// same channel as `{{> _name}}` (e.g. `{{> _header}}`). Templates ending in `.txt.mustache` are
// plain text: `{{var}}` is not HTML-escaped there. Other `*.json` files are loaded as data
// assets (e.g. "wechat_mp/inline_styles.json").
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"

namespace gd::render {

class TemplateSet {
 public:
  TemplateSet() = default;

  // Loads and validates every template under `dir`. Errors are kInvalidArgument naming the file.
  static StatusOr<TemplateSet> Load(const std::filesystem::path& dir);

  // Adds one template from memory (tests); validated like a file, `sample` as its sample data.
  Status Add(std::string name, std::string source, const Json& sample);

  // Renders template `name` with `data` (JSON objects, arrays, strings, numbers and booleans;
  // null and false are falsy). kNotFound for an unknown name. Thread-safe (const).
  StatusOr<std::string> Render(std::string_view name, const Json& data) const;

  bool Has(std::string_view name) const { return templates_.count(std::string(name)) > 0; }
  // A data asset, or nullptr.
  const Json* Asset(std::string_view name) const;
  // The sample data of a template, or nullptr.
  const Json* Sample(std::string_view name) const;

 private:
  struct Template {
    std::string source;
    Json sample;
    bool plain_text = false;
  };
  StatusOr<std::string> RenderTemplate(const std::string& name, const Template& t,
                                       const Json& data) const;
  Status Validate(const std::string& name, const Template& t, const std::string& file) const;

  std::map<std::string, Template, std::less<>> templates_;
  std::map<std::string, Json, std::less<>> assets_;
};

}  // namespace gd::render
