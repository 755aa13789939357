// InterPodAffinity against hand-built snapshots, in the shape of upstream's
// interpodaffinity/filtering_test.go and scoring_test.go tables. Raw scores are the summed
// term weights per topology domain; NormalizeScore scales min..max to 0..100 (truncating).
#include <map>
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
using affinity_testing::Term;
using affinity_testing::Verdicts;
using ::testing::HasSubstr;
using Verdict = std::map<std::string, std::string>;

constexpr char kHostname[] = "kubernetes.io/hostname";
const std::string kAffinity = "UU: node(s) didn't match pod affinity rules";
const std::string kAntiAffinity = "U: node(s) didn't match pod anti-affinity rules";
const std::string kExisting = "U: node(s) didn't satisfy existing pods anti-affinity rules";

std::unique_ptr<Plugin> NewPlugin(std::string_view args_json = "") {
  json::Value args;
  if (!args_json.empty()) {
    absl::StatusOr<json::Value> parsed = json::Parse(args_json);
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    if (parsed.ok()) args = *parsed;
  }
  absl::StatusOr<std::unique_ptr<Plugin>> plugin = NewInterPodAffinity(args_json.empty() ? nullptr : &args);
  EXPECT_TRUE(plugin.ok()) << plugin.status();
  return plugin.ok() ? *std::move(plugin) : nullptr;
}

// region r1: node1 (zone z11), node2 (zone z12); region r2: node3 (zone z21); node4 has
// neither label.
std::vector<std::shared_ptr<const NodeSpecInfo>> Nodes() {
  return {MakeNode("node1", {{"region", "r1"}, {"zone", "z11"}, {kHostname, "node1"}}),
          MakeNode("node2", {{"region", "r1"}, {"zone", "z12"}, {kHostname, "node2"}}),
          MakeNode("node3", {{"region", "r2"}, {"zone", "z21"}, {kHostname, "node3"}}),
          MakeNode("node4", {{kHostname, "node4"}})};
}

PodInfoPtr SecurityScan(const std::string& node, std::string ns = "default") {
  return PodBuilder("scan-" + node + "-" + ns, ns).Label("service", "securityscan").Node(node).Obj();
}

FilterRun Filter(const PodInfoPtr& pod, const Snapshot& snapshot) { return RunFilter(*NewPlugin(), *pod, snapshot); }

// ---- Filter ----

TEST(InterPodAffinityFilterTest, NothingToCheckSkipsPreFilter) {
  Snapshot snapshot = MakeSnapshot(Nodes(), {SecurityScan("node1")});
  EXPECT_EQ(Filter(PodBuilder("p").Label("app", "web").Obj(), snapshot).pre_filter.code(), Code::kSkip);
}

TEST(InterPodAffinityFilterTest, AffinityNeedsAMatchingPodInTheDomain) {
  Snapshot snapshot = MakeSnapshot(Nodes(), {SecurityScan("node1")});
  PodInfoPtr pod = PodBuilder("p").Affinity(Term("service in (securityscan, value2)", "region")).Obj();
  EXPECT_EQ(Verdicts(Filter(pod, snapshot)),
            (Verdict{{"node1", ""}, {"node2", ""}, {"node3", kAffinity}, {"node4", kAffinity}}));
}

TEST(InterPodAffinityFilterTest, FirstPodOfASelfAffineGroupGoesWhereTheTopologyKeyIs) {
  PodInfoPtr pod =
      PodBuilder("p").Label("service", "securityscan").Affinity(Term("service=securityscan", "region")).Obj();
  // No pod matches anywhere and the pod matches its own term.
  EXPECT_EQ(Verdicts(Filter(pod, MakeSnapshot(Nodes()))),
            (Verdict{{"node1", ""}, {"node2", ""}, {"node3", ""}, {"node4", kAffinity}}));
  // Once a matching pod exists, only its domain qualifies.
  EXPECT_EQ(Verdicts(Filter(pod, MakeSnapshot(Nodes(), {SecurityScan("node3")}))),
            (Verdict{{"node1", kAffinity}, {"node2", kAffinity}, {"node3", ""}, {"node4", kAffinity}}));
  // A pod that does not match its own term gets no such exception.
  PodInfoPtr stranger = PodBuilder("p").Label("service", "other").Affinity(Term("service=securityscan", "region")).Obj();
  EXPECT_EQ(Verdicts(Filter(stranger, MakeSnapshot(Nodes()))),
            (Verdict{{"node1", kAffinity}, {"node2", kAffinity}, {"node3", kAffinity}, {"node4", kAffinity}}));
}

