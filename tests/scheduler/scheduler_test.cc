// The scheduler end to end inside one process: a real store and watch caches (the controllers'
// test Stack), the scheduler on the in-process SchedulerClient, pods and nodes written through
// the registry as a client would write them.
#include "scheduler/scheduler.h"

#include <memory>
#include <string>

#include "controllers/controller_test_util.h"
#include "gtest/gtest.h"
#include "scheduler/registry_client.h"

namespace cubelet::scheduler {
namespace {

using controllers::testing::Eventually;
using controllers::testing::Parse;
using controllers::testing::Stack;
using controllers::testing::TempDir;

json::Value Node(const std::string& name, const std::string& cpu, const std::string& memory = "8Gi",
                 const std::string& extra_labels = "") {
  return Parse(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":")" + name +
               R"(","labels":{"kubernetes.io/hostname":")" + name + "\"" + extra_labels +
               R"(}},"status":{"allocatable":{"cpu":")" + cpu + R"(","memory":")" + memory +
               R"(","pods":"110"},"capacity":{"cpu":")" + cpu + R"(","memory":")" + memory + R"(","pods":"110"}}})");
}

json::Value Pod(const std::string& name, const std::string& cpu, const std::string& extra_spec = "") {
  return Parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
               R"("},"spec":{)" + extra_spec + R"("containers":[{"name":"c","image":"busybox","resources":{"requests":{"cpu":")" +
               cpu + R"("}}}]}})");
}

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_ = NewRegistryClient(stack_.resources(), &clock_, Logger(std::make_shared<StderrLogSink>(), 2, &clock_));
    SchedulerOptions options;
    options.seed = 1;
    auto scheduler = Scheduler::Create(client_.get(), options, &clock_, Logger(std::make_shared<StderrLogSink>(), 2, &clock_));
    ASSERT_TRUE(scheduler.ok()) << scheduler.status();
    scheduler_ = std::move(*scheduler);
    ASSERT_TRUE(scheduler_->Start().ok());
  }
  void TearDown() override { scheduler_->Stop(); }

  // Creates a node and waits until the scheduler's cache has it: its node and pod watches are
  // separate streams, so a pod created right after could otherwise meet an older node list.
  void CreateNode(json::Value node) {
    ASSERT_NE(stack_.Create(nodes_, "", std::move(node)), nullptr);
    ++nodes_created_;
    ASSERT_TRUE(Eventually([&] { return scheduler_->cache().NodeCount() == nodes_created_; }));
  }
  void CreatePod(json::Value pod) { ASSERT_NE(stack_.Create(pods_, "default", std::move(pod)), nullptr); }
  std::shared_ptr<const json::Value> GetPod(const std::string& name) { return stack_.Get(pods_, "default", name); }
  std::string NodeOf(const std::string& name) {
    auto pod = GetPod(name);
    return pod == nullptr ? "" : pod->GetString({"spec", "nodeName"});
  }
  // The PodScheduled condition's "status/reason/message", or "".
  std::string Condition(const std::string& name) {
    auto pod = GetPod(name);
    if (pod == nullptr) return "";
    const json::Value* conditions = pod->FindPath({"status", "conditions"});
    if (conditions == nullptr || !conditions->is_array()) return "";
    for (const json::Value& c : conditions->AsArray()) {
      if (c.GetString({"type"}) == "PodScheduled") {
        return c.GetString({"status"}) + "/" + c.GetString({"reason"}) + "/" + c.GetString({"message"});
      }
    }
    return "";
  }
  // Messages of the events about pod `name` with `reason`.
  std::vector<std::string> Events(const std::string& name, const std::string& reason) {
    std::vector<std::string> out;
    auto listed = stack_.Core("events")->List("default", registry::ListOptions{});
    if (!listed.ok()) return out;
    for (const auto& item : listed->items) {
      if (item->object->GetString({"involvedObject", "name"}) == name && item->object->GetString({"reason"}) == reason) {
        out.push_back(item->object->GetString({"message"}));
      }
    }
    return out;
  }

  TempDir dir_;
  RealClock clock_;
  Stack stack_{dir_.path(), &clock_};
  registry::ResourceStore* const pods_ = stack_.Core("pods");
  registry::ResourceStore* const nodes_ = stack_.Core("nodes");
  std::unique_ptr<SchedulerClient> client_;
  std::unique_ptr<Scheduler> scheduler_;
  size_t nodes_created_ = 0;
};

