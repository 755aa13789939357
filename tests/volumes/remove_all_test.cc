#include "volumes/remove_all.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "volumes/scratch_mounts.h"

namespace cubelet::volumes {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

void Touch(const fs::path& p) { std::ofstream(p) << "x"; }

TEST(RemoveAllOneFilesystemTest, RemovesSymlinksWithoutFollowingThem) {
  testing::ScratchDir dir;
  const fs::path outside = fs::path(dir.path()) / "outside";
  const fs::path tree = fs::path(dir.path()) / "pod";
  fs::create_directories(outside / "sub");
  Touch(outside / "keep");
  Touch(outside / "sub" / "keep");
  fs::create_directories(tree / "a" / "b" / "c");
  Touch(tree / "a" / "file");
  Touch(tree / "a" / "b" / "c" / "file");
  fs::create_directory_symlink(outside, tree / "a" / "to-dir");
  fs::create_symlink(outside / "keep", tree / "a" / "b" / "to-file");
  fs::create_directory_symlink("/", tree / "root");
  ASSERT_EQ(::mkfifo((tree / "fifo").c_str(), 0600), 0);

  absl::Status s = RemoveAllOneFilesystem(tree.string());
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_FALSE(fs::exists(fs::symlink_status(tree)));
  EXPECT_TRUE(fs::exists(outside / "keep")) << "a symlink to a file outside is removed, not followed";
  EXPECT_TRUE(fs::exists(outside / "sub" / "keep")) << "a symlink to a directory outside is removed, not emptied";
}

TEST(RemoveAllOneFilesystemTest, ATopThatIsASymlinkIsRemovedNotFollowed) {
  testing::ScratchDir dir;
  const fs::path outside = fs::path(dir.path()) / "outside";
  fs::create_directories(outside);
  Touch(outside / "keep");
  const fs::path link = fs::path(dir.path()) / "pod";
  fs::create_directory_symlink(outside, link);
  ASSERT_TRUE(RemoveAllOneFilesystem(link.string()).ok());
  EXPECT_FALSE(fs::exists(fs::symlink_status(link)));
  EXPECT_TRUE(fs::exists(outside / "keep"));
}

TEST(RemoveAllOneFilesystemTest, AMissingPathIsNothingToDo) {
  testing::ScratchDir dir;
  EXPECT_TRUE(RemoveAllOneFilesystem(dir.path() + "/missing").ok());
  EXPECT_TRUE(RemoveAllOneFilesystem(dir.path() + "/missing/deeper").ok());
  EXPECT_FALSE(RemoveAllOneFilesystem("/").ok());
}

TEST(RemoveAllOneFilesystemTest, RemovesATreeDeeperThanTheDescriptorLimit) {
  testing::ScratchDir dir;
  const fs::path tree = fs::path(dir.path()) / "deep";
  fs::create_directories(tree);
  // 400 levels under a limit of 128 descriptors: one descriptor per level would run out.
  int fd = ::open(tree.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  for (int i = 0; i < 400; ++i) {
    ASSERT_EQ(::mkdirat(fd, "d", 0755), 0);
    const int next = ::openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(next, 0);
    ::close(fd);
    fd = next;
  }
  ::close(::openat(fd, "leaf", O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  ::close(fd);
  struct rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  struct rlimit low = saved;
  low.rlim_cur = 128;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  absl::Status s = RemoveAllOneFilesystem(tree.string());
  ::setrlimit(RLIMIT_NOFILE, &saved);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_FALSE(fs::exists(tree));
}

TEST(RemoveAllOneFilesystemRootTest, RefusesToCrossATmpfsMountedInside) {
  CUBELET_REQUIRE_MOUNTS();
  testing::ScratchDir dir;
  const fs::path tree = fs::path(dir.path()) / "pod";
  const fs::path mnt = tree / "volumes" / "cache";
  fs::create_directories(mnt);
  Touch(tree / "volumes" / "before");
  ASSERT_EQ(::mount("tmpfs", mnt.c_str(), "tmpfs", 0, nullptr), 0) << std::strerror(errno);
  Touch(mnt / "precious");

  absl::Status s = RemoveAllOneFilesystem(tree.string());
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(s.message(), HasSubstr(mnt.string() + " is a mount point"));
  EXPECT_TRUE(fs::exists(mnt / "precious")) << "nothing on the other filesystem is touched";
}

TEST(RemoveAllOneFilesystemRootTest, RefusesToCrossABindMountOfTheSameFilesystem) {
  CUBELET_REQUIRE_MOUNTS();
  testing::ScratchDir dir;
  const fs::path host = fs::path(dir.path()) / "host-data";
  const fs::path tree = fs::path(dir.path()) / "pod";
  const fs::path target = tree / "volume-subpaths" / "v" / "c" / "0";
  fs::create_directories(host);
  Touch(host / "precious");
  fs::create_directories(target);
  // Same device as its parent: only the mount id tells this from a plain directory.
  ASSERT_EQ(::mount(host.c_str(), target.c_str(), nullptr, MS_BIND, nullptr), 0) << std::strerror(errno);

  absl::Status s = RemoveAllOneFilesystem(tree.string());
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_THAT(s.message(), HasSubstr(target.string() + " is a mount point"));
  EXPECT_TRUE(fs::exists(host / "precious"));
}

TEST(RemoveAllOneFilesystemRootTest, RefusesATopThatIsItselfAMountPoint) {
  CUBELET_REQUIRE_MOUNTS();
  testing::ScratchDir dir;
  const fs::path tree = fs::path(dir.path()) / "pod";
  fs::create_directories(tree);
  ASSERT_EQ(::mount("tmpfs", tree.c_str(), "tmpfs", 0, nullptr), 0) << std::strerror(errno);
  Touch(tree / "precious");
  EXPECT_FALSE(RemoveAllOneFilesystem(tree.string()).ok());
  EXPECT_TRUE(fs::exists(tree / "precious"));
}

}  // namespace
}  // namespace cubelet::volumes
