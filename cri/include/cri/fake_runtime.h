// Owns: FakeRuntimeServer, an in-process gRPC server that speaks the same runtime.v1 proto as
// containerd, with realistic state transitions, per-method error injection and a call log.
// Higher layers' unit tests talk to it through the real RemoteRuntimeService.
// Does not own: real containers, networking or images (nothing is executed).
//
// State machine: a sandbox is READY after RunPodSandbox and NOTREADY after StopPodSandbox (its
// running containers exit with 137); a container is CREATED, then RUNNING after StartContainer,
// then EXITED (StopContainer, ExitContainer, or a start behavior) with exit code, reason and
// timestamps from the injected clock. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/clock.h"
#include "cri/types.h"

namespace cubelet::cri {

class FakeRuntimeServer {
 public:
  // Serves on the unix socket at `socket_path` (created; removed on destruction).
  FakeRuntimeServer(std::string socket_path, Clock* clock);
  ~FakeRuntimeServer();
  FakeRuntimeServer(const FakeRuntimeServer&) = delete;
  FakeRuntimeServer& operator=(const FakeRuntimeServer&) = delete;

  absl::Status Start();
  void Shutdown();
  // "unix:///path/to/socket", for RemoteRuntimeOptions::endpoint.
  std::string endpoint() const;

  // The next `times` calls of `method` (the CRI method name, e.g. "CreateContainer") fail with
  // `status` without touching state; times < 0 means every call until ClearErrors().
  void InjectError(const std::string& method, absl::Status status, int times = 1);
  void ClearErrors();

  // Every call received, in order, as its CRI method name.
  std::vector<std::string> Calls() const;
  int CallCount(const std::string& method) const;
  void ClearCalls();

  // Images that PullImage can fetch ("registry" contents), and images already present.
  void AddPullableImage(const std::string& ref);
  void AddImage(const std::string& ref, std::optional<int64_t> uid = std::nullopt,
                const std::string& username = "");

  // Decides what happens when a container starts: std::nullopt keeps it running, a value makes
  // it exit at once with that code (a crashing or finished process).
  using StartBehavior = std::function<std::optional<int32_t>(const ContainerConfig&)>;
  void SetStartBehavior(StartBehavior behavior);
  // Decides ExecSync's result; the default exits 0 and echoes the command on stdout.
  using ExecBehavior = std::function<ExecSyncResult(const std::string& container_id,
                                                    const std::vector<std::string>& cmd)>;
  void SetExecBehavior(ExecBehavior behavior);

  // Makes a running container exit now, as if its process ended.
  absl::Status ExitContainer(const std::string& container_id, int32_t exit_code,
                             const std::string& reason = "");
  // Makes a sandbox NOTREADY, as if its pause process died.
  absl::Status KillSandbox(const std::string& sandbox_id);

  // What the runtime holds now, for assertions.
  std::vector<PodSandboxStatus> Sandboxes() const;
  std::vector<ContainerStatus> Containers() const;
  std::optional<ContainerConfig> ContainerConfigOf(const std::string& container_id) const;
  std::optional<PodSandboxConfig> SandboxConfigOf(const std::string& sandbox_id) const;

 // The server state; public only so that the service classes in the .cc can reach it.
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace cubelet::cri
