#include "agent/agent.h"

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cgroups/cgroup_mode.h"

namespace cubelet {
namespace {

// Sleeps for `d` or until `stop` is requested; returns false when stopped.
bool SleepUnlessStopped(std::stop_token stop, absl::Duration d) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock<std::mutex> lock(mu);
  cv.wait_for(lock, stop, absl::ToChronoNanoseconds(d), [] { return false; });
  return !stop.stop_requested();
}

}  // namespace

Agent::Agent(config::KubeletConfiguration config, config::NodeOptions options, AgentDependencies deps)
    : config_(std::move(config)), options_(std::move(options)), deps_(std::move(deps)) {}

void Agent::AdjustOwnOomScore() {
  std::ofstream f("/proc/self/oom_score_adj");
  if (f) f << config_.oom_score_adj << std::flush;
  if (!f) {
    deps_.logger.Warning("Failed to set the kubelet's oom_score_adj; continuing with the inherited value",
                         {{"oomScoreAdj", config_.oom_score_adj}, {"err", std::strerror(errno)}});
  }
}

bool Agent::WaitForRuntime(std::stop_token stop) {
  absl::Duration backoff = absl::Milliseconds(200);
  while (!stop.stop_requested()) {
    auto version = deps_.runtime->Version();
    if (version.ok()) {
      deps_.logger.Info("Container runtime initialized",
                        {{"containerRuntime", version->runtime_name},
                         {"version", version->runtime_version},
                         {"apiVersion", version->runtime_api_version}});
      return true;
    }
    deps_.logger.Error("Container runtime not ready, retrying",
                       {{"endpoint", config_.container_runtime_endpoint}, {"err", version.status()},
                        {"retryIn", backoff}});
    if (!SleepUnlessStopped(stop, backoff)) return false;
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
  return false;
}

absl::Status Agent::Run(std::stop_token stop) {
  AdjustOwnOomScore();
  auto mode = cgroups::DetectCgroupMode();
  if (mode.ok()) {
    deps_.logger.Info("Detected cgroup hierarchy", {{"cgroupVersion", cgroups::ToString(*mode)},
                                                    {"cgroupDriver", config_.cgroup_driver}});
  } else {
    deps_.logger.Warning("Cannot detect the cgroup hierarchy", {{"err", mode.status()}});
  }
  if (!WaitForRuntime(stop)) return absl::OkStatus();

  auto status = deps_.runtime->Status(false);
  if (status.ok()) {
    for (const auto& c : status->conditions) {
      deps_.logger.VInfo(1, "Container runtime condition",
                         {{"type", c.type}, {"status", c.status}, {"reason", c.reason}, {"message", c.message}});
      if (!c.status) {
        deps_.logger.Warning("Container runtime condition is not met",
                             {{"type", c.type}, {"reason", c.reason}, {"message", c.message}});
      }
    }
  } else {
    deps_.logger.Warning("Cannot read the container runtime status", {{"err", status.status()}});
  }

  deps_.logger.Info("Node agent running", {{"node", options_.hostname_override},
                                           {"staticPodPath", config_.static_pod_path}});
  while (SleepUnlessStopped(stop, absl::Hours(1))) {
  }
  deps_.logger.Info("Shutting down node agent");
  return absl::OkStatus();
}

}  // namespace cubelet
