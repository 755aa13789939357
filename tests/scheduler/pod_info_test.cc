// PodInfo::FromObject: effective requests as upstream's resource.PodRequests computes them
// (init containers, sidecars, overhead, the non-zero defaults), node selection, pod affinity
// terms, topology spread constraints and the errors that name the field.
#include "plugin_test_util.h"

namespace cubelet::scheduler {
namespace {

using plugin_testing::ParsePod;
using plugin_testing::Pod;

constexpr int64_t kMi = 1024 * 1024;

std::string ErrorOf(std::string_view pod_json) {
  absl::StatusOr<PodInfoPtr> pod = ParsePod(pod_json);
  EXPECT_FALSE(pod.ok());
  if (pod.ok()) return "<ok>";
  EXPECT_EQ(pod.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(pod.status().message());
}

TEST(PodInfoRequestsTest, AppContainersAreSummedAndInitContainersTakeTheMax) {
  PodInfoPtr pod = Pod(R"({"metadata":{"name":"p","namespace":"default"},"spec":{
    "initContainers":[{"name":"i1","image":"init","resources":{"requests":{"cpu":"500m","memory":"50Mi"}}}],
    "containers":[{"name":"a","image":"a","resources":{"requests":{"cpu":"100m","memory":"100Mi"}}},
                  {"name":"b","image":"b","resources":{"requests":{"cpu":"200m","memory":"200Mi"}}}]}})");
  EXPECT_EQ(pod->requests.milli_cpu, 500);     // max(100m + 200m, 500m)
  EXPECT_EQ(pod->requests.memory, 300 * kMi);  // max(100Mi + 200Mi, 50Mi)
}

TEST(PodInfoRequestsTest, SidecarsRunBesideLaterInitContainersAndTheAppAndOverheadIsAdded) {
  // Upstream's KEP-753 rule: a sidecar counts with every init container after it and with the
  // app containers. sum = 500m + 100m (sidecar) = 600m; init2 runs with the sidecar: 1000m +
  // 100m = 1100m; the pod needs max(600m, 1100m) plus 50m overhead.
  PodInfoPtr pod = Pod(R"({"metadata":{"name":"p","namespace":"default"},"spec":{
    "initContainers":[
      {"name":"sidecar","image":"s","restartPolicy":"Always","resources":{"requests":{"cpu":"100m"}}},
      {"name":"init2","image":"i","resources":{"requests":{"cpu":"1"}}}],
    "containers":[{"name":"app","image":"a","resources":{"requests":{"cpu":"500m"}}}],
    "overhead":{"cpu":"50m","memory":"10Mi"}}})");
  EXPECT_EQ(pod->requests.milli_cpu, 1150);
  EXPECT_EQ(pod->requests.memory, 10 * kMi);
}

TEST(PodInfoRequestsTest, SidecarAfterARegularInitContainerDoesNotAddToIt) {
  // init1 300m runs alone; the sidecar (200m) starts after it and runs with the app (100m).
  PodInfoPtr pod = Pod(R"({"metadata":{"name":"p","namespace":"default"},"spec":{
    "initContainers":[
      {"name":"init1","image":"i","resources":{"requests":{"cpu":"300m"}}},
      {"name":"sidecar","image":"s","restartPolicy":"Always","resources":{"requests":{"cpu":"200m"}}}],
    "containers":[{"name":"app","image":"a","resources":{"requests":{"cpu":"100m"}}}]}})");
  EXPECT_EQ(pod->requests.milli_cpu, 300);  // max(100m + 200m, 300m, 200m)
}

