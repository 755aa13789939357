#include "controllers/node_lifecycle_controller.h"

#include <algorithm>

#include "common/strings.h"
#include "controllers/node_lifecycle_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cubelet::controllers {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using testing::Eventually;
using testing::LeaseObject;
using testing::NodeObject;
using testing::PodOn;

const std::string kUnreachableNoSchedule = StrCat(kTaintNodeUnreachable, ":NoSchedule");
const std::string kUnreachableNoExecute = StrCat(kTaintNodeUnreachable, ":NoExecute");
const std::string kNotReadyNoSchedule = StrCat(kTaintNodeNotReady, ":NoSchedule");
const std::string kNotReadyNoExecute = StrCat(kTaintNodeNotReady, ":NoExecute");

class NodeLifecycleControllerTest : public testing::NodeLifecycleFixture {};

TEST_F(NodeLifecycleControllerTest, ASilentNodeGoesUnknownAndUnreachableAfterTheGracePeriod) {
  stack_.Create(nodes_, "", NodeObject("n1", "True", start_));
  stack_.Create(leases_, kNodeLeaseNamespace, LeaseObject("n1", start_));
  ASSERT_NO_FATAL_FAILURE(StartControllers());
  ASSERT_EQ(lifecycle_->LastProbe("n1"), start_);

  At(absl::Seconds(40));
  ASSERT_TRUE(lifecycle_->MonitorNodeHealth().ok());
  EXPECT_EQ(ConditionStatus("n1", "Ready"), "True");
  EXPECT_THAT(Taints("n1"), IsEmpty());

  At(absl::Seconds(41));
  ASSERT_TRUE(lifecycle_->MonitorNodeHealth().ok());
  auto node = Node("n1");
  for (const char* type : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
    const json::Value* c = testing::FindCondition(*node, type);
    ASSERT_NE(c, nullptr) << type;
    EXPECT_EQ(c->GetString({"status"}), "Unknown") << type;
    EXPECT_EQ(c->GetString({"reason"}), "NodeStatusUnknown") << type;
    EXPECT_EQ(c->GetString({"message"}), "Kubelet stopped posting node status.") << type;
    EXPECT_EQ(c->GetString({"lastTransitionTime"}), registry::FormatMetaTime(start_ + absl::Seconds(41))) << type;
    // The heartbeat stays the kubelet's last one.
    EXPECT_EQ(c->GetString({"lastHeartbeatTime"}), registry::FormatMetaTime(start_)) << type;
  }
  // NoExecute in the same pass; NoSchedule follows the condition change.
  EXPECT_THAT(Taints("n1"), ::testing::Contains(kUnreachableNoExecute));
  EXPECT_EQ(TaintTimeAdded("n1", kTaintNodeUnreachable, "NoExecute"),
            registry::FormatMetaTime(start_ + absl::Seconds(41)));
  ASSERT_TRUE(Eventually([&] { return Taints("n1").size() == 2; }));
  EXPECT_THAT(Taints("n1"), UnorderedElementsAre(kUnreachableNoExecute, kUnreachableNoSchedule));
  EXPECT_THAT(Taints("n1"), ::testing::Not(::testing::Contains(kNotReadyNoExecute)));

  // Further passes change nothing.
  auto before = Node("n1")->GetString({"metadata", "resourceVersion"});
  At(absl::Seconds(60));
  ASSERT_TRUE(lifecycle_->MonitorNodeHealth().ok());
  EXPECT_EQ(Node("n1")->GetString({"metadata", "resourceVersion"}), before);
}

TEST_F(NodeLifecycleControllerTest, ARenewedLeaseKeepsANodeWithAStaleStatusHealthy) {
  stack_.Create(nodes_, "", NodeObject("n1", "True", start_));
  stack_.Create(leases_, kNodeLeaseNamespace, LeaseObject("n1", start_));
  ASSERT_NO_FATAL_FAILURE(StartControllers());

  At(absl::Seconds(30));
  RenewLease("n1");
  ASSERT_TRUE(Eventually([&] { return lifecycle_->LastProbe("n1") == start_ + absl::Seconds(30); }));
  At(absl::Seconds(70));
  ASSERT_TRUE(lifecycle_->MonitorNodeHealth().ok());
  EXPECT_EQ(ConditionStatus("n1", "Ready"), "True");

  // And a status heartbeat keeps it healthy without the lease.
  At(absl::Seconds(75));
  PostStatus("n1", "True");
  ASSERT_TRUE(Eventually([&] { return lifecycle_->LastProbe("n1") == start_ + absl::Seconds(75); }));
  At(absl::Seconds(115));
  ASSERT_TRUE(lifecycle_->MonitorNodeHealth().ok());
  EXPECT_EQ(ConditionStatus("n1", "Ready"), "True");

  At(absl::Seconds(116));
  ASSERT_TRUE(lifecycle_->MonitorNodeHealth().ok());
  EXPECT_EQ(ConditionStatus("n1", "Ready"), "Unknown");
}

