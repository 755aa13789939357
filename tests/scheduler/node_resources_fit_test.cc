// NodeResourcesFit: Filter verdicts and reasons (pod count, cpu, memory, ephemeral-storage,
// extended resources and hugepages, ignored resources), and the three scoring strategies on
// worked examples from upstream's formulas.
#include "plugin_test_util.h"

namespace cubelet::scheduler {
namespace {

using plugin_testing::ArgsError;
using plugin_testing::MakePlugin;
using plugin_testing::Node;
using plugin_testing::NodeWith;
using plugin_testing::Pod;
using plugin_testing::PodRequesting;
using plugin_testing::RunFilter;
using plugin_testing::RunScore;
using plugin_testing::ScoresOf;
using plugin_testing::SnapshotOf;

PodInfoPtr PodWithRequests(std::string_view name, std::string_view requests_json) {
  return Pod(StrCat(R"({"metadata":{"name":")", name, R"(","namespace":"default","uid":"uid-)", name,
                    R"("},"spec":{"containers":[{"name":"c","resources":{"requests":)", requests_json, "}}]}}"));
}

std::shared_ptr<NodeInfo> NodeAllocatable(std::string_view allocatable_json, const std::vector<PodInfoPtr>& pods = {}) {
  return Node(StrCat(R"({"metadata":{"name":"n1"},"status":{"allocatable":)", allocatable_json, "}}"), pods);
}

TEST(NodeResourcesFitFilterTest, FitsWhenEverythingFits) {
  auto plugin = MakePlugin<Plugin>(&NewNodeResourcesFit);
  ASSERT_NE(plugin, nullptr);
  auto node = NodeWith("n1", "2", "2Gi", {PodRequesting("a", "1", "1Gi")});
  EXPECT_TRUE(RunFilter(*plugin, *PodRequesting("p", "1", "1Gi"), *node).ok());
}

TEST(NodeResourcesFitFilterTest, EveryInsufficientResourceIsAReasonInUpstreamsOrder) {
  auto plugin = MakePlugin<Plugin>(&NewNodeResourcesFit);
  ASSERT_NE(plugin, nullptr);
  auto node = NodeAllocatable(R"({"cpu":"2","memory":"2Gi","pods":"1","ephemeral-storage":"1Gi",
                                  "example.com/gpu":"1","hugepages-2Mi":"2Mi"})",
                              {PodWithRequests("a", R"({"cpu":"1500m","memory":"1Gi","example.com/gpu":"1"})")});
  Status s = RunFilter(*plugin, *PodWithRequests("p", R"({"cpu":"1","memory":"1Gi","ephemeral-storage":"2Gi",
                                                 "example.com/gpu":"1","hugepages-2Mi":"4Mi"})"),
                       *node);
  EXPECT_EQ(s.code(), Code::kUnschedulable);
  EXPECT_EQ(s.reasons(),
            (std::vector<std::string>{"Too many pods", "Insufficient cpu", "Insufficient ephemeral-storage",
                                      "Insufficient example.com/gpu", "Insufficient hugepages-2Mi"}));
}

TEST(NodeResourcesFitFilterTest, MemoryExactlyAtAllocatableFitsAndOneByteMoreDoesNot) {
  auto plugin = MakePlugin<Plugin>(&NewNodeResourcesFit);
  ASSERT_NE(plugin, nullptr);
  auto node = NodeWith("n1", "1", "1Gi", {PodRequesting("a", "", "512Mi")});
  EXPECT_TRUE(RunFilter(*plugin, *PodRequesting("p", "", "512Mi"), *node).ok());
  Status s = RunFilter(*plugin, *PodRequesting("p", "", "536870913"), *node);
  EXPECT_EQ(s.code(), Code::kUnschedulable);
  EXPECT_EQ(s.reasons(), (std::vector<std::string>{"Insufficient memory"}));
}

