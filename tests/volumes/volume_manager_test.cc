#include "volumes/volume_manager.h"

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/clock.h"

namespace cubelet::volumes {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class VolumeManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::path(::testing::TempDir()) / ("volume-manager-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_ / "root");
  }
  void TearDown() override { fs::remove_all(base_); }

  fs::path base_;
  FakeClock clock_;
  VolumeManager manager_{(base_ / "root").string(), Logger(std::make_shared<CapturingLogSink>(), 0, &clock_)};
};

TEST_F(VolumeManagerTest, PodDirRefusesATraversalUidNamingTheField) {
  auto dir = manager_.PodDir("../x");
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(dir.status().message(), HasSubstr("metadata.uid"));
  EXPECT_FALSE(manager_.PodContainerDir("uid-1", "../../x").ok());
}

TEST_F(VolumeManagerTest, SetUpAndTearDownWithATraversalUidTouchNothingOutsideTheRoot) {
  api::Pod pod;
  pod.metadata.uid = "../../outside";
  pod.spec.volumes = {{.name = "scratch", .empty_dir = api::EmptyDirVolumeSource{}}};
  EXPECT_FALSE(manager_.SetUpPod(pod).ok());
  EXPECT_FALSE(fs::exists(base_ / "outside"));
  fs::create_directories(base_ / "victim");
  EXPECT_FALSE(manager_.TearDownPod("../../victim").ok());
  EXPECT_TRUE(fs::exists(base_ / "victim")) << "nothing outside root-dir is removed";
}

}  // namespace
}  // namespace cubelet::volumes
