// VolumeManager's pod directories under a temp root-dir: names the pod's author chose (UID,
// container and volume names) never reach a directory outside <root-dir>/pods.
#include <filesystem>
#include <memory>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "common/logger.h"
#include "testutil/temp_dir.h"
#include "volumes/volume_manager.h"

namespace cubelet::volumes {
namespace {

namespace fs = std::filesystem;

// <tmp>/root is root-dir; <tmp> is "next to the root", where a traversal would land.
class PodDirTest : public ::testing::Test {
 protected:
  std::string root() const { return tmp_ / "root"; }
  static api::Pod PodWithUid(std::string uid) {
    api::Pod pod;
    pod.metadata.name = "web";
    pod.metadata.namespace_ = "default";
    pod.metadata.uid = std::move(uid);
    return pod;
  }
  static void ExpectRefusedNaming(const absl::Status& s, const std::string& field) {
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_NE(s.message().find(field), std::string::npos) << s;
  }

  testing::TempDir tmp_{"pod-dir-test"};
  FakeClock clock_;
  VolumeManager volumes_{root(), Logger(std::make_shared<CapturingLogSink>(), 0, &clock_)};
};

TEST_F(PodDirTest, PodDirsAreBuiltUnderRootDir) {
  EXPECT_EQ(volumes_.PodDir("uid-1").value_or(""), root() + "/pods/uid-1");
  EXPECT_EQ(volumes_.PodContainerDir("uid-1", "httpd").value_or(""), root() + "/pods/uid-1/containers/httpd");
  api::Pod pod = PodWithUid("uid-1");
  pod.spec.volumes.push_back({.name = "scratch", .empty_dir = api::EmptyDirVolumeSource{}});
  auto set_up = volumes_.SetUpPod(pod);
  ASSERT_TRUE(set_up.ok()) << set_up.status();
  EXPECT_EQ(set_up->at("scratch"), root() + "/pods/uid-1/volumes/kubernetes.io~empty-dir/scratch");
  EXPECT_TRUE(fs::is_directory(set_up->at("scratch")));
}

TEST_F(PodDirTest, EveryPathBuilderRefusesAUidThatIsNotOnePathElement) {
  for (const std::string uid : {"../../escaped", "a/b", "..", ".", ""}) {
    ExpectRefusedNaming(volumes_.PodDir(uid).status(), "metadata.uid");
    ExpectRefusedNaming(volumes_.PodContainerDir(uid, "httpd").status(), "metadata.uid");
  }
  ExpectRefusedNaming(volumes_.PodContainerDir("uid-1", "../../../../escaped").status(), "container name");
}

TEST_F(PodDirTest, SetUpPodWithATraversalUidCreatesNothingNextToTheRoot) {
  // <root>/pods/../../escaped is <tmp>/escaped.
  auto set_up = volumes_.SetUpPod(PodWithUid("../../escaped"));
  ASSERT_FALSE(set_up.ok());
  ExpectRefusedNaming(set_up.status(), "metadata.uid");
  EXPECT_FALSE(fs::exists(tmp_ / "escaped"));
  EXPECT_FALSE(fs::exists(root() + "/pods")) << "nothing at all is created for a refused pod";
}

TEST_F(PodDirTest, SetUpPodWithATraversalVolumeNameCreatesNothingOutsideThePodDir) {
  // <root>/pods/uid-1/volumes/kubernetes.io~empty-dir/ plus five ".." is <tmp>.
  api::Pod pod = PodWithUid("uid-1");
  pod.spec.volumes.push_back({.name = "../../../../../escaped", .empty_dir = api::EmptyDirVolumeSource{}});
  auto set_up = volumes_.SetUpPod(pod);
  ASSERT_FALSE(set_up.ok());
  ExpectRefusedNaming(set_up.status(), "volume name");
  EXPECT_FALSE(fs::exists(tmp_ / "escaped"));
}

TEST_F(PodDirTest, TearDownPodWithATraversalUidRemovesNothing) {
  const std::string victim = tmp_ / "victim";
  fs::create_directories(victim + "/data");
  ExpectRefusedNaming(volumes_.TearDownPod("../../victim"), "metadata.uid");
  EXPECT_TRUE(fs::is_directory(victim + "/data"));
  // <root>/pods/.. is root-dir itself.
  fs::create_directories(root() + "/plugins");
  ExpectRefusedNaming(volumes_.TearDownPod(".."), "metadata.uid");
  EXPECT_TRUE(fs::is_directory(root() + "/plugins"));
}

TEST_F(PodDirTest, TearDownPodRemovesThePodDir) {
  ASSERT_TRUE(volumes_.SetUpPod(PodWithUid("uid-1")).ok());
  ASSERT_TRUE(fs::is_directory(root() + "/pods/uid-1"));
  ASSERT_TRUE(volumes_.TearDownPod("uid-1").ok());
  EXPECT_FALSE(fs::exists(root() + "/pods/uid-1"));
}

}  // namespace
}  // namespace cubelet::volumes
