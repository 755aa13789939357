// PodCleanups (housekeeping) against the in-process fake CRI runtime, the real PLEG, the real pod
// workers over a recording syncer and the real container manager over a temp-dir cgroup tree;
// its 2 s schedule runs on a timer queue under a fake clock.
#include "kubelet/pod_cleanups.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cgroups/cgroup_v1_manager.h"
#include "cgroups/temp_cgroup_tree.h"
#include "cm/node_allocatable.h"
#include "cri/fake_runtime.h"
#include "cri/remote_runtime.h"
#include "kubelet/runtime_pods.h"
#include "testutil/temp_dir.h"

namespace cubelet::kubelet {
namespace {

// Stops a pod's containers and sandboxes in the runtime at once, as the real sync would, and
// records which pods it stopped.
class StoppingSyncer final : public workers::PodSyncer {
 public:
  explicit StoppingSyncer(std::unique_ptr<cri::RuntimeService>* runtime) : runtime_(runtime) {}
  absl::StatusOr<workers::SyncPodOutcome> SyncPod(const api::Pod&, std::stop_token, StepDone) override {
    return workers::SyncPodOutcome::kSynced;
  }
  void SyncTerminatingPod(std::shared_ptr<const api::Pod> pod, std::optional<int64_t>, std::stop_token,
                          TerminatingDone done) override {
    cri::RuntimeService& runtime = **runtime_;
    const std::string& uid = pod->metadata.uid;
    auto containers = runtime.ListContainers({});
    auto sandboxes = runtime.ListPodSandbox({});
    EXPECT_TRUE(containers.ok() && sandboxes.ok());
    for (const auto& c : containers.value_or(std::vector<cri::Container>{})) {
      if (c.labels.at(kuberuntime::kPodUidLabel) == uid) {
        EXPECT_TRUE(runtime.StopContainer(c.id, absl::Seconds(1), {}).ok());
      }
    }
    for (const auto& s : sandboxes.value_or(std::vector<cri::PodSandbox>{})) {
      if (s.labels.at(kuberuntime::kPodUidLabel) == uid) {
        EXPECT_TRUE(runtime.StopPodSandbox(s.id).ok());
      }
    }
    {
      std::lock_guard<std::mutex> l(mu_);
      stopped_.push_back(pod->metadata.uid);
    }
    cv_.notify_all();
    std::move(done)(absl::OkStatus());
  }
  absl::Status SyncTerminatedPod(const api::Pod&, bool) override { return absl::OkStatus(); }

  // The pod workers run the kill on their own threads: waits (bounded) until `uid` was stopped.
  bool WaitStopped(const std::string& uid) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, std::chrono::seconds(30),
                        [&] { return std::find(stopped_.begin(), stopped_.end(), uid) != stopped_.end(); });
  }

 private:
  std::unique_ptr<cri::RuntimeService>* runtime_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> stopped_;
};

std::shared_ptr<api::Pod> PodWithUid(const std::string& uid) {
  auto pod = std::make_shared<api::Pod>();
  pod->metadata = {.name = "p-" + uid, .namespace_ = "default", .uid = uid};
  pod->spec.containers.push_back(api::Container{.name = "c", .image = "i:1"});
  return pod;
}

class PodCleanupsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = std::make_unique<cri::FakeRuntimeServer>(dir_.path() + "/cri.sock", &clock_);
    ASSERT_TRUE(fake_->Start().ok());
    fake_->AddImage("i:1");
    cri::RemoteRuntimeOptions o;
    o.endpoint = fake_->endpoint();
    runtime_ = *cri::NewRemoteRuntimeService(o);

    auto layout = cm::ParseCgroupLayout("/cubelet", "cgroupfs", true);
    ASSERT_TRUE(layout.ok()) << layout.status();
    cm::ContainerManagerOptions cmo;
    cmo.layout = *layout;
    cmo.capacity = {{"cpu", api::Quantity::FromInt(2)}, {"memory", api::Quantity::FromInt(int64_t{4} << 30)}};
    cmo.allocatable = cmo.capacity;
    auto cgroups = std::make_unique<cgroups::CgroupV1Manager>(
        std::map<std::string, std::string>{{"cpu", tree_.Path("cpu")}, {"memory", tree_.Path("memory")},
                                           {"pids", tree_.Path("pids")}},
        layout->driver);
    containers_ = std::make_unique<cm::ContainerManager>(std::move(cgroups), cmo, [this] { return pods_.List(); },
                                                         logger_);
    ASSERT_TRUE(containers_->Start().ok());

    pleg_ = std::make_unique<pleg::GenericPleg>(runtime_.get(), &timers_, &clock_, logger_, absl::Seconds(1),
                                                [](const pleg::PodLifecycleEvent&) {});
    workers_ = std::make_unique<workers::PodWorkers>(&syncer_, &clock_, logger_, workers::PodWorkersOptions{});
    cleanups_ = std::make_unique<PodCleanups>(&pods_, [this] { return sources_ready_.load(); }, pleg_.get(),
                                              workers_.get(), containers_.get(), &timers_, logger_);
  }

  // The cgroup of a besteffort pod, as the container manager makes it.
  std::string PodCgroup(const std::string& uid) { return "cpu/cubelet/kubepods/besteffort/pod" + uid; }
  void MakePodCgroup(const std::string& uid) {
    ASSERT_TRUE(containers_->EnsurePodCgroup(*PodWithUid(uid)).ok());
    ASSERT_TRUE(tree_.IsDir(PodCgroup(uid)));
  }

  cubelet::testing::TempDir dir_{"pod-cleanups"};
  cgroups::TempCgroupTree tree_;
  FakeClock clock_;
  std::shared_ptr<CapturingLogSink> sink_ = std::make_shared<CapturingLogSink>();
  Logger logger_{sink_, 0, &clock_};
  TimerQueue timers_{&clock_, logger_};
  std::unique_ptr<cri::FakeRuntimeServer> fake_;
  std::unique_ptr<cri::RuntimeService> runtime_;
  pod::PodManager pods_;
  std::atomic<bool> sources_ready_{false};
  std::unique_ptr<cm::ContainerManager> containers_;
  StoppingSyncer syncer_{&runtime_};
  std::unique_ptr<pleg::GenericPleg> pleg_;
  std::unique_ptr<workers::PodWorkers> workers_;
  std::unique_ptr<PodCleanups> cleanups_;
};

TEST_F(PodCleanupsTest, OrphanedRuntimePodsAreKilledEveryPeriodOnceSourcesAreReady) {
  RunRuntimePod(*runtime_, "orphan");
  RunRuntimePod(*runtime_, "desired");
  RunRuntimePod(*runtime_, "finished", /*running=*/false);
  pods_.Set(PodWithUid("desired"));
  pleg_->Start();
  cleanups_->Start();
  timers_.AwaitIdle();
  EXPECT_FALSE(workers_->IsKnown("orphan")) << "a source may still report it: nothing is killed before they are ready";

  sources_ready_ = true;
  clock_.Advance(absl::Seconds(1));
  timers_.AwaitIdle();
  EXPECT_FALSE(workers_->IsKnown("orphan")) << "the next pass is one housekeeping period (2 s) after the first";
  clock_.Advance(absl::Seconds(1));
  timers_.AwaitIdle();
  // Only the orphan: "desired" has a source, nothing of "finished" runs.
  EXPECT_EQ(sink_->Count("Stopping orphaned pod that no source knows"), 1);
  EXPECT_EQ(sink_->Count("podUID=\"orphan\""), 1);
  EXPECT_TRUE(syncer_.WaitStopped("orphan")) << "the kill went through the pod workers";

  // Once the PLEG has seen it stopped, later passes leave it alone.
  for (int i = 0; i < 2; ++i) {
    clock_.Advance(absl::Seconds(1));
    timers_.AwaitIdle();
  }
  EXPECT_EQ(sink_->Count("Stopping orphaned pod that no source knows"), 1);
}

TEST_F(PodCleanupsTest, OnlyCgroupsOfPodsThatCannotBeRunningAreRemoved) {
  MakePodCgroup("desired");
  MakePodCgroup("worker");
  MakePodCgroup("running");
  MakePodCgroup("stale");
  pods_.Set(PodWithUid("desired"));
  workers_->UpdatePod(PodWithUid("worker"), workers::UpdateType::kCreate);
  RunRuntimePod(*runtime_, "running");
  sources_ready_ = true;

  cleanups_->HandlePodCleanups();
  EXPECT_TRUE(tree_.IsDir(PodCgroup("stale"))) << "no relist yet: the runtime's pods are unknown";

  pleg_->Relist();
  cleanups_->HandlePodCleanups();
  EXPECT_FALSE(tree_.IsDir(PodCgroup("stale")));
  EXPECT_TRUE(tree_.IsDir(PodCgroup("desired"))) << "a source has it";
  EXPECT_TRUE(tree_.IsDir(PodCgroup("worker"))) << "a pod worker has it";
  EXPECT_TRUE(tree_.IsDir(PodCgroup("running"))) << "it still runs (its kill was just asked for)";
  EXPECT_EQ(sink_->Count("Removed orphaned pod cgroup"), 1);
}

}  // namespace
}  // namespace cubelet::kubelet
