#include "cgroups/cgroup_v1_manager.h"

#include <set>

#include "cgroup_files.h"
#include "cgroup_kill.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace cubelet::cgroups {
namespace {

// v1 reports "no limit" as the largest page-aligned int64.
constexpr int64_t kV1Unlimited = 0x7FFFFFFFFFFFF000;

// Copies `file` from `parent` into `dir` when `dir`'s is empty.
absl::Status InheritIfEmpty(const std::string& dir, const std::string& parent, const char* file) {
  auto current = files::Read(StrCat(dir, "/", file));
  if (current.ok() && !current->empty()) return absl::OkStatus();
  if (!current.ok() && !absl::IsNotFound(current.status())) return current.status();
  ASSIGN_OR_RETURN(std::string inherited, files::Read(StrCat(parent, "/", file)));
  return files::Write(StrCat(dir, "/", file), inherited);
}

}  // namespace

CgroupV1Manager::CgroupV1Manager(std::map<std::string, std::string> mounts, CgroupDriver driver)
    : mounts_(std::move(mounts)), driver_(driver) {}

std::string CgroupV1Manager::Dir(const std::string& controller, const CgroupName& name) const {
  auto it = mounts_.find(controller);
  if (it == mounts_.end()) return "";
  const std::string path = Name(name);
  return path == "/" ? it->second : StrCat(it->second, path);
}

std::vector<std::string> CgroupV1Manager::HierarchyRoots() const {
  std::set<std::string> seen;
  std::vector<std::string> roots;
  for (const auto& [controller, dir] : mounts_) {
    if (seen.insert(dir).second) roots.push_back(dir);
  }
  return roots;
}

bool CgroupV1Manager::Exists(const CgroupName& name) const {
  const std::string path = Name(name);
  for (const auto& root : HierarchyRoots()) {
    if (!files::IsDir(StrCat(root, path))) return false;
  }
  return true;
}

absl::Status CgroupV1Manager::Create(const CgroupName& name, const ResourceConfig& config) {
  const std::string path = Name(name);
  const std::string cpuset_root = mounts_.contains("cpuset") ? mounts_.at("cpuset") : "";
  for (const auto& root : HierarchyRoots()) {
    auto created = files::MakeDirs(StrCat(root, path));
    if (!created.ok()) return Annotate(created.status(), StrCat("create cgroup ", path));
    if (root != cpuset_root) continue;
    // A cpuset cgroup starts with no CPUs and no memory nodes, and no process can join it or
    // anything below it; like libcontainer, fill every empty level from its parent.
    std::string parent = root, dir = root;
    for (const auto& part : ParseCgroupfsPath(path).parts) {
      dir = StrCat(dir, "/", part);
      for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
        RETURN_IF_ERROR(Annotate(InheritIfEmpty(dir, parent, file), StrCat("create cgroup ", path)));
      }
      parent = dir;
    }
  }
  return Update(name, config);
}

absl::Status CgroupV1Manager::Update(const CgroupName& name, const ResourceConfig& config) {
  auto write = [&](const std::string& controller, const std::string& file, const std::string& value) -> absl::Status {
    const std::string dir = Dir(controller, name);
    if (dir.empty()) {
      return absl::FailedPreconditionError(
          StrCat("update cgroup ", Name(name), ": the ", controller, " controller is not mounted"));
    }
    return Annotate(files::Write(StrCat(dir, "/", file), value), StrCat("update cgroup ", Name(name)));
  };
  if (config.cpu_shares) RETURN_IF_ERROR(write("cpu", "cpu.shares", StrCat(*config.cpu_shares)));
  // The period first: the kernel checks a new quota against the current period.
  if (config.cpu_period_us) RETURN_IF_ERROR(write("cpu", "cpu.cfs_period_us", StrCat(*config.cpu_period_us)));
  if (config.cpu_quota_us) RETURN_IF_ERROR(write("cpu", "cpu.cfs_quota_us", StrCat(*config.cpu_quota_us)));
  if (config.memory_limit_bytes) {
    RETURN_IF_ERROR(write("memory", "memory.limit_in_bytes", StrCat(*config.memory_limit_bytes)));
  }
  // pids and hugetlb are optional kernel features: without the controller there is nothing to
  // limit, as upstream skips unsupported ones.
  if (config.pids_limit && mounts_.contains("pids")) {
    RETURN_IF_ERROR(write("pids", "pids.max", *config.pids_limit < 0 ? "max" : StrCat(*config.pids_limit)));
  }
  if (mounts_.contains("hugetlb")) {
    for (const auto& [size, limit] : config.hugepage_limits) {
      RETURN_IF_ERROR(write("hugetlb", StrCat("hugetlb.", HugePageSizeName(size), ".limit_in_bytes"), StrCat(limit)));
    }
  }
  return absl::OkStatus();
}