TEST_F(NodeLifecycleControllerTest, ANodeThatNeverReportedGoesUnknownAfterTheStartupGracePeriod) {
  stack_.Create(nodes_, "", NodeObject("quiet", "", start_));
  ASSERT_NO_FATAL_FAILURE(StartControllers());

  At(absl::Seconds(60));
  ASSERT_TRUE(lifecycle_->MonitorNodeHealth().ok());
  EXPECT_EQ(ConditionStatus("quiet", "Ready"), "");
  EXPECT_THAT(Taints("quiet"), IsEmpty());

  At(absl::Seconds(61));
  ASSERT_TRUE(lifecycle_->MonitorNodeHealth().ok());
  auto node = Node("quiet");
  for (const char* type : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
    const json::Value* c = testing::FindCondition(*node, type);
    ASSERT_NE(c, nullptr) << type;
    EXPECT_EQ(c->GetString({"status"}), "Unknown") << type;
    EXPECT_EQ(c->GetString({"reason"}), "NodeStatusNeverUpdated") << type;
    EXPECT_EQ(c->GetString({"message"}), "Kubelet never posted node status.") << type;
    EXPECT_EQ(c->GetString({"lastHeartbeatTime"}), node->GetString({"metadata", "creationTimestamp"})) << type;
  }
  ASSERT_TRUE(Eventually([&] { return Taints("quiet").size() == 2; }));
  EXPECT_THAT(Taints("quiet"), UnorderedElementsAre(kUnreachableNoExecute, kUnreachableNoSchedule));
  // The conditions written for it are not mistaken for a first report.
  EXPECT_EQ(lifecycle_->LastProbe("quiet"), start_);
}

TEST_F(NodeLifecycleControllerTest, ANotReadyNodeIsTaintedNotReadyInsteadOfUnreachable) {
  stack_.Create(nodes_, "", NodeObject("n1", "True", start_));
  ASSERT_NO_FATAL_FAILURE(StartControllers());
  PostStatus("n1", "False");
  ASSERT_TRUE(Eventually([&] { return Taints("n1").size() == 2; }));
  EXPECT_THAT(Taints("n1"), UnorderedElementsAre(kNotReadyNoSchedule, kNotReadyNoExecute));

  // Silent afterwards: unreachable replaces not-ready.
  At(absl::Seconds(41));
  ASSERT_TRUE(lifecycle_->MonitorNodeHealth().ok());
  ASSERT_TRUE(Eventually([&] {
    auto taints = Taints("n1");
    return taints.size() == 2 && std::count(taints.begin(), taints.end(), kUnreachableNoSchedule) == 1;
  }));
  EXPECT_THAT(Taints("n1"), UnorderedElementsAre(kUnreachableNoExecute, kUnreachableNoSchedule));
}

TEST_F(NodeLifecycleControllerTest, ANodeReportingReadyAgainLosesItsTaints) {
  stack_.Create(nodes_, "", NodeObject("n1", "True", start_));
  stack_.Create(leases_, kNodeLeaseNamespace, LeaseObject("n1", start_));
  // Someone else's taint stays throughout.
  SetTaints("n1", R"([{"key":"dedicated","value":"db","effect":"NoExecute"}])");
  ASSERT_NO_FATAL_FAILURE(StartControllers());
  At(absl::Seconds(45));
  ASSERT_TRUE(lifecycle_->MonitorNodeHealth().ok());
  ASSERT_TRUE(Eventually([&] { return Taints("n1").size() == 3; }));

  At(absl::Seconds(50));
  RenewLease("n1");
  PostStatus("n1", "True");
  ASSERT_TRUE(Eventually([&] { return Taints("n1").size() == 1; }));
  EXPECT_THAT(Taints("n1"), ElementsAre("dedicated:NoExecute"));
  At(absl::Seconds(55));
  ASSERT_TRUE(lifecycle_->MonitorNodeHealth().ok());
  EXPECT_EQ(ConditionStatus("n1", "Ready"), "True");
  EXPECT_THAT(Taints("n1"), ElementsAre("dedicated:NoExecute"));
}

