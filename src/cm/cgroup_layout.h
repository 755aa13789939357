// Owns: where pods live in the cgroup tree (upstream cm's CgroupName rules): the node-allocatable
// cgroup `<cgroupRoot>/kubepods`, the QoS cgroups `burstable` and `besteffort` below it
// (Guaranteed pods sit in kubepods itself), and `pod<uid>` below those.
// Does not own: creating them (QosContainerManager, PodContainerManager).
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "api/types.h"
#include "cgroups/cgroup_name.h"

namespace cubelet::cm {

struct CgroupLayout {
  cgroups::CgroupName root;  // --cgroup-root
  bool cgroups_per_qos = true;
  cgroups::CgroupDriver driver = cgroups::CgroupDriver::kCgroupfs;
};

// From the configuration's cgroupRoot, cgroupDriver and cgroupsPerQOS; errors name the field.
absl::StatusOr<CgroupLayout> ParseCgroupLayout(const std::string& cgroup_root, const std::string& cgroup_driver,
                                               bool cgroups_per_qos);

// <root>/kubepods, or <root> without cgroupsPerQOS.
cgroups::CgroupName NodeAllocatableCgroup(const CgroupLayout& layout);
// kubepods for Guaranteed, kubepods/burstable, kubepods/besteffort.
cgroups::CgroupName QosCgroup(const CgroupLayout& layout, const std::string& qos_class);
// The pod's cgroup; nullopt without cgroupsPerQOS (pods then run in the root itself). The UID is
// the pod author's and becomes a directory name under either driver: one that is not a single
// path element ("../x") is InvalidArgument naming metadata.uid (common/host_path.h).
absl::StatusOr<std::optional<cgroups::CgroupName>> PodCgroup(const CgroupLayout& layout, const api::Pod& pod);
// The sandbox's cgroup_parent, in the driver's spelling; errors as PodCgroup's.
absl::StatusOr<std::string> PodCgroupParent(const CgroupLayout& layout, const api::Pod& pod);

inline constexpr char kPodCgroupPrefix[] = "pod";

}  // namespace cubelet::cm