TEST(NodeResourcesFitFilterTest, APodRequestingNothingOnlyNeedsAPodSlot) {
  auto plugin = MakePlugin<Plugin>(&NewNodeResourcesFit);
  ASSERT_NE(plugin, nullptr);
  // The node is already over-committed (allocatable shrank); a pod without requests still fits.
  auto node = NodeWith("n1", "1", "1Gi", {PodRequesting("a", "2", "2Gi")}, "{}", "{}", "2");
  EXPECT_TRUE(RunFilter(*plugin, *PodRequesting("p", "", ""), *node).ok());
  // A zero request of one resource is not checked even when that resource is exhausted.
  EXPECT_TRUE(RunFilter(*plugin, *PodRequesting("p", "0", ""), *node).ok());
  auto full = NodeWith("n2", "4", "4Gi", {PodRequesting("a", "", "")}, "{}", "{}", "1");
  Status s = RunFilter(*plugin, *PodRequesting("p", "", ""), *full);
  EXPECT_EQ(s.code(), Code::kUnschedulable);
  EXPECT_EQ(s.reasons(), (std::vector<std::string>{"Too many pods"}));
}

TEST(NodeResourcesFitFilterTest, IgnoredResourcesAndGroupsApplyOnlyToExtendedResources) {
  auto node = NodeAllocatable(R"({"cpu":"4","memory":"4Gi","pods":"10"})");
  PodInfoPtr pod =
      PodWithRequests("p", R"({"cpu":"1","example.com/gpu":"1","vendor.io/fpga":"1","hugepages-1Gi":"1Gi"})");
  auto plain = MakePlugin<Plugin>(&NewNodeResourcesFit);
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(RunFilter(*plain, *pod, *node).reasons(),
            (std::vector<std::string>{"Insufficient example.com/gpu", "Insufficient hugepages-1Gi",
                                      "Insufficient vendor.io/fpga"}));
  auto ignoring = MakePlugin<Plugin>(
      &NewNodeResourcesFit,
      R"({"ignoredResources":["example.com/gpu","hugepages-1Gi"],"ignoredResourceGroups":["vendor.io"]})");
  ASSERT_NE(ignoring, nullptr);
  // hugepages are not extended resources: they cannot be ignored.
  EXPECT_EQ(RunFilter(*ignoring, *pod, *node).reasons(), (std::vector<std::string>{"Insufficient hugepages-1Gi"}));
}

TEST(NodeResourcesFitFilterTest, InitContainersSidecarsAndOverheadCount) {
  auto plugin = MakePlugin<Plugin>(&NewNodeResourcesFit);
  ASSERT_NE(plugin, nullptr);
  auto node = NodeWith("n1", "1", "1Gi");
  PodInfoPtr pod = Pod(R"({"metadata":{"name":"p","namespace":"default"},"spec":{
    "initContainers":[{"name":"s","restartPolicy":"Always","resources":{"requests":{"cpu":"300m"}}},
                      {"name":"i","resources":{"requests":{"cpu":"600m"}}}],
    "containers":[{"name":"c","resources":{"requests":{"cpu":"200m"}}}],"overhead":{"cpu":"150m"}}})");
  // max(200m + 300m, 600m + 300m) + 150m = 1050m > 1000m.
  EXPECT_EQ(RunFilter(*plugin, *pod, *node).reasons(), (std::vector<std::string>{"Insufficient cpu"}));
}

// Upstream least_allocated_test "nothing scheduled, resources requested, differently sized
// nodes": cpu (4000-3000)*100/4000 = 25, memory (10000-5000)*100/10000 = 50 -> 37;
// node2 cpu 50, memory 50 -> 50.
TEST(NodeResourcesFitScoreTest, LeastAllocatedIsTheDefault) {
  auto plugin = MakePlugin<Plugin>(&NewNodeResourcesFit);
  ASSERT_NE(plugin, nullptr);
  Snapshot snapshot = SnapshotOf({NodeWith("n1", "4", "10000"), NodeWith("n2", "6", "10000")});
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *PodRequesting("p", "3", "5000"), snapshot)), (std::vector<int64_t>{37, 50}));
}

