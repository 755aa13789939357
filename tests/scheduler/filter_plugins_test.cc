// The filter plugins with upstream's verdicts and exact reasons: SchedulingGates,
// NodeUnschedulable, NodeName, TaintToleration, NodeAffinity and NodePorts.
#include "plugin_test_util.h"

namespace cubelet::scheduler {
namespace {

using plugin_testing::ArgsError;
using plugin_testing::MakePlugin;
using plugin_testing::NodeWith;
using plugin_testing::Pod;
using plugin_testing::RunFilter;

std::string PodJson(std::string_view spec_extra, std::string_view name = "p") {
  return StrCat(R"({"metadata":{"name":")", name, R"(","namespace":"default","uid":"uid-)", name,
                R"("},"spec":{"containers":[{"name":"c","image":"busybox"}])", spec_extra, "}}");
}

void ExpectRejected(const Status& s, Code code, std::string_view reason) {
  EXPECT_EQ(s.code(), code);
  ASSERT_EQ(s.reasons().size(), 1u);
  EXPECT_EQ(s.reasons()[0], reason);
}

TEST(SchedulingGatesTest, GatedPodIsUnresolvableWithTheGateNames) {
  auto plugin = MakePlugin<PreFilterPlugin>(&NewSchedulingGates);
  ASSERT_NE(plugin, nullptr);
  EXPECT_EQ(plugin->Name(), "SchedulingGates");
  CycleState state;
  Snapshot snapshot;
  PodInfoPtr gated = Pod(PodJson(R"(,"schedulingGates":[{"name":"example.com/a"},{"name":"example.com/b"}])"));
  ExpectRejected(plugin->PreFilter(state, *gated, snapshot), Code::kUnschedulableAndUnresolvable,
                 "waiting for scheduling gates: [example.com/a example.com/b]");
  EXPECT_TRUE(plugin->PreFilter(state, *Pod(PodJson("")), snapshot).ok());
}

TEST(NodeUnschedulableTest, CordonedNodeRejectsUnlessTheTaintIsTolerated) {
  auto plugin = MakePlugin<FilterPlugin>(&NewNodeUnschedulable);
  ASSERT_NE(plugin, nullptr);
  auto cordoned = NodeWith("n1", "1", "1Gi", {}, "{}", R"({"unschedulable":true})");
  auto open = NodeWith("n2", "1", "1Gi");
  PodInfoPtr pod = Pod(PodJson(""));
  ExpectRejected(RunFilter(*plugin, *pod, *cordoned), Code::kUnschedulableAndUnresolvable,
                 "node(s) were unschedulable");
  EXPECT_TRUE(RunFilter(*plugin, *pod, *open).ok());
  PodInfoPtr tolerating = Pod(PodJson(
      R"(,"tolerations":[{"key":"node.kubernetes.io/unschedulable","operator":"Exists","effect":"NoSchedule"}])"));
  EXPECT_TRUE(RunFilter(*plugin, *tolerating, *cordoned).ok());
  PodInfoPtr wrong_effect = Pod(PodJson(
      R"(,"tolerations":[{"key":"node.kubernetes.io/unschedulable","operator":"Exists","effect":"NoExecute"}])"));
  EXPECT_FALSE(RunFilter(*plugin, *wrong_effect, *cordoned).ok());
}

TEST(NodeNameTest, OnlyTheNamedNodeFits) {
  auto plugin = MakePlugin<FilterPlugin>(&NewNodeName);
  ASSERT_NE(plugin, nullptr);
  auto n1 = NodeWith("n1", "1", "1Gi");
  auto n2 = NodeWith("n2", "1", "1Gi");
  PodInfoPtr named = Pod(PodJson(R"(,"nodeName":"n1")"));
  EXPECT_TRUE(RunFilter(*plugin, *named, *n1).ok());
  ExpectRejected(RunFilter(*plugin, *named, *n2), Code::kUnschedulableAndUnresolvable,
                 "node(s) didn't match the requested node name");
  EXPECT_TRUE(RunFilter(*plugin, *Pod(PodJson("")), *n2).ok());
}

