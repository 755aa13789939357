// Owns: the kubelet-managed /etc/hosts of a pod that is not hostNetwork (upstream's
// ensureHostsFile): localhost entries, the pod's IPs with its hostname (and FQDN), hostAliases.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "api/types.h"

namespace cubelet::kuberuntime {

std::string MakeEtcHostsContent(const api::Pod& pod, const std::vector<std::string>& pod_ips,
                                const std::string& hostname, const std::string& fqdn);

// Writes the file atomically (rename) with mode 0644.
absl::Status WriteEtcHosts(const std::string& path, const std::string& content);

}  // namespace cubelet::kuberuntime
