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
#include <memory>
#include <optional>
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
  // null and false are falsy). kNotFound for an unknown name. Thread-safe (const); the templates
  // are parsed once, at load, with their partials inlined.
  StatusOr<std::string> Render(std::string_view name, const Json& data) const;

  bool Has(std::string_view name) const { return templates_.count(std::string(name)) > 0; }
  // A data asset, or nullptr.
  const Json* Asset(std::string_view name) const;
  // The sample data of a template, or nullptr.
  const Json* Sample(std::string_view name) const;

 private:
  class Parsed;  // a parsed template and a pool of copies to render with (templates.cc)
  struct Template {
    std::string source;
    Json sample;
    bool plain_text = false;
    // Set for every template but partials, unless the template or a partial it includes
    // changes the delimiters ({{=<% %>=}}): such a template is parsed on each render.
    std::shared_ptr<Parsed> parsed;
  };
  StatusOr<std::string> RenderTemplate(const std::string& name, const Template& t,
                                       const Json& data) const;
  // Checks `t` (not yet or already in templates_; partials are looked up there) and parses it.
  Status Validate(const std::string& name, Template* t, const std::string& file) const;
  // Sets t->parsed from t->source with its partials inlined. Errors name neither template nor file.
  Status Parse(const std::string& name, Template* t) const;
  // `source` with each partial tag replaced by the partial's source, recursively; nullopt when a
  // delimiter change makes the tags unreadable to a plain scan.
  StatusOr<std::optional<std::string>> InlinePartials(const std::string& channel,
                                                      std::string_view source, int depth) const;
  // The partial `key` ("_head") of `channel`, or nullptr.
  const std::pair<const std::string, Template>* FindPartial(const std::string& channel,
                                                            std::string_view key) const;

  std::map<std::string, Template, std::less<>> templates_;
  std::map<std::string, Json, std::less<>> assets_;
};

}  // namespace gd::render
