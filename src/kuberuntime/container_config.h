// Owns: building the CRI ContainerConfig for one container of a pod, as upstream's
// generateContainerConfig: command and args with $(VAR) expansion, environment (literal and
// downward API), mounts (volumes with subPath, /etc/hosts, the termination message file),
// labels and annotations, log path, resources by upstream's formulas.
// Errors are CreateContainerConfigError material: they name the container and the problem.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "api/types.h"
#include "cri/types.h"
#include "kuberuntime/runtime_options.h"

namespace cubelet::kuberuntime {

struct ContainerContext {
  int32_t restart_count = 0;
  std::string image_ref;                        // what the runtime resolved the image to
  std::vector<std::string> pod_ips;
  std::map<std::string, std::string> volumes;   // volume name -> host path
  // volumeMounts index -> the host path to mount for a subPath: the staging bind mount that
  // volumes::PrepareSubPaths made of the opened subPath (never volume path + subPath, which a
  // symlink planted in the volume could redirect). Every mount with a subPath needs one.
  std::map<size_t, std::string> sub_paths;
  std::string etc_hosts_path;                   // empty: no managed /etc/hosts
  std::string termination_message_host_path;    // empty: none
  bool is_init = false;
};

absl::StatusOr<cri::ContainerConfig> GenerateContainerConfig(const api::Pod& pod, const api::Container& container,
                                                             const ContainerContext& context,
                                                             const RuntimeOptions& options);

// The container's environment after resolving value_from and $(VAR) references.
absl::StatusOr<std::vector<cri::KeyValue>> MakeEnvironment(const api::Pod& pod, const api::Container& container,
                                                           const std::vector<std::string>& pod_ips,
                                                           const RuntimeOptions& options);

// The container's security settings for the CRI: user and groups (container over pod),
// privileged, capabilities, read-only root, no_new_privs, upstream's masked and read-only
// /proc paths, and the seccomp profile (Localhost under <root-dir>/seccomp, seccompDefault).
cri::LinuxContainerSecurityContext ContainerSecurityContext(const api::Pod& pod, const api::Container& container,
                                                            const RuntimeOptions& options);

// Kubernetes' $(VAR) expansion: $(NAME) is replaced when NAME is defined, $$ is a literal $,
// anything else is kept as written.
std::string ExpandVars(const std::string& input, const std::map<std::string, std::string>& vars);

// Linux resources by upstream's formulas (cpu shares, CFS quota/period, memory limit,
// oom_score_adj by QoS, a hugetlb limit per host page size).
cri::LinuxContainerResources ContainerResources(const api::Pod& pod, const api::Container& container,
                                                const RuntimeOptions& options);

int64_t OomScoreAdjust(const api::Pod& pod, const api::Container& container, int64_t memory_capacity);

}  // namespace cubelet::kuberuntime
