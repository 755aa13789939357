// Owns: CgroupV2Manager, cgroups on the unified (v2) hierarchy: controllers enabled down the
// tree through cgroup.subtree_control, cpu.weight/cpu.max/memory.max/pids.max/hugetlb.*.max.
// Does not own: detecting that the host runs v2 (NewHostCgroupManager).
#pragma once

#include <set>
#include <string>

#include "cgroups/cgroup_manager.h"

namespace cubelet::cgroups {

class CgroupV2Manager final : public CgroupManager {
 public:
  // `root`: the cgroup2 mount (normally /sys/fs/cgroup); its cgroup.controllers says which
  // controllers can be enabled. cpu, memory and pids are required.
  CgroupV2Manager(std::string root, CgroupDriver driver);

  std::string Name(const CgroupName& name) const override { return ToDriverPath(name, driver_); }
  bool Unified() const override { return true; }
  bool Exists(const CgroupName& name) const override;
  absl::Status Create(const CgroupName& name, const ResourceConfig& config) override;
  absl::Status Update(const CgroupName& name, const ResourceConfig& config) override;
  absl::Status Destroy(const CgroupName& name) override;
  absl::Status KillAll(const CgroupName& name) override;
  absl::StatusOr<std::vector<int>> Pids(const CgroupName& name) const override;
  absl::StatusOr<std::vector<CgroupName>> Children(const CgroupName& name) const override;
  absl::StatusOr<ResourceConfig> Read(const CgroupName& name) const override;

 private:
  std::string Dir(const CgroupName& name) const;
  // The controllers the root offers, read once per call (the kernel may gain hugetlb later).
  absl::StatusOr<std::set<std::string>> AvailableControllers() const;

  std::string root_;
  CgroupDriver driver_;
};

}  // namespace cubelet::cgroups
