// PodTopologySpread against hand-built snapshots. Expected scores are upstream's
// (podtopologyspread/scoring_test.go) and follow from its formulas: a node scores
// Σ count(domain) × log(domains + 2) + (maxSkew − 1), rounded, then 100 × (max + min − s) / max.
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "json/parse.h"
#include "scheduler/affinity_test_util.h"
#include "scheduler/plugins.h"

namespace cubelet::scheduler {
namespace {

using affinity_testing::FilterRun;
using affinity_testing::MakeNode;
using affinity_testing::MakeSnapshot;
using affinity_testing::PodBuilder;
using affinity_testing::RunFilter;
using affinity_testing::RunScore;
using affinity_testing::ScoresString;
using affinity_testing::SpreadOptions;
using affinity_testing::Verdicts;
using ::testing::HasSubstr;

constexpr char kHostname[] = "kubernetes.io/hostname";
const std::string kNotMatch = "U: node(s) didn't match pod topology spread constraints";
const std::string kMissingLabel =
    "UU: node(s) didn't match pod topology spread constraints (missing required label)";

std::unique_ptr<Plugin> NewPlugin(std::string_view args_json = "") {
  json::Value args;
  if (!args_json.empty()) {
    absl::StatusOr<json::Value> parsed = json::Parse(args_json);
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    if (parsed.ok()) args = *parsed;
  }
  absl::StatusOr<std::unique_ptr<Plugin>> plugin = NewPodTopologySpread(args_json.empty() ? nullptr : &args);
  EXPECT_TRUE(plugin.ok()) << plugin.status();
  return plugin.ok() ? *std::move(plugin) : nullptr;
}

absl::Status ArgsError(std::string_view args_json) {
  absl::StatusOr<json::Value> parsed = json::Parse(args_json);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return NewPodTopologySpread(&*parsed).status();
}

// zone1: node-a, node-b; zone2: node-x, node-y.
std::vector<std::shared_ptr<const NodeSpecInfo>> TwoZones() {
  return {MakeNode("node-a", {{"zone", "zone1"}, {kHostname, "node-a"}}),
          MakeNode("node-b", {{"zone", "zone1"}, {kHostname, "node-b"}}),
          MakeNode("node-x", {{"zone", "zone2"}, {kHostname, "node-x"}}),
          MakeNode("node-y", {{"zone", "zone2"}, {kHostname, "node-y"}})};
}

// `n` pods labelled foo on `node`.
std::vector<PodInfoPtr> FooPods(const std::string& node, int n, std::string ns = "default") {
  std::vector<PodInfoPtr> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(PodBuilder(node + "-p" + std::to_string(i), ns).Label("foo").Node(node).Obj());
  }
  return out;
}

std::vector<PodInfoPtr> Concat(std::initializer_list<std::vector<PodInfoPtr>> parts) {
  std::vector<PodInfoPtr> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// ---- Filter ----

TEST(PodTopologySpreadFilterTest, PodWithoutHardConstraintsSkipsPreFilter) {
  auto plugin = NewPlugin();
  Snapshot snapshot = MakeSnapshot(TwoZones(), FooPods("node-a", 3));
  EXPECT_EQ(RunFilter(*plugin, *PodBuilder("p").Label("foo").Obj(), snapshot).pre_filter.code(), Code::kSkip);
  PodInfoPtr soft = PodBuilder("p").Label("foo").Spread(1, "zone", "ScheduleAnyway", "foo").Obj();
  EXPECT_EQ(RunFilter(*plugin, *soft, snapshot).pre_filter.code(), Code::kSkip);
}

TEST(PodTopologySpreadFilterTest, ZoneSkewRejectsTheCrowdedZone) {
  // zone1 holds 3 matching pods, zone2 1: adding the pod to zone1 makes the skew 3 > 1.
  Snapshot snapshot = MakeSnapshot(TwoZones(), Concat({FooPods("node-a", 2), FooPods("node-b", 1), FooPods("node-x", 1)}));
  PodInfoPtr pod = PodBuilder("p").Label("foo").Spread(1, "zone", "DoNotSchedule", "foo").Obj();
  FilterRun run = RunFilter(*NewPlugin(), *pod, snapshot);
  EXPECT_TRUE(run.pre_filter.ok());
  EXPECT_EQ(Verdicts(run), (std::map<std::string, std::string>{
                               {"node-a", kNotMatch}, {"node-b", kNotMatch}, {"node-x", ""}, {"node-y", ""}}));
}

TEST(PodTopologySpreadFilterTest, HostnameSkewAllowsOnlyTheEmptiestNode) {
  // 2/1/1/0 matching pods: the global minimum is 0, so only node-y keeps the skew at 1.
  Snapshot snapshot = MakeSnapshot(TwoZones(), Concat({FooPods("node-a", 2), FooPods("node-b", 1), FooPods("node-x", 1)}));
  PodInfoPtr pod = PodBuilder("p").Label("foo").Spread(1, kHostname, "DoNotSchedule", "foo").Obj();
  EXPECT_EQ(Verdicts(RunFilter(*NewPlugin(), *pod, snapshot)),
            (std::map<std::string, std::string>{
                {"node-a", kNotMatch}, {"node-b", kNotMatch}, {"node-x", kNotMatch}, {"node-y", ""}}));
  // maxSkew 2 tolerates one more.
  PodInfoPtr relaxed = PodBuilder("p").Label("foo").Spread(2, kHostname, "DoNotSchedule", "foo").Obj();
  EXPECT_EQ(Verdicts(RunFilter(*NewPlugin(), *relaxed, snapshot)),
            (std::map<std::string, std::string>{{"node-a", kNotMatch}, {"node-b", ""}, {"node-x", ""}, {"node-y", ""}}));
}

TEST(PodTopologySpreadFilterTest, PodNotMatchingItsOwnSelectorDoesNotAddToTheSkew) {
  // zone1: 2, zone2: 1.
  Snapshot snapshot = MakeSnapshot(TwoZones(), Concat({FooPods("node-a", 1), FooPods("node-b", 1), FooPods("node-x", 1)}));
  PodInfoPtr other = PodBuilder("p").Label("bar").Spread(1, "zone", "DoNotSchedule", "foo").Obj();
  EXPECT_EQ(Verdicts(RunFilter(*NewPlugin(), *other, snapshot)),
            (std::map<std::string, std::string>{{"node-a", ""}, {"node-b", ""}, {"node-x", ""}, {"node-y", ""}}));
  PodInfoPtr self = PodBuilder("p").Label("foo").Spread(1, "zone", "DoNotSchedule", "foo").Obj();
  EXPECT_EQ(Verdicts(RunFilter(*NewPlugin(), *self, snapshot)),
            (std::map<std::string, std::string>{
                {"node-a", kNotMatch}, {"node-b", kNotMatch}, {"node-x", ""}, {"node-y", ""}}));
}

TEST(PodTopologySpreadFilterTest, NodeWithoutTheTopologyKeyIsUnresolvableAndNoDomain) {
  // node-y has no zone: rejected for good, and its empty domain does not pull the minimum to 0.
  std::vector<std::shared_ptr<const NodeSpecInfo>> nodes = {
      MakeNode("node-a", {{"zone", "zone1"}}), MakeNode("node-b", {{"zone", "zone1"}}),
      MakeNode("node-x", {{"zone", "zone2"}}), MakeNode("node-y", {})};
  Snapshot snapshot = MakeSnapshot(nodes, Concat({FooPods("node-a", 1), FooPods("node-x", 1)}));
  PodInfoPtr pod = PodBuilder("p").Label("foo").Spread(1, "zone", "DoNotSchedule", "foo").Obj();
  EXPECT_EQ(Verdicts(RunFilter(*NewPlugin(), *pod, snapshot)),
            (std::map<std::string, std::string>{
                {"node-a", ""}, {"node-b", ""}, {"node-x", ""}, {"node-y", kMissingLabel}}));
}

TEST(PodTopologySpreadFilterTest, MinDomainsTreatsTheMinimumAsZeroWhenTooFewDomains) {
  std::vector<std::shared_ptr<const NodeSpecInfo>> nodes = {MakeNode("node-a", {{"zone", "zone1"}}),
                                                            MakeNode("node-x", {{"zone", "zone2"}})};
  Snapshot snapshot = MakeSnapshot(nodes, Concat({FooPods("node-a", 1), FooPods("node-x", 1)}));
  // Two domains, minDomains 3: the global minimum counts as 0, so 1 + 1 − 0 > 1 everywhere.
  PodInfoPtr three = PodBuilder("p").Label("foo").Spread(1, "zone", "DoNotSchedule", "foo", {.min_domains = 3}).Obj();
  EXPECT_EQ(Verdicts(RunFilter(*NewPlugin(), *three, snapshot)),
            (std::map<std::string, std::string>{{"node-a", kNotMatch}, {"node-x", kNotMatch}}));
  // minDomains 2 is met: the minimum is 1 and both nodes fit.
  PodInfoPtr two = PodBuilder("p").Label("foo").Spread(1, "zone", "DoNotSchedule", "foo", {.min_domains = 2}).Obj();
  EXPECT_EQ(Verdicts(RunFilter(*NewPlugin(), *two, snapshot)),
            (std::map<std::string, std::string>{{"node-a", ""}, {"node-x", ""}}));
}

TEST(PodTopologySpreadFilterTest, TerminatingPodsAndOtherNamespacesDoNotCount) {
  std::vector<std::shared_ptr<const NodeSpecInfo>> nodes = {MakeNode("node-a", {{kHostname, "node-a"}}),
                                                            MakeNode("node-b", {{kHostname, "node-b"}})};
  std::vector<PodInfoPtr> pods = {
      PodBuilder("dying").Label("foo").Node("node-a").Terminating().Obj(),
      PodBuilder("elsewhere", "other").Label("foo").Node("node-a").Obj(),
      PodBuilder("b1").Label("foo").Node("node-b").Obj(),
  };
  PodInfoPtr pod = PodBuilder("p").Label("foo").Spread(1, kHostname, "DoNotSchedule", "foo").Obj();
  Snapshot snapshot = MakeSnapshot(nodes, pods);
  EXPECT_EQ(Verdicts(RunFilter(*NewPlugin(), *pod, snapshot)),
            (std::map<std::string, std::string>{{"node-a", ""}, {"node-b", kNotMatch}}));
}

TEST(PodTopologySpreadFilterTest, NodeAffinityPolicyDecidesWhichNodesCount) {
  std::vector<std::shared_ptr<const NodeSpecInfo>> nodes = {
      MakeNode("node-a", {{"zone", "zone1"}, {"disk", "ssd"}}), MakeNode("node-x", {{"zone", "zone2"}, {"disk", "ssd"}}),
      MakeNode("node-y", {{"zone", "zone3"}})};
  Snapshot snapshot = MakeSnapshot(nodes, Concat({FooPods("node-a", 1), FooPods("node-x", 1)}));
  // Honor (the default): zone3 is out of the pod's reach and not a domain; the minimum is 1.
  PodInfoPtr honor = PodBuilder("p").Label("foo").NodeSelector("disk", "ssd").Spread(1, "zone", "DoNotSchedule", "foo").Obj();
  EXPECT_EQ(Verdicts(RunFilter(*NewPlugin(), *honor, snapshot)),
            (std::map<std::string, std::string>{{"node-a", ""}, {"node-x", ""}, {"node-y", ""}}));
  // Ignore: the empty zone3 counts and pulls the minimum to 0.
  PodInfoPtr ignore = PodBuilder("p")
                          .Label("foo")
                          .NodeSelector("disk", "ssd")
                          .Spread(1, "zone", "DoNotSchedule", "foo", {.node_affinity_policy = "Ignore"})
                          .Obj();
  EXPECT_EQ(Verdicts(RunFilter(*NewPlugin(), *ignore, snapshot)),
            (std::map<std::string, std::string>{{"node-a", kNotMatch}, {"node-x", kNotMatch}, {"node-y", ""}}));
}

TEST(PodTopologySpreadFilterTest, NodeTaintsPolicyHonorLeavesOutUntoleratedTaints) {
  std::vector<std::shared_ptr<const NodeSpecInfo>> nodes = {
      MakeNode("node-a", {{"zone", "zone1"}}), MakeNode("node-x", {{"zone", "zone2"}}),
      MakeNode("node-y", {{"zone", "zone3"}}, {{.key = "dedicated", .value = "gpu", .effect = "NoSchedule"}})};
  Snapshot snapshot = MakeSnapshot(nodes, Concat({FooPods("node-a", 1), FooPods("node-x", 1)}));
  SpreadOptions honor_taints{.node_taints_policy = "Honor"};
  PodInfoPtr honor = PodBuilder("p").Label("foo").Spread(1, "zone", "DoNotSchedule", "foo", honor_taints).Obj();
  EXPECT_EQ(Verdicts(RunFilter(*NewPlugin(), *honor, snapshot)),
            (std::map<std::string, std::string>{{"node-a", ""}, {"node-x", ""}, {"node-y", ""}}));
  // Ignore (the default) counts the tainted node's empty zone.
  PodInfoPtr ignore = PodBuilder("p").Label("foo").Spread(1, "zone", "DoNotSchedule", "foo").Obj();
  EXPECT_EQ(Verdicts(RunFilter(*NewPlugin(), *ignore, snapshot)),
            (std::map<std::string, std::string>{{"node-a", kNotMatch}, {"node-x", kNotMatch}, {"node-y", ""}}));
  // A tolerated taint does not exclude the node even under Honor.
  PodInfoPtr tolerant = PodBuilder("p")
                            .Label("foo")
                            .Toleration("dedicated", "gpu", "NoSchedule")
                            .Spread(1, "zone", "DoNotSchedule", "foo", honor_taints)
                            .Obj();
  EXPECT_EQ(Verdicts(RunFilter(*NewPlugin(), *tolerant, snapshot)),
            (std::map<std::string, std::string>{{"node-a", kNotMatch}, {"node-x", kNotMatch}, {"node-y", ""}}));
  // Only NoSchedule and NoExecute taints exclude a node; PreferNoSchedule does not.
  nodes[2] = MakeNode("node-y", {{"zone", "zone3"}}, {{.key = "dedicated", .value = "gpu", .effect = "PreferNoSchedule"}});
  Snapshot preferring = MakeSnapshot(nodes, Concat({FooPods("node-a", 1), FooPods("node-x", 1)}));
  EXPECT_EQ(Verdicts(RunFilter(*NewPlugin(), *honor, preferring)),
            (std::map<std::string, std::string>{{"node-a", kNotMatch}, {"node-x", kNotMatch}, {"node-y", ""}}));
}

TEST(PodTopologySpreadFilterTest, EveryConstraintMustHold) {
  // Zones 2/2 keep the zone constraint satisfied everywhere; hostnames 2/0/1/1 leave node-b.
  Snapshot snapshot = MakeSnapshot(TwoZones(), Concat({FooPods("node-a", 2), FooPods("node-x", 1), FooPods("node-y", 1)}));
  PodInfoPtr pod = PodBuilder("p")
                       .Label("foo")
                       .Spread(1, "zone", "DoNotSchedule", "foo")
                       .Spread(1, kHostname, "DoNotSchedule", "foo")
                       .Obj();
  EXPECT_EQ(Verdicts(RunFilter(*NewPlugin(), *pod, snapshot)),
            (std::map<std::string, std::string>{
                {"node-a", kNotMatch}, {"node-b", ""}, {"node-x", kNotMatch}, {"node-y", kNotMatch}}));
}

TEST(PodTopologySpreadFilterTest, ConstraintWithoutLabelSelectorMatchesNoPod) {
  Snapshot snapshot = MakeSnapshot(TwoZones(), FooPods("node-a", 5));
  PodInfoPtr pod = PodBuilder("p").Label("foo").Spread(1, kHostname, "DoNotSchedule", std::nullopt).Obj();
  EXPECT_EQ(Verdicts(RunFilter(*NewPlugin(), *pod, snapshot)),
            (std::map<std::string, std::string>{{"node-a", ""}, {"node-b", ""}, {"node-x", ""}, {"node-y", ""}}));
}

TEST(PodTopologySpreadFilterTest, ConstraintsParsedFromThePodObject) {
  absl::StatusOr<json::Value> pod_json = json::Parse(R"({
    "metadata": {"name": "p", "namespace": "default", "uid": "u1", "labels": {"foo": "x"}},
    "spec": {"containers": [{"name": "c", "image": "i"}],
             "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone",
                                            "whenUnsatisfiable": "DoNotSchedule",
                                            "labelSelector": {"matchExpressions": [{"key": "foo", "operator": "Exists"}]}}]}
  })");
  ASSERT_TRUE(pod_json.ok()) << pod_json.status();
  absl::StatusOr<PodInfoPtr> pod = PodInfo::FromObject(std::make_shared<const json::Value>(*pod_json));
  ASSERT_TRUE(pod.ok()) << pod.status();
  Snapshot snapshot = MakeSnapshot(TwoZones(), Concat({FooPods("node-a", 2), FooPods("node-x", 1)}));
  EXPECT_EQ(Verdicts(RunFilter(*NewPlugin(), **pod, snapshot)),
            (std::map<std::string, std::string>{
                {"node-a", kNotMatch}, {"node-b", kNotMatch}, {"node-x", ""}, {"node-y", ""}}));
}

