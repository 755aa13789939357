// Owns: Agent, cubelet's composition root: it builds the node's parts from the configuration
// (static pod source, pod config, pod workers, runtime manager, PLEG, prober, housekeeping,
// container GC, status, HTTP endpoints), connects them, starts their loops on one timer queue,
// and stops them when asked. It holds no pod logic and no loop of its own.
// Does not own: flag parsing (config/) or process signals (cubelet_main.cc).
#pragma once

#include <memory>
#include <stop_token>

#include "absl/status/status.h"
#include "common/clock.h"
#include "common/logger.h"
#include "kubeletconfig/flags.h"
#include "kubeletconfig/kubelet_configuration.h"
#include "cri/runtime_service.h"

namespace cubelet {

struct AgentDependencies {
  Logger logger;
  Clock* clock;
  std::unique_ptr<cri::RuntimeService> runtime;
  std::unique_ptr<cri::ImageService> images;
};

class Agent {
 public:
  Agent(kubeletconfig::KubeletConfiguration config, kubeletconfig::NodeOptions options, AgentDependencies deps);

  // Runs until `stop` is requested. Returns an error only for a failure that makes running
  // impossible (a port that cannot be bound); a runtime that is down is waited for, as
  // upstream's kubelet does. Pods keep running when the agent stops.
  absl::Status Run(std::stop_token stop);

 private:
  // Upstream lowers its own oom_score_adj to -999; without CAP_SYS_RESOURCE that is refused,
  // which must not stop the node.
  void AdjustOwnOomScore();
  // Retries Version() with backoff until it answers or `stop` is requested.
  bool WaitForRuntime(std::stop_token stop, std::string* runtime_name);
  void LogRuntimeConditions();

  kubeletconfig::KubeletConfiguration config_;
  kubeletconfig::NodeOptions options_;
  AgentDependencies deps_;
};

}  // namespace cubelet
