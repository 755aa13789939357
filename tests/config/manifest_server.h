// Owns: ManifestServer, a real HTTP server on 127.0.0.1 (an ephemeral port) serving one
// manifest URL whose status and body a test sets, and recording the headers of each request:
// the far side of the http source in its tests.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <httplib.h>

#include "common/strings.h"

namespace cubelet::config {

class ManifestServer {
 public:
  ManifestServer() {
    server_.Get("/pods", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> l(mu_);
      requests_.push_back(req.headers);
      res.status = status_;
      res.set_content(body_, "application/yaml");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~ManifestServer() { Stop(); }

  std::string Url() const { return StrCat("http://127.0.0.1:", port_, "/pods"); }
  void Serve(std::string body, int status = 200) {
    std::lock_guard<std::mutex> l(mu_);
    body_ = std::move(body);
    status_ = status;
  }
  void Stop() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }
  std::vector<httplib::Headers> Requests() const {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::string body_;
  int status_ = 200;
  std::vector<httplib::Headers> requests_;
};

}  // namespace cubelet::config
