#include "cgroups/cgroup_v2_manager.h"

#include <optional>

#include "absl/strings/str_split.h"
#include "cgroup_files.h"
#include "cgroup_kill.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace cubelet::cgroups {
namespace {

// Enabled for pod and QoS cgroups when the root offers them; the first three are required.
constexpr const char* kRequired[] = {"cpu", "memory", "pids"};
constexpr const char* kOptional[] = {"cpuset", "io", "hugetlb"};

// "max" -> -1; a missing file -> unset (a controller that is not enabled here).
absl::StatusOr<std::optional<int64_t>> ReadMax(const std::string& path) {
  auto v = files::Read(path);
  if (absl::IsNotFound(v.status())) return std::nullopt;
  if (!v.ok()) return v.status();
  if (*v == "max") return -1;
  return files::ReadInt(path);
}

}  // namespace

CgroupV2Manager::CgroupV2Manager(std::string root, CgroupDriver driver) : root_(std::move(root)), driver_(driver) {}

std::string CgroupV2Manager::Dir(const CgroupName& name) const {
  const std::string path = Name(name);
  return path == "/" ? root_ : StrCat(root_, path);
}

absl::StatusOr<std::set<std::string>> CgroupV2Manager::AvailableControllers() const {
  ASSIGN_OR_RETURN(std::string text, files::Read(StrCat(root_, "/cgroup.controllers")));
  std::set<std::string> out;
  for (absl::string_view c : absl::StrSplit(text, ' ', absl::SkipWhitespace())) out.emplace(c);
  return out;
}

bool CgroupV2Manager::Exists(const CgroupName& name) const { return files::IsDir(Dir(name)); }

absl::Status CgroupV2Manager::Create(const CgroupName& name, const ResourceConfig& config) {
  const std::string context = StrCat("create cgroup ", Name(name));
  ASSIGN_OR_RETURN(auto available, AvailableControllers());
  std::string enable;
  for (const char* c : kRequired) {
    if (!available.contains(c)) {
      return absl::FailedPreconditionError(
          StrCat(context, ": the ", c, " controller is not available in ", root_, "/cgroup.controllers"));
    }
    StrAppend(&enable, enable.empty() ? "" : " ", "+", c);
  }
  for (const char* c : kOptional) {
    if (available.contains(c)) StrAppend(&enable, " +", c);
  }
  RETURN_IF_ERROR(Annotate(files::MakeDirs(Dir(name)).status(), context));
  // A controller works in a cgroup only when every ancestor delegates it through
  // cgroup.subtree_control; the leaf keeps its own empty so the runtime can put processes in
  // the containers below it.
  std::string dir = root_;
  for (size_t i = 0; i < name.parts.size(); ++i) {
    RETURN_IF_ERROR(Annotate(files::Write(StrCat(dir, "/cgroup.subtree_control"), enable), context));
    dir = Dir(CgroupName{{name.parts.begin(), name.parts.begin() + static_cast<std::ptrdiff_t>(i) + 1}});
  }
  return Update(name, config);
}

absl::Status CgroupV2Manager::Update(const CgroupName& name, const ResourceConfig& config) {
  const std::string dir = Dir(name);
  const std::string context = StrCat("update cgroup ", Name(name));
  auto write = [&](const std::string& file, const std::string& value) {
    return Annotate(files::Write(StrCat(dir, "/", file), value), context);
  };
  if (config.cpu_shares) RETURN_IF_ERROR(write("cpu.weight", StrCat(CpuSharesToCpuWeight(*config.cpu_shares))));
  if (config.cpu_quota_us || config.cpu_period_us) {
    // libcontainer's fs2 spelling: "max" unless a positive quota, then the period if given.
    std::string max = config.cpu_quota_us && *config.cpu_quota_us > 0 ? StrCat(*config.cpu_quota_us) : "max";
    if (config.cpu_period_us) StrAppend(&max, " ", *config.cpu_period_us);
    RETURN_IF_ERROR(write("cpu.max", max));
  }
  if (config.memory_limit_bytes) {
    RETURN_IF_ERROR(write("memory.max", *config.memory_limit_bytes < 0 ? "max" : StrCat(*config.memory_limit_bytes)));
  }
  if (config.pids_limit) RETURN_IF_ERROR(write("pids.max", *config.pids_limit < 0 ? "max" : StrCat(*config.pids_limit)));
  if (!config.hugepage_limits.empty()) {
    ASSIGN_OR_RETURN(auto available, AvailableControllers());
    if (available.contains("hugetlb")) {
      for (const auto& [size, limit] : config.hugepage_limits) {
        RETURN_IF_ERROR(write(StrCat("hugetlb.", HugePageSizeName(size), ".max"), StrCat(limit)));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CgroupV2Manager::Destroy(const CgroupName& name) {
  if (name.empty()) return absl::InvalidArgumentError("destroy cgroup: refusing to remove the root cgroup");
  return Annotate(files::RemoveTree(Dir(name)), StrCat("destroy cgroup ", Name(name)));
}

absl::Status CgroupV2Manager::KillAll(const CgroupName& name) {
  if (Name(name) == "/") return absl::InvalidArgumentError("kill the processes of a cgroup: refusing the root cgroup");
  return kill::KillUnified(Dir(name));
}

absl::StatusOr<std::vector<int>> CgroupV2Manager::Pids(const CgroupName& name) const {
  return files::PidsBelow(Dir(name));
}

absl::StatusOr<std::vector<CgroupName>> CgroupV2Manager::Children(const CgroupName& name) const {
  return files::ChildCgroups(Dir(name), Name(name), driver_);
}

absl::StatusOr<ResourceConfig> CgroupV2Manager::Read(const CgroupName& name) const {
  const std::string dir = Dir(name);
  ResourceConfig c;
  ASSIGN_OR_RETURN(c.cpu_weight, ReadMax(StrCat(dir, "/cpu.weight")));
  auto cpu_max_file = files::Read(StrCat(dir, "/cpu.max"));
  if (!cpu_max_file.ok() && !absl::IsNotFound(cpu_max_file.status())) return cpu_max_file.status();
  const std::string cpu_max = cpu_max_file.value_or("");
  std::vector<std::string> fields = absl::StrSplit(cpu_max, ' ', absl::SkipWhitespace());
  if (!fields.empty()) {
    int64_t quota = -1;
    if (fields[0] != "max" && !absl::SimpleAtoi(fields[0], &quota)) {
      return absl::InvalidArgumentError(StrCat("read ", dir, "/cpu.max: \"", cpu_max, "\""));
    }
    c.cpu_quota_us = quota;
    int64_t period = 0;
    if (fields.size() > 1 && absl::SimpleAtoi(fields[1], &period)) c.cpu_period_us = period;
  }
  ASSIGN_OR_RETURN(c.memory_limit_bytes, ReadMax(StrCat(dir, "/memory.max")));
  ASSIGN_OR_RETURN(c.pids_limit, ReadMax(StrCat(dir, "/pids.max")));
  return c;
}

}  // namespace cubelet::cgroups
