// Owns: the gRPC implementations of RuntimeService and ImageService over unix:// endpoints.
// Does not own: retries of failed operations (callers decide by status code).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cri/runtime_service.h"

namespace cubelet::cri {

struct RemoteRuntimeOptions {
  // "unix:///run/containerd/containerd.sock"; a bare absolute path is taken as unix://.
  std::string endpoint;
  // Deadline of every call that changes state (runtimeRequestTimeout).
  absl::Duration request_timeout = absl::Minutes(2);
  // Deadline of status, list and version calls.
  absl::Duration status_timeout = absl::Seconds(10);
  // Deadline of PullImage, which may download gigabytes.
  absl::Duration image_pull_timeout = absl::Hours(1);
};

// Calls wait for the connection within their deadline, so a restarted runtime is reconnected
// to transparently: a call made while it is down succeeds once it is back, or fails with
// DeadlineExceeded/Unavailable when it does not come back in time.
absl::StatusOr<std::unique_ptr<RuntimeService>> NewRemoteRuntimeService(
    const RemoteRuntimeOptions& options);
absl::StatusOr<std::unique_ptr<ImageService>> NewRemoteImageService(
    const RemoteRuntimeOptions& options);

// Normalises an endpoint to the gRPC target form ("unix:///abs/path"); InvalidArgument for
// schemes other than unix (upstream's kubelet on Linux accepts only unix sockets).
absl::StatusOr<std::string> GrpcTargetForEndpoint(const std::string& endpoint);

}  // namespace cubelet::cri