// ---- Score ----

struct ScoreCase {
  std::string name;
  PodInfoPtr pod;
  std::vector<std::shared_ptr<const NodeSpecInfo>> nodes;  // every node of the snapshot
  std::vector<PodInfoPtr> existing;
  std::vector<std::string> feasible;
  std::string want;
};

std::vector<std::shared_ptr<const NodeSpecInfo>> Hosts(std::initializer_list<std::string> names) {
  std::vector<std::shared_ptr<const NodeSpecInfo>> out;
  for (const std::string& n : names) out.push_back(MakeNode(n, {{kHostname, n}}));
  return out;
}

TEST(PodTopologySpreadScoreTest, UpstreamScoreTable) {
  auto host = [](int32_t skew) {
    return PodBuilder("p").Label("foo").Spread(skew, kHostname, "ScheduleAnyway", "foo").Obj();
  };
  auto zone = [] { return PodBuilder("p").Label("foo").Spread(1, "zone", "ScheduleAnyway", "foo").Obj(); };
  const std::vector<ScoreCase> cases = {
      {"one constraint on node, no existing pods", host(1), Hosts({"node-a", "node-b"}), {}, {"node-a", "node-b"},
       "node-a=100 node-b=100"},
      {"one constraint on node, all 4 nodes are candidates (2/1/0/3)", host(1),
       Hosts({"node-a", "node-b", "node-c", "node-d"}),
       Concat({FooPods("node-a", 2), FooPods("node-b", 1), FooPods("node-d", 3)}),
       {"node-a", "node-b", "node-c", "node-d"}, "node-a=20 node-b=60 node-c=100 node-d=0"},
      {"maxSkew=2 waters the differences down", host(2), Hosts({"node-a", "node-b", "node-c", "node-d"}),
       Concat({FooPods("node-a", 2), FooPods("node-b", 1), FooPods("node-d", 3)}),
       {"node-a", "node-b", "node-c", "node-d"}, "node-a=33 node-b=66 node-c=100 node-d=16"},
      {"3 out of 4 nodes are candidates (4/2/1/~3~)", host(1), Hosts({"node-a", "node-b", "node-x", "node-y"}),
       Concat({FooPods("node-a", 4), FooPods("node-b", 2), FooPods("node-x", 1), FooPods("node-y", 3)}),
       {"node-a", "node-b", "node-x"}, "node-a=33 node-b=83 node-x=100"},
      {"a candidate without the topology key scores 0",
       host(1),
       {MakeNode("node-a", {{kHostname, "node-a"}}), MakeNode("node-b", {{"n", "node-b"}}),
        MakeNode("node-x", {{kHostname, "node-x"}}), MakeNode("node-y", {{kHostname, "node-y"}})},
       Concat({FooPods("node-a", 4), FooPods("node-b", 2), FooPods("node-x", 1), FooPods("node-y", 3)}),
       {"node-a", "node-b", "node-x"},
       "node-a=16 node-b=0 node-x=100"},
      {"one constraint on zone, 3 out of 4 nodes are candidates", zone(), TwoZones(),
       Concat({FooPods("node-a", 4), FooPods("node-b", 2), FooPods("node-x", 1), FooPods("node-y", 3)}),
       {"node-a", "node-b", "node-x"}, "node-a=75 node-b=75 node-x=100"},
      {"two constraints on zone and node, 2 out of 4 nodes are candidates",
       PodBuilder("p")
           .Label("foo")
           .Spread(1, "zone", "ScheduleAnyway", "foo")
           .Spread(1, kHostname, "ScheduleAnyway", "foo")
           .Obj(),
       TwoZones(),
       Concat({FooPods("node-a", 2), FooPods("node-b", 1), FooPods("node-x", 2), FooPods("node-y", 4)}),
       {"node-a", "node-x"},
       "node-a=100 node-x=63"},
      {"existing pods in a different namespace do not count", host(1), Hosts({"node-a", "node-b"}),
       Concat({FooPods("node-a", 1, "ns1"), FooPods("node-a", 1), FooPods("node-b", 2)}), {"node-a", "node-b"},
       "node-a=100 node-b=33"},
      {"terminating pods are excluded", host(1), Hosts({"node-a", "node-b"}),
       {PodBuilder("p-a").Label("foo").Node("node-a").Terminating().Obj(),
        PodBuilder("p-b").Label("foo").Node("node-b").Obj()},
       {"node-a", "node-b"}, "node-a=100 node-b=0"},
  };
  for (const ScoreCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto plugin = NewPlugin();
    bool skipped = true;
    EXPECT_EQ(ScoresString(RunScore(*plugin, *c.pod, MakeSnapshot(c.nodes, c.existing), c.feasible, &skipped)), c.want);
    EXPECT_FALSE(skipped);
  }
}