TEST(PodInfoRequestsTest, NonZeroRequestsDefaultMissingCpuAndMemoryPerContainer) {
  PodInfoPtr pod = Pod(R"({"metadata":{"name":"p","namespace":"default"},"spec":{
    "containers":[{"name":"a","image":"a"},
                  {"name":"b","image":"b","resources":{"requests":{"cpu":"0"}}},
                  {"name":"c","image":"c","resources":{"requests":{"memory":"1Gi"}}}]}})");
  EXPECT_EQ(pod->requests.milli_cpu, 0);
  EXPECT_EQ(pod->requests.memory, 1024 * kMi);
  // a: 100m + 200Mi; b: an explicit 0 cpu stays 0, memory 200Mi; c: 100m, its own 1Gi.
  EXPECT_EQ(pod->non_zero_requests.milli_cpu, 200);
  EXPECT_EQ(pod->non_zero_requests.memory, 400 * kMi + 1024 * kMi);
}

TEST(PodInfoRequestsTest, NonZeroDefaultsApplyToInitContainersToo) {
  PodInfoPtr pod = Pod(R"({"metadata":{"name":"p","namespace":"default"},"spec":{
    "initContainers":[{"name":"i","image":"i"}],
    "containers":[{"name":"a","image":"a","resources":{"requests":{"cpu":"50m","memory":"10Mi"}}}]}})");
  EXPECT_EQ(pod->non_zero_requests.milli_cpu, 100);
  EXPECT_EQ(pod->non_zero_requests.memory, 200 * kMi);
  EXPECT_EQ(pod->requests.milli_cpu, 50);
}

TEST(PodInfoRequestsTest, ScalarResourcesAndEphemeralStorage) {
  PodInfoPtr pod = Pod(R"({"metadata":{"name":"p","namespace":"default"},"spec":{
    "containers":[{"name":"a","image":"a","resources":{"requests":{
      "example.com/gpu":"2","hugepages-2Mi":"4Mi","ephemeral-storage":"1Gi"}}}]}})");
  EXPECT_EQ(pod->requests.Get("example.com/gpu"), 2);
  EXPECT_EQ(pod->requests.Get("hugepages-2Mi"), 4 * kMi);
  EXPECT_EQ(pod->requests.ephemeral_storage, 1024 * kMi);
}

TEST(PodInfoTest, ReadsIdentityPriorityStatusAndGates) {
  PodInfoPtr pod = Pod(R"({"metadata":{"name":"web","namespace":"shop","uid":"u1","resourceVersion":"7",
      "creationTimestamp":"2024-05-01T10:00:00Z","deletionTimestamp":"2024-05-01T11:00:00Z","labels":{"app":"web"}},
    "spec":{"priority":1000,"preemptionPolicy":"Never","schedulingGates":[{"name":"a"},{"name":"b"}],
      "initContainers":[{"name":"i","image":"init:1"}],
      "containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80,"hostPort":8080},
                                                          {"containerPort":53,"hostPort":53,"protocol":"UDP","hostIP":"10.0.0.1"},
                                                          {"containerPort":9090}]}]},
    "status":{"phase":"Pending","nominatedNodeName":"n1"}})");
  EXPECT_EQ(pod->Key(), "shop/web");
  EXPECT_EQ(pod->uid, "u1");
  EXPECT_EQ(pod->resource_version, "7");
  EXPECT_EQ(pod->creation_time, absl::FromUnixSeconds(1714557600));
  EXPECT_TRUE(pod->terminating);
  EXPECT_EQ(pod->priority, 1000);
  EXPECT_EQ(pod->preemption_policy, "Never");
  EXPECT_EQ(pod->scheduler_name, "default-scheduler");
  EXPECT_EQ(pod->scheduling_gates, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(pod->images, (std::vector<std::string>{"init:1", "nginx"}));
  EXPECT_EQ(pod->phase, "Pending");
  EXPECT_EQ(pod->nominated_node_name, "n1");
  EXPECT_EQ(pod->labels.at("app"), "web");
  ASSERT_EQ(pod->host_ports.size(), 2u);
  EXPECT_EQ(pod->host_ports[0].port, 8080);
  EXPECT_EQ(pod->host_ports[0].protocol, "TCP");
  EXPECT_EQ(pod->host_ports[0].host_ip, "");
  EXPECT_EQ(pod->host_ports[1].protocol, "UDP");
  EXPECT_EQ(pod->host_ports[1].host_ip, "10.0.0.1");
  ASSERT_NE(pod->object, nullptr);
}