TEST_F(NodeLifecycleControllerTest, TheMonitorLoopRunsOnTheClock) {
  stack_.Create(nodes_, "", NodeObject("n1", "True", start_));
  ASSERT_NO_FATAL_FAILURE(StartControllers());
  absl::Time seen_unknown = absl::InfinitePast();
  ASSERT_TRUE(Eventually([&] {
    clock_.Advance(absl::Seconds(1));
    if (ConditionStatus("n1", "Ready") != "Unknown") return false;
    seen_unknown = clock_.Now();
    return true;
  }));
  EXPECT_GT(seen_unknown, start_ + absl::Seconds(40));
}

TEST_F(NodeLifecycleControllerTest, PodsOfADeadNodeGoByTheirTolerations) {
  stack_.Create(nodes_, "", NodeObject("n1", "True", start_));
  stack_.Create(leases_, kNodeLeaseNamespace, LeaseObject("n1", start_));
  stack_.Create(pods_, "default", PodOn("intolerant", "n1"));
  stack_.Create(pods_, "default",
                PodOn("five-seconds", "n1",
                      R"([{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":5}])"));
  stack_.Create(pods_, "default", PodOn("forever", "n1", R"([{"operator":"Exists"}])"));
  ASSERT_NO_FATAL_FAILURE(StartControllers());

  At(absl::Seconds(41));
  ASSERT_TRUE(lifecycle_->MonitorNodeHealth().ok());
  ASSERT_TRUE(Eventually([&] { return Deleting("intolerant"); }));
  EXPECT_EQ(*PodObject("intolerant")->FindPath({"metadata", "deletionGracePeriodSeconds"})->AsInt64(), 7);
  ASSERT_TRUE(Eventually([&] { return eviction_->ScheduledEviction("default/five-seconds").has_value(); }));
  EXPECT_EQ(*eviction_->ScheduledEviction("default/five-seconds"), start_ + absl::Seconds(46));
  EXPECT_FALSE(Deleting("five-seconds"));

  At(absl::Seconds(46));
  ASSERT_TRUE(Eventually([&] { return Deleting("five-seconds"); }));
  EXPECT_FALSE(Deleting("forever"));
  EXPECT_FALSE(eviction_->ScheduledEviction("default/forever").has_value());
}

TEST_F(NodeLifecycleControllerTest, TheControllerManagerRunsIt) {
  stack_.Create(nodes_, "", NodeObject("quiet", "", start_));
  stack_.StartControllers();
  ASSERT_TRUE(Eventually([&] {
    clock_.Advance(absl::Seconds(1));
    return Taints("quiet").size() == 2;
  }));
  EXPECT_THAT(Taints("quiet"), UnorderedElementsAre(kUnreachableNoExecute, kUnreachableNoSchedule));
  EXPECT_EQ(ConditionStatus("quiet", "Ready"), "Unknown");
  EXPECT_GT(clock_.Now(), start_ + absl::Seconds(60));
}

// The taint rules on their own.
TEST(NodeControllerTaintsTest, ConditionsAndUnschedulableMapToUpstreamsTaints) {
  const absl::Time now = absl::FromUnixSeconds(1764000000);
  json::Value node = NodeObject("n", "True", now);
  for (json::Value& c : node["status"]["conditions"].AsArray()) {
    if (c.GetString({"type"}) == "MemoryPressure" || c.GetString({"type"}) == "PIDPressure") c.Set("status", "True");
  }
  node["spec"].Set("unschedulable", true);
  node["spec"].Set("taints", testing::Parse(R"([{"key":"node.kubernetes.io/disk-pressure","effect":"NoSchedule"},
                                               {"key":"node.kubernetes.io/unreachable","effect":"NoExecute"},
                                               {"key":"mine","effect":"NoSchedule"}])"));
  ASSERT_TRUE(ReconcileNodeControllerTaints(&node, now));
  std::vector<std::string> taints;
  for (const json::Value& t : node["spec"]["taints"].AsArray()) {
    taints.push_back(t.GetString({"key"}) + ":" + t.GetString({"effect"}));
  }
  EXPECT_THAT(taints, UnorderedElementsAre("mine:NoSchedule", "node.kubernetes.io/memory-pressure:NoSchedule",
                                           "node.kubernetes.io/pid-pressure:NoSchedule",
                                           "node.kubernetes.io/unschedulable:NoSchedule"));
  EXPECT_FALSE(ReconcileNodeControllerTaints(&node, now));

  // Without a Ready condition, NoExecute taints are left as they are.
  json::Value bare = NodeObject("b", "", now);
  bare["spec"].Set("taints", testing::Parse(R"([{"key":"node.kubernetes.io/unreachable","effect":"NoExecute"}])"));
  EXPECT_FALSE(ReconcileNodeControllerTaints(&bare, now));
}

}  // namespace
}  // namespace cubelet::controllers