absl::Status CgroupV1Manager::Destroy(const CgroupName& name) {
  const std::string path = Name(name);
  if (path == "/") return absl::InvalidArgumentError("destroy cgroup: refusing to remove the root cgroup");
  for (const auto& root : HierarchyRoots()) {
    RETURN_IF_ERROR(Annotate(files::RemoveTree(StrCat(root, path)), StrCat("destroy cgroup ", path)));
  }
  return absl::OkStatus();
}

absl::Status CgroupV1Manager::KillAll(const CgroupName& name) {
  if (Name(name) == "/") return absl::InvalidArgumentError("kill the processes of a cgroup: refusing the root cgroup");
  // Every process is in every hierarchy: the freezer's cgroup lists them as well as any. Without
  // a freezer, the memory hierarchy's list is read and killed unfrozen (a pid could be reused
  // between the read and the pidfd_open: the freezer is what closes that window).
  const std::string freezer = Dir("freezer", name);
  const std::string procs = freezer.empty() ? Dir("memory", name) : freezer;
  if (procs.empty()) return absl::FailedPreconditionError("kill the processes of a cgroup: neither freezer nor memory is mounted");
  return kill::KillFrozen(freezer, procs);
}

absl::StatusOr<std::vector<int>> CgroupV1Manager::Pids(const CgroupName& name) const {
  // Every process is in every v1 hierarchy; memory is the one kubelet's own cleanup reads.
  const std::string dir = Dir("memory", name);
  if (dir.empty()) return absl::FailedPreconditionError("the memory controller is not mounted");
  return files::PidsBelow(dir);
}

absl::StatusOr<std::vector<CgroupName>> CgroupV1Manager::Children(const CgroupName& name) const {
  const std::string dir = Dir("cpu", name);
  if (dir.empty()) return absl::FailedPreconditionError("the cpu controller is not mounted");
  return files::ChildCgroups(dir, Name(name), driver_);
}

absl::StatusOr<ResourceConfig> CgroupV1Manager::Read(const CgroupName& name) const {
  ResourceConfig c;
  const std::string cpu = Dir("cpu", name), memory = Dir("memory", name), pids = Dir("pids", name);
  ASSIGN_OR_RETURN(c.cpu_shares, files::ReadInt(StrCat(cpu, "/cpu.shares")));
  ASSIGN_OR_RETURN(c.cpu_quota_us, files::ReadInt(StrCat(cpu, "/cpu.cfs_quota_us")));
  ASSIGN_OR_RETURN(c.cpu_period_us, files::ReadInt(StrCat(cpu, "/cpu.cfs_period_us")));
  ASSIGN_OR_RETURN(int64_t memory_limit, files::ReadInt(StrCat(memory, "/memory.limit_in_bytes")));
  c.memory_limit_bytes = memory_limit >= kV1Unlimited ? -1 : memory_limit;
  if (!pids.empty()) {
    ASSIGN_OR_RETURN(std::string max, files::Read(StrCat(pids, "/pids.max")));
    if (max == "max") {
      c.pids_limit = -1;
    } else {
      ASSIGN_OR_RETURN(c.pids_limit, files::ReadInt(StrCat(pids, "/pids.max")));
    }
  }
  return c;
}

}  // namespace cubelet::cgroups
