#include "cgroups/cgroup_name.h"

#include <filesystem>

#include <gtest/gtest.h>

namespace cubelet::cgroups {
namespace {

const CgroupName kBurstablePod{{"kubepods", "burstable", "pod1234-abcd"}};

TEST(CgroupNameTest, CgroupfsNamesJoinTheComponents) {
  EXPECT_EQ(ToCgroupfs(kBurstablePod), "/kubepods/burstable/pod1234-abcd");
  EXPECT_EQ(ToCgroupfs(CgroupName{{"kubepods", "pod1"}}), "/kubepods/pod1");
  EXPECT_EQ(ToCgroupfs(CgroupName{}), "/");
}

TEST(CgroupNameTest, SystemdNamesEscapeDashesAndExpandTheSlice) {
  EXPECT_EQ(ToSystemd(kBurstablePod),
            "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_abcd.slice");
  EXPECT_EQ(ToSystemd(CgroupName{{"kubepods"}}), "/kubepods.slice");
  EXPECT_EQ(ToSystemd(CgroupName{}), "/");
}

TEST(CgroupNameTest, PathsParseBackToTheSameName) {
  EXPECT_EQ(ParseCgroupfsPath("/kubepods/burstable/pod1234-abcd"), kBurstablePod);
  EXPECT_EQ(ParseCgroupfsPath("kubepods//burstable/pod1234-abcd/"), kBurstablePod);
  auto systemd = ParseSystemdPath("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_abcd.slice");
  ASSERT_TRUE(systemd.ok()) << systemd.status();
  EXPECT_EQ(*systemd, kBurstablePod);
}

TEST(CgroupNameTest, ASystemdPathThatIsNoSliceIsAnError) {
  auto parsed = ParseSystemdPath("/kubepods.slice/cri-containerd-abc.scope");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("cri-containerd-abc.scope"), std::string::npos);
}

TEST(CgroupNameTest, DriverNamesAreCheckedByName) {
  EXPECT_EQ(*ParseCgroupDriver("systemd"), CgroupDriver::kSystemd);
  EXPECT_EQ(*ParseCgroupDriver("cgroupfs"), CgroupDriver::kCgroupfs);
  auto bad = ParseCgroupDriver("systemd-ish");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("systemd-ish"), std::string::npos);
}

TEST(CgroupNameTest, TheSystemdDriverSaysWhenSystemdIsNotRunning) {
  const std::string missing = ::testing::TempDir() + "/no-such-run-systemd";
  absl::Status s = CheckSystemdRunning(missing);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("systemd is not running"), std::string::npos) << s;
  EXPECT_NE(s.message().find("cgroupDriver: cgroupfs"), std::string::npos) << s;
  std::filesystem::create_directories(missing);
  EXPECT_TRUE(CheckSystemdRunning(missing).ok());
  std::filesystem::remove(missing);
}

}  // namespace
}  // namespace cubelet::cgroups
