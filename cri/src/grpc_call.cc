#include "common/strings.h"
#include "cri/src/grpc_call.h"

#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cri/remote_runtime.h"

namespace cubelet::cri {

absl::StatusOr<std::string> GrpcTargetForEndpoint(const std::string& endpoint) {
  if (endpoint.empty()) return absl::InvalidArgumentError("container runtime endpoint is empty");
  if (absl::StartsWith(endpoint, "unix://")) {
    std::string path = endpoint.substr(7);
    if (path.empty() || path[0] != '/') {
      return absl::InvalidArgumentError(
          StrCat("container runtime endpoint \"", endpoint, "\": the socket path must be absolute"));
    }
    return StrCat("unix://", path);
  }
  if (endpoint[0] == '/') return StrCat("unix://", endpoint);
  return absl::InvalidArgumentError(StrCat(
      "container runtime endpoint \"", endpoint,
      "\": only unix sockets are supported (unix:///path/to/socket)"));
}

namespace internal {

absl::StatusOr<std::shared_ptr<grpc::Channel>> NewRuntimeChannel(const std::string& endpoint) {
  auto target = GrpcTargetForEndpoint(endpoint);
  if (!target.ok()) return target.status();
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(16 * 1024 * 1024);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 3000);
  return grpc::CreateCustomChannel(*target, grpc::InsecureChannelCredentials(), args);
}

std::unique_ptr<grpc::ClientContext> NewCallContext(absl::Duration timeout) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout));
  ctx->set_wait_for_ready(true);
  return ctx;
}

absl::Status FromGrpc(const grpc::Status& status, std::string_view call, std::string_view object) {
  if (status.ok()) return absl::OkStatus();
  // gRPC and absl share the canonical code numbering.
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  std::string what = object.empty() ? std::string(call) : StrCat(call, " ", object);
  std::string msg = status.error_message();
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED && msg.empty()) msg = "deadline exceeded";
  return absl::Status(code, StrCat(what, ": ", msg));
}

}  // namespace internal
}  // namespace cubelet::cri
