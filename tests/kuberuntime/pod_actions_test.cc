#include "kuberuntime/pod_actions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/defaults.h"
#include "kuberuntime/labels.h"

namespace cubelet::kuberuntime {
namespace {

using ::testing::ElementsAre;

api::Pod MakePod(const std::string& policy, int containers = 1, int inits = 0) {
  api::Pod p;
  p.metadata.name = "p";
  p.metadata.namespace_ = "default";
  p.metadata.uid = "uid";
  p.spec.restart_policy = policy;
  for (int i = 0; i < inits; ++i) p.spec.init_containers.push_back({.name = "init" + std::to_string(i), .image = "i:1"});
  for (int i = 0; i < containers; ++i) p.spec.containers.push_back({.name = "c" + std::to_string(i), .image = "i:1"});
  api::SetPodDefaults(&p);
  return p;
}

class StatusBuilder {
 public:
  StatusBuilder& Sandbox(cri::PodSandboxState state, uint32_t attempt = 0, const std::string& ip = "10.0.0.2") {
    cri::PodSandboxStatus s;
    s.id = "sb" + std::to_string(attempt);
    s.metadata.attempt = attempt;
    s.state = state;
    s.ip = ip;
    s.created_at = ++t_;
    s.namespace_options = cri::NamespaceOption{};
    st_.sandboxes.insert(st_.sandboxes.begin(), s);
    return *this;
  }
  StatusBuilder& Container(const api::Pod& pod, const std::string& name, cri::ContainerState state, int exit = 0,
                           bool init = false, const std::string& image = "i:1") {
    ContainerRuntimeStatus c;
    c.status.id = name + "-" + std::to_string(++t_);
    c.status.state = state;
    c.status.exit_code = exit;
    c.status.created_at = t_;
    c.identity.container_name = name;
    c.identity.is_init = init;
    api::Container spec{.name = name, .image = image};
    c.identity.hash = HashContainer(spec);
    (void)pod;
    st_.containers.insert(st_.containers.begin(), c);
    return *this;
  }
  RuntimePodStatus Build() const { return st_; }