TEST(TaintTolerationFilterTest, NoScheduleAndNoExecuteTaintsMustBeTolerated) {
  auto plugin = MakePlugin<FilterPlugin>(&NewTaintToleration);
  ASSERT_NE(plugin, nullptr);
  auto tainted = NodeWith("n1", "1", "1Gi", {}, "{}",
                          R"({"taints":[{"key":"soft","effect":"PreferNoSchedule"},
                                        {"key":"dedicated","value":"gpu","effect":"NoSchedule"},
                                        {"key":"node.kubernetes.io/unreachable","effect":"NoExecute"}]})");
  ExpectRejected(RunFilter(*plugin, *Pod(PodJson("")), *tainted), Code::kUnschedulableAndUnresolvable,
                 "node(s) had untolerated taint {dedicated: gpu}");
  PodInfoPtr first_only = Pod(PodJson(R"(,"tolerations":[{"key":"dedicated","value":"gpu","effect":"NoSchedule"}])"));
  ExpectRejected(RunFilter(*plugin, *first_only, *tainted), Code::kUnschedulableAndUnresolvable,
                 "node(s) had untolerated taint {node.kubernetes.io/unreachable: }");
  PodInfoPtr both = Pod(PodJson(R"(,"tolerations":[{"key":"dedicated","operator":"Exists"},
      {"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}])"));
  EXPECT_TRUE(RunFilter(*plugin, *both, *tainted).ok());  // PreferNoSchedule never filters
  PodInfoPtr everything = Pod(PodJson(R"(,"tolerations":[{"operator":"Exists"}])"));
  EXPECT_TRUE(RunFilter(*plugin, *everything, *tainted).ok());
  PodInfoPtr wrong_value = Pod(PodJson(R"(,"tolerations":[{"operator":"Exists","key":"node.kubernetes.io/unreachable"},
      {"key":"dedicated","value":"cpu"}])"));
  EXPECT_FALSE(RunFilter(*plugin, *wrong_value, *tainted).ok());
}

TEST(NodeAffinityFilterTest, NodeSelectorAndRequiredAffinity) {
  auto plugin = MakePlugin<Plugin>(&NewNodeAffinity);
  ASSERT_NE(plugin, nullptr);
  auto zone_a = NodeWith("n1", "1", "1Gi", {}, R"({"zone":"a","disk":"ssd"})");
  auto zone_b = NodeWith("n2", "1", "1Gi", {}, R"({"zone":"b","disk":"ssd"})");
  PodInfoPtr selecting = Pod(PodJson(R"(,"nodeSelector":{"zone":"a"})"));
  EXPECT_TRUE(RunFilter(*plugin, *selecting, *zone_a).ok());
  ExpectRejected(RunFilter(*plugin, *selecting, *zone_b), Code::kUnschedulableAndUnresolvable,
                 "node(s) didn't match Pod's node affinity/selector");
  PodInfoPtr affine = Pod(PodJson(R"(,"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
      {"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"NotIn","values":["a"]}]}]}}})"));
  EXPECT_FALSE(RunFilter(*plugin, *affine, *zone_a).ok());
  EXPECT_TRUE(RunFilter(*plugin, *affine, *zone_b).ok());
}

TEST(NodeAffinityFilterTest, PreFilterSkipsPodsWithoutNodeSelection) {
  auto plugin = MakePlugin<PreFilterPlugin>(&NewNodeAffinity);
  ASSERT_NE(plugin, nullptr);
  CycleState state;
  Snapshot snapshot;
  EXPECT_EQ(plugin->PreFilter(state, *Pod(PodJson("")), snapshot).code(), Code::kSkip);
  EXPECT_TRUE(plugin->PreFilter(state, *Pod(PodJson(R"(,"nodeSelector":{"a":"b"})")), snapshot).ok());
  // With addedAffinity every pod is checked.
  auto enforced = MakePlugin<PreFilterPlugin>(&NewNodeAffinity, R"({"addedAffinity":{
      "requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
        {"matchExpressions":[{"key":"pool","operator":"In","values":["batch"]}]}]}}})");
  ASSERT_NE(enforced, nullptr);
  EXPECT_TRUE(enforced->PreFilter(state, *Pod(PodJson("")), snapshot).ok());
}

