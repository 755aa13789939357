// NodeSpecInfo parsing and NodeInfo's accounting of the pods on a node.
#include "plugin_test_util.h"

namespace cubelet::scheduler {
namespace {

using plugin_testing::Json;
using plugin_testing::Pod;
using plugin_testing::PodRequesting;

constexpr int64_t kMi = 1024 * 1024;

TEST(NodeSpecInfoTest, ParsesLabelsTaintsAllocatableAndImages) {
  absl::StatusOr<NodeSpecInfo> node = NodeSpecInfo::FromObject(Json(R"({
    "metadata":{"name":"n1","labels":{"zone":"a"}},
    "spec":{"unschedulable":true,"taints":[
      {"key":"node.kubernetes.io/unreachable","effect":"NoExecute","timeAdded":"2024-05-01T10:00:00Z"},
      {"key":"dedicated","value":"gpu","effect":"NoSchedule"}]},
    "status":{"capacity":{"cpu":"8"},"allocatable":{"cpu":"3500m","memory":"7Gi","pods":"110",
        "ephemeral-storage":"20Gi","hugepages-2Mi":"256Mi","example.com/gpu":"2"},
      "images":[{"names":["docker.io/library/nginx@sha256:ab","docker.io/library/nginx:1.25"],"sizeBytes":70000000},
                {"names":["busybox:latest"],"sizeBytes":4000000}]}})"));
  ASSERT_TRUE(node.ok()) << node.status();
  EXPECT_EQ(node->name, "n1");
  EXPECT_EQ(node->labels.at("zone"), "a");
  EXPECT_TRUE(node->unschedulable);
  ASSERT_EQ(node->taints.size(), 2u);
  EXPECT_EQ(node->taints[0].effect, "NoExecute");
  EXPECT_EQ(node->taints[0].time_added, absl::FromUnixSeconds(1714557600));
  EXPECT_EQ(node->taints[1].value, "gpu");
  EXPECT_FALSE(node->taints[1].time_added.has_value());
  EXPECT_EQ(node->allocatable.milli_cpu, 3500);  // allocatable wins over capacity
  EXPECT_EQ(node->allocatable.memory, 7 * 1024 * kMi);
  EXPECT_EQ(node->allocatable.allowed_pod_number, 110);
  EXPECT_EQ(node->allocatable.ephemeral_storage, 20 * 1024 * kMi);
  EXPECT_EQ(node->allocatable.Get("hugepages-2Mi"), 256 * kMi);
  EXPECT_EQ(node->allocatable.Get("example.com/gpu"), 2);
  EXPECT_EQ(node->image_sizes.at("docker.io/library/nginx:1.25"), 70000000);
  EXPECT_EQ(node->image_sizes.at("docker.io/library/nginx@sha256:ab"), 70000000);
  EXPECT_EQ(node->image_sizes.at("busybox:latest"), 4000000);
}

TEST(NodeSpecInfoTest, CapacityStandsInForAMissingAllocatable) {
  absl::StatusOr<NodeSpecInfo> node =
      NodeSpecInfo::FromObject(Json(R"({"metadata":{"name":"n1"},"status":{"capacity":{"cpu":"2","pods":"10"}}})"));
  ASSERT_TRUE(node.ok()) << node.status();
  EXPECT_EQ(node->allocatable.milli_cpu, 2000);
  EXPECT_EQ(node->allocatable.allowed_pod_number, 10);
}

TEST(NodeSpecInfoTest, ErrorsNameTheField) {
  absl::StatusOr<NodeSpecInfo> node =
      NodeSpecInfo::FromObject(Json(R"({"metadata":{"name":"n1"},"status":{"allocatable":{"memory":"1Qi"}}})"));
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.status().message().substr(0, 27), "status.allocatable.memory: ");
  node = NodeSpecInfo::FromObject(Json(R"({"metadata":{"name":"n1"},"spec":{"taints":[{"key":1}]}})"));
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.status().message(), "spec.taints[0].key: expected a string, got number");
  node = NodeSpecInfo::FromObject(Json(R"({"metadata":{"name":"n1"},"spec":{"unschedulable":"yes"}})"));
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.status().message(), "spec.unschedulable: expected a boolean, got string");
}

TEST(NodeInfoTest, AddPodCountsRequestsPortsAndAffinityAndBumpsTheGeneration) {
  NodeInfo node(std::make_shared<const NodeSpecInfo>());
  const int64_t g0 = node.generation();
  PodInfoPtr plain = PodRequesting("a", "500m", "1Gi");
  PodInfoPtr best_effort = Pod(R"({"metadata":{"name":"b","namespace":"default","uid":"uid-b"},
    "spec":{"containers":[{"name":"c","ports":[{"containerPort":80,"hostPort":80}]}],
      "affinity":{"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
        {"labelSelector":{},"topologyKey":"zone"}]}}}})");
  PodInfoPtr preferring = Pod(R"({"metadata":{"name":"c","namespace":"default","uid":"uid-c"},
    "spec":{"containers":[{"name":"c"}],"affinity":{"podAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
        {"weight":1,"podAffinityTerm":{"labelSelector":{},"topologyKey":"zone"}}]}}}})");
  node.AddPod(plain);
  const int64_t g1 = node.generation();
  EXPECT_GT(g1, g0);
  node.AddPod(best_effort);
  node.AddPod(preferring);
  EXPECT_GT(node.generation(), g1);
  EXPECT_EQ(node.pods().size(), 3u);
  EXPECT_EQ(node.requested().milli_cpu, 500);
  EXPECT_EQ(node.requested().memory, 1024 * kMi);
  // The two pods without requests count 100m / 200Mi each for scoring.
  EXPECT_EQ(node.non_zero_requested().milli_cpu, 700);
  EXPECT_EQ(node.non_zero_requested().memory, 1024 * kMi + 400 * kMi);
  ASSERT_EQ(node.used_ports().size(), 1u);
  EXPECT_EQ(node.used_ports()[0].port, 80);
  ASSERT_EQ(node.pods_with_affinity().size(), 2u);
  ASSERT_EQ(node.pods_with_required_anti_affinity().size(), 1u);
  EXPECT_EQ(node.pods_with_required_anti_affinity()[0]->name, "b");
}

