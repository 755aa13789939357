// Owns: the RuntimeService and ImageService interfaces, the seam between cubelet and a CRI v1
// runtime. The remote implementation speaks gRPC; tests use the fake runtime server behind the
// same remote implementation.
// Does not own: pod logic (kuberuntime-style code lives in src/).
//
// Every method is thread-safe and blocks until the runtime answers or the call's deadline
// passes. Errors keep the gRPC code as the absl code (NotFound, Unavailable, DeadlineExceeded,
// ...) and name the call and the object in the message.
#pragma once

#include <functional>
#include <stop_token>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cri/types.h"

namespace cubelet::cri {

class RuntimeService {
 public:
  virtual ~RuntimeService() = default;

  virtual absl::StatusOr<VersionInfo> Version() = 0;
  virtual absl::StatusOr<RuntimeStatus> Status(bool verbose) = 0;

  virtual absl::StatusOr<std::string> RunPodSandbox(const PodSandboxConfig& config,
                                                    const std::string& runtime_handler) = 0;
  virtual absl::Status StopPodSandbox(const std::string& sandbox_id) = 0;
  virtual absl::Status RemovePodSandbox(const std::string& sandbox_id) = 0;
  virtual absl::StatusOr<PodSandboxStatus> GetPodSandboxStatus(const std::string& sandbox_id) = 0;
  virtual absl::StatusOr<std::vector<PodSandbox>> ListPodSandbox(const PodSandboxFilter& filter) = 0;

  virtual absl::StatusOr<std::string> CreateContainer(const std::string& sandbox_id,
                                                      const ContainerConfig& config,
                                                      const PodSandboxConfig& sandbox_config) = 0;
  virtual absl::Status StartContainer(const std::string& container_id) = 0;
  // `grace` is rounded down to whole seconds, as the CRI takes seconds. When `cancel` stops, the
  // call returns at once with CancelledError (the runtime may still finish the stop).
  virtual absl::Status StopContainer(const std::string& container_id, absl::Duration grace,
                                     std::stop_token cancel) = 0;
  virtual absl::Status RemoveContainer(const std::string& container_id) = 0;
  virtual absl::StatusOr<std::vector<Container>> ListContainers(const ContainerFilter& filter) = 0;
  virtual absl::StatusOr<ContainerStatus> GetContainerStatus(const std::string& container_id) = 0;
  virtual absl::Status UpdateContainerResources(const std::string& container_id,
                                                const LinuxContainerResources& resources) = 0;
  virtual absl::Status ReopenContainerLog(const std::string& container_id) = 0;

  // Runs `cmd` in the container and waits up to `timeout` (zero: no command timeout).
  // A command that outlives `timeout` is DeadlineExceeded.
  virtual absl::StatusOr<ExecSyncResult> ExecSync(const std::string& container_id,
                                                  const std::vector<std::string>& cmd,
                                                  absl::Duration timeout) = 0;
  // ExecSync without blocking: returns at once and calls `done` exactly once, on a gRPC thread,
  // with what ExecSync would have returned. `done` must not block.
  using ExecSyncCallback = std::function<void(absl::StatusOr<ExecSyncResult>)>;
  virtual void ExecSyncAsync(const std::string& container_id, const std::vector<std::string>& cmd,
                             absl::Duration timeout, ExecSyncCallback done) = 0;
  // The streaming calls return the URL of the runtime's streaming server.
  virtual absl::StatusOr<std::string> Exec(const ExecRequest& request) = 0;
  virtual absl::StatusOr<std::string> Attach(const AttachRequest& request) = 0;
  virtual absl::StatusOr<std::string> PortForward(const std::string& sandbox_id,
                                                  const std::vector<int32_t>& ports) = 0;

  virtual absl::StatusOr<ContainerStats> GetContainerStats(const std::string& container_id) = 0;
  virtual absl::StatusOr<std::vector<ContainerStats>> ListContainerStats(
      const ContainerStatsFilter& filter) = 0;
  virtual absl::StatusOr<PodSandboxStats> GetPodSandboxStats(const std::string& sandbox_id) = 0;
  virtual absl::StatusOr<std::vector<PodSandboxStats>> ListPodSandboxStats(
      const PodSandboxStatsFilter& filter) = 0;
};

class ImageService {
 public:
  virtual ~ImageService() = default;

  virtual absl::StatusOr<std::vector<Image>> ListImages(const ImageSpec& filter) = 0;
  // An image that is not present is std::nullopt, not an error.
  virtual absl::StatusOr<std::optional<Image>> ImageStatus(const ImageSpec& image) = 0;
  // Returns the image reference (its ID) the runtime now holds.
  // When `cancel` stops, the call returns at once with CancelledError.
  virtual absl::StatusOr<std::string> PullImage(const ImageSpec& image, const AuthConfig* auth,
                                                const PodSandboxConfig* sandbox_config, std::stop_token cancel) = 0;
  virtual absl::Status RemoveImage(const ImageSpec& image) = 0;
  virtual absl::StatusOr<ImageFsInfo> GetImageFsInfo() = 0;
};

}  // namespace cubelet::cri
