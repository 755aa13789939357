// ProbeManager's rules with its production schedule on a timer queue under a fake clock, the fake
// CRI runtime for exec probes, and pod statuses the test controls.
#include "probes/probe_manager.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <regex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"
#include "cri/fake_runtime.h"
#include "cri/remote_runtime.h"

namespace cubelet::probes {
namespace {

class ProbeManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = std::make_unique<cri::FakeRuntimeServer>(::testing::TempDir() + "/probe-cri-" + std::to_string(::getpid()) + ".sock", &clock_);
    ASSERT_TRUE(fake_->Start().ok());
    cri::RemoteRuntimeOptions o;
    o.endpoint = fake_->endpoint();
    runtime_ = *cri::NewRemoteRuntimeService(o);
    fake_->SetExecBehavior([this](const std::string&, const std::vector<std::string>&) {
      ++execs_;
      clock_.Advance(exec_cost_);  // the time the runtime takes
      return cri::ExecSyncResult{"", healthy_ ? "" : "unhealthy", healthy_ ? 0 : 1};
    });
    manager_ = std::make_unique<ProbeManager>(
        runtime_.get(), &timers_, &clock_, Logger(sink_, 0, &clock_),
        [this](const std::string&) -> std::optional<api::PodStatus> {
          std::lock_guard<std::mutex> l(mu_);
          if (!status_) return std::nullopt;
          return status_;
        },
        [this](const std::string&, ProbeType type, ProbeResult result) {
          std::lock_guard<std::mutex> l(mu_);
          changes_.push_back({type, result});
        });
  }

  std::shared_ptr<api::Pod> PodWith(const std::string& yaml_probes) {
    auto pod = std::make_shared<api::Pod>();
    pod->metadata = {.name = "p", .namespace_ = "default", .uid = "uid"};
    pod->spec.restart_policy = "Always";
    api::Container c{.name = "c", .image = "i:1"};
    (void)yaml_probes;
    pod->spec.containers.push_back(c);
    return pod;
  }

  void SetRunning(const std::string& id, bool started = true) {
    api::PodStatus s;
    s.phase = "Running";
    s.pod_ip = "127.0.0.1";
    api::ContainerStatus c;
    c.name = "c";
    c.container_id = "containerd://" + id;
    c.state.running = api::ContainerStateRunning{clock_.Now()};
    c.started = started;
    s.container_statuses.push_back(c);
    std::lock_guard<std::mutex> l(mu_);
    status_ = s;
  }

  // Advances the clock one second at a time; each step returns once what became due has run.
  void Tick(int seconds) {
    for (int i = 0; i < seconds; ++i) {
      clock_.Advance(absl::Seconds(1));
      timers_.AwaitIdle();
    }
  }

  std::string RunningContainerId() {
    fake_->AddImage("i:1");
    cri::PodSandboxConfig sb;
    sb.metadata = {"p", "uid", "default", attempt_++};
    auto sid = runtime_->RunPodSandbox(sb, "");
    cri::ContainerConfig cc;
    cc.metadata = {"c", 0};
    cc.image.image = "i:1";
    auto cid = runtime_->CreateContainer(*sid, cc, sb);
    EXPECT_TRUE(runtime_->StartContainer(*cid).ok());
    return *cid;
  }

  FakeClock clock_;
  std::shared_ptr<CapturingLogSink> sink_ = std::make_shared<CapturingLogSink>();
  TimerQueue timers_{&clock_, Logger(sink_, 0, &clock_)};
  std::unique_ptr<cri::FakeRuntimeServer> fake_;
  std::unique_ptr<cri::RuntimeService> runtime_;
  std::unique_ptr<ProbeManager> manager_;
  std::mutex mu_;
  std::optional<api::PodStatus> status_;
  std::vector<std::pair<ProbeType, ProbeResult>> changes_;
  std::atomic<bool> healthy_{true};
  std::atomic<int> execs_{0};
  absl::Duration exec_cost_ = absl::ZeroDuration();
  uint32_t attempt_ = 0;
};

api::Probe ExecProbe(int period, int failure_threshold, int initial_delay = 0) {
  api::Probe p;
  p.handler.exec = api::ExecAction{{"check"}};
  p.period_seconds = period;
  p.failure_threshold = failure_threshold;
  p.initial_delay_seconds = initial_delay;
  return p;
}