TEST(InterPodAffinityFilterTest, AllTermsMustMatchTheSameExistingPod) {
  std::vector<PodInfoPtr> pods = {
      SecurityScan("node1"),
      PodBuilder("both").Label("service", "securityscan").Label("app", "web").Node("node3").Obj(),
  };
  PodInfoPtr pod = PodBuilder("p")
                       .Affinity(Term("service=securityscan", "region"))
                       .Affinity(Term("app=web", "region"))
                       .Obj();
  EXPECT_EQ(Verdicts(Filter(pod, MakeSnapshot(Nodes(), pods))),
            (Verdict{{"node1", kAffinity}, {"node2", kAffinity}, {"node3", ""}, {"node4", kAffinity}}));
}

TEST(InterPodAffinityFilterTest, TermsLookOnlyInTheirNamespaces) {
  Snapshot snapshot = MakeSnapshot(Nodes(), {SecurityScan("node1", "other")}, {{"other", {{"team", "a"}}}});
  const Verdict none{{"node1", kAffinity}, {"node2", kAffinity}, {"node3", kAffinity}, {"node4", kAffinity}};
  const Verdict region_r1{{"node1", ""}, {"node2", ""}, {"node3", kAffinity}, {"node4", kAffinity}};
  // Neither namespaces nor a namespaceSelector: the pod's own namespace only.
  EXPECT_EQ(Verdicts(Filter(PodBuilder("p").Affinity(Term("service=securityscan", "region")).Obj(), snapshot)), none);
  EXPECT_EQ(
      Verdicts(Filter(PodBuilder("p").Affinity(Term("service=securityscan", "region", {"other"})).Obj(), snapshot)),
      region_r1);
  EXPECT_EQ(Verdicts(Filter(
                PodBuilder("p").Affinity(Term("service=securityscan", "region", {}, "team=a")).Obj(), snapshot)),
            region_r1);
  EXPECT_EQ(Verdicts(Filter(
                PodBuilder("p").Affinity(Term("service=securityscan", "region", {}, "team=b")).Obj(), snapshot)),
            none);
  // An empty namespaceSelector selects every namespace.
  EXPECT_EQ(
      Verdicts(Filter(PodBuilder("p").Affinity(Term("service=securityscan", "region", {}, "")).Obj(), snapshot)),
      region_r1);
}

TEST(InterPodAffinityFilterTest, AntiAffinityOfTheIncomingPod) {
  Snapshot snapshot = MakeSnapshot(Nodes(), {SecurityScan("node1")});
  PodInfoPtr by_zone = PodBuilder("p").AntiAffinity(Term("service=securityscan", "zone")).Obj();
  EXPECT_EQ(Verdicts(Filter(by_zone, snapshot)),
            (Verdict{{"node1", kAntiAffinity}, {"node2", ""}, {"node3", ""}, {"node4", ""}}));
  PodInfoPtr by_region = PodBuilder("p").AntiAffinity(Term("service=securityscan", "region")).Obj();
  EXPECT_EQ(Verdicts(Filter(by_region, snapshot)),
            (Verdict{{"node1", kAntiAffinity}, {"node2", kAntiAffinity}, {"node3", ""}, {"node4", ""}}));
  // A pod of another namespace is not what the term means.
  EXPECT_EQ(Verdicts(Filter(by_region, MakeSnapshot(Nodes(), {SecurityScan("node1", "other")}))),
            (Verdict{{"node1", ""}, {"node2", ""}, {"node3", ""}, {"node4", ""}}));
}

TEST(InterPodAffinityFilterTest, ExistingPodsAntiAffinity) {
  PodInfoPtr guard = PodBuilder("guard").Node("node1").AntiAffinity(Term("app=web", "region")).Obj();
  Snapshot snapshot = MakeSnapshot(Nodes(), {guard});
  EXPECT_EQ(Verdicts(Filter(PodBuilder("p").Label("app", "web").Obj(), snapshot)),
            (Verdict{{"node1", kExisting}, {"node2", kExisting}, {"node3", ""}, {"node4", ""}}));
  // A pod the existing term does not select is not held back (and nothing is left to check).
  EXPECT_EQ(Filter(PodBuilder("p").Label("app", "db").Obj(), snapshot).pre_filter.code(), Code::kSkip);
  // The existing pod's term covers its own namespace only unless it says otherwise.
  EXPECT_EQ(Filter(PodBuilder("p", "other").Label("app", "web").Obj(), snapshot).pre_filter.code(), Code::kSkip);
  PodInfoPtr wide = PodBuilder("wide").Node("node3").AntiAffinity(Term("app=web", kHostname, {}, "")).Obj();
  EXPECT_EQ(Verdicts(Filter(PodBuilder("p", "other").Label("app", "web").Obj(), MakeSnapshot(Nodes(), {wide}))),
            (Verdict{{"node1", ""}, {"node2", ""}, {"node3", kExisting}, {"node4", ""}}));
}