TEST_F(SchedulerTest, APodIsBoundToTheNodeItFitsWithAScheduledEvent) {
  CreateNode(Node("small", "1"));
  CreateNode(Node("big", "4"));
  CreatePod(Pod("web", "2"));
  ASSERT_TRUE(Eventually([&] { return NodeOf("web") == "big"; })) << Condition("web");
  EXPECT_TRUE(Eventually([&] { return Condition("web").starts_with("True/"); })) << Condition("web");
  ASSERT_TRUE(Eventually([&] { return !Events("web", "Scheduled").empty(); }));
  EXPECT_EQ(Events("web", "Scheduled").front(), "Successfully assigned default/web to big");
}

TEST_F(SchedulerTest, APodThatFitsNowhereGetsUpstreamsMessageAndIsScheduledWhenANodeComes) {
  CreateNode(Node("n1", "1", "8Gi", R"(,"disk":"ssd")"));
  CreateNode(Node("n2", "4", "8Gi", R"(,"disk":"hdd")"));
  CreateNode(Node("n3", "4", "8Gi", R"(,"disk":"hdd")"));
  CreatePod(Pod("db", "2", R"("nodeSelector":{"disk":"ssd"},)"));
  ASSERT_TRUE(Eventually([&] { return !Condition("db").empty(); }));
  EXPECT_EQ(Condition("db"),
            "False/Unschedulable/0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node "
            "affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, "
            "2 Preemption is not helpful for scheduling..");
  ASSERT_TRUE(Eventually([&] { return !Events("db", "FailedScheduling").empty(); }));
  EXPECT_EQ(NodeOf("db"), "");

  CreateNode(Node("n4", "4", "8Gi", R"(,"disk":"ssd")"));
  EXPECT_TRUE(Eventually([&] { return NodeOf("db") == "n4"; })) << Condition("db");
}

TEST_F(SchedulerTest, InsufficientResourcesAreCountedPerReason) {
  CreateNode(Node("n1", "1"));
  CreateNode(Node("n2", "1"));
  CreatePod(Pod("big", "2"));
  ASSERT_TRUE(Eventually([&] { return !Condition("big").empty(); }));
  EXPECT_EQ(Condition("big"),
            "False/Unschedulable/0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 "
            "No preemption victims found for incoming pod..");
}

TEST_F(SchedulerTest, AnUnschedulablePodWaitsForAClusterChangeInsteadOfRetrying) {
  CreateNode(Node("n1", "1"));
  CreatePod(Pod("big", "2"));
  ASSERT_TRUE(Eventually([&] { return Events("big", "FailedScheduling").size() == 1; }));
  // Past the longest back-off: no cluster event came, so no new attempt.
  absl::SleepFor(absl::Seconds(3));
  EXPECT_EQ(Events("big", "FailedScheduling").size(), 1u);
  EXPECT_EQ(scheduler_->queue().counts().unschedulable, 1u);
  // A node status post that changes nothing the scheduler reads is no cluster change either.
  auto updated = nodes_->GuaranteedUpdate(
      "", "n1",
      [](const json::Value& current) -> absl::StatusOr<json::Value> {
        json::Value next = current;
        next.Ensure({"status"}).Set("phase", "Running");
        return next;
      },
      true, false, registry::WriteOptions{});
  ASSERT_TRUE(updated.ok()) << updated.status();
  absl::SleepFor(absl::Seconds(2));
  EXPECT_EQ(Events("big", "FailedScheduling").size(), 1u);
}