// The system defaults (zone maxSkew 5, hostname maxSkew 3, ScheduleAnyway) spread a pod
// without constraints of its own among the pods of the Services that select it, and do
// nothing for a pod no Service selects.
TEST(PodTopologySpreadScoreTest, SystemDefaultsSpreadThePodsOfAService) {
  auto plugin = NewPlugin();
  const std::string zone = "topology.kubernetes.io/zone";
  std::vector<std::shared_ptr<const NodeSpecInfo>> nodes = {
      MakeNode("node-a", {{zone, "zone1"}, {kHostname, "node-a"}}),
      MakeNode("node-x", {{zone, "zone2"}, {kHostname, "node-x"}})};
  std::vector<PodInfoPtr> existing;
  for (int i = 0; i < 3; ++i) existing.push_back(PodBuilder("web-" + std::to_string(i)).Label("app", "web").Node("node-a").Obj());
  PodInfoPtr pod = PodBuilder("web-new").Label("app", "web").Obj();

  Snapshot without_service = MakeSnapshot(nodes, existing);
  bool skipped = false;
  RunScore(*plugin, *pod, without_service, {"node-a", "node-x"}, &skipped);
  EXPECT_TRUE(skipped);

  Snapshot with_service = MakeSnapshot(nodes, existing);
  with_service.service_selectors["default"] = {{{"app", "web"}}, {{"app", "other"}}};
  std::vector<NodeScore> scores = RunScore(*plugin, *pod, with_service, {"node-a", "node-x"}, &skipped);
  EXPECT_FALSE(skipped);
  ASSERT_EQ(scores.size(), 2u);
  EXPECT_LT(scores[0].score, scores[1].score) << ScoresString(scores);  // node-a holds the service's pods

  // A Service in another namespace selects nothing here.
  Snapshot elsewhere = MakeSnapshot(nodes, existing);
  elsewhere.service_selectors["other-ns"] = {{{"app", "web"}}};
  RunScore(*plugin, *pod, elsewhere, {"node-a", "node-x"}, &skipped);
  EXPECT_TRUE(skipped);
}

