// A cri::RuntimeService over another (the fake runtime's client) whose StopContainer waits until
// the test releases it, as containerd's does for a process that ignores SIGTERM until its grace
// period ends. Every other call passes through.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "common/strings.h"
#include "cri/runtime_service.h"

namespace cubelet::testing {

class BlockingStopRuntime final : public cri::RuntimeService {
 public:
  explicit BlockingStopRuntime(cri::RuntimeService* inner) : inner_(inner) {}
  ~BlockingStopRuntime() override { Release(); }

  // While blocked, StopContainer waits (and counts itself) until Release().
  void Block() {
    std::lock_guard<std::mutex> l(mu_);
    blocked_ = true;
  }
  void Release() {
    std::lock_guard<std::mutex> l(mu_);
    blocked_ = false;
    cv_.notify_all();
  }
  // Sync point: waits until `n` StopContainer calls are waiting (fails after 10 s).
  bool AwaitWaitingStops(int n) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, std::chrono::seconds(10), [&] { return waiting_ >= n; });
  }
  int waiting_stops() {
    std::lock_guard<std::mutex> l(mu_);
    return waiting_;
  }
  // StopContainer calls that returned because their caller cancelled them.
  int cancelled_stops() {
    std::lock_guard<std::mutex> l(mu_);
    return cancelled_;
  }
  int max_waiting_stops() {
    std::lock_guard<std::mutex> l(mu_);
    return max_waiting_;
  }

  absl::Status StopContainer(const std::string& id, absl::Duration grace, std::stop_token cancel) override {
    {
      std::unique_lock<std::mutex> l(mu_);
      ++waiting_;
      max_waiting_ = std::max(max_waiting_, waiting_);
      cv_.notify_all();
      const bool released = cv_.wait(l, cancel, [&] { return !blocked_; });
      --waiting_;
      if (!released) {
        ++cancelled_;
        return absl::CancelledError(StrCat("StopContainer \"", id, "\": cancelled"));
      }
    }
    return inner_->StopContainer(id, grace, cancel);
  }

  absl::StatusOr<cri::VersionInfo> Version() override { return inner_->Version(); }
  absl::StatusOr<cri::RuntimeStatus> Status(bool verbose) override { return inner_->Status(verbose); }
  absl::StatusOr<std::string> RunPodSandbox(const cri::PodSandboxConfig& config,
                                            const std::string& handler) override {
    return inner_->RunPodSandbox(config, handler);
  }
  absl::Status StopPodSandbox(const std::string& id) override { return inner_->StopPodSandbox(id); }
  absl::Status RemovePodSandbox(const std::string& id) override { return inner_->RemovePodSandbox(id); }
  absl::StatusOr<cri::PodSandboxStatus> GetPodSandboxStatus(const std::string& id) override {
    return inner_->GetPodSandboxStatus(id);
  }
  absl::StatusOr<std::vector<cri::PodSandbox>> ListPodSandbox(const cri::PodSandboxFilter& filter) override {
    return inner_->ListPodSandbox(filter);
  }
  absl::StatusOr<std::string> CreateContainer(const std::string& sandbox_id, const cri::ContainerConfig& config,
                                              const cri::PodSandboxConfig& sandbox_config) override {
    return inner_->CreateContainer(sandbox_id, config, sandbox_config);
  }
  absl::Status StartContainer(const std::string& id) override { return inner_->StartContainer(id); }
  absl::Status RemoveContainer(const std::string& id) override { return inner_->RemoveContainer(id); }
  absl::StatusOr<std::vector<cri::Container>> ListContainers(const cri::ContainerFilter& filter) override {
    return inner_->ListContainers(filter);
  }
  absl::StatusOr<cri::ContainerStatus> GetContainerStatus(const std::string& id) override {
    return inner_->GetContainerStatus(id);
  }
  absl::Status UpdateContainerResources(const std::string& id, const cri::LinuxContainerResources& r) override {
    return inner_->UpdateContainerResources(id, r);
  }
  absl::Status ReopenContainerLog(const std::string& id) override { return inner_->ReopenContainerLog(id); }
  absl::StatusOr<cri::ExecSyncResult> ExecSync(const std::string& id, const std::vector<std::string>& cmd,
                                               absl::Duration timeout) override {
    return inner_->ExecSync(id, cmd, timeout);
  }
  void ExecSyncAsync(const std::string& id, const std::vector<std::string>& cmd, absl::Duration timeout,
                     ExecSyncCallback done) override {
    inner_->ExecSyncAsync(id, cmd, timeout, std::move(done));
  }
  absl::StatusOr<std::string> Exec(const cri::ExecRequest& request) override { return inner_->Exec(request); }
  absl::StatusOr<std::string> Attach(const cri::AttachRequest& request) override { return inner_->Attach(request); }
  absl::StatusOr<std::string> PortForward(const std::string& sandbox_id, const std::vector<int32_t>& ports) override {
    return inner_->PortForward(sandbox_id, ports);
  }
  absl::StatusOr<cri::ContainerStats> GetContainerStats(const std::string& id) override {
    return inner_->GetContainerStats(id);
  }
  absl::StatusOr<std::vector<cri::ContainerStats>> ListContainerStats(const cri::ContainerStatsFilter& f) override {
    return inner_->ListContainerStats(f);
  }
  absl::StatusOr<cri::PodSandboxStats> GetPodSandboxStats(const std::string& id) override {
    return inner_->GetPodSandboxStats(id);
  }
  absl::StatusOr<std::vector<cri::PodSandboxStats>> ListPodSandboxStats(const cri::PodSandboxStatsFilter& f) override {
    return inner_->ListPodSandboxStats(f);
  }

 private:
  cri::RuntimeService* inner_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  bool blocked_ = false;  // guarded by mu_
  int waiting_ = 0;       // guarded by mu_
  int max_waiting_ = 0;   // guarded by mu_
  int cancelled_ = 0;     // guarded by mu_
};

}  // namespace cubelet::testing
