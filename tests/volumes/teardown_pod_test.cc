#include "volumes/volume_manager.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "volumes/mountinfo.h"
#include "volumes/scratch_mounts.h"
#include "volumes/subpath.h"

namespace cubelet::volumes {
namespace {

namespace fs = std::filesystem;

// Pod teardown with everything a pod's author can leave in its directory: a tmpfs emptyDir, a
// subPath bind mount of a hostPath volume, and a symlink to the host's data planted in an
// emptyDir. The pod directory goes; the host's data and mounts stay untouched.
TEST(TearDownPodRootTest, UnmountsThenRemovesWithoutReachingTheHost) {
  CUBELET_REQUIRE_MOUNTS();
  testing::ScratchDir dir;
  const fs::path host = fs::path(dir.path()) / "host";
  fs::create_directories(host / "data");
  std::ofstream(host / "data" / "precious") << "x";
  FakeClock clock;
  VolumeManager manager((fs::path(dir.path()) / "root").string(),
                        Logger(std::make_shared<CapturingLogSink>(), 0, &clock));
  api::Pod pod;
  pod.metadata.uid = "uid-1";
  pod.spec.volumes = {{.name = "cache", .empty_dir = api::EmptyDirVolumeSource{.medium = "Memory"}},
                      {.name = "scratch", .empty_dir = api::EmptyDirVolumeSource{}},
                      {.name = "host", .host_path = api::HostPathVolumeSource{.path = host.string()}}};
  api::Container c{.name = "c", .image = "i"};
  c.volume_mounts = {{.name = "host", .mount_path = "/d", .sub_path = "data"}};
  auto volumes = manager.SetUpPod(pod);
  ASSERT_TRUE(volumes.ok()) << volumes.status();
  auto sub_paths = PrepareSubPaths(*manager.PodDir("uid-1"), c, *volumes);
  ASSERT_TRUE(sub_paths.ok()) << sub_paths.status();
  fs::create_directory_symlink(host / "data", fs::path(volumes->at("scratch")) / "planted");
  std::ofstream(fs::path(volumes->at("cache")) / "in-tmpfs") << "x";

  absl::Status s = manager.TearDownPod("uid-1");
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_FALSE(fs::exists(*manager.PodDir("uid-1")));
  EXPECT_TRUE(fs::exists(host / "data" / "precious"));
  auto mounts = ReadMountInfo();
  ASSERT_TRUE(mounts.ok());
  EXPECT_TRUE(MountPointsUnder(*mounts, dir.path()).empty());
  EXPECT_TRUE(manager.TearDownPod("uid-1").ok()) << "a pod already torn down is nothing to do";
}

}  // namespace
}  // namespace cubelet::volumes
