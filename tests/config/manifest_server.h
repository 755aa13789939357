// Owns: LoopbackListener, which serves an httplib server (plain or TLS) on 127.0.0.1 at an
// ephemeral port from a thread of its own until stopped or destroyed; and ManifestServer, a real
// HTTP server serving one manifest URL whose status and body a test sets, recording the headers
// of each request: the far side of the http source in its tests.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <httplib.h>

#include "common/strings.h"

namespace cubelet::config {

class LoopbackListener {
 public:
  // Returns once `server` accepts connections; `server` must outlive the listener.
  explicit LoopbackListener(httplib::Server& server)
      : server_(server), port_(server.bind_to_any_port("127.0.0.1")), thread_([&server] { server.listen_after_bind(); }) {
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~LoopbackListener() { Stop(); }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  int port() const { return port_; }
  void Stop() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }

 private:
  httplib::Server& server_;
  int port_;
  std::thread thread_;
};

class ManifestServer {
 public:
  ManifestServer() {
    server_.Get("/pods", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> l(mu_);
      requests_.push_back(req.headers);
      res.status = status_;
      res.set_content(body_, "application/yaml");
    });
    listener_ = std::make_unique<LoopbackListener>(server_);
  }

  std::string Url() const { return StrCat("http://127.0.0.1:", listener_->port(), "/pods"); }
  void Serve(std::string body, int status = 200) {
    std::lock_guard<std::mutex> l(mu_);
    body_ = std::move(body);
    status_ = status;
  }
  void Stop() { listener_->Stop(); }
  std::vector<httplib::Headers> Requests() const {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }

 private:
  mutable std::mutex mu_;
  std::string body_;
  int status_ = 200;
  std::vector<httplib::Headers> requests_;
  httplib::Server server_;
  std::unique_ptr<LoopbackListener> listener_;  // last: stops before what the handler uses goes
};

}  // namespace cubelet::config