TEST(PodInfoTest, DefaultsWhenFieldsAreAbsent) {
  PodInfoPtr pod = Pod(R"({"metadata":{"name":"p","namespace":"default"},"spec":{"containers":[{"name":"c"}]}})");
  EXPECT_EQ(pod->priority, 0);
  EXPECT_FALSE(pod->terminating);
  EXPECT_EQ(pod->preemption_policy, "PreemptLowerPriority");
  EXPECT_EQ(pod->creation_time, absl::InfinitePast());
  EXPECT_FALSE(pod->has_required_node_affinity);
}

TEST(PodInfoNodeSelectionTest, NodeSelectorAndRequiredTermsWithEveryOperator) {
  PodInfoPtr pod = Pod(R"({"metadata":{"name":"p","namespace":"default"},"spec":{"containers":[{"name":"c"}],
    "nodeSelector":{"disk":"ssd"},
    "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
      {"matchExpressions":[{"key":"zone","operator":"In","values":["a","b"]},
                           {"key":"legacy","operator":"DoesNotExist"},
                           {"key":"cores","operator":"Gt","values":["4"]},
                           {"key":"gen","operator":"Lt","values":["3"]},
                           {"key":"arch","operator":"NotIn","values":["arm"]},
                           {"key":"gpu","operator":"Exists"}]},
      {"matchFields":[{"key":"metadata.name","operator":"In","values":["special"]}]}]}}}}})");
  selectors::Labels good = {{"disk", "ssd"}, {"zone", "a"}, {"cores", "8"}, {"gen", "2"}, {"gpu", ""}};
  EXPECT_TRUE(pod->MatchesNodeSelection(good, "n1"));
  auto with = [&](std::string key, std::string value) {
    selectors::Labels l = good;
    l[key] = value;
    return l;
  };
  auto without = [&](std::string key) {
    selectors::Labels l = good;
    l.erase(key);
    return l;
  };
  EXPECT_FALSE(pod->MatchesNodeSelection(with("disk", "hdd"), "n1"));    // nodeSelector
  EXPECT_FALSE(pod->MatchesNodeSelection(with("zone", "c"), "n1"));      // In
  EXPECT_FALSE(pod->MatchesNodeSelection(with("legacy", "x"), "n1"));    // DoesNotExist
  EXPECT_FALSE(pod->MatchesNodeSelection(with("cores", "4"), "n1"));     // Gt is strict
  EXPECT_FALSE(pod->MatchesNodeSelection(with("cores", "many"), "n1"));  // Gt needs an integer
  EXPECT_FALSE(pod->MatchesNodeSelection(without("cores"), "n1"));       // Gt needs the label
  EXPECT_FALSE(pod->MatchesNodeSelection(with("gen", "3"), "n1"));       // Lt
  EXPECT_FALSE(pod->MatchesNodeSelection(with("arch", "arm"), "n1"));    // NotIn
  EXPECT_TRUE(pod->MatchesNodeSelection(without("arch"), "n1"));         // NotIn on a missing label
  EXPECT_FALSE(pod->MatchesNodeSelection(without("gpu"), "n1"));         // Exists
  // The second term (ORed) matches by node name alone; nodeSelector still applies.
  EXPECT_TRUE(pod->MatchesNodeSelection({{"disk", "ssd"}}, "special"));
  EXPECT_FALSE(pod->MatchesNodeSelection({}, "special"));
}

