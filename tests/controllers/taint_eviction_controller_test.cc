#include "controllers/taint_eviction_controller.h"

#include "common/strings.h"
#include "controllers/node_lifecycle_test_util.h"
#include "gtest/gtest.h"

namespace cubelet::controllers {
namespace {

using testing::Eventually;
using testing::NodeObject;
using testing::Parse;
using testing::PodOn;

constexpr char kFiveSeconds[] =
    R"([{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":5}])";

class TaintEvictionControllerTest : public testing::NodeLifecycleFixture {
 protected:
  std::string UnreachableSince(absl::Duration offset) {
    return R"([{"key":"node.kubernetes.io/unreachable","effect":"NoExecute","timeAdded":")" +
           registry::FormatMetaTime(start_ + offset) + R"("}])";
  }
  // Events about pod `name` with the controller's reason, by message.
  std::vector<std::string> EvictionEvents(const std::string& name) {
    std::vector<std::string> out;
    auto listed = events_->List("default", registry::ListOptions{});
    EXPECT_TRUE(listed.ok()) << listed.status();
    if (!listed.ok()) return out;
    for (const registry::ObjectPtr& e : listed->items) {
      const json::Value& event = *e->object;
      if (event.GetString({"involvedObject", "name"}) != name) continue;
      if (event.GetString({"reason"}) != "TaintManagerEviction") continue;
      EXPECT_EQ(event.GetString({"source", "component"}), "taint-eviction-controller");
      out.push_back(event.GetString({"message"}));
    }
    return out;
  }
};

TEST_F(TaintEvictionControllerTest, PodsGoAsTheirTolerationsRunOut) {
  stack_.Create(nodes_, "", NodeObject("n1", "True", start_));
  stack_.Create(nodes_, "", NodeObject("n2", "True", start_));
  auto intolerant = stack_.Create(pods_, "default", PodOn("intolerant", "n1"));
  stack_.Create(pods_, "default", PodOn("five-seconds", "n1", kFiveSeconds));
  stack_.Create(pods_, "default",
                PodOn("forever", "n1", R"([{"key":"node.kubernetes.io/unreachable","operator":"Exists"}])"));
  stack_.Create(pods_, "default", PodOn("elsewhere", "n2"));
  stack_.Create(pods_, "default", testing::Pod("unbound"));
  ASSERT_NO_FATAL_FAILURE(StartControllers(/*lifecycle=*/false));

  SetTaints("n1", UnreachableSince(absl::ZeroDuration()));
  // Not tolerated: deleted at once, gracefully, by its own grace period, marked as disrupted.
  ASSERT_TRUE(Eventually([&] { return Deleting("intolerant"); }));
  auto pod = PodObject("intolerant");
  EXPECT_EQ(pod->FindPath({"metadata", "deletionGracePeriodSeconds"})->AsInt64(), 7);
  EXPECT_EQ(pod->GetString({"metadata", "uid"}), intolerant->GetString({"metadata", "uid"}));
  const json::Value* disrupted = testing::FindCondition(*pod, "DisruptionTarget");
  ASSERT_NE(disrupted, nullptr);
  EXPECT_EQ(disrupted->GetString({"status"}), "True");
  EXPECT_EQ(disrupted->GetString({"reason"}), "DeletionByTaintManager");
  EXPECT_EQ(disrupted->GetString({"message"}), "Taint manager: deleting due to NoExecute taint");
  EXPECT_EQ(EvictionEvents("intolerant"), std::vector<std::string>{"Marking for deletion Pod default/intolerant"});

  // Tolerated for 5 s: due 5 s after the taint's timeAdded.
  ASSERT_TRUE(Eventually([&] { return eviction_->ScheduledEviction("default/five-seconds").has_value(); }));
  EXPECT_EQ(*eviction_->ScheduledEviction("default/five-seconds"), start_ + absl::Seconds(5));
  At(absl::Seconds(4));
  absl::SleepFor(absl::Milliseconds(500));  // past the queue's clock poll
  EXPECT_FALSE(Deleting("five-seconds"));
  At(absl::Seconds(5));
  ASSERT_TRUE(Eventually([&] { return Deleting("five-seconds"); }));
  EXPECT_TRUE(Eventually([&] { return !eviction_->ScheduledEviction("default/five-seconds").has_value(); }));

  // Tolerated forever, on another node, or not bound: kept.
  At(absl::Hours(1));
  absl::SleepFor(absl::Milliseconds(500));
  for (const char* name : {"forever", "elsewhere", "unbound"}) {
    EXPECT_FALSE(Deleting(name)) << name;
    EXPECT_FALSE(eviction_->ScheduledEviction(StrCat("default/", name)).has_value()) << name;
  }
}

