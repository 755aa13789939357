// The real KubeRuntimeManager against the in-process fake CRI runtime, with a fake clock.
#include "kuberuntime/kuberuntime_manager.h"

#include <filesystem>
#include <fstream>
#include <future>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/defaults.h"
#include "api/json_codec.h"
#include "cri/fake_runtime.h"
#include "cri/remote_runtime.h"
#include "kuberuntime/blocking_stop_runtime.h"
#include "kuberuntime/fake_runtime_env.h"

namespace cubelet::kuberuntime {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Counts what the runtime manager asks of the pod's cgroup.
class FakePodCgroups final : public PodCgroups {
 public:
  absl::Status EnsurePodCgroup(const api::Pod&) override { return absl::OkStatus(); }
  absl::Status ResizePodCgroup(const api::Pod&) override {
    ++resizes;
    return absl::OkStatus();
  }
  absl::Status RemovePodCgroup(const api::Pod&) override { return absl::OkStatus(); }
  int resizes = 0;
};

class KubeRuntimeManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto env = testing::FakeRuntimeEnv::Create("krm", &clock_, Logger(sink_, 0, &clock_));
    ASSERT_TRUE(env.ok()) << env.status();
    env_ = std::move(*env);
    dir_ = env_->dir;
    fake_ = env_->fake.get();
    runtime_ = env_->runtime.get();
    images_ = env_->images.get();
    volumes_ = env_->volumes.get();
    manager_ = std::make_unique<KubeRuntimeManager>(runtime_, images_, volumes_, &pod_cgroups_, env_->options,
                                                    Logger(sink_, 0, &clock_), &clock_);
  }
  void TearDown() override { manager_.reset(); }

  api::Pod Pod(const std::string& yaml) {
    auto p = api::DecodePod(yaml);
    EXPECT_TRUE(p.ok()) << p.status();
    p->metadata.uid = "uid-1";
    api::SetPodDefaults(&*p);
    return *p;
  }
  RuntimePodStatus Status(const api::Pod& p) { return *manager_->GetPodStatus(p.metadata.uid, p.metadata.name, "default"); }
  // One SyncPod as the pod workers run it: when it left kills running, waits for them and syncs
  // again (the pod workers resume the pod at once).
  PodSyncResult Sync(const api::Pod& p, const ProbeKills& probe_kills = {}) {
    for (int i = 0;; ++i) {
      std::promise<absl::Status> killed;
      PodSyncResult r = manager_->SyncPod(p, Status(p), probe_kills, {}, [&](absl::Status s) { killed.set_value(s); });
      if (!r.kills_started || i == 3) return r;
      if (absl::Status s = killed.get_future().get(); !s.ok()) return {.error = s, .kills_started = false};
    }
  }

  FakeClock clock_;
  std::shared_ptr<CapturingLogSink> sink_ = std::make_shared<CapturingLogSink>();
  std::unique_ptr<testing::FakeRuntimeEnv> env_;
  fs::path dir_;  // env_->dir
  cri::FakeRuntimeServer* fake_ = nullptr;
  cri::RuntimeService* runtime_ = nullptr;
  cri::ImageService* images_ = nullptr;
  volumes::VolumeManager* volumes_ = nullptr;
  FakePodCgroups pod_cgroups_;
  std::unique_ptr<KubeRuntimeManager> manager_;
};

constexpr char kWeb[] = R"yaml(apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers:
  - name: httpd
    image: localhost/test:1.0
    command: ["httpd", "-p", "$(PORT)"]
    env: [{name: PORT, value: "8080"}, {name: URL, value: "http://$(POD_IP):$(PORT)"},
          {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}]
    ports: [{containerPort: 8080, hostPort: 18080}]
    resources: {limits: {cpu: 500m, memory: 64Mi}, requests: {cpu: 250m, memory: 32Mi}}
)yaml";