TEST(PodInfoNodeSelectionTest, ATermThatDoesNotParseMatchesNothingButOthersStillCan) {
  PodInfoPtr pod = Pod(R"({"metadata":{"name":"p","namespace":"default"},"spec":{"containers":[{"name":"c"}],
    "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
      {"matchExpressions":[{"key":"zone","operator":"Near","values":["a"]}]},
      {"matchExpressions":[{"key":"zone","operator":"In","values":["b"]}]},
      {}]}}}}})");
  EXPECT_TRUE(pod->has_required_node_affinity);
  EXPECT_FALSE(pod->MatchesNodeSelection({{"zone", "a"}}, "n1"));
  EXPECT_TRUE(pod->MatchesNodeSelection({{"zone", "b"}}, "n1"));
}

TEST(PodInfoNodeSelectionTest, RequiredAffinityWithoutTermsMatchesNoNode) {
  PodInfoPtr pod = Pod(R"({"metadata":{"name":"p","namespace":"default"},"spec":{"containers":[{"name":"c"}],
    "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[]}}}}})");
  EXPECT_FALSE(pod->MatchesNodeSelection({}, "n1"));
}

TEST(PodInfoNodeSelectionTest, PreferredTermsWithZeroWeightOrEmptyPreferenceAreDropped) {
  PodInfoPtr pod = Pod(R"({"metadata":{"name":"p","namespace":"default"},"spec":{"containers":[{"name":"c"}],
    "affinity":{"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
      {"weight":0,"preference":{"matchExpressions":[{"key":"a","operator":"Exists"}]}},
      {"weight":5,"preference":{}},
      {"weight":3,"preference":{"matchExpressions":[{"key":"b","operator":"Exists"}]}}]}}}})");
  ASSERT_EQ(pod->preferred_node_affinity.size(), 1u);
  EXPECT_EQ(pod->preferred_node_affinity[0].weight, 3);
}

TEST(PodInfoAffinityTest, NamespacesDefaultToThePodsOwnOnlyWithoutNamespacesOrSelector) {
  PodInfoPtr pod = Pod(R"({"metadata":{"name":"p","namespace":"shop","labels":{"app":"web"}},
    "spec":{"containers":[{"name":"c"}],"affinity":{
      "podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
        {"labelSelector":{"matchLabels":{"app":"db"}},"topologyKey":"zone"},
        {"labelSelector":{"matchLabels":{"app":"db"}},"namespaces":["a","b"],"topologyKey":"zone"},
        {"labelSelector":{"matchLabels":{"app":"db"}},"namespaceSelector":{},"topologyKey":"zone"},
        {"topologyKey":"zone"}]},
      "podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
        {"weight":10,"podAffinityTerm":{"labelSelector":{"matchExpressions":[{"key":"app","operator":"In","values":["web"]}]},
                                        "topologyKey":"kubernetes.io/hostname"}}]}}}})");
  ASSERT_EQ(pod->required_affinity.size(), 4u);
  const AffinityTerm& own = pod->required_affinity[0];
  EXPECT_EQ(own.namespaces, (std::set<std::string, std::less<>>{"shop"}));
  EXPECT_FALSE(own.namespace_selector.has_value());
  EXPECT_TRUE(own.selector_set);
  EXPECT_TRUE(own.selector.Matches({{"app", "db"}}));
  EXPECT_EQ(own.topology_key, "zone");
  EXPECT_EQ(pod->required_affinity[1].namespaces, (std::set<std::string, std::less<>>{"a", "b"}));
  const AffinityTerm& all = pod->required_affinity[2];
  EXPECT_TRUE(all.namespaces.empty());
  ASSERT_TRUE(all.namespace_selector.has_value());
  EXPECT_TRUE(all.namespace_selector->empty());          // {} selects every namespace
  EXPECT_FALSE(pod->required_affinity[3].selector_set);  // no labelSelector: matches no pod
  ASSERT_EQ(pod->preferred_anti_affinity.size(), 1u);
  EXPECT_EQ(pod->preferred_anti_affinity[0].weight, 10);
  EXPECT_TRUE(pod->preferred_anti_affinity[0].term.selector.Matches({{"app", "web"}}));
  EXPECT_EQ(pod->preferred_anti_affinity[0].term.namespaces, (std::set<std::string, std::less<>>{"shop"}));
}

