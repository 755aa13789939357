#include "cm/node_allocatable.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "cm/pod_resources.h"
#include "common/strings.h"

namespace cubelet::cm {
namespace {

// MemTotal of /proc/meminfo in bytes (0 when unreadable).
int64_t MemTotalBytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  int64_t kib = 0;
  while (in >> key >> kib) {
    if (key == "MemTotal:") return kib * 1024;
    std::string rest;  // the unit, where the line has one
    std::getline(in, rest);
  }
  return 0;
}

}  // namespace

api::ResourceList HostCapacity() {
  api::ResourceList cap;
  cap.emplace("cpu", api::Quantity::FromInt(::sysconf(_SC_NPROCESSORS_ONLN)));
  cap.emplace("memory", api::Quantity::FromInt(MemTotalBytes(), api::Quantity::Format::kBinarySI));
  int64_t pid_max = 0;
  std::ifstream pm("/proc/sys/kernel/pid_max");
  if (pm >> pid_max) cap.emplace("pid", api::Quantity::FromInt(pid_max));
  // /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages: capacity = pages * size.
  if (DIR* d = ::opendir("/sys/kernel/mm/hugepages")) {
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      int64_t kb = 0;
      if (!absl::StartsWith(name, "hugepages-") || !absl::EndsWith(name, "kB") ||
          !absl::SimpleAtoi(name.substr(10, name.size() - 12), &kb)) {
        continue;
      }
      int64_t pages = 0;
      std::ifstream n(StrCat("/sys/kernel/mm/hugepages/", name, "/nr_hugepages"));
      n >> pages;
      const api::Quantity size = api::Quantity::FromInt(kb * 1024, api::Quantity::Format::kBinarySI);
      cap.emplace(StrCat("hugepages-", size.ToString()),
                  api::Quantity::FromInt(pages * kb * 1024, api::Quantity::Format::kBinarySI));
    }
    ::closedir(d);
  }
  return cap;
}

absl::StatusOr<api::ResourceList> NodeAllocatable(const api::ResourceList& capacity,
                                                  const std::map<std::string, std::string>& kube_reserved,
                                                  const std::map<std::string, std::string>& system_reserved) {
  api::ResourceList allocatable = capacity;
  for (const auto& [field, reserved] : {std::pair{"kubeReserved", &kube_reserved},
                                        std::pair{"systemReserved", &system_reserved}}) {
    for (const auto& [name, text] : *reserved) {
      auto q = api::Quantity::Parse(text);
      if (!q.ok()) {
        return absl::InvalidArgumentError(StrCat(field, ".", name, ": \"", text, "\" is not a quantity"));
      }
      auto it = allocatable.find(name);
      if (it == allocatable.end()) continue;
      const int64_t left = std::max<int64_t>(0, it->second.MilliValue() - q->MilliValue());
      it->second = api::Quantity::FromMilli(left, it->second.format());
    }
  }
  return allocatable;
}

cgroups::ResourceConfig NodeAllocatableCgroupConfig(const api::ResourceList& allocatable) {
  cgroups::ResourceConfig config;
  if (auto it = allocatable.find("cpu"); it != allocatable.end()) {
    config.cpu_shares = cgroups::MilliCpuToShares(it->second.MilliValue());
  }
  if (auto it = allocatable.find("memory"); it != allocatable.end()) config.memory_limit_bytes = it->second.Value();
  if (auto it = allocatable.find("pid"); it != allocatable.end()) config.pids_limit = it->second.Value();
  config.hugepage_limits = HugePageLimits(allocatable);
  return config;
}

}  // namespace cubelet::cm
