// The scheduler in a running cubelet-server, driven with the real kubectl: fake Node objects
// (no agents) created with kubectl, pods placed by resources, taints and tolerations, node and
// pod (anti-)affinity, topology spread across zones; a pod that fits nowhere shows upstream's
// message and is placed when a node comes; a higher-priority pod preempts.
// Each test creates its own nodes and deletes them (and its pods) at the end, so the tests of
// the suite do not see each other's nodes.
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/strings.h"
#include "e2e/e2e_util.h"
#include "e2e/server_fixture.h"

namespace cubelet::testing {
namespace {

std::string Node(const std::string& name, const std::string& cpu, const std::string& zone,
                 const std::string& taints = "") {
  return StrCat("apiVersion: v1\nkind: Node\nmetadata:\n  name: ", name,
                "\n  labels:\n    kubernetes.io/hostname: ", name, "\n    topology.kubernetes.io/zone: ", zone,
                "\nspec:\n", taints.empty() ? "  {}\n" : taints,
                "status:\n  allocatable: {cpu: \"", cpu, "\", memory: 8Gi, pods: \"110\"}\n",
                "  capacity: {cpu: \"", cpu, "\", memory: 8Gi, pods: \"110\"}\n");
}

std::string Pod(const std::string& name, const std::string& cpu, const std::string& spec_extra = "",
                const std::string& labels = "app: web") {
  return StrCat("apiVersion: v1\nkind: Pod\nmetadata:\n  name: ", name, "\n  labels: {", labels, "}\nspec:\n",
                spec_extra, "  containers:\n  - name: c\n    image: busybox\n    resources:\n      requests: {cpu: \"",
                cpu, "\"}\n");
}

class SchedulerE2eTest : public SharedServerTest<> {
 protected:
  void TearDown() override {
    for (const std::string& pod : pods_) {
      Kubectl({"delete", "pod", pod, "--grace-period=0", "--force", "--ignore-not-found", "--wait=false"});
    }
    for (const std::string& node : nodes_) Kubectl({"delete", "node", node, "--ignore-not-found"});
  }
  void CreateNode(const std::string& name, const std::string& cpu, const std::string& zone,
                  const std::string& taints = "") {
    MustKubectl({"create", "-f", "-"}, Node(name, cpu, zone, taints));
    nodes_.push_back(name);
  }
  void CreatePod(const std::string& name, const std::string& manifest) {
    MustKubectl({"create", "-f", "-"}, manifest);
    pods_.push_back(name);
  }
  std::string NodeOf(const std::string& pod) {
    CommandResult r = Kubectl({"get", "pod", pod, "-o", "jsonpath={.spec.nodeName}"});
    return r.exit_code == 0 ? r.out : "";
  }
  std::string WaitForNode(const std::string& pod) {
    std::string node;
    Eventually([&] { return !(node = NodeOf(pod)).empty(); });
    return node;
  }
  std::string ScheduledCondition(const std::string& pod) {
    return Kubectl({"get", "pod", pod, "-o",
                    "jsonpath={range .status.conditions[?(@.type==\"PodScheduled\")]}{.status}/{.reason}/{.message}{end}"})
        .out;
  }