TEST_F(KubeRuntimeManagerTest, SyncPodFollowsUpstreamsCallOrderAndConfigs) {
  api::Pod pod = Pod(kWeb);
  fake_->ClearCalls();
  PodSyncResult r = Sync(pod);
  ASSERT_TRUE(r.error.ok()) << r.error;
  auto calls = fake_->Calls();
  // Status reads first, then sandbox, its status, the image check, create and start.
  std::vector<std::string> mutating;
  for (const auto& c : calls) {
    if (c != "ListPodSandbox" && c != "ListContainers") mutating.push_back(c);
  }
  EXPECT_THAT(mutating, ElementsAre("RunPodSandbox", "PodSandboxStatus", "ImageStatus", "CreateContainer", "StartContainer"));

  auto sandboxes = fake_->Sandboxes();
  ASSERT_EQ(sandboxes.size(), 1u);
  auto sb = *fake_->SandboxConfigOf(sandboxes[0].id);
  EXPECT_EQ(sb.metadata.name, "web");
  EXPECT_EQ(sb.hostname, "web");
  EXPECT_EQ(sb.labels.at("io.kubernetes.pod.uid"), "uid-1");
  EXPECT_EQ(sb.labels.at("app"), "web");
  EXPECT_EQ(sb.log_directory, (dir_ / "logs" / "default_web_uid-1").string());
  ASSERT_EQ(sb.port_mappings.size(), 1u);
  EXPECT_EQ(sb.port_mappings[0].host_port, 18080);
  EXPECT_EQ(sb.linux.cgroup_parent, "/kubepods/burstable/poduid-1");
  ASSERT_TRUE(sb.dns_config.has_value());
  EXPECT_THAT(sb.dns_config->servers, ElementsAre("192.0.2.53")) << "ClusterFirst without clusterDNS uses the node's";

  auto containers = fake_->Containers();
  ASSERT_EQ(containers.size(), 1u);
  auto cc = *fake_->ContainerConfigOf(containers[0].id);
  EXPECT_THAT(cc.command, ElementsAre("httpd", "-p", "8080"));
  ASSERT_EQ(cc.envs.size(), 3u);
  EXPECT_EQ(cc.envs[1].value, "http://$(POD_IP):8080") << "POD_IP is defined after URL";
  EXPECT_EQ(cc.envs[2].value, sandboxes[0].ip);
  EXPECT_EQ(cc.labels.at("io.kubernetes.container.name"), "httpd");
  EXPECT_EQ(cc.labels.at("io.kubernetes.pod.name"), "web");
  EXPECT_EQ(cc.annotations.at("io.kubernetes.container.restartCount"), "0");
  EXPECT_EQ(cc.annotations.at("io.kubernetes.container.hash"), HashContainer(pod.spec.containers[0]));
  EXPECT_EQ(cc.annotations.at("io.kubernetes.pod.terminationGracePeriod"), "30");
  EXPECT_EQ(cc.log_path, "httpd/0.log");
  EXPECT_EQ(cc.linux.resources->cpu_shares, 256);
  EXPECT_EQ(cc.linux.resources->cpu_quota, 50000);
  EXPECT_EQ(cc.linux.resources->cpu_period, 100000);
  EXPECT_EQ(cc.linux.resources->memory_limit_in_bytes, 64 << 20);
  EXPECT_EQ(cc.linux.resources->oom_score_adj, 1000 - (1000LL * (32 << 20)) / (1 << 30));
  bool hosts = false, termination = false;
  for (const auto& m : cc.mounts) {
    hosts |= m.container_path == "/etc/hosts";
    termination |= m.container_path == "/dev/termination-log";
  }
  EXPECT_TRUE(hosts);
  EXPECT_TRUE(termination);

  // A second sync of a healthy pod changes nothing.
  fake_->ClearCalls();
  ASSERT_TRUE(Sync(pod).error.ok());
  EXPECT_EQ(fake_->CallCount("CreateContainer") + fake_->CallCount("RunPodSandbox"), 0);
}