TEST(InterPodAffinityFilterTest, AntiAffinityBothWays) {
  // The existing web pod (node2) keeps db pods out of its region; the incoming db pod keeps out
  // of zones with web pods. The incoming pod's own rule is reported first.
  PodInfoPtr web = PodBuilder("web").Label("app", "web").Node("node2").AntiAffinity(Term("app=db", "region")).Obj();
  Snapshot snapshot = MakeSnapshot(Nodes(), {web});
  PodInfoPtr db = PodBuilder("db").Label("app", "db").AntiAffinity(Term("app=web", "zone")).Obj();
  EXPECT_EQ(Verdicts(Filter(db, snapshot)),
            (Verdict{{"node1", kExisting}, {"node2", kAntiAffinity}, {"node3", ""}, {"node4", ""}}));
}

TEST(InterPodAffinityFilterTest, AffinityIsCheckedBeforeAntiAffinity) {
  Snapshot snapshot = MakeSnapshot(Nodes(), {SecurityScan("node1")});
  PodInfoPtr pod = PodBuilder("p")
                       .Affinity(Term("service=securityscan", "region"))
                       .AntiAffinity(Term("service=securityscan", "zone"))
                       .Obj();
  EXPECT_EQ(Verdicts(Filter(pod, snapshot)),
            (Verdict{{"node1", kAntiAffinity}, {"node2", ""}, {"node3", kAffinity}, {"node4", kAffinity}}));
}

TEST(InterPodAffinityFilterTest, TermsParsedFromThePodObject) {
  absl::StatusOr<json::Value> pod_json = json::Parse(R"({
    "metadata": {"name": "p", "namespace": "default", "uid": "u1"},
    "spec": {"containers": [{"name": "c", "image": "i"}],
             "affinity": {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
               {"labelSelector": {"matchLabels": {"service": "securityscan"}}, "topologyKey": "region",
                "namespaceSelector": {"matchLabels": {"team": "a"}}}]}}}
  })");
  ASSERT_TRUE(pod_json.ok()) << pod_json.status();
  absl::StatusOr<PodInfoPtr> pod = PodInfo::FromObject(std::make_shared<const json::Value>(*pod_json));
  ASSERT_TRUE(pod.ok()) << pod.status();
  Snapshot snapshot = MakeSnapshot(Nodes(), {SecurityScan("node3", "other")}, {{"other", {{"team", "a"}}}});
  EXPECT_EQ(Verdicts(Filter(*pod, snapshot)),
            (Verdict{{"node1", kAffinity}, {"node2", kAffinity}, {"node3", ""}, {"node4", kAffinity}}));
}

// ---- Score ----

// node1: region China; node2: region India; node3: no region (az1).
std::vector<std::shared_ptr<const NodeSpecInfo>> Regions() {
  return {MakeNode("node1", {{"region", "China"}}), MakeNode("node2", {{"region", "India"}}),
          MakeNode("node3", {{"az", "az1"}})};
}

PodInfoPtr Security(const std::string& name, const std::string& value, const std::string& node,
                    std::string ns = "default") {
  return PodBuilder(name, ns).Label("security", value).Node(node).Obj();
}

std::string Scores(const PodInfoPtr& pod, const Snapshot& snapshot, std::string_view args = "",
                   bool* skipped = nullptr) {
  std::vector<std::string> names;
  for (const NodeInfoPtr& n : snapshot.nodes) names.push_back(n->name());
  return ScoresString(RunScore(*NewPlugin(args), *pod, snapshot, names, skipped));
}

TEST(InterPodAffinityScoreTest, PreferredAffinityFavoursTheDomainOfMatchingPods) {
  Snapshot snapshot = MakeSnapshot(Regions(), {Security("p1", "S1", "node1"), Security("p2", "S2", "node2")});
  PodInfoPtr pod = PodBuilder("p").PreferredAffinity(5, Term("security in (S1)", "region")).Obj();
  EXPECT_EQ(Scores(pod, snapshot), "node1=100 node2=0 node3=0");
}

TEST(InterPodAffinityScoreTest, PreferredAntiAffinityPenalisesTheDomainOfMatchingPods) {
  Snapshot snapshot = MakeSnapshot(Regions(), {Security("p1", "S1", "node1"), Security("p2", "S2", "node2")});
  PodInfoPtr pod = PodBuilder("p").PreferredAntiAffinity(5, Term("security in (S1)", "region")).Obj();
  EXPECT_EQ(Scores(pod, snapshot), "node1=0 node2=100 node3=100");
}

