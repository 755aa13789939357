// Restarting a static pod by moving its manifest out of the directory and back, against real
// containerd: the create that arrives while the old instance is still stopping is kept, and the
// pod runs again as soon as the old one is down (upstream's restartRequested). An edited manifest
// (a new UID for the same pod name) starts only once the old instance is down
// (upstream's allowStaticPodStart).
#include "node/static_pod_fixture.h"

namespace cubelet::testing {
namespace {

using ::testing::HasSubstr;

int Occurrences(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

TEST_F(StaticPodNodeTest, AManifestMovedOutAndBackWithinTheGracePeriodRunsAgainOnceTheOldPodIsDown) {
  StartCubelet();
  // sleep ignores SIGTERM as PID 1: the old container stops only when the 8 s grace period ends.
  WriteManifest("again.yaml", PodYaml("again", "  terminationGracePeriodSeconds: 8\n  containers:\n" +
                                                   Container1("main", "\"exec sleep 3600\"")));
  api::Pod first = Wait("again-", Running);
  const std::string old_id = Container(first, "main")->container_id.substr(13);

  fs::rename(manifests_ + "/again.yaml", dir_ + "/again.yaml");
  ASSERT_TRUE(cubelet_->WaitForLog("gracePeriod=8")) << "the kill is under way\n" << cubelet_->Log();
  fs::rename(dir_ + "/again.yaml", manifests_ + "/again.yaml");
  ASSERT_TRUE(RunningContainerIds().contains(old_id)) << "moved back within the grace period";

  api::Pod second = Wait("again-", [&](const api::Pod& p) {
    return Running(p) && Container(p, "main")->container_id.substr(13) != old_id;
  }, 60);
  ASSERT_FALSE(second.status.container_statuses.empty());
  EXPECT_EQ(second.metadata.uid, first.metadata.uid) << "the same manifest: the same static pod UID";
  EXPECT_THAT(cubelet_->Log(), HasSubstr("was created again with the same UID, restarting it"));

  // The new instance started after the old one was down, and soon after: no housekeeping pass or
  // resync was needed to bring it back.
  auto old_status = runtime_->GetContainerStatus(old_id);
  ASSERT_TRUE(old_status.ok()) << old_status.status();
  auto new_status = runtime_->GetContainerStatus(Container(second, "main")->container_id.substr(13));
  ASSERT_TRUE(new_status.ok()) << new_status.status();
  ASSERT_GT(old_status->finished_at, 0) << "the old container stopped";
  const absl::Duration gap = absl::Nanoseconds(new_status->started_at - old_status->finished_at);
  EXPECT_GE(gap, absl::ZeroDuration()) << "never two instances of the pod at once";
  EXPECT_LT(gap, absl::Seconds(10)) << "restarted as soon as the old instance was down\n" << cubelet_->Log();
  EXPECT_EQ(RunningContainerIds().size(), 1u);
  auto sandboxes = runtime_->ListPodSandbox({.id = "", .state = cri::PodSandboxState::kReady, .label_selector = {}});
  ASSERT_TRUE(sandboxes.ok());
  EXPECT_EQ(sandboxes->size(), 1u) << "the old sandbox was stopped";
}

TEST_F(StaticPodNodeTest, AManifestMovedOutBackAndOutAgainStaysStopped) {
  StartCubelet();
  WriteManifest("gone.yaml", PodYaml("gone", "  terminationGracePeriodSeconds: 4\n  containers:\n" +
                                                 Container1("main", "\"exec sleep 3600\"")));
  api::Pod first = Wait("gone-", Running);
  const std::string old_id = Container(first, "main")->container_id.substr(13);
  fs::rename(manifests_ + "/gone.yaml", dir_ + "/gone.yaml");
  ASSERT_TRUE(cubelet_->WaitForLog("gracePeriod=4")) << cubelet_->Log();
  fs::rename(dir_ + "/gone.yaml", manifests_ + "/gone.yaml");
  for (int i = 0; i < 200 && Occurrences(cubelet_->Log(), "Pod added") < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(Occurrences(cubelet_->Log(), "Pod added"), 2) << "the manifest is back\n" << cubelet_->Log();
  fs::remove(manifests_ + "/gone.yaml");
  // Down after its grace period, and not brought back.
  const absl::Time removed = absl::Now();
  while (RunningContainerIds().contains(old_id) && absl::Now() - removed < absl::Seconds(30)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_FALSE(RunningContainerIds().contains(old_id));
  for (int i = 0; i < 50 && !FetchPods(port_)->empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(FetchPods(port_)->empty());
  ASSERT_TRUE(cubelet_->WaitForLog("Pod cleaned up")) << cubelet_->Log();
  EXPECT_TRUE(RunningContainerIds().empty()) << "the restart was cancelled by the second removal";
  EXPECT_THAT(cubelet_->Log(), ::testing::Not(HasSubstr("restarting it")));
}

TEST_F(StaticPodNodeTest, AnEditedManifestStartsTheNewInstanceOnlyOnceTheOldOneIsDown) {
  StartCubelet();
  // The old container ignores SIGTERM: it is down only when its 6 s grace period ends. Were both
  // instances to run at once, a hostNetwork pod (etcd, an API server) would find its port taken.
  const std::string containers = Container1("main", "\"exec sleep 3600\"");
  WriteManifest("edit.yaml", PodYaml("edit", "  terminationGracePeriodSeconds: 6\n  containers:\n" + containers));
  api::Pod first = Wait("edit-", Running);
  const std::string old_id = Container(first, "main")->container_id.substr(13);

  WriteManifest("edit.yaml", PodYaml("edit", "  terminationGracePeriodSeconds: 5\n  containers:\n" + containers));
  api::Pod second = Wait("edit-", [&](const api::Pod& p) { return p.metadata.uid != first.metadata.uid && Running(p); },
                         60);
  EXPECT_THAT(cubelet_->Log(), HasSubstr("another static pod of the same full name is still running"));
  auto old_status = runtime_->GetContainerStatus(old_id);
  ASSERT_TRUE(old_status.ok()) << old_status.status();
  auto new_status = runtime_->GetContainerStatus(Container(second, "main")->container_id.substr(13));
  ASSERT_TRUE(new_status.ok()) << new_status.status();
  ASSERT_GT(old_status->finished_at, 0) << "the old container stopped";
  EXPECT_GE(new_status->started_at, old_status->finished_at)
      << "the new instance started while the old one still ran\n" << cubelet_->Log();
  EXPECT_EQ(RunningContainerIds().size(), 1u);
}

}  // namespace
}  // namespace cubelet::testing
