#include "cgroups/resource_config.h"

#include <algorithm>

#include "common/strings.h"

namespace cubelet::cgroups {

int64_t MilliCpuToShares(int64_t m) {
  if (m == 0) return kMinShares;
  return std::clamp<int64_t>(m * kSharesPerCpu / kMilliCpuToCpu, kMinShares, kMaxShares);
}

int64_t MilliCpuToQuota(int64_t m, int64_t period_us) {
  if (m == 0) return 0;
  return std::max<int64_t>(m * period_us / kMilliCpuToCpu, kMinQuotaPeriodUs);
}

int64_t CpuSharesToCpuWeight(int64_t shares) {
  if (shares == 0) return 0;
  return 1 + ((shares - 2) * 9999) / 262142;
}

std::string HugePageSizeName(int64_t size) {
  static constexpr const char* kUnits[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  int unit = 0;
  while (size >= 1024 && size % 1024 == 0 && unit < 5) {
    size /= 1024;
    ++unit;
  }
  return StrCat(size, kUnits[unit]);
}

}  // namespace cubelet::cgroups
