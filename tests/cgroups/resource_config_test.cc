#include "cgroups/resource_config.h"

#include <gtest/gtest.h>

#include <limits>

namespace cubelet::cgroups {
namespace {

TEST(ResourceFormulasTest, SharesFollowUpstreamAndAreClamped) {
  EXPECT_EQ(MilliCpuToShares(0), 2);
  EXPECT_EQ(MilliCpuToShares(1), 2);      // 1*1024/1000 = 1, clamped up
  EXPECT_EQ(MilliCpuToShares(100), 102);
  EXPECT_EQ(MilliCpuToShares(250), 256);
  EXPECT_EQ(MilliCpuToShares(1000), 1024);
  EXPECT_EQ(MilliCpuToShares(1000000), 262144);  // clamped down
}

TEST(ResourceFormulasTest, QuotaIsProportionalToThePeriodWithAFloor) {
  EXPECT_EQ(MilliCpuToQuota(0, 100000), 0);
  EXPECT_EQ(MilliCpuToQuota(500, 100000), 50000);
  EXPECT_EQ(MilliCpuToQuota(2000, 100000), 200000);
  EXPECT_EQ(MilliCpuToQuota(5, 100000), 1000);  // 500 us is below the 1 ms minimum
  EXPECT_EQ(MilliCpuToQuota(500, 50000), 25000);
}

TEST(ResourceFormulasTest, CpuWeightFromSharesAsRunc11Converts) {
  EXPECT_EQ(CpuSharesToCpuWeight(2), 1);
  EXPECT_EQ(CpuSharesToCpuWeight(1024), 39);
  EXPECT_EQ(CpuSharesToCpuWeight(262144), 10000);
  EXPECT_EQ(CpuSharesToCpuWeight(0), 0);
}

// The largest milliCPU a valid pod can carry is int64's max (validation refuses more): the
// products m*1024 and m*period overflow int64 there and must saturate, not wrap to a negative.
TEST(ResourceFormulasTest, HugeMilliCpuSaturatesInsteadOfWrapping) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(MilliCpuToShares(kMax), 262144);
  EXPECT_EQ(MilliCpuToShares(kMax / 1024 + 1), 262144) << "first value whose m*1024 overflows";
  EXPECT_EQ(MilliCpuToQuota(kMax, 100000), kMax / 1000);
  EXPECT_EQ(MilliCpuToQuota(kMax / 100000 + 1, 100000), kMax / 1000) << "first value whose m*period overflows";
  EXPECT_EQ(MilliCpuToQuota(kMax / 100000, 100000), (kMax / 100000) * 100000 / 1000) << "last exact one";
  EXPECT_EQ(CpuSharesToCpuWeight(kMax), 10000) << "shares above the kernel's cap weigh as the cap";
}

TEST(ResourceFormulasTest, HugePageSizesAreSpelledAsTheKernelNamesThem) {
  EXPECT_EQ(HugePageSizeName(2 * 1024 * 1024), "2MB");
  EXPECT_EQ(HugePageSizeName(int64_t{1} << 30), "1GB");
  EXPECT_EQ(HugePageSizeName(64 * 1024), "64KB");
}

}  // namespace
}  // namespace cubelet::cgroups
