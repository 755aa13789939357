// Owns: CgroupV1Manager, cgroups on v1 hierarchies (one mount per controller or group of
// controllers), written as plain files the way libcontainer's fs driver writes them.
// Does not own: finding the mounts (NewHostCgroupManager asks libcgroup).
#pragma once

#include <map>
#include <string>

#include "cgroups/cgroup_manager.h"

namespace cubelet::cgroups {

class CgroupV1Manager final : public CgroupManager {
 public:
  // `mounts`: controller name ("cpu", "memory", ...) -> the directory its hierarchy is mounted
  // on. Controllers sharing a hierarchy share the directory. cpu and memory are required.
  CgroupV1Manager(std::map<std::string, std::string> mounts, CgroupDriver driver);

  std::string Name(const CgroupName& name) const override { return ToDriverPath(name, driver_); }
  bool Unified() const override { return false; }
  bool Exists(const CgroupName& name) const override;
  absl::Status Create(const CgroupName& name, const ResourceConfig& config) override;
  absl::Status Update(const CgroupName& name, const ResourceConfig& config) override;
  absl::Status Destroy(const CgroupName& name) override;
  absl::Status KillAll(const CgroupName& name) override;
  absl::StatusOr<std::vector<int>> Pids(const CgroupName& name) const override;
  absl::StatusOr<std::vector<CgroupName>> Children(const CgroupName& name) const override;
  absl::StatusOr<ResourceConfig> Read(const CgroupName& name) const override;

 private:
  // Directory of `name` in `controller`'s hierarchy; "" when that controller is not mounted.
  std::string Dir(const std::string& controller, const CgroupName& name) const;
  // Each distinct hierarchy once (cpu and cpuacct may share a mount).
  std::vector<std::string> HierarchyRoots() const;

  std::map<std::string, std::string> mounts_;
  CgroupDriver driver_;
};

}  // namespace cubelet::cgroups