TEST(InterPodAffinityScoreTest, AffinityAndAntiAffinityCombineMinMax) {
  // Raw: China +8, India −5, no region 0 → (s + 5) × 100 / 13.
  Snapshot snapshot = MakeSnapshot(
      {MakeNode("n1", {{"region", "China"}}), MakeNode("n2", {{"region", "India"}}), MakeNode("n3", {{"region", "China"}}),
       MakeNode("n4", {{"region", "India"}}), MakeNode("n5", {{"az", "az1"}})},
      {Security("p1", "S1", "n1"), Security("p2", "S2", "n2")});
  PodInfoPtr pod = PodBuilder("p")
                       .PreferredAffinity(8, Term("security=S1", "region"))
                       .PreferredAntiAffinity(5, Term("security=S2", "region"))
                       .Obj();
  EXPECT_EQ(Scores(pod, snapshot), "n1=100 n2=0 n3=100 n4=0 n5=38");
}

TEST(InterPodAffinityScoreTest, MatchingPodsAddUpPerDomain) {
  Snapshot snapshot = MakeSnapshot(
      Regions(), {Security("p1", "S1", "node1"), Security("p2", "S1", "node1"), Security("p3", "S1", "node2")});
  PodInfoPtr pod = PodBuilder("p").PreferredAffinity(5, Term("security=S1", "region")).Obj();
  EXPECT_EQ(Scores(pod, snapshot), "node1=100 node2=50 node3=0");
}

TEST(InterPodAffinityScoreTest, ExistingPodsRequiredAffinityCountsWithHardPodAffinityWeight) {
  PodInfoPtr existing = PodBuilder("e").Node("node1").Affinity(Term("security=S1", "region")).Obj();
  Snapshot snapshot = MakeSnapshot(Regions(), {existing});
  PodInfoPtr pod = PodBuilder("p").Label("security", "S1").Obj();
  EXPECT_EQ(Scores(pod, snapshot), "node1=100 node2=0 node3=0");
  bool skipped = false;
  EXPECT_EQ(Scores(pod, snapshot, R"({"hardPodAffinityWeight": 0})", &skipped), "node1=0 node2=0 node3=0");
  EXPECT_TRUE(skipped);
}

TEST(InterPodAffinityScoreTest, ExistingPodsPreferredTermsUnlessIgnored) {
  PodInfoPtr existing =
      PodBuilder("e").Node("node1").PreferredAntiAffinity(10, Term("security=S1", "region")).Obj();
  PodInfoPtr attracting = PodBuilder("f").Node("node2").PreferredAffinity(4, Term("security=S1", "region")).Obj();
  Snapshot snapshot = MakeSnapshot(Regions(), {existing, attracting});
  PodInfoPtr pod = PodBuilder("p").Label("security", "S1").Obj();
  // Raw: China −10, India +4, none 0.
  EXPECT_EQ(Scores(pod, snapshot), "node1=0 node2=100 node3=71");
  bool skipped = false;
  Scores(pod, snapshot, R"({"ignorePreferredTermsOfExistingPods": true})", &skipped);
  EXPECT_TRUE(skipped);
}

TEST(InterPodAffinityScoreTest, PreferredTermsLookOnlyInTheirNamespaces) {
  Snapshot snapshot =
      MakeSnapshot(Regions(), {Security("p1", "S1", "node1", "other")}, {{"other", {{"team", "a"}}}});
  bool skipped = false;
  EXPECT_EQ(Scores(PodBuilder("p").PreferredAffinity(5, Term("security=S1", "region")).Obj(), snapshot, "", &skipped),
            "node1=0 node2=0 node3=0");
  EXPECT_TRUE(skipped);
  EXPECT_EQ(Scores(PodBuilder("p").PreferredAffinity(5, Term("security=S1", "region", {}, "team=a")).Obj(), snapshot),
            "node1=100 node2=0 node3=0");
}

// ---- args ----

TEST(InterPodAffinityArgsTest, ValidatesLikeUpstream) {
  EXPECT_NE(NewPlugin(R"({"apiVersion": "kubescheduler.config.k8s.io/v1", "kind": "InterPodAffinityArgs",
                          "hardPodAffinityWeight": 100, "ignorePreferredTermsOfExistingPods": false})"),
            nullptr);
  auto error = [](std::string_view text) {
    absl::StatusOr<json::Value> args = json::Parse(text);
    EXPECT_TRUE(args.ok());
    return std::string(NewInterPodAffinity(&*args).status().message());
  };
  EXPECT_EQ(error(R"({"hardPodAffinityWeight": 101})"),
            "hardPodAffinityWeight: Invalid value: 101: not in valid range [0, 100]");
  EXPECT_EQ(error(R"({"hardPodAffinityWeight": -1})"),
            "hardPodAffinityWeight: Invalid value: -1: not in valid range [0, 100]");
  EXPECT_THAT(error(R"({"hardPodAffinityWeight": "1"})"), HasSubstr("hardPodAffinityWeight"));
  EXPECT_THAT(error(R"({"hardPodAffinityWieght": 1})"), HasSubstr("unknown field \"hardPodAffinityWieght\""));
}

}  // namespace
}  // namespace cubelet::scheduler
