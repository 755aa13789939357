#include "cm/cgroup_layout.h"

#include "api/qos.h"
#include "common/host_path.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace cubelet::cm {

absl::StatusOr<CgroupLayout> ParseCgroupLayout(const std::string& cgroup_root, const std::string& cgroup_driver,
                                               bool cgroups_per_qos) {
  CgroupLayout layout;
  layout.cgroups_per_qos = cgroups_per_qos;
  ASSIGN_OR_RETURN(layout.driver, cgroups::ParseCgroupDriver(cgroup_driver));
  if (layout.driver == cgroups::CgroupDriver::kSystemd) {
    auto root = cgroups::ParseSystemdPath(cgroup_root);
    if (!root.ok()) return Annotate(root.status(), "cgroupRoot (with cgroupDriver systemd)");
    layout.root = *std::move(root);
  } else {
    layout.root = cgroups::ParseCgroupfsPath(cgroup_root);
  }
  return layout;
}

cgroups::CgroupName NodeAllocatableCgroup(const CgroupLayout& layout) {
  return layout.cgroups_per_qos ? layout.root.Child("kubepods") : layout.root;
}

cgroups::CgroupName QosCgroup(const CgroupLayout& layout, const std::string& qos_class) {
  const cgroups::CgroupName kubepods = NodeAllocatableCgroup(layout);
  if (qos_class == api::kQosBurstable) return kubepods.Child("burstable");
  if (qos_class == api::kQosBestEffort) return kubepods.Child("besteffort");
  return kubepods;
}

absl::StatusOr<std::optional<cgroups::CgroupName>> PodCgroup(const CgroupLayout& layout, const api::Pod& pod) {
  if (!layout.cgroups_per_qos) return std::nullopt;
  // "pod" + a plain element is a plain element; with a '/' it would climb out of the QoS cgroup
  // under cgroupfs and split the slice path under systemd.
  RETURN_IF_ERROR(CheckPathComponent({"metadata.uid", pod.metadata.uid}));
  return QosCgroup(layout, api::GetPodQos(pod)).Child(StrCat(kPodCgroupPrefix, pod.metadata.uid));
}

absl::StatusOr<std::string> PodCgroupParent(const CgroupLayout& layout, const api::Pod& pod) {
  ASSIGN_OR_RETURN(const std::optional<cgroups::CgroupName> name, PodCgroup(layout, pod));
  return cgroups::ToDriverPath(name ? *name : layout.root, layout.driver);
}

}  // namespace cubelet::cm
