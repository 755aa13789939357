// Owns: running one probe or lifecycle handler: exec (CRI ExecSync), httpGet (HTTP/HTTPS,
// certificates not verified, redirects as upstream), tcpSocket and grpc (grpc.health.v1), each
// ended by its timeout as a whole (an httpGet's connect, request, headers, body and redirects
// together; a server that drips bytes cannot hold the caller past it), with upstream's result
// messages.
// Does not own: scheduling, thresholds or what a result does (ProbeManager).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "api/types.h"
#include "cri/runtime_service.h"
#include "probes/probe_types.h"

namespace cubelet::probes {

struct HandlerResult {
  ProbeResult result = ProbeResult::kUnknown;
  std::string output;  // why: "HTTP probe failed with statuscode: 500", the command output, ...
};

// The target of network handlers: the pod's IP unless the handler names a host.
struct ProbeTarget {
  std::string pod_ip;
  const api::Container* container = nullptr;  // for named ports
};

// "kube-probe/<major>.<minor>"
std::string ProbeUserAgent();

HandlerResult RunExec(cri::RuntimeService& runtime, const std::string& container_id,
                      const std::vector<std::string>& command, absl::Duration timeout);
// What an ExecSync answer means for a probe: exit 0 success, a timeout failure, a call error unknown.
HandlerResult ExecResult(const absl::StatusOr<cri::ExecSyncResult>& r);
// Reads at most 10 KiB of the body (upstream's maxRespBodyLength); the rest is never read. Blocks
// up to `timeout` (plus the system resolver's time when the host is a name, not an IP).
HandlerResult RunHttpGet(const api::HttpGetAction& action, const ProbeTarget& target, absl::Duration timeout);
HandlerResult RunTcpSocket(const api::TcpSocketAction& action, const ProbeTarget& target, absl::Duration timeout);
HandlerResult RunGrpc(const api::GrpcAction& action, const ProbeTarget& target, absl::Duration timeout);

// A port given by number or by the name of one of the container's ports (upstream's
// probe.ResolveContainerPort). InvalidArgument "port \"metrics\" not found in container \"app\""
// or "invalid port number: 99999999999" otherwise; never throws, whatever the string.
absl::StatusOr<int> ResolvePort(const api::IntOrString& port, const api::Container* container);

}  // namespace cubelet::probes
