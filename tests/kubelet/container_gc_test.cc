// ContainerGC's cadence with the real KubeRuntimeManager against the in-process fake CRI runtime,
// its schedule on a timer queue under a fake clock.
#include "kubelet/container_gc.h"

#include <algorithm>
#include <atomic>
#include <filesystem>

#include <gtest/gtest.h>

#include "cri/fake_runtime.h"
#include "cri/remote_runtime.h"
#include "kubelet/runtime_pods.h"
#include "testutil/temp_dir.h"

namespace cubelet::kubelet {
namespace {

class NoPodCgroups final : public kuberuntime::PodCgroups {
 public:
  absl::Status EnsurePodCgroup(const api::Pod&) override { return absl::OkStatus(); }
  absl::Status ResizePodCgroup(const api::Pod&) override { return absl::OkStatus(); }
  absl::Status RemovePodCgroup(const api::Pod&) override { return absl::OkStatus(); }
};

class ContainerGCTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = std::make_unique<cri::FakeRuntimeServer>(dir_.path() + "/cri.sock", &clock_);
    ASSERT_TRUE(fake_->Start().ok());
    fake_->AddImage("i:1");
    cri::RemoteRuntimeOptions o;
    o.endpoint = fake_->endpoint();
    runtime_ = *cri::NewRemoteRuntimeService(o);
    images_ = *cri::NewRemoteImageService(o);
    volumes_ = std::make_unique<volumes::VolumeManager>(dir_.path() + "/root", logger_);
    kuberuntime::RuntimeOptions ro;
    ro.root_dir = dir_.path() + "/root";
    ro.pod_logs_dir = dir_.path() + "/logs";
    manager_ = std::make_unique<kuberuntime::KubeRuntimeManager>(runtime_.get(), images_.get(), volumes_.get(),
                                                                 &pod_cgroups_, ro, logger_, &clock_);
    gc_ = std::make_unique<ContainerGC>(manager_.get(), &pods_, [this] { return sources_ready_.load(); }, &timers_,
                                        logger_);
  }

  bool HasContainer(const std::string& id) {
    auto all = fake_->Containers();
    return std::any_of(all.begin(), all.end(), [&](const cri::ContainerStatus& c) { return c.id == id; });
  }

  cubelet::testing::TempDir dir_{"container-gc"};
  FakeClock clock_;
  Logger logger_{std::make_shared<CapturingLogSink>(), 0, &clock_};
  TimerQueue timers_{&clock_, logger_};
  std::unique_ptr<cri::FakeRuntimeServer> fake_;
  std::unique_ptr<cri::RuntimeService> runtime_;
  std::unique_ptr<cri::ImageService> images_;
  std::unique_ptr<volumes::VolumeManager> volumes_;
  NoPodCgroups pod_cgroups_;
  std::unique_ptr<kuberuntime::KubeRuntimeManager> manager_;
  pod::PodManager pods_;
  std::atomic<bool> sources_ready_{false};
  std::unique_ptr<ContainerGC> gc_;
};

TEST_F(ContainerGCTest, CollectsEveryPeriodOnceSourcesAreReadyAndKeepsWhatSourcesHave) {
  const std::string gone = RunRuntimePod(*runtime_, "gone", /*running=*/false);
  const std::string kept = RunRuntimePod(*runtime_, "kept", /*running=*/false);
  const std::string alive = RunRuntimePod(*runtime_, "alive");
  auto pod = std::make_shared<api::Pod>();
  pod->metadata = {.name = "p-kept", .namespace_ = "default", .uid = "kept"};
  pods_.Set(pod);
  gc_->Start();

  clock_.Advance(absl::Seconds(30));
  timers_.AwaitIdle();
  EXPECT_TRUE(HasContainer(gone)) << "sources not ready: a source may still report the pod";

  sources_ready_ = true;
  clock_.Advance(absl::Seconds(29));
  timers_.AwaitIdle();
  EXPECT_TRUE(HasContainer(gone)) << "the next collection is one period (30 s) after the last";
  clock_.Advance(absl::Seconds(1));
  timers_.AwaitIdle();
  EXPECT_FALSE(HasContainer(gone)) << "dead, and no source has its pod";
  EXPECT_EQ(fake_->Sandboxes().size(), 2u) << "the dead pod's sandbox went with it";
  EXPECT_TRUE(HasContainer(kept)) << "a source has the pod: its last dead instance stays";
  EXPECT_TRUE(HasContainer(alive)) << "running containers are never collected";
}

}  // namespace
}  // namespace cubelet::kubelet
