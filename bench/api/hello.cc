#include <httplib.h>

#include "bench/api/bench.h"

namespace bench {

int ServeHello(int port, bool tuned) {
  httplib::Server srv;
  if (tuned) {
    // As far as cpp-httplib 0.11 goes: no Nagle, a pool larger than the number of keep-alive
    // connections (each holds a thread), and connections that are not recycled mid-run.
    srv.new_task_queue = [] { return new httplib::ThreadPool(64); };
    srv.set_tcp_nodelay(true);
    srv.set_keep_alive_max_count(1000000);
    srv.set_keep_alive_timeout(60);
  }
  srv.Get("/hello", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("Hello World!", "text/plain");
  });
  return srv.listen("127.0.0.1", port) ? 0 : 1;
}

WorkerFactory HelloWorkers(int port) {
  return [port](int) -> Worker {
    auto cli = std::make_shared<httplib::Client>("127.0.0.1", port);
    cli->set_keep_alive(true);
    cli->set_tcp_nodelay(true);
    cli->set_read_timeout(30, 0);
    return [cli](int, Recorder& rec) {
      uint64_t t0 = NowNs();
      auto res = cli->Get("/hello");
      uint64_t t1 = NowNs();
      if (!res || res->status != 200) {
        rec.Error("GET /hello -> " +
                  (res ? std::to_string(res->status) : httplib::to_string(res.error())));
        return false;
      }
      rec.Request("hello", t0, t1);
      rec.Operation(t0, t1);
      return true;
    };
  };
}

}  // namespace bench
