// Owns: the agent's HTTP endpoints without an API server: the read-only port (GET /pods, a v1
// PodList of the pods the agent runs with their status, as upstream's kubelet serves it; and
// /healthz) and the healthz port (/healthz). httplib stays inside this library.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "api/types.h"
#include "common/logger.h"

namespace cubelet::server {

struct NodeServerHandlers {
  std::function<std::vector<api::Pod>()> pods;  // the pods to list, status filled in
  std::function<absl::Status()> healthz;        // OK when the agent is healthy
  std::function<std::string()> probe_metrics;   // /metrics/probes, Prometheus text; may be empty
};

// Serves on `address:port` until destroyed. Start fails (with the address) when it cannot listen.
class NodeHttpServer {
 public:
  NodeHttpServer(std::string address, int port, bool serve_pods, NodeServerHandlers handlers, Logger logger);
  ~NodeHttpServer();
  absl::Status Start();
  int port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string address_;
  int port_;
  bool serve_pods_;
  NodeServerHandlers handlers_;
  Logger logger_;
  std::jthread thread_;
};

}  // namespace cubelet::server