TEST_F(KubeRuntimeManagerTest, CrashLoopBackOffDoublesAndRestartCountGrows) {
  api::Pod pod = Pod("apiVersion: v1\nkind: Pod\nmetadata: {name: crash}\nspec:\n  containers:\n"
                     "  - {name: c, image: localhost/test:1.0}\n");
  fake_->SetStartBehavior([](const cri::ContainerConfig&) { return std::optional<int32_t>(1); });
  ASSERT_TRUE(Sync(pod).error.ok()) << sink_->Lines().back();  // start 0: exits 1 at once
  ASSERT_TRUE(Sync(pod).error.ok()) << "the first restart is immediate";
  EXPECT_EQ(fake_->CallCount("StartContainer"), 2);
  // The second restart waits 10 s after the last exit.
  PodSyncResult blocked = Sync(pod);
  EXPECT_THAT(std::string(blocked.error.message()), HasSubstr("CrashLoopBackOff"));
  auto reason = manager_->reasons().Get("uid-1", "c");
  ASSERT_TRUE(reason.has_value());
  EXPECT_EQ(reason->reason, "CrashLoopBackOff");
  EXPECT_EQ(reason->message, "back-off 10s restarting failed container=c pod=crash_default(uid-1)");
  // (The fake runtime's timestamps tick a nanosecond per event: step just past each delay.)
  clock_.Advance(absl::Seconds(10) + absl::Milliseconds(1));
  ASSERT_TRUE(Sync(pod).error.ok());
  EXPECT_EQ(fake_->CallCount("StartContainer"), 3);
  clock_.Advance(absl::Seconds(10));
  EXPECT_FALSE(Sync(pod).error.ok()) << "now 20 s";
  clock_.Advance(absl::Seconds(10) + absl::Milliseconds(1));
  ASSERT_TRUE(Sync(pod).error.ok());
  auto st = Status(pod);
  EXPECT_EQ(st.containers[0].identity.restart_count, 3);
  EXPECT_EQ(fake_->ContainerConfigOf(st.containers[0].status.id)->log_path, "c/3.log");
}

TEST_F(KubeRuntimeManagerTest, ImagePullPolicies) {
  api::Pod never = Pod("apiVersion: v1\nkind: Pod\nmetadata: {name: never}\nspec:\n  containers:\n"
                       "  - {name: c, image: 'localhost/absent:1', imagePullPolicy: Never}\n");
  EXPECT_FALSE(Sync(never).error.ok());
  EXPECT_EQ(manager_->reasons().Get("uid-1", "c")->reason, "ErrImageNeverPull");
  EXPECT_EQ(manager_->reasons().Get("uid-1", "c")->message,
            "Container image \"localhost/absent:1\" is not present with pull policy of Never");
  EXPECT_EQ(fake_->CallCount("PullImage"), 0);

  api::Pod always = Pod("apiVersion: v1\nkind: Pod\nmetadata: {name: always}\nspec:\n  containers:\n"
                        "  - {name: c, image: 'localhost/remote:latest'}\n");
  always.metadata.uid = "uid-2";
  EXPECT_FALSE(Sync(always).error.ok());
  EXPECT_EQ(manager_->reasons().Get("uid-2", "c")->reason, "ErrImagePull");
  EXPECT_FALSE(Sync(always).error.ok());
  EXPECT_EQ(manager_->reasons().Get("uid-2", "c")->reason, "ImagePullBackOff");
  EXPECT_EQ(fake_->CallCount("PullImage"), 1) << "no pull during the back-off";
  fake_->AddPullableImage("localhost/remote:latest");
  clock_.Advance(absl::Seconds(10));
  EXPECT_TRUE(Sync(always).error.ok());
  EXPECT_FALSE(manager_->reasons().Get("uid-2", "c").has_value()) << "cleared by a successful start";
}

TEST_F(KubeRuntimeManagerTest, SubPathThatEscapesItsVolumeIsACreateContainerConfigError) {
  api::Pod pod = Pod("apiVersion: v1\nkind: Pod\nmetadata: {name: sp}\nspec:\n  volumes: [{name: v, emptyDir: {}}]\n"
                     "  containers:\n  - name: c\n    image: localhost/test:1.0\n"
                     "    volumeMounts: [{name: v, mountPath: /data, subPath: link}]\n");
  const fs::path vol = dir_ / "root/pods/uid-1/volumes/kubernetes.io~empty-dir/v";
  fs::create_directories(vol);
  fs::create_symlink("/etc", vol / "link");
  EXPECT_FALSE(Sync(pod).error.ok());
  auto reason = manager_->reasons().Get("uid-1", "c");
  ASSERT_TRUE(reason.has_value());
  EXPECT_EQ(reason->reason, "CreateContainerConfigError");
  EXPECT_THAT(reason->message, HasSubstr("outside of the volume"));
  EXPECT_EQ(fake_->CallCount("CreateContainer"), 0) << "nothing runs";
}

