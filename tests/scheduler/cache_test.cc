// The scheduler cache's snapshot: nodes copied only when changed, and the lists of nodes holding
// pods with (anti-)affinity kept right as pods come and go.
#include "scheduler/cache.h"

#include <gtest/gtest.h>

#include "common/clock.h"

namespace cubelet::scheduler {
namespace {

std::shared_ptr<const NodeSpecInfo> Node(std::string name) {
  auto node = std::make_shared<NodeSpecInfo>();
  node->name = std::move(name);
  return node;
}

PodInfoPtr Pod(std::string uid, std::string node, bool anti_affinity) {
  auto pod = std::make_shared<PodInfo>();
  pod->uid = uid;
  pod->name = uid;
  pod->namespace_ = "default";
  pod->node_name = std::move(node);
  if (anti_affinity) {
    AffinityTerm term;
    term.topology_key = "kubernetes.io/hostname";
    pod->required_anti_affinity.push_back(term);
  }
  return pod;
}

std::vector<std::string> Names(const std::vector<NodeInfoPtr>& nodes) {
  std::vector<std::string> out;
  for (const NodeInfoPtr& n : nodes) out.push_back(n->name());
  return out;
}

TEST(CacheTest, AffinityListsFollowPodsAcrossIncrementalUpdates) {
  FakeClock clock;
  Cache cache(&clock);
  for (const char* n : {"a", "b", "c"}) cache.AddOrUpdateNode(Node(n));
  Snapshot snapshot;
  cache.UpdateSnapshot(&snapshot);
  EXPECT_TRUE(snapshot.have_pods_with_required_anti_affinity.empty());

  cache.AddPod(Pod("p1", "c", true));
  cache.UpdateSnapshot(&snapshot);
  EXPECT_EQ(Names(snapshot.have_pods_with_required_anti_affinity), std::vector<std::string>{"c"});

  // A node already listed gets a second such pod and another gets a plain pod: the listed entry
  // is the new copy of the node, and the order stays the nodes' order.
  ASSERT_TRUE(cache.AssumePod(Pod("p2", "c", true)).ok());
  cache.AddPod(Pod("p3", "b", false));
  cache.UpdateSnapshot(&snapshot);
  ASSERT_EQ(Names(snapshot.have_pods_with_required_anti_affinity), std::vector<std::string>{"c"});
  EXPECT_EQ(snapshot.have_pods_with_required_anti_affinity[0]->pods().size(), 2u);
  EXPECT_EQ(snapshot.have_pods_with_required_anti_affinity[0], snapshot.nodes[2]);
  EXPECT_EQ(snapshot.Get("b")->pods().size(), 1u);

  cache.AddPod(Pod("p4", "a", true));
  cache.UpdateSnapshot(&snapshot);
  EXPECT_EQ(Names(snapshot.have_pods_with_required_anti_affinity), (std::vector<std::string>{"a", "c"}));

  cache.RemovePod("p1");
  cache.ForgetPod("p2");
  cache.UpdateSnapshot(&snapshot);
  EXPECT_EQ(Names(snapshot.have_pods_with_required_anti_affinity), std::vector<std::string>{"a"});
  EXPECT_TRUE(snapshot.Get("c")->pods().empty());
}

TEST(CacheTest, ANodeStatusThatChangesNothingReadIsNoChange) {
  FakeClock clock;
  Cache cache(&clock);
  EXPECT_TRUE(cache.AddOrUpdateNode(Node("a")));
  EXPECT_FALSE(cache.AddOrUpdateNode(Node("a")));
  auto tainted = std::make_shared<NodeSpecInfo>(*Node("a"));
  tainted->taints.push_back(Taint{"k", "v", "NoSchedule", std::nullopt});
  EXPECT_TRUE(cache.AddOrUpdateNode(tainted));
}

}  // namespace
}  // namespace cubelet::scheduler