  std::vector<std::string> nodes_;
  std::vector<std::string> pods_;
};

TEST_F(SchedulerE2eTest, PodsGoWhereTheirRequestsFit) {
  CreateNode("res-small", "1", "a");
  CreateNode("res-big", "8", "a");
  CreatePod("res-pod", Pod("res-pod", "4"));
  EXPECT_EQ(WaitForNode("res-pod"), "res-big");
  // kubectl describe shows the scheduler's event.
  EXPECT_TRUE(Eventually([&] {
    return MustKubectl({"describe", "pod", "res-pod"}).find("Successfully assigned default/res-pod to res-big") !=
           std::string::npos;
  }));
}

TEST_F(SchedulerE2eTest, TaintsKeepPodsAwayUnlessTolerated) {
  const std::string taint = "  taints:\n  - {key: dedicated, value: db, effect: NoSchedule}\n";
  CreateNode("taint-db", "4", "a", taint);
  CreateNode("taint-free", "4", "a");
  CreatePod("taint-plain", Pod("taint-plain", "100m", "  nodeSelector: {topology.kubernetes.io/zone: a}\n"));
  CreatePod("taint-tolerant",
            Pod("taint-tolerant", "100m",
                "  nodeSelector: {kubernetes.io/hostname: taint-db}\n"
                "  tolerations:\n  - {key: dedicated, operator: Equal, value: db, effect: NoSchedule}\n"));
  EXPECT_EQ(WaitForNode("taint-plain"), "taint-free");
  EXPECT_EQ(WaitForNode("taint-tolerant"), "taint-db");

  CreatePod("taint-forced", Pod("taint-forced", "100m", "  nodeSelector: {kubernetes.io/hostname: taint-db}\n"));
  EXPECT_TRUE(Eventually([&] { return !ScheduledCondition("taint-forced").empty(); }));
  EXPECT_EQ(ScheduledCondition("taint-forced"),
            "False/Unschedulable/0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 "
            "node(s) had untolerated taint {dedicated: db}. preemption: 0/2 nodes are available: 2 Preemption is not "
            "helpful for scheduling..");
}

TEST_F(SchedulerE2eTest, NodeAffinityAndPodAntiAffinity) {
  CreateNode("aff-a1", "4", "zone-a");
  CreateNode("aff-a2", "4", "zone-a");
  CreateNode("aff-b1", "4", "zone-b");
  const std::string affinity =
      "  affinity:\n"
      "    nodeAffinity:\n"
      "      requiredDuringSchedulingIgnoredDuringExecution:\n"
      "        nodeSelectorTerms:\n"
      "        - matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [zone-a]}]\n"
      "    podAntiAffinity:\n"
      "      requiredDuringSchedulingIgnoredDuringExecution:\n"
      "      - labelSelector: {matchLabels: {app: spread}}\n"
      "        topologyKey: kubernetes.io/hostname\n";
  for (const char* name : {"aff-1", "aff-2", "aff-3"}) CreatePod(name, Pod(name, "100m", affinity, "app: spread"));
  std::set<std::string> placed;
  placed.insert(WaitForNode("aff-1"));
  placed.insert(WaitForNode("aff-2"));
  EXPECT_EQ(placed, (std::set<std::string>{"aff-a1", "aff-a2"}));
  // Two zone-a nodes, three replicas that refuse to share a node: the third waits.
  EXPECT_TRUE(Eventually([&] { return !ScheduledCondition("aff-3").empty(); }));
  EXPECT_EQ(NodeOf("aff-3"), "");
  EXPECT_NE(ScheduledCondition("aff-3").find("1 node(s) didn't match Pod's node affinity/selector, 2 node(s) didn't "
                                             "match pod anti-affinity rules"),
            std::string::npos)
      << ScheduledCondition("aff-3");
}

TEST_F(SchedulerE2eTest, TopologySpreadAcrossZones) {
  CreateNode("spread-a", "8", "east");
  CreateNode("spread-b", "8", "west");
  const std::string spread =
      "  topologySpreadConstraints:\n"
      "  - maxSkew: 1\n"
      "    topologyKey: topology.kubernetes.io/zone\n"
      "    whenUnsatisfiable: DoNotSchedule\n"
      "    labelSelector: {matchLabels: {app: zoned}}\n";
  std::map<std::string, int> per_node;
  for (int i = 0; i < 4; ++i) {
    const std::string name = StrCat("spread-", i);
    CreatePod(name, Pod(name, "100m", spread, "app: zoned"));
    ++per_node[WaitForNode(name)];  // one at a time, so each sees the ones before it
  }
  EXPECT_EQ(per_node, (std::map<std::string, int>{{"spread-a", 2}, {"spread-b", 2}}));
}

TEST_F(SchedulerE2eTest, APendingPodShowsWhyAndIsPlacedWhenANodeArrives) {
  CreateNode("pending-1", "1", "a");
  CreatePod("pending-pod", Pod("pending-pod", "2"));
  EXPECT_TRUE(Eventually([&] { return !ScheduledCondition("pending-pod").empty(); }));
  EXPECT_EQ(ScheduledCondition("pending-pod"),
            "False/Unschedulable/0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 "
            "No preemption victims found for incoming pod..");
  EXPECT_TRUE(Eventually([&] {
    return Kubectl({"get", "events", "--field-selector", "reason=FailedScheduling,involvedObject.name=pending-pod",
                    "-o", "name"})
               .out.find("event") != std::string::npos;
  }));
  CreateNode("pending-2", "4", "a");
  EXPECT_EQ(WaitForNode("pending-pod"), "pending-2");
}

TEST_F(SchedulerE2eTest, AHigherPriorityPodPreemptsALowerOne) {
  MustKubectl({"create", "-f", "-"},
              "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: e2e-high\nvalue: 100000\n");
  CreateNode("prio-1", "2", "a");
  CreatePod("prio-low", Pod("prio-low", "2"));
  ASSERT_EQ(WaitForNode("prio-low"), "prio-1");
  CreatePod("prio-high", Pod("prio-high", "2", "  priorityClassName: e2e-high\n"));
  // The victim is deleted gracefully and the preemptor nominated for its node.
  EXPECT_TRUE(Eventually([&] {
    return !Kubectl({"get", "pod", "prio-low", "-o", "jsonpath={.metadata.deletionTimestamp}"}).out.empty();
  }));
  EXPECT_TRUE(Eventually([&] {
    return Kubectl({"get", "pod", "prio-high", "-o", "jsonpath={.status.nominatedNodeName}"}).out == "prio-1";
  }));
  // No kubelet confirms the victim's end here: do it as one would.
  MustKubectl({"delete", "pod", "prio-low", "--grace-period=0", "--force"});
  EXPECT_EQ(WaitForNode("prio-high"), "prio-1");
  Kubectl({"delete", "priorityclass", "e2e-high"});
}

}  // namespace
}  // namespace cubelet::testing
