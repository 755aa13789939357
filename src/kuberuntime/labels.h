// Owns: the labels and annotations cubelet puts on sandboxes and containers, with upstream's
// keys (kuberuntime/labels.go), so that a restarted agent (or an upstream kubelet) finds its
// pods in the runtime, and the container hash that detects a changed definition.
#pragma once

#include <cstdint>
#include <string>

#include "api/types.h"
#include "cri/types.h"

namespace cubelet::kuberuntime {

inline constexpr char kPodNameLabel[] = "io.kubernetes.pod.name";
inline constexpr char kPodNamespaceLabel[] = "io.kubernetes.pod.namespace";
inline constexpr char kPodUidLabel[] = "io.kubernetes.pod.uid";
inline constexpr char kContainerNameLabel[] = "io.kubernetes.container.name";
inline constexpr char kContainerHashAnnotation[] = "io.kubernetes.container.hash";
inline constexpr char kContainerRestartCountAnnotation[] = "io.kubernetes.container.restartCount";
inline constexpr char kTerminationMessagePathAnnotation[] = "io.kubernetes.container.terminationMessagePath";
inline constexpr char kTerminationMessagePolicyAnnotation[] = "io.kubernetes.container.terminationMessagePolicy";
inline constexpr char kPodTerminationGracePeriodAnnotation[] = "io.kubernetes.pod.terminationGracePeriod";
inline constexpr char kContainerPortsAnnotation[] = "io.kubernetes.container.ports";
inline constexpr char kContainerTypeAnnotation[] = "io.kubernetes.container.type";
// Where cubelet put the host side of the termination message file (not an upstream key).
inline constexpr char kTerminationMessageHostPathAnnotation[] = "io.cubelet.container.terminationMessageHostPath";

cri::StringMap SandboxLabels(const api::Pod& pod);
cri::StringMap SandboxAnnotations(const api::Pod& pod);
cri::StringMap ContainerLabels(const api::Pod& pod, const api::Container& container);

// FNV-32a over {"name":...,"image":...}, as upstream's HashContainer: only a changed image (or
// name) makes a running container's definition "changed".
std::string HashContainer(const api::Container& container);

// What cubelet reads back from a runtime container's labels and annotations.
struct ContainerIdentity {
  std::string pod_uid;
  std::string pod_name;
  std::string pod_namespace;
  std::string container_name;
  std::string hash;
  int32_t restart_count = 0;
  std::string termination_message_path;
  std::string termination_message_policy;
  std::string termination_message_host_path;
  std::optional<int64_t> pod_termination_grace_period;
  bool is_init = false;
};

ContainerIdentity ReadContainerIdentity(const cri::StringMap& labels, const cri::StringMap& annotations);

}  // namespace cubelet::kuberuntime