TEST(NodeAffinityFilterTest, ConflictingNodeNameTermsFailAtPreFilter) {
  auto plugin = MakePlugin<PreFilterPlugin>(&NewNodeAffinity);
  ASSERT_NE(plugin, nullptr);
  CycleState state;
  Snapshot snapshot;
  PodInfoPtr conflicting = Pod(PodJson(R"(,"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
      {"nodeSelectorTerms":[{"matchFields":[{"key":"metadata.name","operator":"In","values":["n1"]},
                                             {"key":"metadata.name","operator":"In","values":["n2"]}]}]}}})"));
  ExpectRejected(plugin->PreFilter(state, *conflicting, snapshot), Code::kUnschedulableAndUnresolvable,
                 "pod affinity terms conflict");
  PodInfoPtr one_open_term =
      Pod(PodJson(R"(,"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
      {"nodeSelectorTerms":[{"matchFields":[{"key":"metadata.name","operator":"In","values":["n1"]},
                                             {"key":"metadata.name","operator":"In","values":["n2"]}]},
                            {"matchExpressions":[{"key":"zone","operator":"Exists"}]}]}}})"));
  EXPECT_TRUE(plugin->PreFilter(state, *one_open_term, snapshot).ok());
}

TEST(NodeAffinityFilterTest, AddedAffinityIsEnforcedWithItsOwnReason) {
  auto plugin = MakePlugin<Plugin>(&NewNodeAffinity, R"({"addedAffinity":{
      "requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
        {"matchExpressions":[{"key":"pool","operator":"In","values":["batch"]}]}]}}})");
  ASSERT_NE(plugin, nullptr);
  auto batch = NodeWith("n1", "1", "1Gi", {}, R"({"pool":"batch","zone":"a"})");
  auto web = NodeWith("n2", "1", "1Gi", {}, R"({"pool":"web","zone":"a"})");
  EXPECT_TRUE(RunFilter(*plugin, *Pod(PodJson("")), *batch).ok());
  ExpectRejected(RunFilter(*plugin, *Pod(PodJson("")), *web), Code::kUnschedulableAndUnresolvable,
                 "node(s) didn't match scheduler-enforced node affinity");
  ExpectRejected(RunFilter(*plugin, *Pod(PodJson(R"(,"nodeSelector":{"zone":"b"})")), *batch),
                 Code::kUnschedulableAndUnresolvable, "node(s) didn't match Pod's node affinity/selector");
}

TEST(NodeAffinityArgsTest, UnknownFieldsAndBadTermsAreErrors) {
  EXPECT_EQ(ArgsError(&NewNodeAffinity, R"({"addedAfinity":{}})"), "unknown field \"addedAfinity\"");
  EXPECT_EQ(ArgsError(&NewNodeAffinity, R"({"addedAffinity":{"required":{}}})"),
            "unknown field \"addedAffinity.required\"");
  EXPECT_EQ(ArgsError(&NewNodeAffinity, R"({"addedAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
      {"nodeSelectorTerms":[{"matchExpressions":[{"key":"a","operator":"Gt","values":["x"]}]}]}}})")
                .find("addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]."
                      "matchExpressions[0]: "),
            0u);
  EXPECT_EQ(ArgsError(&NewNodeAffinity, R"({"kind":"NodePortsArgs"})"), "kind: expected \"NodeAffinityArgs\"");
  EXPECT_NE(MakePlugin<Plugin>(&NewNodeAffinity, R"({"apiVersion":"kubescheduler.config.k8s.io/v1",
      "kind":"NodeAffinityArgs"})"),
            nullptr);
}

