// A whole App (system clock, fast retry settings) with every platform's sandbox in-process.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "channels/sandbox/server.h"
#include "dispatcher/app/app.h"

namespace gd::testing {

class DispatchWorld {
 public:
  struct Options {
    channels::sandbox::SandboxOptions sandbox;
    // Adjusts the dispatch settings (fast retries by default) before the App starts.
    std::function<void(DispatchConfig&)> tune;
    // Runs on every App this world creates, after Create and before Start.
    std::function<void(App&)> before_start;
  };
  // The world the Dispatch tests share (never torn down).
  static DispatchWorld& Get();
  // A world of its own: stopped, and its directory removed unless a test failed, when it goes.
  explicit DispatchWorld(Options options);
  ~DispatchWorld();
  DispatchWorld(const DispatchWorld&) = delete;
  DispatchWorld& operator=(const DispatchWorld&) = delete;

  std::unique_ptr<channels::sandbox::SandboxServer> sandbox;
  std::unique_ptr<App> app;
  std::filesystem::path dir;
  int64_t unit = 0;
  int64_t portal = 0, wechat = 0, weibo = 0, douyin = 0, kuaishou = 0, manual = 0;
  int64_t cover = 0, video = 0;
  AuthContext editor, reviewer, deputy, sitemgr, office, operator_;

  AppConfig Config() const;
  // Restarts the App on the same data (the sandboxes keep running).
  void Restart();
  // Creates a work_news ticket on `channels`, walks its chain, returns its id (approved; 0
  // after a test failure).
  int64_t Approved(const std::string& title, const std::vector<int64_t>& channels,
                   const std::string& body = "");
  Json Publish(int64_t id, const Json& body = {{"proofread", true}});
  // Polls until `pred` holds for the ticket's dispatches (or the deadline passes).
  Json WaitDispatches(int64_t id, const std::function<bool(const Json&)>& pred, int seconds = 20);
  Json Ticket(int64_t id);
  // Sandbox posts whose title or text contains `needle`.
  int Posts(const std::string& platform, const std::string& needle, bool include_deleted = true);

 private:
  AuthContext Actor(const std::string& username);
  Options options_;
};

bool AllIn(const Json& items, const std::string& state);

}  // namespace gd::testing
