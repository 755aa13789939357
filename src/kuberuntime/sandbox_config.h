// Owns: building the CRI PodSandboxConfig for a pod, as upstream's generatePodSandboxConfig:
// metadata, hostname, log directory, DNS, port mappings, labels, annotations, cgroup parent and
// namespace options; and the pod's log directory name.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "api/types.h"
#include "cri/types.h"
#include "kuberuntime/runtime_options.h"

namespace cubelet::kuberuntime {

absl::StatusOr<cri::PodSandboxConfig> GeneratePodSandboxConfig(const api::Pod& pod, uint32_t attempt,
                                                               const RuntimeOptions& options);

// The network, IPC and PID namespaces of the pod's sandbox and containers.
cri::NamespaceOption PodNamespaceOptions(const api::Pod& pod);

// <podLogsDir>/<namespace>_<name>_<uid>
std::string PodLogsDirectory(const RuntimeOptions& options, const api::Pod& pod);

// The pod's hostname (spec.hostname or the name, at most 63 characters) and, with a subdomain,
// its FQDN in the cluster domain.
std::string PodHostname(const api::Pod& pod);
std::string PodFqdn(const api::Pod& pod, const std::string& cluster_domain);

// The DNS configuration the pod gets from its dnsPolicy, clusterDNS and dnsConfig.
absl::StatusOr<cri::DnsConfig> PodDnsConfig(const api::Pod& pod, const RuntimeOptions& options);

}  // namespace cubelet::kuberuntime
