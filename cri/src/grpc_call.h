// Internal to cri/: what every CRI call shares — the channel to the runtime, the per-call
// context (deadline, wait-for-ready) and the mapping of gRPC errors to absl::Status.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cubelet::cri::internal {

// A channel that reconnects quickly (100 ms, backing off to 3 s, as upstream's kubelet) and
// accepts messages up to 16 MiB.
absl::StatusOr<std::shared_ptr<grpc::Channel>> NewRuntimeChannel(const std::string& endpoint);

// A context whose deadline is `timeout` from now. wait_for_ready makes a call issued while the
// runtime restarts wait for the reconnect instead of failing at once.
std::unique_ptr<grpc::ClientContext> NewCallContext(absl::Duration timeout);

// "<call> <object>: <gRPC message>", with the gRPC code as the absl code. `object` may be empty.
absl::Status FromGrpc(const grpc::Status& status, std::string_view call, std::string_view object);

}  // namespace cubelet::cri::internal