TEST_F(KubeRuntimeManagerTest, KillPodStopsContainersThenTheSandbox) {
  api::Pod pod = Pod(kWeb);
  ASSERT_TRUE(Sync(pod).error.ok());
  fake_->ClearCalls();
  ASSERT_TRUE(manager_->KillPod(&pod, Status(pod)).ok());
  std::vector<std::string> mutating;
  for (const auto& c : fake_->Calls()) {
    if (c == "StopContainer" || c == "StopPodSandbox") mutating.push_back(c);
  }
  EXPECT_THAT(mutating, ElementsAre("StopContainer", "StopPodSandbox"));
  // Garbage collection of a pod no source wants removes everything and its logs.
  manager_->GarbageCollect({});
  EXPECT_TRUE(fake_->Containers().empty());
  EXPECT_TRUE(fake_->Sandboxes().empty());
  EXPECT_FALSE(fs::exists(dir_ / "logs" / "default_web_uid-1"));
}

constexpr char kThree[] = R"yaml(apiVersion: v1
kind: Pod
metadata: {name: three}
spec:
  terminationGracePeriodSeconds: 7
  containers:
  - {name: a, image: localhost/test:1.0}
  - {name: b, image: localhost/test:1.0}
  - {name: c, image: localhost/test:1.0}
)yaml";

// Kills run on the bounded kill pool: the caller's thread returns at once, at most the pool's
// threads wait out grace periods, and the sandbox stops after every container did.
TEST_F(KubeRuntimeManagerTest, KillPodAsyncStopsContainersInParallelOnTheBoundedPoolThenTheSandbox) {
  cubelet::testing::BlockingStopRuntime blocking(runtime_);
  KubeRuntimeManager manager(&blocking, images_, volumes_, &pod_cgroups_, manager_->options(),
                             Logger(sink_, 0, &clock_), &clock_, /*kill_threads=*/2);
  api::Pod pod = Pod(kThree);
  ASSERT_TRUE(manager.SyncPod(pod, Status(pod), {}, {}, [](absl::Status) {}).error.ok());
  fake_->ClearCalls();
  blocking.Block();
  std::promise<absl::Status> killed;
  manager.KillPodAsync(&pod, Status(pod), std::nullopt, {}, [&](absl::Status s) { killed.set_value(std::move(s)); });
  // Returned with the stops under way: two wait out their grace period, one waits for a thread.
  ASSERT_TRUE(blocking.AwaitWaitingStops(2));
  EXPECT_EQ(manager.QueuedKills(), 1u);
  EXPECT_EQ(fake_->CallCount("StopPodSandbox"), 0) << "the sandbox outlives its containers";
  blocking.Release();
  ASSERT_TRUE(killed.get_future().get().ok());
  EXPECT_EQ(blocking.max_waiting_stops(), 2) << "never more stops at once than the pool has threads";
  std::vector<std::string> stops;
  for (const auto& c : fake_->Calls()) {
    if (c == "StopContainer" || c == "StopPodSandbox") stops.push_back(c);
  }
  EXPECT_THAT(stops, ElementsAre("StopContainer", "StopContainer", "StopContainer", "StopPodSandbox"));
  EXPECT_EQ(sink_->Count("gracePeriod=7"), 3) << "the pod's terminationGracePeriodSeconds";
}

