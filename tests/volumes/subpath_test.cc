#include "volumes/subpath.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "volumes/mountinfo.h"
#include "volumes/scratch_mounts.h"

namespace cubelet::volumes {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A pod directory with one emptyDir-like volume "v", as VolumeManager lays it out.
class SubPathTest : public ::testing::TestWithParam<SubPathResolver> {
 protected:
  void SetUp() override {
    fs::create_directories(volume_);
    fs::permissions(volume_, fs::perms::all);  // 0777, as emptyDir
  }

  SubPath For(const std::string& path, size_t index = 0) const {
    return {.volume_mount_index = index, .path = path, .volume_name = "v", .volume_path = volume_.string(),
            .pod_dir = pod_dir_.string(), .container_name = "c"};
  }
  absl::StatusOr<std::string> Prepare(const std::string& path, size_t index = 0) const {
    return PrepareSafeSubpath(For(path, index), GetParam());
  }
  int MountsAt(const std::string& path) const {
    auto mounts = ReadMountInfo();
    if (!mounts.ok()) return -1;
    int n = 0;
    for (const MountInfo& m : *mounts) n += m.mount_point == path;
    return n;
  }

  testing::ScratchDir dir_;
  const fs::path pod_dir_ = fs::path(dir_.path()) / "pods" / "uid-1";
  const fs::path volume_ = pod_dir_ / "volumes" / "kubernetes.io~empty-dir" / "v";
};

INSTANTIATE_TEST_SUITE_P(Resolvers, SubPathTest,
                         ::testing::Values(SubPathResolver::kOpenat2, SubPathResolver::kNoFollowWalk),
                         [](const auto& info) {
                           return info.param == SubPathResolver::kOpenat2 ? "Openat2" : "NoFollowWalk";
                         });

TEST_P(SubPathTest, RefusesAbsoluteBackstepsAndNulNamingTheField) {
  for (const std::string& bad : {std::string("/etc"), std::string(".."), std::string("a/../../x"),
                                std::string("a/.."), std::string("a\0/b", 4), std::string()}) {
    auto target = Prepare(bad, 2);
    ASSERT_FALSE(target.ok()) << "accepted \"" << bad << "\"";
    EXPECT_EQ(target.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(target.status().message(), HasSubstr("volumeMounts[2].subPath")) << target.status();
  }
  EXPECT_FALSE(fs::exists(pod_dir_ / "volume-subpaths")) << "nothing is prepared for a refused subPath";
}

TEST_P(SubPathTest, RefusesAPlantedSymlinkAnywhereInThePath) {
  const fs::path outside = fs::path(dir_.path()) / "host";
  fs::create_directories(outside / "etc");
  fs::create_directories(volume_ / "dir");
  fs::create_directory_symlink(outside, volume_ / "to-host");
  fs::create_directory_symlink("../..", volume_ / "dir" / "up");
  fs::create_directory_symlink("/", volume_ / "dir" / "root");
  fs::create_directory_symlink("dir", volume_ / "inside");  // even one that stays inside
  for (const char* path : {"to-host", "to-host/etc", "dir/up", "dir/root/etc", "inside", "to-host/made/deeper"}) {
    auto target = Prepare(path);
    ASSERT_FALSE(target.ok()) << "followed the symlink in \"" << path << "\" to " << *target;
    EXPECT_EQ(target.status().code(), absl::StatusCode::kInvalidArgument) << target.status();
    EXPECT_THAT(target.status().message(), HasSubstr("is a symlink")) << target.status();
    EXPECT_THAT(target.status().message(), HasSubstr("outside of the volume")) << target.status();
  }
  EXPECT_FALSE(fs::exists(outside / "made")) << "a missing directory is never created through a symlink";
  EXPECT_FALSE(fs::exists(pod_dir_ / "volume-subpaths"));
}

TEST_P(SubPathTest, RefusesAComponentThatIsAFile) {
  std::ofstream(volume_ / "file") << "x";
  auto target = Prepare("file/below");
  ASSERT_FALSE(target.ok());
  EXPECT_THAT(target.status().message(), HasSubstr("volumeMounts[0].subPath"));
}

TEST_P(SubPathTest, RootCreatesMissingDirectoriesBeneathTheVolumeAndBindsThem) {
  CUBELET_REQUIRE_MOUNTS();
  const mode_t saved = ::umask(022);
  auto target = Prepare("./a//b/c", 3);
  ::umask(saved);
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(*target, (pod_dir_ / "volume-subpaths" / "v" / "c" / "3").string());
  ASSERT_TRUE(fs::is_directory(volume_ / "a" / "b" / "c"));
  EXPECT_EQ(fs::status(volume_ / "a" / "b" / "c").permissions(), fs::perms::all)
      << "created with the volume root's mode, not the umask's";
  EXPECT_EQ(MountsAt(*target), 1);
  std::ofstream(fs::path(*target) / "written") << "x";
  EXPECT_TRUE(fs::exists(volume_ / "a" / "b" / "c" / "written")) << "the target is the subPath itself";

  auto again = Prepare("a/b/c", 3);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *target);
  EXPECT_EQ(MountsAt(*target), 1) << "idempotent: already mounted from the same directory";

  ASSERT_TRUE(CleanSubPaths(pod_dir_.string()).ok());
  EXPECT_EQ(MountsAt(*target), 0);
  EXPECT_FALSE(fs::exists(pod_dir_ / "volume-subpaths"));
  EXPECT_TRUE(fs::exists(volume_ / "a" / "b" / "c" / "written")) << "cleaning never descends into a target";
  EXPECT_TRUE(CleanSubPaths(pod_dir_.string()).ok()) << "nothing left to clean is fine";
}

TEST_P(SubPathTest, RootBindsAFileOntoAFileAndRemountsWhenTheSourceChanged) {
  CUBELET_REQUIRE_MOUNTS();
  std::ofstream(volume_ / "one.conf") << "one";
  std::ofstream(volume_ / "two.conf") << "two";
  auto target = Prepare("one.conf");
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_TRUE(fs::is_regular_file(*target));
  std::string content;
  std::ifstream(*target) >> content;
  EXPECT_EQ(content, "one");
  // The same container and index now wants another file: the stale mount is replaced.
  auto other = Prepare("two.conf");
  ASSERT_TRUE(other.ok()) << other.status();
  std::ifstream(*other) >> content;
  EXPECT_EQ(content, "two");
  EXPECT_EQ(MountsAt(*other), 1);
  EXPECT_TRUE(CleanSubPaths(pod_dir_.string()).ok());
}

// The race (CVE-2017-1002101): while the subPath is prepared, another thread keeps
// swapping a directory of the volume with a symlink to "/". Whatever the interleaving, a
// prepared target is exactly the directory inside the volume, never the host's root.
TEST_P(SubPathTest, RootSwappingADirectoryForASymlinkNeverExposesTheHostRoot) {
  CUBELET_REQUIRE_MOUNTS();
  fs::create_directories(volume_ / "d" / "inner");
  std::ofstream(volume_ / "d" / "inner" / "in-volume") << "x";
  fs::create_directory_symlink("/", volume_ / "swap");
  struct stat inner;
  ASSERT_EQ(::stat((volume_ / "d" / "inner").c_str(), &inner), 0);

  std::atomic<int> swaps{0};
  // Stopped and joined when the test returns, also through a failed ASSERT.
  std::jthread swapper([&](std::stop_token stop) {
    const int dir = ::open(volume_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    while (!stop.stop_requested()) {
      if (::renameat2(dir, "d", dir, "swap", RENAME_EXCHANGE) == 0) swaps.fetch_add(1);
    }
    ::close(dir);
  });
  int prepared = 0, refused = 0;
  int streak = 0;
  bool last_ok = false;
  for (int i = 0; i < 2000; ++i) {
    // The swapper runs in bursts when the cores are busy: after a long run of one outcome, let
    // it move before the next attempt, so that both keep being tried (it still races each walk).
    if (streak >= 100) {
      for (const int seen = swaps.load(); swaps.load() == seen;) std::this_thread::yield();
    }
    auto target = Prepare("d/inner");
    streak = target.ok() == last_ok ? streak + 1 : 0;
    last_ok = target.ok();
    if (target.ok()) {
      ++prepared;
      struct stat st;
      ASSERT_EQ(::stat(target->c_str(), &st), 0);
      ASSERT_TRUE(st.st_dev == inner.st_dev && st.st_ino == inner.st_ino)
          << "iteration " << i << ": the target is not the volume's d/inner";
      ASSERT_FALSE(fs::exists(fs::path(*target) / "etc" / "os-release")) << "iteration " << i << ": host root";
      ASSERT_TRUE(fs::exists(fs::path(*target) / "in-volume")) << "iteration " << i;
    } else {
      ++refused;
      ASSERT_EQ(target.status().code(), absl::StatusCode::kInvalidArgument) << target.status();
      ASSERT_THAT(target.status().message(), HasSubstr("is a symlink"));
    }
    ASSERT_TRUE(CleanSubPaths(pod_dir_.string()).ok());
  }
  swapper.request_stop();
  swapper.join();
  EXPECT_GT(swaps.load(), 0);
  EXPECT_GT(prepared, 0) << "the race was never won by the directory";
  EXPECT_GT(refused, 0) << "the race was never won by the symlink";
  RecordProperty("prepared", prepared);
  RecordProperty("refused", refused);
}

TEST(PrepareSubPathsTest, OnlyMountsWithASubPathAndNamesAMissingVolume) {
  api::Container c{.name = "c", .image = "i"};
  c.volume_mounts = {{.name = "v", .mount_path = "/a"}, {.name = "missing", .mount_path = "/b", .sub_path = "x"}};
  auto none = PrepareSubPaths("/nonexistent", api::Container{.name = "c", .image = "i"}, {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto missing = PrepareSubPaths("/nonexistent", c, {{"v", "/nonexistent/v"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("volumeMounts[1].name: cannot find volume \"missing\""));
}

}  // namespace
}  // namespace cubelet::volumes
