// NewHostCgroupManager: the one place cubelet asks libcgroup where the v1 hierarchies are.
#include "cgroups/cgroup_manager.h"

#include <libcgroup.h>

#include <cstdlib>
#include <map>

#include "cgroups/cgroup_v1_manager.h"
#include "cgroups/cgroup_v2_manager.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace cubelet::cgroups {
namespace {

// Controller -> mount directory of every mounted v1 hierarchy, as libcgroup reads them from
// /proc/cgroups and /proc/self/mounts. Controllers with hierarchy 0 are not on a v1 mount (on a
// hybrid host they may sit on the cgroup2 mount, which kubelet does not use for them).
absl::StatusOr<std::map<std::string, std::string>> DiscoverV1Mounts() {
  if (int rc = cgroup_init(); rc != 0) {
    return absl::FailedPreconditionError(StrCat("libcgroup: cgroup_init: ", cgroup_strerror(rc)));
  }
  std::map<std::string, std::string> mounts;
  void* handle = nullptr;
  controller_data info;
  for (int rc = cgroup_get_all_controller_begin(&handle, &info); rc == 0;
       rc = cgroup_get_all_controller_next(&handle, &info)) {
    if (info.hierarchy == 0 || !info.enabled) continue;
    char* mount = nullptr;
    if (cgroup_get_subsys_mount_point(info.name, &mount) == 0 && mount != nullptr) {
      mounts[info.name] = mount;
    }
    std::free(mount);
  }
  cgroup_get_all_controller_end(&handle);
  for (const char* required : {"cpu", "memory"}) {
    if (!mounts.contains(required)) {
      return absl::FailedPreconditionError(
          StrCat("cgroup v1: the ", required, " controller is not mounted (see /proc/cgroups and /proc/mounts)"));
    }
  }
  return mounts;
}

}  // namespace

absl::StatusOr<std::unique_ptr<CgroupManager>> NewHostCgroupManager(CgroupDriver driver,
                                                                    const std::string& cgroup_fs_root) {
  if (driver == CgroupDriver::kSystemd) RETURN_IF_ERROR(CheckSystemdRunning());
  ASSIGN_OR_RETURN(CgroupMode mode, DetectCgroupMode(cgroup_fs_root));
  if (IsUnified(mode)) return std::make_unique<CgroupV2Manager>(cgroup_fs_root, driver);
  ASSIGN_OR_RETURN(auto mounts, DiscoverV1Mounts());
  return std::make_unique<CgroupV1Manager>(std::move(mounts), driver);
}

}  // namespace cubelet::cgroups
