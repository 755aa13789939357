// The score plugins on worked examples from upstream's formulas: TaintToleration (reversed),
// NodeAffinity (preferred weights), NodeResourcesBalancedAllocation, ImageLocality, and
// DefaultNormalizeScore.
#include "plugin_test_util.h"

namespace cubelet::scheduler {
namespace {

using plugin_testing::ArgsError;
using plugin_testing::MakePlugin;
using plugin_testing::Node;
using plugin_testing::NodeWith;
using plugin_testing::Pod;
using plugin_testing::PodRequesting;
using plugin_testing::RunScore;
using plugin_testing::ScoresOf;
using plugin_testing::SnapshotOf;

constexpr int64_t kMiB = 1024 * 1024;

std::vector<NodeScore> Scores(std::vector<int64_t> raw) {
  std::vector<NodeScore> out;
  for (size_t i = 0; i < raw.size(); ++i) out.push_back({StrCat("n", i), raw[i]});
  return out;
}

TEST(DefaultNormalizeScoreTest, ScalesToTheMaximumAndReverses) {
  std::vector<NodeScore> s = Scores({0, 3, 7});
  DefaultNormalizeScore(false, s);
  EXPECT_EQ(ScoresOf(s), (std::vector<int64_t>{0, 42, 100}));
  s = Scores({0, 3, 7});
  DefaultNormalizeScore(true, s);
  EXPECT_EQ(ScoresOf(s), (std::vector<int64_t>{100, 58, 0}));
  s = Scores({0, 0});
  DefaultNormalizeScore(false, s);
  EXPECT_EQ(ScoresOf(s), (std::vector<int64_t>{0, 0}));
  s = Scores({0, 0});
  DefaultNormalizeScore(true, s);
  EXPECT_EQ(ScoresOf(s), (std::vector<int64_t>{100, 100}));
}

TEST(TaintTolerationScoreTest, FewerIntolerablePreferNoScheduleTaintsRankHigher) {
  auto plugin = MakePlugin<Plugin>(&NewTaintToleration);
  ASSERT_NE(plugin, nullptr);
  Snapshot snapshot = SnapshotOf({
      NodeWith("n1", "1", "1Gi"),
      NodeWith("n2", "1", "1Gi", {}, "{}", R"({"taints":[{"key":"a","effect":"PreferNoSchedule"}]})"),
      NodeWith(
          "n3", "1", "1Gi", {}, "{}",
          R"({"taints":[{"key":"a","effect":"PreferNoSchedule"},{"key":"b","value":"x","effect":"PreferNoSchedule"},
                             {"key":"c","effect":"NoSchedule"}]})"),
  });
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *PodRequesting("p", "", ""), snapshot, /*normalize=*/false)),
            (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *PodRequesting("p", "", ""), snapshot)), (std::vector<int64_t>{100, 50, 0}));
  // A toleration with effect NoSchedule does not tolerate PreferNoSchedule; one without an
  // effect does.
  PodInfoPtr tolerating =
      PodRequesting("p", "", "", R"(,"tolerations":[{"key":"a","operator":"Exists","effect":"NoSchedule"},
                                                     {"key":"b","value":"x"}])");
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *tolerating, snapshot, /*normalize=*/false)), (std::vector<int64_t>{0, 1, 1}));
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *tolerating, snapshot)), (std::vector<int64_t>{100, 0, 0}));
}

