// Owns: CgroupManager, the interface through which cubelet creates, updates and removes cgroups
// (upstream cm.CgroupManager), and the factory that picks the implementation for this host.
// Does not own: cgroup naming policy (src/cm) or container cgroups (the runtime makes those).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cgroups/cgroup_mode.h"
#include "cgroups/cgroup_name.h"
#include "cgroups/resource_config.h"

namespace cubelet::cgroups {

// Thread-compatible: callers serialise operations on the same cgroup. Errors name the cgroup,
// the file and the errno text.
class CgroupManager {
 public:
  virtual ~CgroupManager() = default;

  // The path the driver spells `name` as: what the runtime gets as cgroup_parent.
  virtual std::string Name(const CgroupName& name) const = 0;
  // True for the cgroup v2 (unified) implementation.
  virtual bool Unified() const = 0;
  // True when the cgroup exists in every hierarchy this manager uses.
  virtual bool Exists(const CgroupName& name) const = 0;
  // Creates the cgroup (and missing ancestors), then applies `config`. Creating an existing
  // cgroup only applies `config`.
  virtual absl::Status Create(const CgroupName& name, const ResourceConfig& config) = 0;
  virtual absl::Status Update(const CgroupName& name, const ResourceConfig& config) = 0;
  // Removes the cgroup and everything below it; a missing cgroup is not an error. Fails with
  // the kernel's EBUSY while processes remain.
  virtual absl::Status Destroy(const CgroupName& name) = 0;
  // SIGKILLs every process in the cgroup and below it through the cgroup, never by pids read
  // earlier (one may have been reused since): v2 writes cgroup.kill; v1 freezes the freezer
  // cgroup, kills what it lists while frozen, thaws, and repeats until none is left. Waits a
  // bounded time for them to exit; UNAVAILABLE names how many are left. A missing cgroup is
  // no error. Blocks (for as long as the killed processes take to exit).
  virtual absl::Status KillAll(const CgroupName& name) = 0;
  // Processes in the cgroup and below it.
  virtual absl::StatusOr<std::vector<int>> Pids(const CgroupName& name) const = 0;
  // Names of the direct children (empty when the cgroup does not exist).
  virtual absl::StatusOr<std::vector<CgroupName>> Children(const CgroupName& name) const = 0;
  // Reads back what is applied (for status and tests): the fields this manager writes.
  virtual absl::StatusOr<ResourceConfig> Read(const CgroupName& name) const = 0;
};

// Builds the manager for this host: detects v1/v2 under `cgroup_fs_root`, finds the v1
// hierarchies through libcgroup, and checks that systemd runs when `driver` is kSystemd.
absl::StatusOr<std::unique_ptr<CgroupManager>> NewHostCgroupManager(CgroupDriver driver,
                                                                    const std::string& cgroup_fs_root = "/sys/fs/cgroup");

}  // namespace cubelet::cgroups
