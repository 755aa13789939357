#include "pleg/generic_pleg.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <mutex>

#include <gtest/gtest.h>

#include "common/timer_queue.h"
#include "cri/fake_runtime.h"
#include "cri/remote_runtime.h"
#include "kuberuntime/kuberuntime_manager.h"
#include "kuberuntime/labels.h"

namespace cubelet::pleg {
namespace {

// The real PLEG against the in-process fake runtime, its relist schedule on a timer queue under a
// fake clock.
class GenericPlegTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) / ("pleg-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    fake_ = std::make_unique<cri::FakeRuntimeServer>((dir_ / "cri.sock").string(), &clock_);
    ASSERT_TRUE(fake_->Start().ok());
    fake_->AddImage("i:1");
    cri::RemoteRuntimeOptions o;
    o.endpoint = fake_->endpoint();
    runtime_ = *cri::NewRemoteRuntimeService(o);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A pod with one running container, labelled as cubelet labels its pods.
  std::string RunPod(const std::string& uid) {
    cri::PodSandboxConfig sb;
    sb.metadata = {"p-" + uid, uid, "default", 0};
    sb.labels = {{kuberuntime::kPodUidLabel, uid}, {kuberuntime::kPodNameLabel, "p-" + uid},
                 {kuberuntime::kPodNamespaceLabel, "default"}};
    auto sid = runtime_->RunPodSandbox(sb, "");
    cri::ContainerConfig cc;
    cc.metadata = {"c", 0};
    cc.image.image = "i:1";
    cc.labels = {{kuberuntime::kPodUidLabel, uid}, {kuberuntime::kContainerNameLabel, "c"}};
    auto cid = runtime_->CreateContainer(*sid, cc, sb);
    EXPECT_TRUE(runtime_->StartContainer(*cid).ok());
    return *cid;
  }

  // Events as the queue's threads deliver them.
  void Record(const PodLifecycleEvent& e) {
    std::lock_guard<std::mutex> l(mu_);
    events_.push_back(e);
  }
  std::vector<PodLifecycleEvent> TakeEvents() {
    std::lock_guard<std::mutex> l(mu_);
    return std::exchange(events_, {});
  }
  static bool Has(const std::vector<PodLifecycleEvent>& events, const std::string& uid, PodLifecycleEventType type) {
    return std::any_of(events.begin(), events.end(),
                       [&](const PodLifecycleEvent& e) { return e.pod_uid == uid && e.type == type; });
  }

  std::filesystem::path dir_;
  FakeClock clock_;
  Logger logger_{std::make_shared<CapturingLogSink>(), 0, &clock_};
  TimerQueue timers_{&clock_, logger_};
  std::mutex mu_;
  std::vector<PodLifecycleEvent> events_;
  std::unique_ptr<cri::FakeRuntimeServer> fake_;
  std::unique_ptr<cri::RuntimeService> runtime_;
};

TEST_F(GenericPlegTest, EmitsStartedThenDiedAndKeepsItsLastRelistForOthers) {
  std::vector<PodLifecycleEvent> events;
  GenericPleg pleg(runtime_.get(), &timers_, &clock_, logger_, absl::Seconds(1),
                   [&](const PodLifecycleEvent& e) { events.push_back(e); });
  EXPECT_EQ(pleg.LastRelist(), nullptr) << "nothing before the first relist";
  const std::string id = RunPod("uid-1");
  pleg.Relist();
  ASSERT_FALSE(events.empty());
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [&](const PodLifecycleEvent& e) {
    return e.pod_uid == "uid-1" && e.type == PodLifecycleEventType::kContainerStarted && e.data == id;
  }));

  auto snapshot = pleg.LastRelist();
  ASSERT_NE(snapshot, nullptr);
  auto pods = kuberuntime::GroupPodStatuses(snapshot->sandboxes, snapshot->containers);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0].uid, "uid-1");
  EXPECT_EQ(pods[0].name, "p-uid-1");
  ASSERT_EQ(pods[0].containers.size(), 1u);
  EXPECT_EQ(pods[0].containers[0].status.state, cri::ContainerState::kRunning);

  events.clear();
  ASSERT_TRUE(runtime_->StopContainer(id, absl::Seconds(1), {}).ok());
  pleg.Relist();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, PodLifecycleEventType::kContainerDied);
  EXPECT_EQ(pleg.LastRelist()->containers[0].state, cri::ContainerState::kExited) << "the snapshot follows";
  EXPECT_EQ(snapshot->containers[0].state, cri::ContainerState::kRunning) << "a reader's copy never changes";
}

TEST_F(GenericPlegTest, StartRelistsOnEveryTickAndHealthFollowsTheLastSuccessfulRelist) {
  GenericPleg pleg(runtime_.get(), &timers_, &clock_, logger_, absl::Seconds(1),
                   [this](const PodLifecycleEvent& e) { Record(e); });
  EXPECT_FALSE(pleg.Healthy()) << "no relist yet";
  const std::string id = RunPod("uid-1");
  pleg.Start();
  timers_.AwaitIdle();
  EXPECT_TRUE(Has(TakeEvents(), "uid-1", PodLifecycleEventType::kContainerStarted)) << "the first relist is at once";
  EXPECT_TRUE(pleg.Healthy());

  ASSERT_TRUE(runtime_->StopContainer(id, absl::Seconds(1), {}).ok());
  clock_.Advance(absl::Milliseconds(999));
  timers_.AwaitIdle();
  EXPECT_TRUE(TakeEvents().empty()) << "the next relist is one period after the first";
  clock_.Advance(absl::Milliseconds(1));
  timers_.AwaitIdle();
  EXPECT_TRUE(Has(TakeEvents(), "uid-1", PodLifecycleEventType::kContainerDied));

  // A runtime that stops answering: relists fail, and after 3 minutes the PLEG is unhealthy.
  fake_->InjectError("ListContainers", absl::InternalError("runtime broken"), -1);
  const int lists = fake_->CallCount("ListContainers");
  clock_.Advance(absl::Minutes(3));
  timers_.AwaitIdle();
  EXPECT_EQ(fake_->CallCount("ListContainers"), lists + 1) << "ticks missed meanwhile are one relist, not a burst";
  EXPECT_TRUE(pleg.Healthy()) << "exactly 3 minutes since the last success";
  clock_.Advance(absl::Seconds(1));
  timers_.AwaitIdle();
  EXPECT_FALSE(pleg.Healthy());
  fake_->ClearErrors();
  clock_.Advance(absl::Seconds(1));
  timers_.AwaitIdle();
  EXPECT_TRUE(pleg.Healthy());
}

}  // namespace
}  // namespace cubelet::pleg