TEST(NodeAffinityScoreTest, SumsMatchingPreferredWeightsAndNormalizes) {
  auto plugin = MakePlugin<Plugin>(&NewNodeAffinity);
  ASSERT_NE(plugin, nullptr);
  Snapshot snapshot = SnapshotOf({NodeWith("n1", "1", "1Gi", {}, R"({"zone":"a","disk":"ssd"})"),
                                  NodeWith("n2", "1", "1Gi", {}, R"({"zone":"a"})"),
                                  NodeWith("n3", "1", "1Gi", {}, R"({"zone":"b"})")});
  PodInfoPtr pod =
      PodRequesting("p", "", "", R"(,"affinity":{"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
      {"weight":2,"preference":{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}},
      {"weight":5,"preference":{"matchExpressions":[{"key":"disk","operator":"In","values":["ssd"]}]}}]}})");
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *pod, snapshot, /*normalize=*/false)), (std::vector<int64_t>{7, 2, 0}));
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *pod, snapshot)), (std::vector<int64_t>{100, 28, 0}));
  // Without preferred terms the plugin skips scoring.
  EXPECT_TRUE(RunScore(*plugin, *PodRequesting("p", "", ""), snapshot).empty());
}

TEST(NodeAffinityScoreTest, AddedPreferredTermsCountForEveryPod) {
  auto plugin =
      MakePlugin<Plugin>(&NewNodeAffinity, R"({"addedAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
      {"weight":3,"preference":{"matchExpressions":[{"key":"zone","operator":"In","values":["b"]}]}}]}})");
  ASSERT_NE(plugin, nullptr);
  Snapshot snapshot = SnapshotOf(
      {NodeWith("n1", "1", "1Gi", {}, R"({"zone":"a"})"), NodeWith("n2", "1", "1Gi", {}, R"({"zone":"b"})")});
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *PodRequesting("p", "", ""), snapshot)), (std::vector<int64_t>{0, 100}));
}

TEST(BalancedAllocationTest, TwoResourcesUseHalfTheDifference) {
  auto plugin = MakePlugin<Plugin>(&NewNodeResourcesBalancedAllocation);
  ASSERT_NE(plugin, nullptr);
  // cpu 3000/4000 = 0.75, memory 5000/10000 = 0.5: std = 0.125 -> 87.
  // n2: an existing pod brings memory to 7500/10000 = 0.75 as well: std 0 -> 100.
  Snapshot snapshot =
      SnapshotOf({NodeWith("n1", "4", "10000"), NodeWith("n2", "4", "10000", {PodRequesting("a", "", "2500")})});
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *PodRequesting("p", "3", "5000"), snapshot)), (std::vector<int64_t>{87, 100}));
}

TEST(BalancedAllocationTest, CountsActualRequestsNotTheDefaults) {
  auto plugin = MakePlugin<Plugin>(&NewNodeResourcesBalancedAllocation);
  ASSERT_NE(plugin, nullptr);
  // With the 100m / 200Mi defaults the fractions would be 0.1 and 0.2 (score 95); upstream
  // 1.32 counts real requests, so a best-effort pod on an empty node balances perfectly.
  Snapshot snapshot = SnapshotOf({NodeWith("n1", "1", "1000Mi")});
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *PodRequesting("p", "", ""), snapshot)), (std::vector<int64_t>{100}));
  // Fractions are capped at 1: cpu 2000/1000 -> 1, memory 0 -> std 0.5 -> 50.
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *PodRequesting("p", "2", ""), snapshot)), (std::vector<int64_t>{50}));
}

TEST(BalancedAllocationTest, ThreeResourcesUseThePopulationStandardDeviation) {
  auto plugin = MakePlugin<Plugin>(&NewNodeResourcesBalancedAllocation, R"({"resources":[
      {"name":"cpu","weight":1},{"name":"memory","weight":1},{"name":"example.com/gpu","weight":1}]})");
  ASSERT_NE(plugin, nullptr);
  Snapshot snapshot = SnapshotOf({Node(R"({"metadata":{"name":"n1"},"status":{"allocatable":{
      "cpu":"4","memory":"10000","pods":"10","example.com/gpu":"4"}}})")});
  // Fractions 0.75, 0.5, 0.25: mean 0.5, std sqrt((0.0625 + 0 + 0.0625) / 3) = 0.2041 -> 79.
  PodInfoPtr pod = Pod(R"({"metadata":{"name":"p","namespace":"default"},"spec":{"containers":[{"name":"c",
      "resources":{"requests":{"cpu":"3","memory":"5000","example.com/gpu":"1"}}}]}})");
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *pod, snapshot)), (std::vector<int64_t>{79}));
  // A pod without a gpu request leaves the gpu out: cpu and memory only.
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *PodRequesting("p", "3", "5000"), snapshot)), (std::vector<int64_t>{87}));
}

