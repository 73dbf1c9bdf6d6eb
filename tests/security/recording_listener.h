// A stand-in for "somewhere else": an HTTP listener on a loopback port that answers 404 to
// everything and records every request it receives (line, headers and body), so a test can
// assert what a client sent it, or that nothing came at all.
#pragma once

#include <httplib.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gd::testing {

class RecordingListener {
 public:
  RecordingListener() {
    auto record = [this](const httplib::Request& req, httplib::Response& res) {
      std::string all = req.method + " " + req.target + "\n";
      for (const auto& [k, v] : req.headers) all += k + ": " + v + "\n";
      all += "\n" + req.body;
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(std::move(all));
      }
      res.status = 404;
      res.set_content(R"({"error":"not here"})", "application/json");
    };
    server_.Get(".*", record);
    server_.Post(".*", record);
    server_.Put(".*", record);
    server_.Delete(".*", record);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // cpp-httplib 0.11 has no wait_until_ready(): the socket already listens (connections
    // queue), this only waits for the accept loop so that stop() cannot race its start.
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~RecordingListener() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  RecordingListener(const RecordingListener&) = delete;
  RecordingListener& operator=(const RecordingListener&) = delete;

  // "http://127.0.0.1:PORT"
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  // Whether any recorded request contains `needle` anywhere (line, headers or body).
  bool Saw(const std::string& needle) const {
    for (const auto& r : requests())
      if (r.find(needle) != std::string::npos) return true;
    return false;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<std::string> requests_;
};

}  // namespace gd::testing
