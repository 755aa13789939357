// PodSyncHandler with the real KubeRuntimeManager against the in-process fake CRI runtime, a
// fake pod cgroup manager and fake probe results; then with the real PodWorkers, as the agent
// wires them, for many pods terminating at once.
#include "kubelet/pod_sync_handler.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/defaults.h"
#include "api/json_codec.h"
#include "common/strings.h"
#include "cri/fake_runtime.h"
#include "cri/remote_runtime.h"
#include "kuberuntime/blocking_stop_runtime.h"
#include "kuberuntime/fake_runtime_env.h"

namespace cubelet::kubelet {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// Records what the pod sync asks of the pod's cgroup, and how many sandboxes existed then.
class FakePodCgroups final : public kuberuntime::PodCgroups {
 public:
  explicit FakePodCgroups(cri::FakeRuntimeServer* runtime) : runtime_(runtime) {}
  absl::Status EnsurePodCgroup(const api::Pod& pod) override {
    Record(StrCat("ensure:", pod.metadata.name, " sandboxes=", runtime_->Sandboxes().size()));
    std::lock_guard<std::mutex> l(mu_);
    return ensure_result_;
  }
  absl::Status ResizePodCgroup(const api::Pod& pod) override {
    Record(StrCat("resize:", pod.metadata.name));
    return absl::OkStatus();
  }
  absl::Status RemovePodCgroup(const api::Pod& pod) override {
    Record(StrCat("remove:", pod.metadata.name));
    return absl::OkStatus();
  }
  void FailEnsure(absl::Status s) {
    std::lock_guard<std::mutex> l(mu_);
    ensure_result_ = std::move(s);
  }
  std::vector<std::string> Calls() {
    std::lock_guard<std::mutex> l(mu_);
    return calls_;
  }

 private:
  void Record(std::string call) {
    std::lock_guard<std::mutex> l(mu_);
    calls_.push_back(std::move(call));
  }
  cri::FakeRuntimeServer* runtime_;
  std::mutex mu_;
  absl::Status ensure_result_;
  std::vector<std::string> calls_;
};

class FakeProbeResults final : public PodProbeResults {
 public:
  std::optional<bool> Readiness(const std::string& id) const override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = readiness_.find(id);
    return it == readiness_.end() ? std::nullopt : std::optional<bool>(it->second);
  }
  std::optional<bool> Startup(const std::string&) const override { return std::nullopt; }
  kuberuntime::ProbeKills FailedContainers(const api::Pod&) const override {
    std::lock_guard<std::mutex> l(mu_);
    return kills_;
  }
  void SetReadiness(const std::string& id, bool ready) {
    std::lock_guard<std::mutex> l(mu_);
    readiness_[id] = ready;
  }
  void SetKills(kuberuntime::ProbeKills kills) {
    std::lock_guard<std::mutex> l(mu_);
    kills_ = std::move(kills);
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, bool> readiness_;
  kuberuntime::ProbeKills kills_;
};

class PodSyncHandlerTest : public ::testing::Test {
 protected:
  static constexpr int kKillThreads = 8;

  void SetUp() override {
    auto env = testing::FakeRuntimeEnv::Create("psh", &clock_, Logger(sink_, 0, &clock_));
    ASSERT_TRUE(env.ok()) << env.status();
    env_ = std::move(*env);
    fake_ = env_->fake.get();
    images_ = env_->images.get();
    volumes_ = env_->volumes.get();
    runtime_ = std::make_unique<testing::BlockingStopRuntime>(env_->runtime.get());
    pod_cgroups_ = std::make_unique<FakePodCgroups>(fake_);
    manager_ = std::make_unique<kuberuntime::KubeRuntimeManager>(runtime_.get(), images_, volumes_,
                                                                 pod_cgroups_.get(), env_->options,
                                                                 Logger(sink_, 0, &clock_), &clock_, kKillThreads);
    handler_ = std::make_unique<PodSyncHandler>(manager_.get(), &statuses_, volumes_, pod_cgroups_.get(),
                                                &probes_, &clock_, Logger(sink_, 0, &clock_),
                                                std::vector<std::string>{"192.0.2.10"});
  }
  void TearDown() override {
    runtime_->Release();
    handler_.reset();
    manager_.reset();
  }