TEST(BalancedAllocationTest, ArgsAllowOnlyWeightOneAndNoDuplicates) {
  EXPECT_EQ(ArgsError(&NewNodeResourcesBalancedAllocation, R"({"resources":[{"name":"cpu","weight":2}]})"),
            "resources[0].weight: Invalid value: 2: must be 1");
  EXPECT_EQ(ArgsError(&NewNodeResourcesBalancedAllocation, R"({"resources":[{"name":"cpu"},{"name":"cpu"}]})"),
            "resources[1].name: Duplicate value: \"cpu\"");
  EXPECT_EQ(ArgsError(&NewNodeResourcesBalancedAllocation, R"({"resource":[]})"), "unknown field \"resource\"");
}

std::shared_ptr<NodeInfo> NodeWithImages(std::string_view name, std::string_view images_json) {
  return Node(StrCat(R"({"metadata":{"name":")", name,
                     R"("},"status":{"allocatable":{"cpu":"1","pods":"10"},"images":)", images_json, "}}"));
}

TEST(ImageLocalityTest, ScaledSumOfPresentImagesWithSpread) {
  auto plugin = MakePlugin<Plugin>(&NewImageLocality);
  ASSERT_NE(plugin, nullptr);
  const int64_t mb40 = 40 * kMiB, mb300 = 300 * kMiB;
  Snapshot snapshot = SnapshotOf({
      NodeWithImages("n1", StrCat(R"([{"names":["gcr.io/40:latest"],"sizeBytes":)", mb40, R"(},
                                       {"names":["gcr.io/300:latest"],"sizeBytes":)",
                                  mb300, "}]")),
      NodeWithImages("n2", StrCat(R"([{"names":["gcr.io/300:latest"],"sizeBytes":)", mb300, "}]")),
      NodeWithImages("n3", "[]"),
  });
  PodInfoPtr pod = Pod(R"({"metadata":{"name":"p","namespace":"default"},"spec":{
      "containers":[{"name":"a","image":"gcr.io/40"},{"name":"b","image":"gcr.io/300"}]}})");
  // n1: 40 MiB × 1/3 + 300 MiB × 2/3 = 213.33 MiB; n2: 200 MiB. Two containers: range
  // [23 MiB, 2000 MiB]. n1: 100 × (213.33 - 23) / 1977 = 9; n2: 100 × 177 / 1977 = 8; n3: 0.
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *pod, snapshot)), (std::vector<int64_t>{9, 8, 0}));
}

TEST(ImageLocalityTest, ImagesUnderTheMinimumScoreZeroAndLargeOnesCap) {
  auto plugin = MakePlugin<Plugin>(&NewImageLocality);
  ASSERT_NE(plugin, nullptr);
  Snapshot snapshot = SnapshotOf({
      NodeWithImages("n1", StrCat(R"([{"names":["small:1"],"sizeBytes":)", 10 * kMiB, "}]")),
      NodeWithImages("n2", StrCat(R"([{"names":["huge:1"],"sizeBytes":)", 4000 * kMiB, "}]")),
  });
  PodInfoPtr pod = Pod(R"({"metadata":{"name":"p","namespace":"default"},"spec":{
      "initContainers":[{"name":"i","image":"small:1"}],"containers":[{"name":"a","image":"huge:1"}]}})");
  // n1: 10 MiB × 1/2 is below 23 MiB -> 0. n2: 2000 MiB is the cap for two containers -> 100.
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *pod, snapshot)), (std::vector<int64_t>{0, 100}));
}

}  // namespace
}  // namespace cubelet::scheduler