TEST_F(SchedulerTest, AssumedPodsCountBeforeTheirBindIsSeen) {
  CreateNode(Node("n1", "2"));
  for (const char* name : {"a", "b", "c"}) CreatePod(Pod(name, "1"));
  ASSERT_TRUE(Eventually([&] {
    int bound = 0, unschedulable = 0;
    for (const char* name : {"a", "b", "c"}) {
      bound += NodeOf(name) == "n1" ? 1 : 0;
      unschedulable += Condition(name).starts_with("False/Unschedulable/") ? 1 : 0;
    }
    return bound == 2 && unschedulable == 1;
  }));
}

TEST_F(SchedulerTest, PodsOfOtherSchedulersAreLeftAlone) {
  CreateNode(Node("n1", "4"));
  CreatePod(Pod("mine", "1"));
  CreatePod(Pod("theirs", "1", R"("schedulerName":"other-scheduler",)"));
  ASSERT_TRUE(Eventually([&] { return NodeOf("mine") == "n1"; }));
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(NodeOf("theirs"), "");
  EXPECT_EQ(Condition("theirs"), "");
}

TEST_F(SchedulerTest, SchedulingGatesHoldAPodUntilRemoved) {
  CreateNode(Node("n1", "4"));
  CreatePod(Pod("gated", "1", R"("schedulingGates":[{"name":"example.com/wait"}],)"));
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(NodeOf("gated"), "");
  auto updated = pods_->GuaranteedUpdate(
      "default", "gated",
      [](const json::Value& current) -> absl::StatusOr<json::Value> {
        json::Value next = current;
        next["spec"].Erase("schedulingGates");
        return next;
      },
      false, false, registry::WriteOptions{});
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_TRUE(Eventually([&] { return NodeOf("gated") == "n1"; })) << Condition("gated");
}

TEST_F(SchedulerTest, AHigherPriorityPodPreemptsALowerOne) {
  CreateNode(Node("n1", "2"));
  CreatePod(Pod("low", "2", R"("priority":10,)"));
  ASSERT_TRUE(Eventually([&] { return NodeOf("low") == "n1"; }));
  CreatePod(Pod("high", "2", R"("priority":1000,)"));
  // The victim is deleted gracefully (a kubelet would confirm); the preemptor is nominated.
  ASSERT_TRUE(Eventually([&] {
    auto low = GetPod("low");
    return low != nullptr && low->FindPath({"metadata", "deletionTimestamp"}) != nullptr;
  }));
  ASSERT_TRUE(Eventually([&] {
    auto high = GetPod("high");
    return high != nullptr && high->GetString({"status", "nominatedNodeName"}) == "n1";
  }));
  EXPECT_FALSE(Events("low", "Preempted").empty());
  EXPECT_EQ(NodeOf("high"), "");
  // The kubelet confirms the victim's end.
  registry::DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(pods_->Delete("default", "low", now).ok());
  EXPECT_TRUE(Eventually([&] { return NodeOf("high") == "n1"; })) << Condition("high");
}

TEST_F(SchedulerTest, RoomFreedByPreemptionIsKeptForThePreemptor) {
  CreateNode(Node("n1", "2"));
  CreatePod(Pod("low", "2", R"("priority":10,)"));
  ASSERT_TRUE(Eventually([&] { return NodeOf("low") == "n1"; }));
  CreatePod(Pod("high", "2", R"("priority":1000,)"));
  ASSERT_TRUE(Eventually([&] {
    auto high = GetPod("high");
    return high != nullptr && high->GetString({"status", "nominatedNodeName"}) == "n1";
  }));
  // The victim goes, and at once a new lower-priority pod arrives: the preemptor (still in
  // back-off) must get the room, not the newcomer that reaches the queue first.
  registry::DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(pods_->Delete("default", "low", now).ok());
  CreatePod(Pod("late", "2", R"("priority":5,)"));
  EXPECT_TRUE(Eventually([&] { return NodeOf("high") == "n1"; })) << Condition("high");
  EXPECT_EQ(NodeOf("late"), "");
}

}  // namespace
}  // namespace cubelet::scheduler