TEST(PodTopologySpreadScoreTest, TwoConstraintsWithDifferentSelectors) {
  // zone (foo): 2/2/1/1 by zone; hostname (bar): 0/1/0/1 (upstream's table).
  std::vector<PodInfoPtr> pods = {
      PodBuilder("p-a1").Label("foo").Node("node-a").Obj(),
      PodBuilder("p-b1").Label("foo").Label("bar").Node("node-b").Obj(),
      PodBuilder("p-y1").Label("foo").Node("node-y").Obj(),
      PodBuilder("p-y2").Label("bar").Node("node-y").Obj(),
  };
  PodInfoPtr pod = PodBuilder("p")
                       .Label("foo")
                       .Label("bar")
                       .Spread(1, "zone", "ScheduleAnyway", "foo")
                       .Spread(1, kHostname, "ScheduleAnyway", "bar")
                       .Obj();
  EXPECT_EQ(ScoresString(RunScore(*NewPlugin(), *pod, MakeSnapshot(TwoZones(), pods),
                                  {"node-a", "node-b", "node-x", "node-y"})),
            "node-a=60 node-b=20 node-x=100 node-y=60");
}

TEST(PodTopologySpreadScoreTest, PodsWithoutSoftConstraintsAreNotScored) {
  Snapshot snapshot = MakeSnapshot(TwoZones(), FooPods("node-a", 3));
  bool skipped = false;
  // No constraints at all: upstream's system defaults would need a Service/ReplicaSet selecting
  // the pod, which this scheduler does not know about, so nothing is scored.
  RunScore(*NewPlugin(), *PodBuilder("p").Label("foo").Obj(), snapshot, {"node-a", "node-b"}, &skipped);
  EXPECT_TRUE(skipped);
  skipped = false;
  RunScore(*NewPlugin(), *PodBuilder("p").Label("foo").Spread(1, "zone", "DoNotSchedule", "foo").Obj(), snapshot,
           {"node-a", "node-b"}, &skipped);
  EXPECT_TRUE(skipped);
}

