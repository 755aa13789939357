#include "pleg/generic_pleg.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "cri/fake_runtime.h"
#include "cri/remote_runtime.h"
#include "kuberuntime/kuberuntime_manager.h"
#include "kuberuntime/labels.h"

namespace cubelet::pleg {
namespace {

// The real PLEG against the in-process fake runtime.
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

  std::filesystem::path dir_;
  FakeClock clock_;
  std::unique_ptr<cri::FakeRuntimeServer> fake_;
  std::unique_ptr<cri::RuntimeService> runtime_;
};

TEST_F(GenericPlegTest, EmitsStartedThenDiedAndKeepsItsLastRelistForOthers) {
  std::vector<PodLifecycleEvent> events;
  GenericPleg pleg(runtime_.get(), &clock_, Logger(std::make_shared<CapturingLogSink>(), 0, &clock_),
                   absl::Seconds(1), [&](const PodLifecycleEvent& e) { events.push_back(e); });
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
  ASSERT_TRUE(runtime_->StopContainer(id, absl::Seconds(1)).ok());
  pleg.Relist();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, PodLifecycleEventType::kContainerDied);
  EXPECT_EQ(pleg.LastRelist()->containers[0].state, cri::ContainerState::kExited) << "the snapshot follows";
  EXPECT_EQ(snapshot->containers[0].state, cri::ContainerState::kRunning) << "a reader's copy never changes";
}

}  // namespace
}  // namespace cubelet::pleg
