// Owns: RuntimeOptions, the node settings the runtime manager needs to build sandbox and
// container configurations (from the KubeletConfiguration and the node's facts).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "cm/cgroup_layout.h"

namespace cubelet::kuberuntime {

struct RuntimeOptions {
  std::string root_dir = "/var/lib/kubelet";
  std::string pod_logs_dir = "/var/log/pods";
  std::string node_name;
  std::vector<std::string> node_ips;
  std::vector<std::string> cluster_dns;
  std::string cluster_domain;
  std::string resolv_conf = "/etc/resolv.conf";
  cm::CgroupLayout cgroup_layout;  // where pod cgroups are (cgroupRoot, cgroupsPerQOS, cgroupDriver)
  std::vector<int64_t> huge_page_sizes;  // the host's, in bytes: each gets a hugetlb limit
  bool cpu_cfs_quota = true;
  absl::Duration cpu_cfs_quota_period = absl::Milliseconds(100);
  int64_t memory_capacity_bytes = 0;  // for Burstable oom_score_adj
  bool seccomp_default = false;
  bool in_place_resize = false;  // feature gate InPlacePodVerticalScaling
  std::vector<std::string> allowed_unsafe_sysctls;
  std::string runtime_name = "containerd";  // for "<runtime>://<id>" container IDs
};

}  // namespace cubelet::kuberuntime
