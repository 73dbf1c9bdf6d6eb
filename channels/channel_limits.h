// The channels' limits as data (policies/channel_limits.json), parsed and validated once at
// start-up. Character counts are Unicode code points; byte limits are inclusive maxima.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"

namespace gd::channels {

// One platform's section ("<kind>") of the limits document, read by the platform's own code
// (its formatter factory): each field is optional (the platform's default stands), and an error
// names the file and the field path.
class LimitsSection {
 public:
  LimitsSection(const Json* section, std::string file, std::string name)
      : section_(section), file_(std::move(file)), name_(std::move(name)) {}
  // A positive integer.
  Status Int(std::string_view field, int64_t* out) const;
  // A non-empty array of non-empty strings.
  Status Strings(std::string_view field, std::vector<std::string>* out) const;
  // The raw value, or nullptr when absent.
  const Json* Find(std::string_view field) const;
  // kInvalidArgument: "<file>：字段 <name>.<field> <what>".
  Status Error(std::string_view field, std::string_view what) const;

 private:
  const Json* section_;  // null: the document has no such section
  std::string file_;
  std::string name_;
};

// The limits document. Each platform reads its own section ("<kind>", through Section) in its
// formatter factory, with its own defaults and checks (channels/<kind>/formatter.cc): the
// registry builds every formatter at start-up, so a bad value still stops the start, naming
// the file and the field.
struct ChannelLimits {
  Json doc = Json::object();  // the whole document, for the sections read by kind
  std::string file;           // where it came from, for error messages
  // The section of `kind` (empty when the document has none).
  LimitsSection Section(std::string_view kind) const;
};

// Takes the limits document (a JSON object; its sections are the platforms' to read). Errors are
// kInvalidArgument naming `file`.
StatusOr<ChannelLimits> ParseChannelLimits(const Json& doc, const std::string& file);
StatusOr<ChannelLimits> LoadChannelLimits(const std::filesystem::path& file);

}  // namespace gd::channels
