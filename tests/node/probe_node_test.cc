// Probes against real containerd, shortened versions of upstream's conformance cases
// (test/e2e/common/node/container_probe.go): the real `cubelet` runs static pods whose probes
// pass or fail, and the tests watch restarts and readiness on /pods.
#include "node/static_pod_fixture.h"

namespace cubelet::testing {
namespace {

using ::testing::HasSubstr;

class ProbeNodeTest : public StaticPodNodeTest {
 protected:
  int Restarts(const std::string& name) {
    auto pods = FetchPods(port_);
    if (!pods.ok()) return -1;
    for (const auto& p : *pods) {
      if (p.metadata.name.rfind(name, 0) == 0 && Container(p, "main") != nullptr) return Container(p, "main")->restart_count;
    }
    return -1;
  }
  // Watches the restart count for `seconds`: it must never decrease.
  int WatchRestarts(const std::string& name, int seconds) {
    int last = 0;
    for (int i = 0; i < seconds * 5; ++i) {
      const int now = Restarts(name);
      EXPECT_GE(now, last) << "restartCount must grow monotonically";
      last = std::max(last, now);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return last;
  }
};

// sh and sleep ignore SIGTERM as PID 1: a short grace period keeps probe kills quick.
const std::string kFastKill = "  terminationGracePeriodSeconds: 2\n  containers:\n";

const char kHttpd[] =
    "\"mkdir -p /www; echo ok > /www/index.html; (sleep 4; rm /www/index.html) & exec httpd -f -p 8080 -h /www\"";

TEST_F(ProbeNodeTest, ExecLivenessRestartsWhenTheCheckStartsFailingAndNeverWhileItPasses) {
  WriteManifest("failing.yaml", PodYaml("exec-failing", kFastKill + Container1(
      "main", "\"echo ok > /tmp/health; sleep 3; rm -f /tmp/health; exec sleep 600\"",
      "    livenessProbe: {exec: {command: [cat, /tmp/health]}, initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 1}\n")));
  WriteManifest("passing.yaml", PodYaml("exec-passing", kFastKill + Container1(
      "main", "\"echo ok > /tmp/health; exec sleep 600\"",
      "    livenessProbe: {exec: {command: [cat, /tmp/health]}, initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 1}\n")));
  StartCubelet();
  Wait("exec-failing-", [](const api::Pod& p) { return Container(p, "main") && Container(p, "main")->restart_count >= 1; }, 40);
  // The restarted container fails its check again: the count keeps growing, with back-off.
  EXPECT_GE(WatchRestarts("exec-failing-", 20), 2);
  EXPECT_EQ(Restarts("exec-passing-"), 0);
  EXPECT_THAT(cubelet_->Log(), HasSubstr("Container main failed liveness probe, will be restarted"));
  EXPECT_THAT(cubelet_->Log(), HasSubstr("Liveness probe failed: cat: can't open '/tmp/health'"));
  auto metrics = FetchPods(port_);
  ASSERT_TRUE(metrics.ok());
}

TEST_F(ProbeNodeTest, HttpGetLivenessAgainstBusyboxHttpdRestartsOnceThePageIsGone) {
  WriteManifest("http.yaml", PodYaml("http-liveness", kFastKill + Container1(
      "main", kHttpd,
      "    livenessProbe: {httpGet: {path: /index.html, port: 8080}, periodSeconds: 1, failureThreshold: 1}\n")));
  StartCubelet();
  api::Pod running = Wait("http-liveness-", Running);
  EXPECT_EQ(Container(running, "main")->restart_count, 0) << "no restart while the page is served";
  Wait("http-liveness-", [](const api::Pod& p) { return Container(p, "main")->restart_count >= 1; }, 30);
  EXPECT_THAT(cubelet_->Log(), HasSubstr("HTTP probe failed with statuscode: 404"));
}

TEST_F(ProbeNodeTest, TcpSocketOnOpenAndClosedPortsAndReadinessOnAWrongPort) {
  const std::string httpd = "\"mkdir -p /www; echo ok > /www/index.html; exec httpd -f -p 8080 -h /www\"";
  WriteManifest("open.yaml", PodYaml("tcp-open", kFastKill + Container1(
      "main", httpd,
      "    livenessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1, failureThreshold: 1}\n"
      "    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}\n")));
  WriteManifest("wrong.yaml", PodYaml("tcp-wrong", kFastKill + Container1(
      "main", httpd, "    readinessProbe: {httpGet: {path: /, port: 8081}, periodSeconds: 1}\n")));
  WriteManifest("closed.yaml", PodYaml("tcp-closed", kFastKill + Container1(
      "main", "\"exec sleep 600\"", "    livenessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1, failureThreshold: 1}\n")));
  StartCubelet();
  api::Pod open = Wait("tcp-open-", [](const api::Pod& p) { return Container(p, "main") && Container(p, "main")->ready; }, 30);
  EXPECT_EQ(Condition(open, "Ready")->status, "True");
  Wait("tcp-closed-", [](const api::Pod& p) { return Container(p, "main") && Container(p, "main")->restart_count >= 1; }, 30);
  // Ten seconds of probing a wrong port: never ready, never restarted.
  for (int i = 0; i < 20; ++i) {
    auto pods = FetchPods(port_);
    ASSERT_TRUE(pods.ok());
    for (const auto& p : *pods) {
      if (p.metadata.name.rfind("tcp-wrong-", 0) != 0 || Container(p, "main") == nullptr) continue;
      EXPECT_FALSE(Container(p, "main")->ready) << Describe(p);
      EXPECT_EQ(Container(p, "main")->restart_count, 0);
      EXPECT_EQ(Condition(p, "Ready")->status, "False");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_EQ(Restarts("tcp-open-"), 0);
}

TEST_F(ProbeNodeTest, ExecProbeThatOutlivesItsTimeoutFails) {
  WriteManifest("slow.yaml", PodYaml("exec-timeout", kFastKill + Container1(
      "main", "\"exec sleep 600\"",
      "    livenessProbe: {exec: {command: [sh, -c, 'sleep 10']}, timeoutSeconds: 1, periodSeconds: 2, failureThreshold: 1}\n")));
  StartCubelet();
  Wait("exec-timeout-", [](const api::Pod& p) { return Container(p, "main") && Container(p, "main")->restart_count >= 1; }, 40);
}

TEST_F(ProbeNodeTest, StartupProbeThatNeverSucceedsRestartsEvenWithAPassingLivenessProbe) {
  WriteManifest("startup.yaml", PodYaml("startup-never", kFastKill + Container1(
      "main", "\"exec sleep 600\"",
      "    startupProbe: {exec: {command: [cat, /nonexistent]}, periodSeconds: 1, failureThreshold: 2}\n"
      "    livenessProbe: {exec: {command: ['true']}, periodSeconds: 1}\n")));
  WriteManifest("started.yaml", PodYaml("startup-ok", kFastKill + Container1(
      "main", "\"exec sleep 600\"",
      "    startupProbe: {exec: {command: ['true']}, periodSeconds: 1}\n")));
  StartCubelet();
  api::Pod ok = Wait("startup-ok-", [](const api::Pod& p) {
    return Container(p, "main") && Container(p, "main")->started.value_or(false) && Container(p, "main")->ready;
  }, 30);
  Wait("startup-never-", [](const api::Pod& p) { return Container(p, "main") && Container(p, "main")->restart_count >= 1; }, 30);
  EXPECT_THAT(cubelet_->Log(), HasSubstr("Container main failed startup probe, will be restarted"));
  EXPECT_EQ(Restarts("startup-ok-"), 0);
}

TEST_F(ProbeNodeTest, ProbeLevelTerminationGracePeriodWinsOverThePods) {
  // sleep ignores SIGTERM as PID 1: the container dies when the grace period ends.
  WriteManifest("grace.yaml", PodYaml("probe-grace", "  terminationGracePeriodSeconds: 500\n  containers:\n" + Container1(
      "main", "\"exec sleep 1000\"",
      "    livenessProbe: {httpGet: {path: /healthz, port: 8080}, initialDelaySeconds: 1, periodSeconds: 1,\n"
      "                    failureThreshold: 1, terminationGracePeriodSeconds: 5}\n")));
  StartCubelet();
  Wait("probe-grace-", [](const api::Pod& p) { return Container(p, "main") && Container(p, "main")->restart_count >= 1; }, 40);
  EXPECT_THAT(cubelet_->Log(), HasSubstr("gracePeriod=5"));
}

TEST_F(ProbeNodeTest, PreStopHookRunsBeforeTheStopAndAFailingPostStartHookKillsTheContainer) {
  const std::string hook_dir = dir_ + "/hook";
  fs::create_directories(hook_dir);
  WriteManifest("prestop.yaml", PodYaml("prestop", StrCat(
      "  volumes:\n  - {name: hook, hostPath: {path: '", hook_dir, "'}}\n", kFastKill,
      Container1("main", "\"exec sleep 600\"",
                 "    volumeMounts:\n    - {name: hook, mountPath: /hook}\n"
                 "    lifecycle:\n      preStop: {exec: {command: [sh, -c, 'echo prestop > /hook/prestop']}}\n"
                 "      postStart: {exec: {command: [sh, -c, 'echo poststart > /hook/poststart']}}\n"))));
  WriteManifest("poststart.yaml", PodYaml("poststart-fails", kFastKill + Container1(
      "main", "\"exec sleep 600\"", "    lifecycle:\n      postStart: {exec: {command: [sh, -c, 'exit 1']}}\n")));
  StartCubelet();
  Wait("prestop-", Running);
  EXPECT_TRUE(fs::exists(hook_dir + "/poststart")) << "postStart ran";
  EXPECT_FALSE(fs::exists(hook_dir + "/prestop"));
  fs::remove(manifests_ + "/prestop.yaml");
  for (int i = 0; i < 100 && !fs::exists(hook_dir + "/prestop"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(fs::exists(hook_dir + "/prestop")) << "preStop ran when the pod was removed";

  EXPECT_TRUE(cubelet_->WaitForLog("PostStartHook failed", 30));
  EXPECT_THAT(cubelet_->Log(), HasSubstr("event=\"FailedPostStartHook\""));
  Wait("poststart-fails-", [](const api::Pod& p) { return Container(p, "main") && Container(p, "main")->restart_count >= 1; }, 30);
}

}  // namespace
}  // namespace cubelet::testing