TEST(NodeInfoTest, RemovePodRecountsFromThePodsLeft) {
  NodeInfo node(std::make_shared<const NodeSpecInfo>());
  PodInfoPtr a = PodRequesting("a", "500m", "1Gi");
  PodInfoPtr b = Pod(R"({"metadata":{"name":"b","namespace":"default","uid":"uid-b"},
    "spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":"250m","example.com/gpu":"1"}},
      "ports":[{"containerPort":80,"hostPort":80}]}],
      "affinity":{"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
        {"labelSelector":{},"topologyKey":"zone"}]}}}})");
  node.AddPod(a);
  node.AddPod(b);
  const int64_t before = node.generation();
  EXPECT_FALSE(node.RemovePod("uid-missing"));
  EXPECT_EQ(node.generation(), before);
  EXPECT_TRUE(node.RemovePod("uid-b"));
  EXPECT_GT(node.generation(), before);
  EXPECT_EQ(node.pods().size(), 1u);
  EXPECT_EQ(node.requested().milli_cpu, 500);
  EXPECT_EQ(node.requested().Get("example.com/gpu"), 0);
  EXPECT_EQ(node.non_zero_requested().milli_cpu, 500);
  EXPECT_TRUE(node.used_ports().empty());
  EXPECT_TRUE(node.pods_with_affinity().empty());
  EXPECT_TRUE(node.pods_with_required_anti_affinity().empty());
}

TEST(SnapshotTest, GetFindsNodesByName) {
  auto n1 = plugin_testing::NodeWith("n1", "1", "1Gi");
  auto n2 = plugin_testing::NodeWith("n2", "1", "1Gi");
  Snapshot s = plugin_testing::SnapshotOf({n1, n2});
  EXPECT_EQ(s.Get("n2"), n2.get());
  EXPECT_EQ(s.Get("n1"), n1.get());
  EXPECT_EQ(s.Get("n3"), nullptr);
}

TEST(ResourceTest, ArithmeticAndLookup) {
  Resource a;
  a.milli_cpu = 100;
  a.memory = 10;
  a.scalar["example.com/gpu"] = 1;
  Resource b;
  b.milli_cpu = 50;
  b.ephemeral_storage = 7;
  b.allowed_pod_number = 3;
  b.scalar["example.com/gpu"] = 2;
  b.scalar["hugepages-1Gi"] = 5;
  Resource sum = a;
  sum.Add(b);
  EXPECT_EQ(sum.Get("cpu"), 150);
  EXPECT_EQ(sum.Get("memory"), 10);
  EXPECT_EQ(sum.Get("ephemeral-storage"), 7);
  EXPECT_EQ(sum.Get("pods"), 3);
  EXPECT_EQ(sum.Get("example.com/gpu"), 3);
  EXPECT_EQ(sum.Get("hugepages-1Gi"), 5);
  EXPECT_EQ(sum.Get("example.com/fpga"), 0);
  sum.Subtract(b);
  EXPECT_EQ(sum.Get("cpu"), 100);
  EXPECT_EQ(sum.Get("example.com/gpu"), 1);
  Resource max = a;
  max.SetMax(b);
  EXPECT_EQ(max.milli_cpu, 100);
  EXPECT_EQ(max.ephemeral_storage, 7);
  EXPECT_EQ(max.Get("example.com/gpu"), 2);
  EXPECT_EQ(max.Get("hugepages-1Gi"), 5);
}

TEST(ResourceTest, FromResourceListUsesMilliCpuAndRoundsUp) {
  json::Value list = Json(R"({"cpu":"0.5","memory":"1.5Ki","pods":"110","example.com/gpu":1,"hugepages-2Mi":"2Mi",
                             "ephemeral-storage":"1k"})");
  absl::StatusOr<Resource> r = Resource::FromResourceList(&list, "status.allocatable");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->milli_cpu, 500);
  EXPECT_EQ(r->memory, 1536);
  EXPECT_EQ(r->allowed_pod_number, 110);
  EXPECT_EQ(r->ephemeral_storage, 1000);
  EXPECT_EQ(r->Get("example.com/gpu"), 1);
  EXPECT_EQ(r->Get("hugepages-2Mi"), 2 * kMi);
  json::Value tiny = Json(R"({"cpu":"1n","memory":"0.1"})");
  r = Resource::FromResourceList(&tiny, "x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->milli_cpu, 1);  // rounded up, as MilliValue()
  EXPECT_EQ(r->memory, 1);
  absl::StatusOr<Resource> none = Resource::FromResourceList(nullptr, "x");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, Resource());
  json::Value bad = Json(R"({"cpu":"two"})");
  EXPECT_EQ(Resource::FromResourceList(&bad, "spec.overhead").status().message().substr(0, 18), "spec.overhead.cpu:");
}

}  // namespace
}  // namespace cubelet::scheduler
