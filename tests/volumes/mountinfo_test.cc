#include "volumes/mountinfo.h"

#include <sys/mount.h>

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "volumes/scratch_mounts.h"

namespace cubelet::volumes {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(MountInfoTest, ParsesEveryFieldAndUnescapesPaths) {
  auto mounts = ParseMountInfo(
      "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
      "36 22 0:45 /sub\\040dir /var/lib/cubelet/pods/u/volumes/kubernetes.io~empty-dir/a\\040b rw,nosuid "
      "shared:7 master:2 - tmpfs my\\011tmpfs rw,size=16384k\n"
      "37 22 0:46 / /odd\\012name\\134x rw - proc proc rw\n");
  ASSERT_TRUE(mounts.ok()) << mounts.status();
  ASSERT_EQ(mounts->size(), 3u);
  const MountInfo& m = (*mounts)[1];
  EXPECT_EQ(m.id, 36);
  EXPECT_EQ(m.parent_id, 22);
  EXPECT_EQ(m.major, 0u);
  EXPECT_EQ(m.minor, 45u);
  EXPECT_EQ(m.root, "/sub dir");
  EXPECT_EQ(m.mount_point, "/var/lib/cubelet/pods/u/volumes/kubernetes.io~empty-dir/a b");
  EXPECT_EQ(m.mount_options, "rw,nosuid");
  EXPECT_THAT(m.optional_fields, ElementsAre("shared:7", "master:2"));
  EXPECT_EQ(m.fs_type, "tmpfs");
  EXPECT_EQ(m.source, "my\ttmpfs");
  EXPECT_EQ(m.super_options, "rw,size=16384k");
  EXPECT_EQ((*mounts)[2].mount_point, "/odd\nname\\x");
  EXPECT_TRUE((*mounts)[2].optional_fields.empty());
}

TEST(MountInfoTest, KeepsBackslashesThatAreNotEscapes) {
  EXPECT_EQ(UnescapeMountInfoField("a\\040b"), "a b");
  EXPECT_EQ(UnescapeMountInfoField("a\\08"), "a\\08") << "8 is not octal";
  EXPECT_EQ(UnescapeMountInfoField("a\\04"), "a\\04") << "too short";
  EXPECT_EQ(UnescapeMountInfoField("a\\"), "a\\");
  EXPECT_EQ(UnescapeMountInfoField("\\134040"), "\\040") << "one pass: an escaped backslash stays one";
}

TEST(MountInfoTest, RefusesMalformedLinesNamingTheLine) {
  auto no_separator = ParseMountInfo("22 1 0:21 / / rw\n23 22 0:22 / /x rw shared:1 tmpfs tmpfs rw a b\n");
  ASSERT_FALSE(no_separator.ok());
  EXPECT_THAT(no_separator.status().message(), HasSubstr("line 1"));
  auto bad_id = ParseMountInfo("x 1 0:21 / / rw - ext4 /dev/vda1 rw\n");
  ASSERT_FALSE(bad_id.ok());
  EXPECT_THAT(bad_id.status().message(), HasSubstr("line 1: mount id is not a number"));
  auto bad_dev = ParseMountInfo("22 1 0:21 / / rw - ext4 /dev/vda1 rw\n23 22 021 / /x rw - tmpfs t rw\n");
  ASSERT_FALSE(bad_dev.ok());
  EXPECT_THAT(bad_dev.status().message(), HasSubstr("line 2: device is not major:minor"));
  auto short_tail = ParseMountInfo("23 22 0:21 / /x rw a b c - tmpfs\n");
  ASSERT_FALSE(short_tail.ok());
  EXPECT_THAT(short_tail.status().message(), HasSubstr("after \"-\""));
}

TEST(MountInfoTest, MountPointsUnderAreDeepestFirstAndOnlyBeneath) {
  auto mounts = ParseMountInfo(
      "1 0 0:1 / /pods/u rw - tmpfs t rw\n"
      "2 1 0:2 / /pods/u/a rw - tmpfs t rw\n"
      "3 2 0:3 / /pods/u/a/b rw - tmpfs t rw\n"
      "4 0 0:4 / /pods/uu/x rw - tmpfs t rw\n"
      "5 1 0:5 / /pods/u/z rw - tmpfs t rw\n");
  ASSERT_TRUE(mounts.ok()) << mounts.status();
  EXPECT_THAT(MountPointsUnder(*mounts, "/pods/u"), ElementsAre("/pods/u/a/b", "/pods/u/z", "/pods/u/a"));
  EXPECT_THAT(MountPointsUnder(*mounts, "/pods/u/"), ElementsAre("/pods/u/a/b", "/pods/u/z", "/pods/u/a"));
}

TEST(MountInfoTest, ReadsThisProcessMountTable) {
  auto mounts = ReadMountInfo();
  ASSERT_TRUE(mounts.ok()) << mounts.status();
  bool root = false;
  for (const MountInfo& m : *mounts) root |= m.mount_point == "/";
  EXPECT_TRUE(root);
  EXPECT_FALSE(ReadMountInfo("/nonexistent/mountinfo").ok());
}

TEST(MountInfoRootTest, FindsAMountPointWithASpaceInItsName) {
  CUBELET_REQUIRE_MOUNTS();
  testing::ScratchDir dir;
  const std::string mp = dir.path() + "/with space";
  std::filesystem::create_directories(mp);
  ASSERT_EQ(::mount("tmpfs", mp.c_str(), "tmpfs", 0, nullptr), 0) << std::strerror(errno);
  auto mounts = ReadMountInfo();
  ASSERT_TRUE(mounts.ok()) << mounts.status();
  EXPECT_THAT(MountPointsUnder(*mounts, dir.path()), ElementsAre(mp));
  auto is_root = IsMountRoot(mp);
  ASSERT_TRUE(is_root.ok()) << is_root.status();
  EXPECT_TRUE(*is_root);
  EXPECT_FALSE(*IsMountRoot(dir.path()));
  EXPECT_EQ(IsMountRoot(dir.path() + "/missing").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace cubelet::volumes
