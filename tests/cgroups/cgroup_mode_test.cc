#include "cgroups/cgroup_mode.h"

#include <sys/statfs.h>
#include <linux/magic.h>

#include <gtest/gtest.h>

namespace cubelet::cgroups {
namespace {

TEST(CgroupModeTest, DetectsThisHostsHierarchy) {
  struct statfs fs;
  if (::statfs("/sys/fs/cgroup", &fs) != 0) GTEST_SKIP() << "no /sys/fs/cgroup here";
  auto mode = DetectCgroupMode();
  ASSERT_TRUE(mode.ok()) << mode.status();
  if (fs.f_type == CGROUP2_SUPER_MAGIC) {
    EXPECT_EQ(*mode, CgroupMode::kUnified);
  } else {
    EXPECT_NE(*mode, CgroupMode::kUnified);
  }
}

TEST(CgroupModeTest, ADirectoryThatIsNoCgroupMountIsAnError) {
  auto mode = DetectCgroupMode(::testing::TempDir());
  // TempDir is on a disk filesystem (or tmpfs without hierarchies): never v2.
  if (mode.ok()) {
    EXPECT_EQ(*mode, CgroupMode::kLegacy);
  } else {
    EXPECT_NE(std::string(mode.status().message()).find("detect cgroup mode"), std::string::npos);
  }
  EXPECT_FALSE(DetectCgroupMode("/nonexistent-cgroup-root").ok());
}

}  // namespace
}  // namespace cubelet::cgroups