  std::shared_ptr<const api::Pod> Pod(const std::string& name, int64_t grace = 30, const std::string& extra = "") {
    auto p = api::DecodePod(StrCat("apiVersion: v1\nkind: Pod\nmetadata: {name: ", name, "}\nspec:\n",
                                   "  terminationGracePeriodSeconds: ", grace, "\n",
                                   "  containers:\n  - {name: main, image: localhost/test:1.0", extra, "}\n"));
    EXPECT_TRUE(p.ok()) << p.status();
    p->metadata.uid = "uid-" + name;
    api::SetPodDefaults(&*p);
    return std::make_shared<const api::Pod>(*p);
  }
  // A SyncPod as the pod workers run it: one left pending (kills under way) is resumed once its
  // kills finished and synced again.
  absl::StatusOr<workers::SyncPodOutcome> Sync(const api::Pod& pod) {
    for (int i = 0;; ++i) {
      std::promise<absl::Status> resumed;
      auto r = handler_->SyncPod(pod, {}, [&](absl::Status s) { resumed.set_value(std::move(s)); });
      if (!r.ok() || *r != workers::SyncPodOutcome::kPending || i == 3) return r;
      if (absl::Status s = resumed.get_future().get(); !s.ok()) return s;
    }
  }
  std::string ContainerId(const api::Pod& pod) {
    auto st = manager_->GetPodStatus(pod.metadata.uid, pod.metadata.name, "default");
    EXPECT_TRUE(st.ok() && !st->containers.empty());
    return st.ok() && !st->containers.empty() ? st->containers[0].status.id : "";
  }
  // The pod's container runs in the runtime (no PLEG here to refresh the API status).
  bool Running(const std::string& uid) {
    for (const auto& c : fake_->Containers()) {
      auto label = c.labels.find("io.kubernetes.pod.uid");
      if (label != c.labels.end() && label->second == uid && c.state == cri::ContainerState::kRunning) return true;
    }
    return false;
  }
  // Waits for something that must happen (fails after 10 s).
  static bool Eventually(const std::function<bool()>& pred) {
    for (int i = 0; i < 1000; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
  }

  FakeClock clock_;
  std::shared_ptr<CapturingLogSink> sink_ = std::make_shared<CapturingLogSink>();
  std::unique_ptr<testing::FakeRuntimeEnv> env_;
  cri::FakeRuntimeServer* fake_ = nullptr;
  cri::ImageService* images_ = nullptr;
  volumes::VolumeManager* volumes_ = nullptr;
  std::unique_ptr<testing::BlockingStopRuntime> runtime_;
  std::unique_ptr<FakePodCgroups> pod_cgroups_;
  status::StatusManager statuses_;
  FakeProbeResults probes_;
  std::unique_ptr<kuberuntime::KubeRuntimeManager> manager_;
  std::unique_ptr<PodSyncHandler> handler_;
};

TEST_F(PodSyncHandlerTest, ThePodCgroupExistsBeforeTheSandboxAndASyncStopsWithoutIt) {
  auto pod = Pod("web");
  pod_cgroups_->FailEnsure(absl::FailedPreconditionError("write cpu.shares: EBUSY"));
  EXPECT_EQ(Sync(*pod).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(fake_->CallCount("RunPodSandbox"), 0) << "no sandbox without its cgroup";
  EXPECT_EQ(sink_->Count("FailedToCreatePodContainer"), 1);
  pod_cgroups_->FailEnsure(absl::OkStatus());
  auto terminal = Sync(*pod);
  ASSERT_TRUE(terminal.ok()) << terminal.status();
  EXPECT_EQ(*terminal, workers::SyncPodOutcome::kSynced);
  EXPECT_THAT(pod_cgroups_->Calls(), ::testing::ElementsAre("ensure:web sandboxes=0", "ensure:web sandboxes=0"));
  EXPECT_EQ(fake_->Sandboxes().size(), 1u);
}

TEST_F(PodSyncHandlerTest, ProbeResultsReachTheStatusAndAFailedLivenessProbeRestartsTheContainer) {
  auto pod = Pod("web", 30, ", readinessProbe: {exec: {command: [cat, /ready]}}");
  ASSERT_TRUE(Sync(*pod).ok());
  const std::string first = ContainerId(*pod);
  probes_.SetReadiness(first, false);
  ASSERT_TRUE(Sync(*pod).ok());
  EXPECT_FALSE(statuses_.GetPodStatus("uid-web")->container_statuses[0].ready);
  probes_.SetReadiness(first, true);
  ASSERT_TRUE(Sync(*pod).ok());
  EXPECT_TRUE(statuses_.GetPodStatus("uid-web")->container_statuses[0].ready);

  probes_.SetKills({{first, {"Container main failed liveness probe, will be restarted", 5}}});
  ASSERT_TRUE(Sync(*pod).ok());
  probes_.SetKills({});
  ASSERT_TRUE(Sync(*pod).ok());
  EXPECT_NE(ContainerId(*pod), first) << "a new container";
  EXPECT_EQ(sink_->Count("gracePeriod=5"), 1) << "the probe's terminationGracePeriodSeconds";
  EXPECT_EQ(sink_->Count("failed liveness probe"), 1);
}

TEST_F(PodSyncHandlerTest, SyncTerminatingPodReturnsWhileTheStopsWaitOutTheGracePeriod) {
  auto pod = Pod("slow", 30);
  ASSERT_TRUE(Sync(*pod).ok());
  runtime_->Block();
  std::promise<absl::Status> stopped;
  handler_->SyncTerminatingPod(pod, 12, {}, [&](absl::Status s) { stopped.set_value(std::move(s)); });
  ASSERT_TRUE(runtime_->AwaitWaitingStops(1)) << "returned with the stop under way";
  EXPECT_EQ(fake_->CallCount("StopPodSandbox"), 0);
  runtime_->Release();
  ASSERT_TRUE(stopped.get_future().get().ok());
  EXPECT_EQ(fake_->CallCount("StopPodSandbox"), 1);
  EXPECT_EQ(sink_->Count("gracePeriod=12"), 1) << "the pod worker's grace period";
}

TEST_F(PodSyncHandlerTest, ATerminalPodKeepsItsFinalStatusADeletedOneIsCleanedUp) {
  auto done = Pod("done");
  fake_->SetStartBehavior([](const cri::ContainerConfig&) { return std::optional<int32_t>(0); });
  auto copy = std::make_shared<api::Pod>(*done);
  copy->spec.restart_policy = "Never";
  done = copy;
  ASSERT_TRUE(Sync(*done).ok());
  auto terminal = Sync(*done);
  ASSERT_TRUE(terminal.ok() && *terminal == workers::SyncPodOutcome::kTerminal) << "Succeeded: the pod workers stop it";
  ASSERT_TRUE(handler_->SyncTerminatedPod(*done, /*deleted=*/false).ok());
  ASSERT_TRUE(statuses_.GetPodStatus("uid-done").has_value()) << "a terminal pod stays listed";
  EXPECT_EQ(statuses_.GetPodStatus("uid-done")->phase, "Succeeded");
  EXPECT_TRUE(fs::exists(volumes_->PodDir("uid-done").value()));

  ASSERT_TRUE(handler_->SyncTerminatedPod(*done, /*deleted=*/true).ok());
  EXPECT_FALSE(statuses_.GetPodStatus("uid-done").has_value());
  EXPECT_FALSE(fs::exists(volumes_->PodDir("uid-done").value()));
  EXPECT_THAT(pod_cgroups_->Calls(), ::testing::Contains("remove:done"));
}

// upstream's pod workers run a goroutine per pod; cubelet's few worker threads must not wait out
// grace periods: 20 pods with 30 s grace periods stopping at once on 4 worker threads leave the
// other pods' syncs flowing, and hold no more threads than the kill pool has.
TEST_F(PodSyncHandlerTest, TwentyPodsTerminatingAtOnceDoNotStallOtherPodsSyncs) {
  workers::PodWorkersOptions wo;
  wo.threads = 4;
  workers::PodWorkers workers(handler_.get(), &clock_, Logger(sink_, 0, &clock_), wo);
  std::vector<std::shared_ptr<const api::Pod>> pods;
  for (int i = 0; i < 20; ++i) {
    pods.push_back(Pod(StrCat("rollout-", i), 30));
    workers.UpdatePod(pods.back(), workers::UpdateType::kCreate);
  }
  ASSERT_TRUE(Eventually([&] {
    for (const auto& p : pods) {
      if (!Running(p->metadata.uid)) return false;
    }
    return true;
  }));

  runtime_->Block();  // every StopContainer now waits out its "grace period" until released
  for (const auto& p : pods) workers.UpdatePod(p, workers::UpdateType::kKill);
  ASSERT_TRUE(runtime_->AwaitWaitingStops(kKillThreads));

  auto late = Pod("late");
  workers.UpdatePod(late, workers::UpdateType::kCreate);
  ASSERT_TRUE(Eventually([&] { return Running("uid-late"); })) << "a new pod syncs while 20 pods stop";
  workers.UpdatePod(pods[0], workers::UpdateType::kSync);  // a resync of a stopping pod changes nothing
  EXPECT_EQ(runtime_->waiting_stops(), kKillThreads) << "the stops are still under way";
  EXPECT_EQ(manager_->QueuedKills(), 20u - kKillThreads);

  runtime_->Release();
  ASSERT_TRUE(Eventually([&] {
    for (const auto& p : pods) {
      if (workers.IsKnown(p->metadata.uid)) return false;
    }
    return true;
  })) << "every pod stopped, cleaned up and forgotten";
  EXPECT_LE(runtime_->max_waiting_stops(), kKillThreads) << "no thread per container";
  for (const auto& p : pods) EXPECT_FALSE(statuses_.GetPodStatus(p->metadata.uid).has_value());
  EXPECT_TRUE(Running("uid-late"));
  EXPECT_EQ(fake_->CallCount("StopPodSandbox"), 20);
  workers.Stop();
}

// A liveness restart stops the container on the kill pool and the sync returns pending at once:
// the worker's thread is free while the container takes its grace period; `resume` fires once
// it is down, and the next sync starts the new container.
TEST_F(PodSyncHandlerTest, ALivenessRestartDoesNotHoldTheSyncForTheGracePeriod) {
  auto pod = Pod("live", 30);
  ASSERT_TRUE(Sync(*pod).ok());
  const std::string first = ContainerId(*pod);
  probes_.SetKills({{first, {"Container main failed liveness probe, will be restarted", 20}}});
  runtime_->Block();
  std::promise<absl::Status> resumed;
  auto r = handler_->SyncPod(*pod, {}, [&](absl::Status s) { resumed.set_value(std::move(s)); });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, workers::SyncPodOutcome::kPending) << "returned while the stop is under way";
  ASSERT_TRUE(runtime_->AwaitWaitingStops(1));
  runtime_->Release();
  ASSERT_TRUE(resumed.get_future().get().ok());
  probes_.SetKills({});
  ASSERT_TRUE(Sync(*pod).ok());
  EXPECT_NE(ContainerId(*pod), first) << "the next sync started a new container";
}

// upstream's cancelFn for a termination: a shorter grace period cancels the stops under way
// (their CRI calls return at once) so the pod workers can kill again with it.
TEST_F(PodSyncHandlerTest, ACancelledTerminationReturnsWithoutWaitingForTheStops) {
  auto pod = Pod("slow", 30);
  ASSERT_TRUE(Sync(*pod).ok());
  runtime_->Block();
  std::stop_source cancel;
  std::promise<absl::Status> stopped;
  handler_->SyncTerminatingPod(pod, 30, cancel.get_token(), [&](absl::Status s) { stopped.set_value(std::move(s)); });
  ASSERT_TRUE(runtime_->AwaitWaitingStops(1));
  cancel.request_stop();
  EXPECT_EQ(stopped.get_future().get().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(runtime_->cancelled_stops(), 1);
  EXPECT_EQ(fake_->CallCount("StopPodSandbox"), 0) << "the sandbox stays for the next kill";
  runtime_->Release();
}

}  // namespace
}  // namespace cubelet::kubelet