// ---- args ----

TEST(PodTopologySpreadArgsTest, AcceptsUpstreamShapes) {
  EXPECT_NE(NewPlugin(), nullptr);
  EXPECT_NE(NewPlugin(R"({"defaultingType": "System"})"), nullptr);
  EXPECT_NE(NewPlugin(R"({"apiVersion": "kubescheduler.config.k8s.io/v1", "kind": "PodTopologySpreadArgs",
                          "defaultingType": "List",
                          "defaultConstraints": [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                                                  "whenUnsatisfiable": "ScheduleAnyway"}]})"),
            nullptr);
  EXPECT_NE(NewPlugin(R"({"defaultingType": "List"})"), nullptr);
}

TEST(PodTopologySpreadArgsTest, RejectsWhatUpstreamValidationRejects) {
  EXPECT_THAT(ArgsError(R"({"defaultConstraints": [{"maxSkew": 1, "topologyKey": "zone",
                                                     "whenUnsatisfiable": "ScheduleAnyway"}]})")
                  .message(),
              HasSubstr("defaultingType: Invalid value: \"System\": when .defaultConstraints are not empty"));
  EXPECT_THAT(ArgsError(R"({"defaultingType": "Sometimes"})").message(),
              HasSubstr("defaultingType: Unsupported value: \"Sometimes\": supported values: \"System\", \"List\""));
  absl::Status bad = ArgsError(R"({"defaultingType": "List", "defaultConstraints": [
      {"maxSkew": 0, "topologyKey": "", "whenUnsatisfiable": "Never", "labelSelector": {}}]})");
  EXPECT_THAT(bad.message(), HasSubstr("defaultConstraints[0].maxSkew: Invalid value: 0: not in valid range (0, inf)"));
  EXPECT_THAT(bad.message(), HasSubstr("defaultConstraints[0].topologyKey: Required value: can not be empty"));
  EXPECT_THAT(bad.message(), HasSubstr("defaultConstraints[0].whenUnsatisfiable: Unsupported value: \"Never\""));
  EXPECT_THAT(bad.message(), HasSubstr("defaultConstraints[0].labelSelector: Forbidden: constraint must not define a "
                                       "selector, as they deduced for each pod"));
  EXPECT_THAT(ArgsError(R"({"defaultingType": "List", "defaultConstraints": [
      {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"},
      {"maxSkew": 2, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}]})")
                  .message(),
              HasSubstr("defaultConstraints[1]: Duplicate value: \"{zone, DoNotSchedule}\""));
  EXPECT_THAT(ArgsError(R"({"defaultConstraint": []})").message(), HasSubstr("unknown field \"defaultConstraint\""));
  EXPECT_THAT(ArgsError(R"({"kind": "InterPodAffinityArgs"})").message(), HasSubstr("kind"));
}

}  // namespace
}  // namespace cubelet::scheduler