TEST_F(TaintEvictionControllerTest, RemovingTheTaintCancelsAPendingDeletion) {
  stack_.Create(nodes_, "", NodeObject("n1", "True", start_));
  stack_.Create(pods_, "default", PodOn("p", "n1", kFiveSeconds));
  ASSERT_NO_FATAL_FAILURE(StartControllers(/*lifecycle=*/false));
  SetTaints("n1", UnreachableSince(absl::ZeroDuration()));
  ASSERT_TRUE(Eventually([&] { return eviction_->ScheduledEviction("default/p").has_value(); }));

  At(absl::Seconds(3));
  SetTaints("n1", "[]");
  ASSERT_TRUE(Eventually([&] { return !eviction_->ScheduledEviction("default/p").has_value(); }));
  ASSERT_TRUE(Eventually([&] { return !EvictionEvents("p").empty(); }));
  EXPECT_EQ(EvictionEvents("p"), std::vector<std::string>{"Cancelling deletion of Pod default/p"});
  At(absl::Seconds(10));
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_FALSE(Deleting("p"));
}

TEST_F(TaintEvictionControllerTest, ATaintWithoutTimeAddedCountsFromWhenItWasSeen) {
  stack_.Create(nodes_, "", NodeObject("n1", "True", start_));
  stack_.Create(pods_, "default", PodOn("p", "n1", kFiveSeconds));
  ASSERT_NO_FATAL_FAILURE(StartControllers(/*lifecycle=*/false));
  At(absl::Seconds(100));
  SetTaints("n1", R"([{"key":"node.kubernetes.io/unreachable","effect":"NoExecute"}])");
  ASSERT_TRUE(Eventually([&] { return eviction_->ScheduledEviction("default/p").has_value(); }));
  EXPECT_EQ(*eviction_->ScheduledEviction("default/p"), start_ + absl::Seconds(105));
}

TEST_F(TaintEvictionControllerTest, APodBoundToAnAlreadyTaintedNodeIsEvicted) {
  stack_.Create(nodes_, "", NodeObject("n1", "True", start_));
  SetTaints("n1", R"([{"key":"maintenance","value":"now","effect":"NoExecute"}])");
  ASSERT_NO_FATAL_FAILURE(StartControllers(/*lifecycle=*/false));
  stack_.Create(pods_, "default", PodOn("late", "n1", R"([{"key":"maintenance","value":"later","effect":"NoExecute"}])"));
  ASSERT_TRUE(Eventually([&] { return Deleting("late"); }));
}

// The decision on its own, with upstream's toleration matching.
TEST(EvictionTimeTest, FirstMatchingTolerationOfEachTaintDecidesAndTheEarliestWins) {
  const absl::Time t0 = absl::FromUnixSeconds(1764000000);
  std::vector<NoExecuteTaint> taints = {{"a", "", t0}, {"b", "x", t0 + absl::Seconds(10)}};
  // No taints: never.
  json::Value none = Parse("[]");
  EXPECT_EQ(EvictionTime(&none, {}), std::nullopt);
  // A taint not tolerated: at once.
  json::Value only_a = Parse(R"([{"key":"a","operator":"Exists"}])");
  EXPECT_EQ(EvictionTime(&only_a, taints), absl::InfinitePast());
  EXPECT_EQ(EvictionTime(nullptr, taints), absl::InfinitePast());
  // Both tolerated forever (an empty key with Exists tolerates everything).
  json::Value all = Parse(R"([{"operator":"Exists"}])");
  EXPECT_EQ(EvictionTime(&all, taints), std::nullopt);
  // Each taint counts from its own start; the earliest due wins.
  json::Value timed = Parse(R"([{"key":"a","operator":"Exists","tolerationSeconds":30},
                                {"key":"b","operator":"Equal","value":"x","effect":"NoExecute","tolerationSeconds":5}])");
  EXPECT_EQ(EvictionTime(&timed, taints), t0 + absl::Seconds(15));
  // The first toleration that matches is the one used, even when a later one is longer.
  json::Value first = Parse(R"([{"key":"a","operator":"Exists","tolerationSeconds":1},{"operator":"Exists"}])");
  EXPECT_EQ(EvictionTime(&first, {taints[0]}), t0 + absl::Seconds(1));
  // Zero and negative mean at once.
  json::Value negative = Parse(R"([{"operator":"Exists","tolerationSeconds":-3}])");
  EXPECT_EQ(EvictionTime(&negative, {taints[0]}), t0);
  // A value or effect that does not match does not tolerate.
  json::Value wrong = Parse(R"([{"key":"b","operator":"Equal","value":"y"},{"key":"b","effect":"NoSchedule","operator":"Exists"}])");
  EXPECT_EQ(EvictionTime(&wrong, {taints[1]}), absl::InfinitePast());
}

}  // namespace
}  // namespace cubelet::controllers