// The agent exits without waiting out grace periods (as upstream's kubelet: the runtime finishes
// the stops it was asked for): destroying the manager cancels the stops under way and drops the
// queued ones; the caller's `done` hears CancelledError either way. (Were the stops not
// cancelled, the destructor would wait for the blocked stops for good.)
TEST_F(KubeRuntimeManagerTest, ShutdownCancelsTheStopsUnderWayInsteadOfWaitingForThem) {
  cubelet::testing::BlockingStopRuntime blocking(runtime_);
  auto manager = std::make_unique<KubeRuntimeManager>(&blocking, images_, volumes_, &pod_cgroups_,
                                                      manager_->options(), Logger(sink_, 0, &clock_), &clock_,
                                                      /*kill_threads=*/2);
  api::Pod pod = Pod(kThree);
  ASSERT_TRUE(manager->SyncPod(pod, Status(pod), {}, {}, [](absl::Status) {}).error.ok());
  blocking.Block();
  std::promise<absl::Status> killed;
  manager->KillPodAsync(&pod, Status(pod), std::nullopt, {}, [&](absl::Status s) { killed.set_value(std::move(s)); });
  ASSERT_TRUE(blocking.AwaitWaitingStops(2));
  manager.reset();
  EXPECT_EQ(killed.get_future().get().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(blocking.cancelled_stops(), 2) << "both stops under way were cancelled, the queued one dropped";
}

// upstream's cancelFn: a sync whose pod must terminate stops at its next step; nothing more of
// the pod starts.
TEST_F(KubeRuntimeManagerTest, ACancelledSyncStartsNothingMore) {
  api::Pod pod = Pod(kThree);
  std::stop_source cancel;
  cancel.request_stop();
  PodSyncResult r = manager_->SyncPod(pod, Status(pod), {}, cancel.get_token(), [](absl::Status) {});
  EXPECT_EQ(r.error.code(), absl::StatusCode::kCancelled) << r.error;
  EXPECT_EQ(fake_->CallCount("RunPodSandbox"), 0);
  EXPECT_EQ(fake_->CallCount("CreateContainer"), 0);
}

// A liveness kill restarts the container at once, every time: the sync that started the kill
// resumes and starts it without crash-loop back-off (upstream kills and starts in one SyncPod,
// where the container still looks running). Only a container that exited by itself backs off.
TEST_F(KubeRuntimeManagerTest, LivenessRestartsAreNotDelayedByCrashLoopBackOff) {
  api::Pod pod = Pod(kThree);
  ASSERT_TRUE(Sync(pod).error.ok());
  std::set<std::string> seen;
  for (int restart = 0; restart < 3; ++restart) {
    const std::string id = Status(pod).FindContainer("a")->status.id;
    seen.insert(id);
    PodSyncResult r = Sync(pod, {{id, {"Container a failed liveness probe, will be restarted", 1}}});
    ASSERT_TRUE(r.error.ok()) << "restart " << restart << ": " << r.error;
    EXPECT_EQ(Status(pod).FindContainer("a")->status.state, cri::ContainerState::kRunning);
  }
  seen.insert(Status(pod).FindContainer("a")->status.id);
  EXPECT_EQ(seen.size(), 4u) << "a new container each time";
  EXPECT_EQ(sink_->Count("CrashLoopBackOff"), 0);
}

TEST_F(KubeRuntimeManagerTest, KillPodGracePeriodIsTheOverrideThenThePodsThenTheContainersAnnotations) {
  api::Pod pod = Pod(kThree);
  ASSERT_TRUE(Sync(pod).error.ok());
  ASSERT_TRUE(manager_->KillPod(&pod, Status(pod), 4).ok());
  EXPECT_EQ(sink_->Count("gracePeriod=4"), 3) << "the pod worker's grace period wins";

  api::Pod deleting = Pod(kThree);
  deleting.metadata.uid = "uid-2";
  deleting.metadata.deletion_grace_period_seconds = 3;
  ASSERT_TRUE(Sync(deleting).error.ok());
  ASSERT_TRUE(manager_->KillPod(&deleting, *manager_->GetPodStatus("uid-2", "three", "default")).ok());
  EXPECT_EQ(sink_->Count("gracePeriod=3"), 3) << "deletionGracePeriodSeconds";

  // A pod no source knows (after a restart of the agent): its containers' annotations say.
  api::Pod orphan = Pod(kThree);
  orphan.metadata.uid = "uid-3";
  ASSERT_TRUE(Sync(orphan).error.ok());
  ASSERT_TRUE(manager_->KillPod(nullptr, *manager_->GetPodStatus("uid-3", "three", "default")).ok());
  EXPECT_EQ(sink_->Count("gracePeriod=7"), 3);
  EXPECT_EQ(fake_->Containers().size(), 9u);
  for (const auto& c : fake_->Containers()) EXPECT_EQ(c.state, cri::ContainerState::kExited) << c.id;
}

TEST_F(KubeRuntimeManagerTest, AFailedStopIsReportedWithTheContainerAndTheSandboxIsLeftForTheRetry) {
  api::Pod pod = Pod(kWeb);
  ASSERT_TRUE(Sync(pod).error.ok());
  fake_->InjectError("StopContainer", absl::UnavailableError("runtime busy"));
  absl::Status s = manager_->KillPod(&pod, Status(pod));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(s.message()), HasSubstr("stop container \"httpd\""));
  EXPECT_EQ(fake_->CallCount("StopPodSandbox"), 0);
  ASSERT_TRUE(manager_->KillPod(&pod, Status(pod)).ok()) << "the retry";
  EXPECT_EQ(fake_->CallCount("StopPodSandbox"), 1);
}