TEST(PodInfoAffinityTest, MatchAndMismatchLabelKeysAreMergedWithThePodsValues) {
  PodInfoPtr pod = Pod(R"({"metadata":{"name":"p","namespace":"default",
      "labels":{"app":"web","version":"v1","tenant":"a"}},
    "spec":{"containers":[{"name":"c"}],"affinity":{"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
      {"labelSelector":{"matchLabels":{"app":"web"}},"matchLabelKeys":["version","absent"],
       "mismatchLabelKeys":["tenant"],"topologyKey":"zone"},
      {"matchLabelKeys":["version"],"topologyKey":"zone"}]}}}})");
  ASSERT_EQ(pod->required_anti_affinity.size(), 2u);
  const selectors::LabelSelector& s = pod->required_anti_affinity[0].selector;
  EXPECT_TRUE(s.Matches({{"app", "web"}, {"version", "v1"}, {"tenant", "b"}}));
  EXPECT_FALSE(s.Matches({{"app", "web"}, {"version", "v2"}, {"tenant", "b"}}));
  EXPECT_FALSE(s.Matches({{"app", "web"}, {"version", "v1"}, {"tenant", "a"}}));
  // Keys merge only into a selector that exists: without one the term still matches nothing.
  EXPECT_FALSE(pod->required_anti_affinity[1].selector_set);
}

TEST(PodInfoSpreadTest, ConstraintsWithDefaultsAndMatchLabelKeysMerged) {
  PodInfoPtr pod = Pod(R"({"metadata":{"name":"p","namespace":"default","labels":{"app":"web","rev":"r1"}},
    "spec":{"containers":[{"name":"c"}],"topologySpreadConstraints":[
      {"maxSkew":2,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule",
       "labelSelector":{"matchLabels":{"app":"web"}},"matchLabelKeys":["rev"],"minDomains":3},
      {"maxSkew":1,"topologyKey":"kubernetes.io/hostname","whenUnsatisfiable":"ScheduleAnyway",
       "nodeAffinityPolicy":"Ignore","nodeTaintsPolicy":"Honor"},
      {"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"ScheduleAnyway","matchLabelKeys":["rev"]}]}})");
  ASSERT_EQ(pod->topology_spread_constraints.size(), 3u);
  const TopologySpreadConstraint& c = pod->topology_spread_constraints[0];
  EXPECT_EQ(c.max_skew, 2);
  EXPECT_EQ(c.topology_key, "zone");
  EXPECT_EQ(c.when_unsatisfiable, "DoNotSchedule");
  EXPECT_TRUE(c.selector_set);
  EXPECT_TRUE(c.selector.Matches({{"app", "web"}, {"rev", "r1"}}));
  EXPECT_FALSE(c.selector.Matches({{"app", "web"}, {"rev", "r2"}}));
  EXPECT_EQ(c.min_domains, 3);
  EXPECT_EQ(c.node_affinity_policy, "Honor");
  EXPECT_EQ(c.node_taints_policy, "Ignore");
  EXPECT_EQ(pod->topology_spread_constraints[1].node_affinity_policy, "Ignore");
  EXPECT_EQ(pod->topology_spread_constraints[1].node_taints_policy, "Honor");
  EXPECT_FALSE(pod->topology_spread_constraints[1].min_domains.has_value());
  EXPECT_FALSE(pod->topology_spread_constraints[2].selector_set);
}

TEST(PodInfoErrorsTest, ErrorsNameTheField) {
  EXPECT_EQ(ErrorOf(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c",
              "resources":{"requests":{"cpu":"lots"}}}]}})"),
            "spec.containers[0].resources.requests.cpu: quantities must match the regular expression "
            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  EXPECT_EQ(ErrorOf(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}],
              "initContainers":[{"name":"i","resources":{"requests":{"memory":true}}}]}})"),
            "spec.initContainers[0].resources.requests.memory: expected a quantity, got boolean");
  EXPECT_EQ(
      ErrorOf(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}],"overhead":{"cpu":"x"}}})").substr(0, 18),
      "spec.overhead.cpu:");
  EXPECT_EQ(ErrorOf(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}],"tolerations":{}}})"),
            "spec.tolerations: expected an array, got object");
  EXPECT_EQ(ErrorOf(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}],
              "tolerations":[{"key":"k","tolerationSeconds":"30"}]}})"),
            "spec.tolerations[0].tolerationSeconds: expected an integer, got string");
  EXPECT_EQ(ErrorOf(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}],"priority":1.5}})"),
            "spec.priority: expected an integer, got number");
  EXPECT_EQ(ErrorOf(R"({"metadata":{"name":"p","creationTimestamp":"yesterday"},"spec":{}})").substr(0, 28),
            "metadata.creationTimestamp: ");
  const std::string selector_error = ErrorOf(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}],
      "affinity":{"podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
        {"labelSelector":{"matchExpressions":[{"key":"app","operator":"Near"}]},"topologyKey":"zone"}]}}}})");
  EXPECT_EQ(selector_error.find("spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]."
                                "labelSelector: matchExpressions[0].operator"),
            0u)
      << selector_error;
  const std::string preferred_error = ErrorOf(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}],
      "affinity":{"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
        {"weight":1,"preference":{"matchExpressions":[{"key":"zone","operator":"Near","values":["a"]}]}}]}}}})");
  EXPECT_EQ(preferred_error,
            "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference."
            "matchExpressions[0].operator: Unsupported value: \"Near\": supported values: \"DoesNotExist\", "
            "\"Exists\", \"Gt\", \"In\", \"Lt\", \"NotIn\"");
  EXPECT_EQ(ErrorOf(R"([1])"), "pod: expected an object");
}

