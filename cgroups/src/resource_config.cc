#include "cgroups/resource_config.h"

#include <algorithm>
#include <limits>

#include "common/strings.h"

namespace cubelet::cgroups {
namespace {

// The products below overflow int64 for a huge (but int64) milliCPU value; a product that does
// not fit saturates, which the clamps then bring back into the kernel's range.
int64_t SaturatingMul(int64_t a, int64_t b) {
  int64_t out = 0;
  if (!__builtin_mul_overflow(a, b, &out)) return out;
  return (a < 0) != (b < 0) ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
}

}  // namespace

int64_t MilliCpuToShares(int64_t m) {
  if (m == 0) return kMinShares;
  return std::clamp<int64_t>(SaturatingMul(m, kSharesPerCpu) / kMilliCpuToCpu, kMinShares, kMaxShares);
}

int64_t MilliCpuToQuota(int64_t m, int64_t period_us) {
  if (m == 0) return 0;
  return std::max<int64_t>(SaturatingMul(m, period_us) / kMilliCpuToCpu, kMinQuotaPeriodUs);
}

int64_t CpuSharesToCpuWeight(int64_t shares) {
  if (shares == 0) return 0;
  // The kernel caps cpu.shares at 262144 (v1), so a larger value means the same as the cap.
  return 1 + ((std::clamp(shares, kMinShares, kMaxShares) - 2) * 9999) / 262142;
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
