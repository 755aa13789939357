#include "cgroups/cgroup_name.h"

#include <sys/stat.h>

#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/strings.h"

namespace cubelet::cgroups {

absl::StatusOr<CgroupDriver> ParseCgroupDriver(std::string_view name) {
  if (name == "cgroupfs") return CgroupDriver::kCgroupfs;
  if (name == "systemd") return CgroupDriver::kSystemd;
  return absl::InvalidArgumentError(
      StrCat("cgroupDriver: \"", name, "\" is not a cgroup driver; use \"cgroupfs\" or \"systemd\""));
}

const char* ToString(CgroupDriver driver) {
  return driver == CgroupDriver::kSystemd ? "systemd" : "cgroupfs";
}

std::string ToCgroupfs(const CgroupName& name) {
  if (name.parts.empty()) return "/";
  std::string out;
  for (const auto& p : name.parts) StrAppend(&out, "/", p);
  return out;
}

std::string ToSystemd(const CgroupName& name) {
  if (name.parts.empty()) return "/";
  // systemd.ExpandSlice: "a-b-c.slice" lives in /a.slice/a-b.slice/a-b-c.slice.
  std::string prefix, out;
  for (const auto& p : name.parts) {
    const std::string escaped = absl::StrReplaceAll(p, {{"-", "_"}});
    prefix = prefix.empty() ? escaped : StrCat(prefix, "-", escaped);
    StrAppend(&out, "/", prefix, ".slice");
  }
  return out;
}

std::string ToDriverPath(const CgroupName& name, CgroupDriver driver) {
  return driver == CgroupDriver::kSystemd ? ToSystemd(name) : ToCgroupfs(name);
}

CgroupName ParseCgroupfsPath(std::string_view path) {
  CgroupName name;
  for (absl::string_view p : absl::StrSplit(absl::string_view(path.data(), path.size()), '/', absl::SkipEmpty())) {
    name.parts.emplace_back(p);
  }
  return name;
}

absl::StatusOr<CgroupName> ParseSystemdPath(std::string_view path) {
  // Only the last component matters: it spells every ancestor ("a-b-c.slice").
  CgroupName name;
  std::vector<absl::string_view> dirs =
      absl::StrSplit(absl::string_view(path.data(), path.size()), '/', absl::SkipEmpty());
  if (dirs.empty()) return name;
  absl::string_view leaf = dirs.back();
  if (!absl::ConsumeSuffix(&leaf, ".slice") || leaf.empty()) {
    return absl::InvalidArgumentError(StrCat("cgroup path \"", path, "\" is not a systemd slice (\"<name>.slice\")"));
  }
  for (absl::string_view p : absl::StrSplit(leaf, '-')) {
    if (p.empty()) return absl::InvalidArgumentError(StrCat("systemd slice \"", path, "\" has an empty component"));
    name.parts.push_back(absl::StrReplaceAll(p, {{"_", "-"}}));
  }
  return name;
}

absl::StatusOr<CgroupName> ParseDriverPath(std::string_view path, CgroupDriver driver) {
  if (driver == CgroupDriver::kSystemd) return ParseSystemdPath(path);
  return ParseCgroupfsPath(path);
}

absl::Status CheckSystemdRunning(const std::string& run_dir) {
  struct stat st;
  if (::stat(run_dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return absl::OkStatus();
  return absl::FailedPreconditionError(
      StrCat("cgroupDriver \"systemd\" needs systemd as the init system, but systemd is not running here (",
             run_dir, " does not exist); set cgroupDriver: cgroupfs (and SystemdCgroup = false in containerd)"));
}

}  // namespace cubelet::cgroups