TEST_F(ProbeManagerTest, LivenessFailsOnlyAfterFailureThresholdThenHolds) {
  auto pod = PodWith("");
  pod->spec.containers[0].liveness_probe = ExecProbe(1, 3);
  const std::string id = RunningContainerId();
  SetRunning(id);
  manager_->AddPod(pod);
  Tick(3);
  EXPECT_TRUE(manager_->FailedContainers(*pod).empty());
  healthy_ = false;
  Tick(2);
  EXPECT_TRUE(manager_->FailedContainers(*pod).empty()) << "2 failures of 3";
  Tick(1);
  auto failed = manager_->FailedContainers(*pod);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed.begin()->first, id);
  EXPECT_EQ(failed.begin()->second.message, "Container c failed liveness probe");
  const int execs = execs_;
  Tick(5);
  EXPECT_EQ(execs_, execs) << "on hold until a new container runs";
  EXPECT_EQ(sink_->Count("Liveness probe failed: unhealthy"), 3);
  EXPECT_THAT(manager_->MetricsText(), ::testing::HasSubstr(
      "prober_probe_total{probe_type=\"Liveness\",result=\"failed\",container=\"c\",pod=\"p\",namespace=\"default\"} 3"));
  // Lateness is a histogram by handler.
  EXPECT_THAT(manager_->MetricsText(), ::testing::AllOf(
      ::testing::HasSubstr("cubelet_prober_lateness_seconds_bucket{handler=\"exec\",le=\"0.1\"} "),
      ::testing::HasSubstr("cubelet_prober_lateness_seconds_count{handler=\"exec\"} ")));

  // A new container: probing resumes from a fresh, passing state.
  healthy_ = true;
  const std::string id2 = RunningContainerId();
  SetRunning(id2);
  Tick(2);
  EXPECT_TRUE(manager_->FailedContainers(*pod).empty());
  EXPECT_GT(execs_, execs);
}

TEST_F(ProbeManagerTest, ASlowProbeSkipsMissedTicksAndRunsOnTheNextOne) {
  auto pod = PodWith("");
  pod->spec.containers[0].liveness_probe = ExecProbe(1, 3);
  const std::string id = RunningContainerId();
  SetRunning(id);
  manager_->AddPod(pod);
  exec_cost_ = absl::Milliseconds(1500);  // outlives the 1 s period: one tick is missed per run
  const absl::Time start = clock_.Now();
  for (int i = 0; i < 100; ++i) {
    clock_.Advance(absl::Milliseconds(100));
    timers_.AwaitIdle();
  }
  // Every run started on a tick (within the 100 ms the test clock steps by), never at once
  // behind a missed one: one run per 2 s of (fake) time.
  const std::string metrics = manager_->MetricsText();
  std::smatch within, all;
  ASSERT_TRUE(std::regex_search(metrics, within, std::regex(R"(lateness_seconds_bucket\{handler="exec",le="0.1"\} (\d+))")));
  ASSERT_TRUE(std::regex_search(metrics, all, std::regex(R"(lateness_seconds_count\{handler="exec"\} (\d+))")));
  EXPECT_EQ(within[1].str(), all[1].str()) << metrics;
  const double expected_runs = absl::ToDoubleSeconds(clock_.Now() - start) / 2;
  EXPECT_NEAR(execs_, expected_runs, 1.5);
}