 private:
  RuntimePodStatus st_;
  int64_t t_ = 0;
};

TEST(ComputePodActionsTest, NewPodCreatesASandboxAndStartsAllContainers) {
  api::Pod pod = MakePod("Always", 2);
  PodActions a = ComputePodActions(pod, {});
  EXPECT_TRUE(a.create_sandbox);
  EXPECT_EQ(a.attempt, 0u);
  EXPECT_THAT(a.containers_to_start, ElementsAre(0, 1));
  EXPECT_FALSE(a.next_init_container.has_value());
}

TEST(ComputePodActionsTest, NewPodWithInitContainersStartsTheFirstOnly) {
  api::Pod pod = MakePod("Always", 1, 2);
  PodActions a = ComputePodActions(pod, {});
  EXPECT_TRUE(a.create_sandbox);
  EXPECT_EQ(a.next_init_container, 0u);
  EXPECT_TRUE(a.containers_to_start.empty());
}

TEST(ComputePodActionsTest, InitContainersRunOneAtATimeThenTheContainers) {
  api::Pod pod = MakePod("Always", 1, 2);
  auto running_first = StatusBuilder().Sandbox(cri::PodSandboxState::kReady)
                           .Container(pod, "init0", cri::ContainerState::kRunning, 0, true).Build();
  PodActions a = ComputePodActions(pod, running_first);
  EXPECT_FALSE(a.next_init_container.has_value()) << "wait while init0 runs";
  EXPECT_TRUE(a.containers_to_start.empty());
  EXPECT_FALSE(a.kill_pod);

  auto first_done = StatusBuilder().Sandbox(cri::PodSandboxState::kReady)
                        .Container(pod, "init0", cri::ContainerState::kExited, 0, true).Build();
  EXPECT_EQ(ComputePodActions(pod, first_done).next_init_container, 1u);

  auto all_done = StatusBuilder().Sandbox(cri::PodSandboxState::kReady)
                      .Container(pod, "init0", cri::ContainerState::kExited, 0, true)
                      .Container(pod, "init1", cri::ContainerState::kExited, 0, true).Build();
  EXPECT_THAT(ComputePodActions(pod, all_done).containers_to_start, ElementsAre(0));
}

TEST(ComputePodActionsTest, FailedInitIsRetriedUnlessRestartPolicyIsNever) {
  api::Pod always = MakePod("Always", 1, 2);
  auto failed = StatusBuilder().Sandbox(cri::PodSandboxState::kReady)
                    .Container(always, "init0", cri::ContainerState::kExited, 1, true).Build();
  PodActions a = ComputePodActions(always, failed);
  EXPECT_EQ(a.next_init_container, 0u);
  EXPECT_FALSE(a.kill_pod);
  api::Pod never = MakePod("Never", 1, 2);
  PodActions n = ComputePodActions(never, failed);
  EXPECT_TRUE(n.kill_pod);
  EXPECT_FALSE(n.next_init_container.has_value());
}

TEST(ComputePodActionsTest, ExitedContainersRestartByPolicy) {
  for (auto [policy, exit, restart] : {std::tuple{"Always", 0, true}, std::tuple{"Always", 1, true},
                                       std::tuple{"OnFailure", 0, false}, std::tuple{"OnFailure", 1, true},
                                       std::tuple{"Never", 1, false}, std::tuple{"Never", 0, false}}) {
    api::Pod pod = MakePod(policy);
    auto st = StatusBuilder().Sandbox(cri::PodSandboxState::kReady)
                  .Container(pod, "c0", cri::ContainerState::kExited, exit).Build();
    PodActions a = ComputePodActions(pod, st);
    EXPECT_EQ(!a.containers_to_start.empty(), restart) << policy << " exit " << exit;
    // Nothing to keep and nothing to start: the sandbox is stopped.
    EXPECT_EQ(a.kill_pod, !restart) << policy << " exit " << exit;
  }
}

TEST(ComputePodActionsTest, DeadSandboxIsRecreatedWithAllContainers) {
  api::Pod pod = MakePod("Always", 2);
  auto st = StatusBuilder().Sandbox(cri::PodSandboxState::kNotReady, 0)
                .Container(pod, "c0", cri::ContainerState::kExited, 137)
                .Container(pod, "c1", cri::ContainerState::kExited, 137).Build();
  PodActions a = ComputePodActions(pod, st);
  EXPECT_TRUE(a.kill_pod);
  EXPECT_TRUE(a.create_sandbox);
  EXPECT_EQ(a.attempt, 1u);
  EXPECT_THAT(a.containers_to_start, ElementsAre(0, 1));
}

TEST(ComputePodActionsTest, FinishedNeverPodGetsNoNewSandbox) {
  api::Pod pod = MakePod("Never");
  auto st = StatusBuilder().Sandbox(cri::PodSandboxState::kNotReady, 0)
                .Container(pod, "c0", cri::ContainerState::kExited, 0).Build();
  PodActions a = ComputePodActions(pod, st);
  EXPECT_FALSE(a.create_sandbox);
  EXPECT_TRUE(a.kill_pod);
}

TEST(ComputePodActionsTest, SandboxWithoutIpIsReplaced) {
  api::Pod pod = MakePod("Always");
  auto st = StatusBuilder().Sandbox(cri::PodSandboxState::kReady, 2, "").Build();
  PodActions a = ComputePodActions(pod, st);
  EXPECT_TRUE(a.create_sandbox);
  EXPECT_EQ(a.attempt, 3u);
}

TEST(ComputePodActionsTest, ChangedImageRestartsARunningContainerEvenWithNever) {
  api::Pod pod = MakePod("Never");
  auto st = StatusBuilder().Sandbox(cri::PodSandboxState::kReady)
                .Container(pod, "c0", cri::ContainerState::kRunning, 0, false, "old:1").Build();
  PodActions a = ComputePodActions(pod, st);
  ASSERT_EQ(a.containers_to_kill.size(), 1u);
  EXPECT_EQ(a.containers_to_kill[0].message, "Container c0 definition changed, will be restarted");
  EXPECT_THAT(a.containers_to_start, ElementsAre(0));
}

TEST(ComputePodActionsTest, ProbeFailureKillsWithTheProbesGracePeriod) {
  api::Pod pod = MakePod("Always");
  auto st = StatusBuilder().Sandbox(cri::PodSandboxState::kReady)
                .Container(pod, "c0", cri::ContainerState::kRunning).Build();
  ProbeKills kills{{st.containers[0].status.id, {"Container c0 failed liveness probe", 5}}};
  PodActions a = ComputePodActions(pod, st, kills);
  ASSERT_EQ(a.containers_to_kill.size(), 1u);
  EXPECT_EQ(a.containers_to_kill[0].message, "Container c0 failed liveness probe, will be restarted");
  EXPECT_EQ(a.containers_to_kill[0].grace_period_override, 5);
  EXPECT_THAT(a.containers_to_start, ElementsAre(0));
}

TEST(ComputePodActionsTest, HealthyPodNeedsNothing) {
  api::Pod pod = MakePod("Always", 2);
  auto st = StatusBuilder().Sandbox(cri::PodSandboxState::kReady)
                .Container(pod, "c0", cri::ContainerState::kRunning)
                .Container(pod, "c1", cri::ContainerState::kRunning).Build();
  PodActions a = ComputePodActions(pod, st);
  EXPECT_FALSE(a.kill_pod);
  EXPECT_FALSE(a.create_sandbox);
  EXPECT_TRUE(a.containers_to_start.empty());
  EXPECT_TRUE(a.containers_to_kill.empty());
}

// Golden value: the container hash recorded on running containers decides whether a new cubelet
// restarts them; it covers only the name and image, in a fixed form, like upstream's.
TEST(HashContainerTest, HashOfAKnownContainerIsPinned) {
  api::Container c;
  c.name = "httpd";
  c.image = "localhost/cubelet/testimage:1.0";
  c.command = {"httpd", "-f"};  // not part of the hash
  EXPECT_EQ(HashContainer(c), "e5d9e02e");
}

}  // namespace
}  // namespace cubelet::kuberuntime
