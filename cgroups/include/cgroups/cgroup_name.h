// Owns: CgroupName, the driver-neutral name of a cgroup (upstream cm.CgroupName), and its two
// spellings: the cgroupfs path and the systemd slice path.
// Does not own: which cgroups exist (the managers) or QoS policy (src/cm).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace cubelet::cgroups {

// A cgroup as a list of components from the root: {"kubepods", "burstable", "pod<uid>"}.
// Components contain neither "/" nor (for systemd) "_" once escaped.
struct CgroupName {
  std::vector<std::string> parts;

  CgroupName Child(std::string part) const {
    CgroupName c = *this;
    c.parts.push_back(std::move(part));
    return c;
  }
  bool empty() const { return parts.empty(); }
  friend bool operator==(const CgroupName&, const CgroupName&) = default;
  friend auto operator<=>(const CgroupName&, const CgroupName&) = default;
};

enum class CgroupDriver { kCgroupfs, kSystemd };

// "cgroupfs" or "systemd"; anything else is InvalidArgument naming the value.
absl::StatusOr<CgroupDriver> ParseCgroupDriver(std::string_view name);
const char* ToString(CgroupDriver driver);

// "/kubepods/burstable/pod1234-abcd"; the root is "/".
std::string ToCgroupfs(const CgroupName& name);
// "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_abcd.slice": each
// component has "-" escaped to "_", the components are joined with "-" and the slice expanded.
std::string ToSystemd(const CgroupName& name);
// The driver's spelling of `name`.
std::string ToDriverPath(const CgroupName& name, CgroupDriver driver);

// Inverses of the above, for --cgroup-root and for names found on disk.
CgroupName ParseCgroupfsPath(std::string_view path);
absl::StatusOr<CgroupName> ParseSystemdPath(std::string_view path);
absl::StatusOr<CgroupName> ParseDriverPath(std::string_view path, CgroupDriver driver);

// systemd's test for "booted with systemd": /run/systemd/system is a directory. The systemd
// driver refuses to start without it, with an error that says so.
absl::Status CheckSystemdRunning(const std::string& run_dir = "/run/systemd/system");

}  // namespace cubelet::cgroups
