#include "status/generate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/defaults.h"

namespace cubelet::status {
namespace {

using kuberuntime::ContainerRuntimeStatus;
using kuberuntime::RuntimePodStatus;

api::Pod MakePod(const std::string& policy, std::vector<std::string> containers, std::vector<std::string> inits = {}) {
  api::Pod p;
  p.metadata = {.name = "p", .namespace_ = "default", .uid = "uid"};
  p.spec.restart_policy = policy;
  for (const auto& n : inits) p.spec.init_containers.push_back({.name = n, .image = "i:1"});
  for (const auto& n : containers) p.spec.containers.push_back({.name = n, .image = "i:1"});
  api::SetPodDefaults(&p);
  return p;
}

struct RuntimeBuilder {
  RuntimePodStatus st;
  int64_t t = 1000;
  RuntimeBuilder() {
    cri::PodSandboxStatus sb;
    sb.id = "sb";
    sb.state = cri::PodSandboxState::kReady;
    sb.ip = "10.1.0.7";
    st.sandboxes.push_back(sb);
  }
  RuntimeBuilder& Add(const std::string& name, cri::ContainerState state, int exit = 0, int restarts = 0) {
    ContainerRuntimeStatus c;
    c.status.id = name + std::to_string(t);
    c.status.state = state;
    c.status.exit_code = exit;
    c.status.reason = state == cri::ContainerState::kExited ? (exit == 0 ? "Completed" : "Error") : "";
    c.status.created_at = ++t;
    c.status.started_at = t;
    if (state == cri::ContainerState::kExited) c.status.finished_at = t + 1;
    c.status.image.image = "i:1";
    c.status.image_ref = "sha256:abc";
    c.identity.container_name = name;
    c.identity.restart_count = restarts;
    st.containers.insert(st.containers.begin(), c);
    return *this;
  }
};

StatusInputs Inputs(const kuberuntime::ReasonCache* reasons = nullptr) {
  StatusInputs in;
  in.node_ips = {"192.0.2.1"};
  in.now = absl::FromUnixSeconds(1764065472);
  in.reasons = reasons;
  return in;
}

const api::PodCondition& Cond(const api::PodStatus& s, const std::string& type) {
  for (const auto& c : s.conditions) {
    if (c.type == type) return c;
  }
  static api::PodCondition none;
  return none;
}

TEST(GenerateStatusTest, RunningPod) {
  api::Pod pod = MakePod("Always", {"a"});
  auto rt = RuntimeBuilder().Add("a", cri::ContainerState::kRunning);
  api::PodStatus s = GenerateApiPodStatus(pod, rt.st, Inputs());
  EXPECT_EQ(s.phase, "Running");
  EXPECT_EQ(s.pod_ip, "10.1.0.7");
  EXPECT_EQ(s.host_ip, "192.0.2.1");
  EXPECT_EQ(s.qos_class, "BestEffort");
  ASSERT_EQ(s.container_statuses.size(), 1u);
  const auto& c = s.container_statuses[0];
  EXPECT_TRUE(c.state.running.has_value());
  EXPECT_TRUE(c.ready);
  EXPECT_EQ(c.started, true);
  EXPECT_EQ(c.container_id, "containerd://" + rt.st.containers[0].status.id);
  EXPECT_EQ(c.image_id, "sha256:abc");
  std::vector<std::string> types;
  for (const auto& cond : s.conditions) types.push_back(cond.type);
  EXPECT_THAT(types, ::testing::ElementsAre("PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready", "PodScheduled"));
  EXPECT_EQ(Cond(s, "Ready").status, "True");
}

TEST(GenerateStatusTest, PhasesByRestartPolicyAfterExit) {
  EXPECT_EQ(GenerateApiPodStatus(MakePod("Never", {"a"}), RuntimeBuilder().Add("a", cri::ContainerState::kExited, 1).st, Inputs()).phase, "Failed");
  EXPECT_EQ(GenerateApiPodStatus(MakePod("Never", {"a"}), RuntimeBuilder().Add("a", cri::ContainerState::kExited, 0).st, Inputs()).phase, "Succeeded");
  EXPECT_EQ(GenerateApiPodStatus(MakePod("OnFailure", {"a"}), RuntimeBuilder().Add("a", cri::ContainerState::kExited, 0).st, Inputs()).phase, "Succeeded");
  EXPECT_EQ(GenerateApiPodStatus(MakePod("OnFailure", {"a"}), RuntimeBuilder().Add("a", cri::ContainerState::kExited, 1).st, Inputs()).phase, "Running");
  EXPECT_EQ(GenerateApiPodStatus(MakePod("Always", {"a"}), RuntimeBuilder().Add("a", cri::ContainerState::kExited, 0).st, Inputs()).phase, "Running");
  auto failed = GenerateApiPodStatus(MakePod("Never", {"a"}), RuntimeBuilder().Add("a", cri::ContainerState::kExited, 1).st, Inputs());
  EXPECT_EQ(Cond(failed, "Ready").reason, "PodFailed");
  auto done = GenerateApiPodStatus(MakePod("Never", {"a"}), RuntimeBuilder().Add("a", cri::ContainerState::kExited, 0).st, Inputs());
  EXPECT_EQ(Cond(done, "ContainersReady").reason, "PodCompleted");
  EXPECT_EQ(done.container_statuses[0].state.terminated->reason, "Completed");
}

TEST(GenerateStatusTest, NewPodIsPendingWithContainerCreating) {
  api::PodStatus s = GenerateApiPodStatus(MakePod("Always", {"a", "b"}), RuntimePodStatus{}, Inputs());
  EXPECT_EQ(s.phase, "Pending");
  EXPECT_EQ(s.container_statuses[0].state.waiting->reason, "ContainerCreating");
  EXPECT_EQ(Cond(s, "PodReadyToStartContainers").status, "False");
  EXPECT_EQ(Cond(s, "ContainersReady").message, "containers with unready status: [a b]");
}

TEST(GenerateStatusTest, CrashLoopShowsTheStartErrorAndTheLastTermination) {
  api::Pod pod = MakePod("Always", {"a"});
  kuberuntime::ReasonCache reasons;
  reasons.Set("uid", "a", {"CrashLoopBackOff", "back-off 10s restarting failed container=a pod=p_default(uid)"});
  auto rt = RuntimeBuilder().Add("a", cri::ContainerState::kExited, 1, 0).Add("a", cri::ContainerState::kExited, 2, 1);
  api::PodStatus s = GenerateApiPodStatus(pod, rt.st, Inputs(&reasons));
  const auto& c = s.container_statuses[0];
  ASSERT_TRUE(c.state.waiting.has_value());
  EXPECT_EQ(c.state.waiting->reason, "CrashLoopBackOff");
  ASSERT_TRUE(c.last_state.terminated.has_value());
  EXPECT_EQ(c.last_state.terminated->exit_code, 2);
  EXPECT_EQ(c.restart_count, 1);
  EXPECT_EQ(s.phase, "Running");
}

TEST(GenerateStatusTest, FailingInitContainerKeepsThePodPending) {
  api::Pod pod = MakePod("Always", {"run1"}, {"init1", "init2"});
  kuberuntime::ReasonCache reasons;
  reasons.Set("uid", "init1", {"CrashLoopBackOff", "back-off"});
  auto rt = RuntimeBuilder().Add("init1", cri::ContainerState::kExited, 1, 3);
  api::PodStatus s = GenerateApiPodStatus(pod, rt.st, Inputs(&reasons));
  EXPECT_EQ(s.phase, "Pending");
  EXPECT_EQ(Cond(s, "Initialized").status, "False");
  EXPECT_EQ(Cond(s, "Initialized").reason, "ContainersNotInitialized");
  EXPECT_EQ(Cond(s, "Initialized").message, "containers with incomplete status: [init1 init2]");
  EXPECT_EQ(s.container_statuses[0].state.waiting->reason, "PodInitializing");
  EXPECT_EQ(s.init_container_statuses[1].state.waiting->reason, "PodInitializing");

  api::Pod never = MakePod("Never", {"run1"}, {"init1", "init2"});
  auto rt2 = RuntimeBuilder().Add("init1", cri::ContainerState::kExited, 0).Add("init2", cri::ContainerState::kExited, 1);
  api::PodStatus n = GenerateApiPodStatus(never, rt2.st, Inputs());
  EXPECT_EQ(n.phase, "Failed");
  EXPECT_EQ(Cond(n, "Initialized").message, "containers with incomplete status: [init2]");
}

TEST(GenerateStatusTest, TerminalPhaseIsNeverLeftAndTransitionTimesAreKept) {
  api::Pod pod = MakePod("Always", {"a"});
  api::PodStatus previous;
  previous.phase = "Succeeded";
  previous.conditions.push_back({"PodScheduled", "True", std::nullopt, absl::FromUnixSeconds(100), "", ""});
  StatusInputs in = Inputs();
  in.previous = &previous;
  api::PodStatus s = GenerateApiPodStatus(pod, RuntimeBuilder().Add("a", cri::ContainerState::kRunning).st, in);
  EXPECT_EQ(s.phase, "Succeeded");
  EXPECT_EQ(Cond(s, "PodScheduled").last_transition_time, absl::FromUnixSeconds(100));
}

}  // namespace
}  // namespace cubelet::status