TEST_F(ProbeManagerTest, NetworkProbesWaitingOnASlowServerGrowThePool) {
  // A server that accepts connections and never answers: each HTTP probe holds a pool thread
  // for its whole timeout.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(listener, 128), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::atomic<int> accepted{0};
  std::atomic<bool> done{false};
  std::vector<int> conns;
  std::thread acceptor([&] {
    while (!done) {
      pollfd p{listener, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int c = ::accept(listener, nullptr, nullptr);
      if (c < 0) continue;
      conns.push_back(c);
      ++accepted;
    }
  });

  const std::string id = RunningContainerId();
  SetRunning(id);
  constexpr int kPods = 24;  // each holds a pool thread until the server closes the connection
  for (int i = 0; i < kPods; ++i) {
    auto pod = PodWith("");
    pod->metadata.uid = "uid-" + std::to_string(i);
    api::Probe p;
    p.handler.http_get = api::HttpGetAction{.path = "/", .port = {.int_value = ntohs(addr.sin_port)}};
    p.period_seconds = 60;
    p.timeout_seconds = 30;
    pod->spec.containers[0].readiness_probe = p;
    manager_->AddPod(pod);
  }
  clock_.Advance(absl::Seconds(61));  // every probe is due
  for (int i = 0; i < 400 && accepted < kPods; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(accepted, kPods) << "every due probe got a thread while the others waited on the server";
  done = true;
  acceptor.join();
  for (int c : conns) ::close(c);  // the probes see the connection close and finish
  ::close(listener);
  timers_.AwaitIdle();
  EXPECT_THAT(manager_->MetricsText(),
              ::testing::HasSubstr("prober_probe_duration_seconds_count{probe_type=\"Readiness\"} 24"))
      << "every probe the queue started had ended when AwaitIdle returned";
}

TEST_F(ProbeManagerTest, ReadinessIsFalseUntilTheFirstSuccessAndFollowsTheProbe) {
  auto pod = PodWith("");
  pod->spec.containers[0].readiness_probe = ExecProbe(1, 1);
  const std::string id = RunningContainerId();
  SetRunning(id);
  healthy_ = false;
  manager_->AddPod(pod);
  Tick(2);
  EXPECT_EQ(manager_->Readiness(id), false);
  healthy_ = true;
  Tick(1);
  EXPECT_EQ(manager_->Readiness(id), true);
  healthy_ = false;
  Tick(1);
  EXPECT_EQ(manager_->Readiness(id), false);
  EXPECT_TRUE(manager_->FailedContainers(*pod).empty()) << "readiness never kills";
}

// Issue 11's leftover: an exec probe on the wire when its pod is removed completes afterwards; its
// result must be dropped, not re-create the entry RemovePod erased (a leak) nor report a change
// (a spurious sync of a pod that is gone).
TEST_F(ProbeManagerTest, AnExecResultArrivingAfterThePodWasRemovedIsDropped) {
  auto pod = PodWith("");
  pod->spec.containers[0].readiness_probe = ExecProbe(1, 1);
  const std::string id = RunningContainerId();
  SetRunning(id);
  absl::Notification entered, release;
  fake_->SetExecBehavior([&](const std::string&, const std::vector<std::string>&) {
    entered.Notify();
    release.WaitForNotification();
    return cri::ExecSyncResult{"", "", 0};
  });
  manager_->AddPod(pod);
  clock_.Advance(absl::Seconds(1));  // the first run is due within one period
  entered.WaitForNotification();
  manager_->RemovePod(pod->metadata.uid);
  release.Notify();
  timers_.AwaitIdle();  // the exec's completion has run
  EXPECT_EQ(manager_->Readiness(id), std::nullopt) << "no result kept for a removed pod";
  std::lock_guard<std::mutex> l(mu_);
  EXPECT_TRUE(changes_.empty()) << "no change reported for a removed pod";
}

TEST_F(ProbeManagerTest, InitialDelayIsHonoured) {
  auto pod = PodWith("");
  pod->spec.containers[0].liveness_probe = ExecProbe(1, 1, 5);
  SetRunning(RunningContainerId());
  manager_->AddPod(pod);
  Tick(4);
  EXPECT_EQ(execs_, 0);
  Tick(2);
  EXPECT_GT(execs_, 0);
}

TEST_F(ProbeManagerTest, StartupProbeGatesLiveness) {
  auto pod = PodWith("");
  pod->spec.containers[0].liveness_probe = ExecProbe(1, 1);
  pod->spec.containers[0].startup_probe = ExecProbe(1, 10);
  const std::string id = RunningContainerId();
  SetRunning(id, /*started=*/false);
  healthy_ = false;
  manager_->AddPod(pod);
  Tick(3);
  // Only the startup probe runs while the container is not started, and 3 failures of 10 change nothing.
  EXPECT_TRUE(manager_->FailedContainers(*pod).empty());
  EXPECT_EQ(manager_->Startup(id), std::nullopt);
  healthy_ = true;
  Tick(1);
  EXPECT_EQ(manager_->Startup(id), true);
  SetRunning(id, /*started=*/true);
  healthy_ = false;
  Tick(2);
  auto failed = manager_->FailedContainers(*pod);
  ASSERT_EQ(failed.size(), 1u) << "liveness runs once started";
  EXPECT_EQ(failed.begin()->second.message, "Container c failed liveness probe");
}

TEST_F(ProbeManagerTest, ProbeGracePeriodAndNoLivenessKillsWhileTerminating) {
  auto pod = PodWith("");
  pod->spec.containers[0].liveness_probe = ExecProbe(1, 1);
  pod->spec.containers[0].liveness_probe->termination_grace_period_seconds = 5;
  const std::string id = RunningContainerId();
  SetRunning(id);
  healthy_ = false;
  manager_->AddPod(pod);
  Tick(2);
  auto failed = manager_->FailedContainers(*pod);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed.begin()->second.grace_period_seconds, 5);

  auto deleting = PodWith("");
  deleting->metadata.uid = "uid2";
  deleting->metadata.deletion_timestamp = clock_.Now();
  deleting->spec.containers[0].liveness_probe = ExecProbe(1, 1);
  manager_->AddPod(deleting);
  Tick(3);
  EXPECT_TRUE(manager_->FailedContainers(*deleting).empty());
}

}  // namespace
}  // namespace cubelet::probes