TEST(NodeResourcesFitScoreTest, LeastAllocatedCountsExistingPodsAndDefaultsForPodsWithoutRequests) {
  auto plugin = MakePlugin<Plugin>(&NewNodeResourcesFit);
  ASSERT_NE(plugin, nullptr);
  // n1 holds a pod without requests (100m / 200Mi); the incoming pod has none either.
  // cpu (1000-200)*100/1000 = 80, memory (1000-400)*100/1000 = 60 -> 70. n2 empty: 90, 80 -> 85.
  Snapshot snapshot =
      SnapshotOf({NodeWith("n1", "1", "1000Mi", {PodRequesting("a", "", "")}), NodeWith("n2", "1", "1000Mi")});
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *PodRequesting("p", "", ""), snapshot)), (std::vector<int64_t>{70, 85}));
  // Requests beyond allocatable score 0 for that resource.
  Snapshot small = SnapshotOf({NodeWith("n1", "1", "1000Mi")});
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *PodRequesting("p", "2", "500Mi"), small)), (std::vector<int64_t>{25}));
}

TEST(NodeResourcesFitScoreTest, MostAllocatedWithWeights) {
  auto plugin = MakePlugin<Plugin>(&NewNodeResourcesFit, R"({"scoringStrategy":{"type":"MostAllocated",
      "resources":[{"name":"cpu","weight":3},{"name":"memory","weight":1}]}})");
  ASSERT_NE(plugin, nullptr);
  // cpu 3000*100/4000 = 75, memory 50: (75*3 + 50*1) / 4 = 68.
  Snapshot snapshot = SnapshotOf({NodeWith("n1", "4", "10000")});
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *PodRequesting("p", "3", "5000"), snapshot)), (std::vector<int64_t>{68}));
  // Requests over capacity count as full.
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *PodRequesting("p", "8", "20000"), snapshot)), (std::vector<int64_t>{100}));
}

TEST(NodeResourcesFitScoreTest, RequestedToCapacityRatioFollowsTheShapeAndRounds) {
  auto plugin = MakePlugin<Plugin>(&NewNodeResourcesFit, R"({"scoringStrategy":{"type":"RequestedToCapacityRatio",
      "requestedToCapacityRatio":{"shape":[{"utilization":0,"score":0},{"utilization":100,"score":10}]}}})");
  ASSERT_NE(plugin, nullptr);
  // cpu at 75% -> 75, memory at 50% -> 50; round(62.5) = 63.
  Snapshot snapshot = SnapshotOf({NodeWith("n1", "4", "10000")});
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *PodRequesting("p", "3", "5000"), snapshot)), (std::vector<int64_t>{63}));
  auto bent = MakePlugin<Plugin>(&NewNodeResourcesFit, R"({"scoringStrategy":{"type":"RequestedToCapacityRatio",
      "resources":[{"name":"cpu"}],
      "requestedToCapacityRatio":{"shape":[{"utilization":20,"score":2},{"utilization":60,"score":10}]}}})");
  ASSERT_NE(bent, nullptr);
  // cpu at 25%: 20 + (100-20)*(25-20)/(60-20) = 30. Below the first point the score is flat
  // (10% -> 20), above the last too (75% -> 100).
  Snapshot n = SnapshotOf({NodeWith("n1", "4", "1Gi")});
  EXPECT_EQ(ScoresOf(RunScore(*bent, *PodRequesting("p", "1", ""), n)), (std::vector<int64_t>{30}));
  EXPECT_EQ(ScoresOf(RunScore(*bent, *PodRequesting("p", "400m", ""), n)), (std::vector<int64_t>{20}));
  EXPECT_EQ(ScoresOf(RunScore(*bent, *PodRequesting("p", "3", ""), n)), (std::vector<int64_t>{100}));
}