TEST_F(KubeRuntimeManagerTest, DeadSandboxIsRecreatedAndContainersRestarted) {
  api::Pod pod = Pod(kWeb);
  ASSERT_TRUE(Sync(pod).error.ok());
  const std::string old_sandbox = fake_->Sandboxes()[0].id;
  ASSERT_TRUE(fake_->KillSandbox(old_sandbox).ok());
  ASSERT_TRUE(Sync(pod).error.ok());
  auto st = Status(pod);
  ASSERT_EQ(st.sandboxes.size(), 2u);
  EXPECT_EQ(st.sandboxes[0].state, cri::PodSandboxState::kReady);
  EXPECT_EQ(st.sandboxes[0].metadata.attempt, 1u);
  EXPECT_EQ(st.containers[0].status.state, cri::ContainerState::kRunning);
  EXPECT_EQ(st.containers[0].sandbox_id, st.sandboxes[0].id);
  EXPECT_EQ(st.containers[0].identity.restart_count, 1);
}

}  // namespace
}  // namespace cubelet::kuberuntime

namespace cubelet::kuberuntime {
namespace {

class PodResizeTest : public KubeRuntimeManagerTest {
 protected:
  void EnableResize() {
    RuntimeOptions ro = manager_->options();
    ro.in_place_resize = true;
    manager_ = std::make_unique<KubeRuntimeManager>(runtime_, images_, volumes_, &pod_cgroups_, ro,
                                                    Logger(sink_, 0, &clock_), &clock_);
  }
  const ContainerRuntimeStatus& Httpd(const api::Pod& pod) {
    status_ = Status(pod);
    return *status_.FindContainer("httpd");
  }
  RuntimePodStatus status_;
};

TEST_F(PodResizeTest, ChangedResourcesAreUpdatedInPlaceOrByRestartAsTheResizePolicySays) {
  EnableResize();
  api::Pod pod = Pod(kWeb);
  ASSERT_TRUE(Sync(pod).error.ok());
  const std::string id = Httpd(pod).status.id;
  fake_->ClearCalls();
  ASSERT_TRUE(Sync(pod).error.ok());
  EXPECT_THAT(fake_->Calls(), ::testing::Not(::testing::Contains("UpdateContainerResources"))) << "nothing changed";

  pod.spec.containers[0].resources.limits["cpu"] = api::Quantity::FromMilli(1000);
  pod.spec.containers[0].resources.limits["memory"] = api::Quantity::FromInt(128 << 20);
  ASSERT_TRUE(Sync(pod).error.ok());
  EXPECT_THAT(fake_->Calls(), ::testing::Contains("UpdateContainerResources"));
  EXPECT_EQ(Httpd(pod).status.id, id) << "resized in place (resizePolicy NotRequired by default)";
  EXPECT_EQ(Httpd(pod).status.resources->cpu_quota, 100000);
  EXPECT_EQ(Httpd(pod).status.resources->memory_limit_in_bytes, 128 << 20);
  EXPECT_EQ(pod_cgroups_.resizes, 2) << "the pod cgroup before and after its containers";
  EXPECT_EQ(sink_->Count("Resized container in place"), 1);

  pod.spec.containers[0].resize_policy = {{"memory", "RestartContainer"}};
  pod.spec.containers[0].resources.limits["memory"] = api::Quantity::FromInt(256 << 20);
  ASSERT_TRUE(Sync(pod).error.ok());
  const ContainerRuntimeStatus& restarted = Httpd(pod);
  EXPECT_NE(restarted.status.id, id) << "RestartContainer: a new container";
  EXPECT_EQ(restarted.status.state, cri::ContainerState::kRunning);
  EXPECT_EQ(restarted.status.resources->memory_limit_in_bytes, 256 << 20);
}

TEST_F(PodResizeTest, WithoutTheFeatureGateARunningContainerKeepsItsResources) {
  api::Pod pod = Pod(kWeb);
  ASSERT_TRUE(Sync(pod).error.ok());
  const std::string id = Httpd(pod).status.id;
  pod.spec.containers[0].resources.limits["memory"] = api::Quantity::FromInt(128 << 20);
  fake_->ClearCalls();
  ASSERT_TRUE(Sync(pod).error.ok());
  EXPECT_THAT(fake_->Calls(), ::testing::Not(::testing::Contains("UpdateContainerResources")));
  EXPECT_EQ(Httpd(pod).status.id, id);
  EXPECT_EQ(Httpd(pod).status.resources->memory_limit_in_bytes, 64 << 20);
}

// A pod that skipped validation: its names become host paths under root-dir and podLogsDir
// only through the checked builders, so nothing is created outside them and nothing starts.
TEST_F(KubeRuntimeManagerTest, ATraversalUidCreatesNothingOutsideRootDirAndStartsNothing) {
  api::Pod pod = Pod(kWeb);
  pod.metadata.uid = "../../escaped";  // <root>/pods/../../escaped is next to the root
  PodSyncResult r = Sync(pod);
  EXPECT_EQ(r.error.code(), absl::StatusCode::kInvalidArgument) << r.error;
  EXPECT_THAT(r.error.message(), HasSubstr("metadata.uid"));
  EXPECT_FALSE(fs::exists(dir_ / "escaped"));
  EXPECT_TRUE(fake_->Sandboxes().empty());
}

TEST_F(KubeRuntimeManagerTest, ATraversalNamespaceCreatesNoLogDirectoryOutsidePodLogsDir) {
  api::Pod pod = Pod(kWeb);
  pod.metadata.namespace_ = "../escaped";  // <logs>/../escaped_web_uid-1 is next to the logs
  PodSyncResult r = Sync(pod);
  EXPECT_EQ(r.error.code(), absl::StatusCode::kInvalidArgument) << r.error;
  EXPECT_THAT(r.error.message(), HasSubstr("metadata.namespace"));
  EXPECT_FALSE(fs::exists(dir_ / "escaped_web_uid-1"));
  EXPECT_TRUE(fake_->Sandboxes().empty());
}

TEST_F(KubeRuntimeManagerTest, ATraversalContainerNameGetsNoTerminationMessageDirOutsideThePodDir) {
  api::Pod pod = Pod(kWeb);
  ASSERT_FALSE(pod.spec.containers[0].termination_message_path.empty()) << "defaulted to /dev/termination-log";
  pod.spec.containers[0].name = "../../../escaped";  // <pod dir>/containers/../../../escaped is in root-dir
  PodSyncResult r = Sync(pod);
  EXPECT_THAT(r.error.message(), HasSubstr("CreateContainerConfigError"));
  EXPECT_THAT(r.error.message(), HasSubstr("container name"));
  EXPECT_FALSE(fs::exists(dir_ / "root" / "escaped"));
  EXPECT_TRUE(fake_->Containers().empty());
}

}  // namespace
}  // namespace cubelet::kuberuntime
