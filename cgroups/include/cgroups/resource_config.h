// Owns: ResourceConfig, the values a cgroup manager writes to a cgroup, and the formulas that turn
// Kubernetes quantities into kernel values (upstream cm/helpers_linux.go).
// Does not own: which pod gets which values (src/cm).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace cubelet::cgroups {

inline constexpr int64_t kMinShares = 2;
inline constexpr int64_t kMaxShares = 262144;
inline constexpr int64_t kSharesPerCpu = 1024;
inline constexpr int64_t kMilliCpuToCpu = 1000;
inline constexpr int64_t kQuotaPeriodUs = 100000;
inline constexpr int64_t kMinQuotaPeriodUs = 1000;

// Unset fields are left as the kernel (or a previous write) has them.
struct ResourceConfig {
  std::optional<int64_t> memory_limit_bytes;  // -1: unlimited
  std::optional<int64_t> cpu_shares;          // v1 cpu.shares; v2 cpu.weight derived from it
  std::optional<int64_t> cpu_quota_us;        // -1: unlimited
  std::optional<int64_t> cpu_period_us;
  std::optional<int64_t> pids_limit;          // -1: unlimited ("max")
  std::optional<int64_t> cpu_weight;          // v2 only, read back by Read(); Update derives it from cpu_shares
  std::map<int64_t, int64_t> hugepage_limits;  // page size in bytes -> limit in bytes

  friend bool operator==(const ResourceConfig&, const ResourceConfig&) = default;
};

// milliCPU -> cpu.shares: m*1024/1000 clamped to [2, 262144]; 0 -> 2.
int64_t MilliCpuToShares(int64_t milli_cpu);
// milliCPU -> CFS quota: m*period/1000, at least 1000 us; 0 -> 0 (no quota).
int64_t MilliCpuToQuota(int64_t milli_cpu, int64_t period_us);
// cpu.shares -> cgroup v2 cpu.weight as the runc 1.1 / Kubernetes 1.32 libcontainer converts it:
// 1 + ((shares - 2) * 9999) / 262142 (2 -> 1, 1024 -> 39, 262144 -> 10000); 0 -> 0 (unset).
int64_t CpuSharesToCpuWeight(int64_t shares);
// Kernel spelling of a huge page size for hugetlb file names: 2097152 -> "2MB", 1 GiB -> "1GB".
std::string HugePageSizeName(int64_t page_size_bytes);

}  // namespace cubelet::cgroups