TEST(NodeResourcesFitScoreTest, ExtendedResourcesScoreOnlyWhenThePodRequestsThem) {
  auto plugin = MakePlugin<Plugin>(&NewNodeResourcesFit, R"({"scoringStrategy":{"type":"LeastAllocated",
      "resources":[{"name":"cpu","weight":1},{"name":"example.com/gpu","weight":1}]}})");
  ASSERT_NE(plugin, nullptr);
  Snapshot snapshot = SnapshotOf({NodeAllocatable(R"({"cpu":"4","memory":"1Gi","pods":"10","example.com/gpu":"4"})")});
  // Without a gpu request only cpu counts: (4000-1000)*100/4000 = 75.
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *PodRequesting("p", "1", ""), snapshot)), (std::vector<int64_t>{75}));
  // With one: gpu (4-3)*100/4 = 25 -> (75 + 25) / 2 = 50.
  EXPECT_EQ(ScoresOf(RunScore(*plugin, *PodWithRequests("p", R"({"cpu":"1","example.com/gpu":"3"})"), snapshot)),
            (std::vector<int64_t>{50}));
}

TEST(NodeResourcesFitArgsTest, InvalidArgsNameTheField) {
  EXPECT_EQ(ArgsError(&NewNodeResourcesFit, R"({"scoringStrategy":{"type":"Random"}})"),
            "scoringStrategy.type: Unsupported value: \"Random\": supported values: \"LeastAllocated\", "
            "\"MostAllocated\", \"RequestedToCapacityRatio\"");
  EXPECT_EQ(
      ArgsError(&NewNodeResourcesFit, R"({"scoringStrategy":{"type":"LeastAllocated",
                "resources":[{"name":"cpu","weight":101}]}})"),
      "scoringStrategy.resources[0].weight: Invalid value: 101: resource weight of cpu not in valid range (0, 100]");
  EXPECT_EQ(
      ArgsError(&NewNodeResourcesFit, R"({"scoringStrategy":{"type":"LeastAllocated","resources":[{"nam":"cpu"}]}})"),
      "unknown field \"scoringStrategy.resources[0].nam\"");
  EXPECT_EQ(ArgsError(&NewNodeResourcesFit, R"({"ignoredResourceGroups":["example.com/gpu"]})"),
            "ignoredResourceGroups[0]: Invalid value: \"example.com/gpu\": resource group name can't contain '/'");
  EXPECT_EQ(ArgsError(&NewNodeResourcesFit, R"({"scoringStrategy":{"type":"RequestedToCapacityRatio",
                "requestedToCapacityRatio":{"shape":[{"utilization":50,"score":1},{"utilization":50,"score":2}]}}})"),
            "scoringStrategy.requestedToCapacityRatio.shape[1].utilization: Invalid value: 50: utilization values "
            "must be sorted in increasing order");
  EXPECT_EQ(ArgsError(&NewNodeResourcesFit, R"({"scoringStrategy":{"type":"RequestedToCapacityRatio",
                "requestedToCapacityRatio":{"shape":[{"utilization":50,"score":11}]}}})"),
            "scoringStrategy.requestedToCapacityRatio.shape[0].score: Invalid value: 11: not in valid range [0, 10]");
  EXPECT_EQ(ArgsError(&NewNodeResourcesFit, R"({"scoringStrategy":{"type":"RequestedToCapacityRatio"}})"),
            "scoringStrategy.requestedToCapacityRatio.shape: Required value: at least one point must be specified");
  EXPECT_EQ(ArgsError(&NewNodeResourcesFit, R"({"ignoredResources":"gpu"})"),
            "ignoredResources: expected an array, got string");
  EXPECT_EQ(ArgsError(&NewNodeResourcesFit, R"({"scoringStrategy":{"typ":"MostAllocated"}})"),
            "unknown field \"scoringStrategy.typ\"");
}

}  // namespace
}  // namespace cubelet::scheduler
