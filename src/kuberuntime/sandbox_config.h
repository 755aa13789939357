// Owns: building the CRI PodSandboxConfig for a pod, as upstream's generatePodSandboxConfig:
// metadata, hostname, log directory, DNS, port mappings, labels, annotations, cgroup parent and
// namespace options; and the pod's log directory name.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "api/types.h"
#include "cri/types.h"
#include "kuberuntime/runtime_options.h"

namespace cubelet::kuberuntime {

absl::StatusOr<cri::PodSandboxConfig> GeneratePodSandboxConfig(const api::Pod& pod, uint32_t attempt,
                                                               const RuntimeOptions& options);

// <podLogsDir>/<namespace>_<name>_<uid> (upstream BuildPodLogsDirectory). The three names are
// the pod author's: each must be one plain path element (common/host_path.h), so a pod that
// skipped validation cannot name a directory outside podLogsDir; otherwise InvalidArgument
// naming the field ("metadata.uid \"../x\" must not contain '/'").
absl::StatusOr<std::string> BuildPodLogsDirectory(std::string_view pod_logs_dir, std::string_view pod_namespace,
                                                  std::string_view pod_name, std::string_view pod_uid);
// <pod logs directory>/<container> (upstream BuildContainerLogsDirectory); the container name is
// checked as the pod's names are.
absl::StatusOr<std::string> BuildContainerLogsDirectory(std::string_view pod_logs_dir, std::string_view pod_namespace,
                                                        std::string_view pod_name, std::string_view pod_uid,
                                                        std::string_view container_name);

// The network, IPC and PID namespaces of the pod's sandbox and containers.
cri::NamespaceOption PodNamespaceOptions(const api::Pod& pod);

// The pod's hostname (spec.hostname or the name, at most 63 characters) and, with a subdomain,
// its FQDN in the cluster domain.
std::string PodHostname(const api::Pod& pod);
std::string PodFqdn(const api::Pod& pod, const std::string& cluster_domain);

// The DNS configuration the pod gets from its dnsPolicy, clusterDNS and dnsConfig.
absl::StatusOr<cri::DnsConfig> PodDnsConfig(const api::Pod& pod, const RuntimeOptions& options);

}  // namespace cubelet::kuberuntime
