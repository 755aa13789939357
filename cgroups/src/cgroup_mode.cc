#include "common/strings.h"
#include "cgroups/cgroup_mode.h"

#include <linux/magic.h>
#include <sys/statfs.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace cubelet::cgroups {

absl::StatusOr<CgroupMode> DetectCgroupMode(const std::string& root) {
  struct statfs fs;
  if (::statfs(root.c_str(), &fs) != 0) {
    return absl::FailedPreconditionError(
        StrCat("detect cgroup mode: statfs ", root, ": ", std::strerror(errno)));
  }
  if (fs.f_type == CGROUP2_SUPER_MAGIC) return CgroupMode::kUnified;
  if (fs.f_type != TMPFS_MAGIC) {
    return absl::FailedPreconditionError(StrCat(
        "detect cgroup mode: ", root, " is neither a cgroup2 mount nor a tmpfs of cgroup v1 hierarchies"));
  }
  const std::string unified = StrCat(root, "/unified");
  if (::statfs(unified.c_str(), &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC) return CgroupMode::kHybrid;
  return CgroupMode::kLegacy;
}

const char* ToString(CgroupMode mode) {
  switch (mode) {
    case CgroupMode::kLegacy: return "v1";
    case CgroupMode::kHybrid: return "v1 (hybrid, cgroup2 at unified/)";
    case CgroupMode::kUnified: return "v2";
  }
  return "unknown";
}

}  // namespace cubelet::cgroups