TEST(TolerationTest, ToleratesTaintAsUpstream) {
  Taint taint;
  taint.key = "dedicated";
  taint.value = "gpu";
  taint.effect = "NoSchedule";
  auto toleration = [](std::string key, std::string op, std::string value, std::string effect) {
    Toleration t;
    t.key = std::move(key);
    t.op = std::move(op);
    t.value = std::move(value);
    t.effect = std::move(effect);
    return t;
  };
  EXPECT_TRUE(toleration("dedicated", "Equal", "gpu", "NoSchedule").Tolerates(taint));
  EXPECT_TRUE(toleration("dedicated", "", "gpu", "").Tolerates(taint));  // "" is Equal; "" effect is any
  EXPECT_FALSE(toleration("dedicated", "Equal", "cpu", "NoSchedule").Tolerates(taint));
  EXPECT_FALSE(toleration("dedicated", "Equal", "gpu", "NoExecute").Tolerates(taint));
  EXPECT_TRUE(toleration("dedicated", "Exists", "", "").Tolerates(taint));
  EXPECT_TRUE(toleration("", "Exists", "", "").Tolerates(taint));  // empty key with Exists: everything
  // Validation requires Exists with an empty key, but upstream's ToleratesTaint itself only
  // compares what is set.
  EXPECT_TRUE(toleration("", "Equal", "gpu", "").Tolerates(taint));
  EXPECT_FALSE(toleration("dedicated", "Gt", "gpu", "").Tolerates(taint));
  EXPECT_TRUE(Tolerated({toleration("other", "Exists", "", ""), toleration("dedicated", "Exists", "", "")}, taint));
  EXPECT_FALSE(Tolerated({}, taint));
}

}  // namespace
}  // namespace cubelet::scheduler