TEST(NodePortsTest, ConflictRulesFollowAddressAndProtocol) {
  auto plugin = MakePlugin<Plugin>(&NewNodePorts);
  ASSERT_NE(plugin, nullptr);
  auto port_pod = [](std::string_view name, std::string_view host_ip, int port, std::string_view protocol) {
    std::string p = StrCat(R"({"containerPort":)", port, R"(,"hostPort":)", port);
    if (!host_ip.empty()) p += StrCat(R"(,"hostIP":")", host_ip, "\"");
    if (!protocol.empty()) p += StrCat(R"(,"protocol":")", protocol, "\"");
    return Pod(StrCat(R"({"metadata":{"name":")", name, R"(","namespace":"default","uid":"uid-)", name,
                      R"("},"spec":{"containers":[{"name":"c","ports":[)", p, "}]}]}}"));
  };
  auto node_using = [&](std::string_view host_ip, int port, std::string_view protocol) {
    return NodeWith("n1", "1", "1Gi", {port_pod("existing", host_ip, port, protocol)});
  };
  const std::string reason = "node(s) didn't have free ports for the requested pod ports";
  // 0.0.0.0 wants the port on every address.
  ExpectRejected(RunFilter(*plugin, *port_pod("p", "", 80, ""), *node_using("10.0.0.1", 80, "TCP")),
                 Code::kUnschedulable, reason);
  ExpectRejected(RunFilter(*plugin, *port_pod("p", "0.0.0.0", 80, "TCP"), *node_using("10.0.0.1", 80, "")),
                 Code::kUnschedulable, reason);
  // A specific address conflicts with itself and with 0.0.0.0.
  ExpectRejected(RunFilter(*plugin, *port_pod("p", "10.0.0.1", 80, ""), *node_using("", 80, "")), Code::kUnschedulable,
                 reason);
  ExpectRejected(RunFilter(*plugin, *port_pod("p", "10.0.0.1", 80, ""), *node_using("10.0.0.1", 80, "")),
                 Code::kUnschedulable, reason);
  EXPECT_TRUE(RunFilter(*plugin, *port_pod("p", "10.0.0.2", 80, ""), *node_using("10.0.0.1", 80, "")).ok());
  // Different protocol or port: no conflict.
  EXPECT_TRUE(RunFilter(*plugin, *port_pod("p", "", 80, "UDP"), *node_using("", 80, "TCP")).ok());
  EXPECT_TRUE(RunFilter(*plugin, *port_pod("p", "", 81, ""), *node_using("", 80, "")).ok());
}

TEST(NodePortsTest, PodsWithoutHostPortsSkipTheFilter) {
  auto plugin = MakePlugin<PreFilterPlugin>(&NewNodePorts);
  ASSERT_NE(plugin, nullptr);
  CycleState state;
  Snapshot snapshot;
  PodInfoPtr container_port_only = Pod(R"({"metadata":{"name":"p","namespace":"default"},
      "spec":{"containers":[{"name":"c","ports":[{"containerPort":80}]}]}})");
  EXPECT_EQ(plugin->PreFilter(state, *container_port_only, snapshot).code(), Code::kSkip);
}

TEST(NoArgsPluginsTest, RejectAnyArgsField) {
  EXPECT_EQ(ArgsError(&NewNodePorts, R"({"ports":1})"), "unknown field \"ports\"");
  EXPECT_EQ(ArgsError(&NewTaintToleration, R"([])"), "args: expected an object, got array");
  EXPECT_NE(MakePlugin<Plugin>(&NewNodeName, "{}"), nullptr);
}

}  // namespace
}  // namespace cubelet::scheduler
