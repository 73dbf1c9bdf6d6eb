// What the review pipeline needs from the channels and the checks, as narrow interfaces.
// The composition root (main.cc) wires them to channels/ and dispatcher/checks/.
#pragma once

#include <string>
#include <vector>

#include "dispatcher/core/json_util.h"
#include "dispatcher/model/channel_account.h"
#include "dispatcher/model/content.h"

namespace gd {

struct RenderTarget {
  ChannelAccountRow account;
  std::string unit_name;
};

// Renders a content for each of its channels. Pure and deterministic.
class ContentRenderer {
 public:
  virtual ~ContentRenderer() = default;
  // Returns [{"account_id","kind","name","rendering":{...},"problems":[...]}] in channel order.
  virtual Json RenderAll(const Content& content, int64_t ticket_id, TimeMs publish_time,
                         const std::vector<RenderTarget>& targets) const = 0;
};

struct CheckRequest {
  Category category;
  std::string title, summary, body, source;
};

// Runs the automated checks (art. 6, 7, 11, 16). Thread-safe.
class ContentChecker {
 public:
  virtual ~ContentChecker() = default;
  // Findings in the docs/api.md §3.5 shape.
  virtual Json Run(const CheckRequest& req) const = 0;
  virtual std::string version() const = 0;
};

}  // namespace gd
