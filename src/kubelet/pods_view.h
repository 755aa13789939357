// Owns: GetPods, what the node's /pods endpoint serves (upstream's Kubelet.GetPods in
// pkg/kubelet/kubelet_pods.go): every pod the sources gave, with the status the agent last
// generated for it, so that a node without an API server still shows its static pods' status.
// Does not own: the HTTP endpoint (server/), generating statuses (status/).
#pragma once

#include <vector>

#include "api/types.h"
#include "pod/pod_manager.h"
#include "status/status_manager.h"

namespace cubelet::kubelet {

// Copies; the managers' pods are never modified. Sorted by namespace/name, so the answer is
// stable from one call to the next. Thread-safe.
std::vector<api::Pod> GetPods(const pod::PodManager& pods, const status::StatusManager& statuses);

}  // namespace cubelet::kubelet
