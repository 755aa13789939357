// Owns: cubelet_cgroups, the kernel boundary for control groups. This header: which cgroup
// hierarchy the host runs (v1, v2, or v1 with a v2 mount beside it).
// Does not own: QoS policy or pod cgroup naming (src/ decides; this library applies).
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace cubelet::cgroups {

enum class CgroupMode {
  kLegacy,   // v1 controllers only
  kHybrid,   // v1 controllers, plus a cgroup2 mount at <root>/unified; kubelet treats it as v1
  kUnified,  // cgroup v2 only
};

// Looks at the filesystem types under `root` (normally /sys/fs/cgroup).
absl::StatusOr<CgroupMode> DetectCgroupMode(const std::string& root = "/sys/fs/cgroup");

// True when pods and QoS cgroups are managed through the v2 interface.
inline bool IsUnified(CgroupMode mode) { return mode == CgroupMode::kUnified; }

const char* ToString(CgroupMode mode);

}  // namespace cubelet::cgroups
