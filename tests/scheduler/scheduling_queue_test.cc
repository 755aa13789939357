#include "scheduler/scheduling_queue.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "gtest/gtest.h"
#include "json/value.h"

namespace cubelet::scheduler {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1764000000);

// PodInfo is a plain struct: tests build it by hand rather than from a pod object.
std::shared_ptr<PodInfo> MakePod(const std::string& name, int32_t priority = 0, absl::Time created = kT0) {
  auto pod = std::make_shared<PodInfo>();
  pod->namespace_ = "default";
  pod->name = name;
  pod->uid = "uid-" + name;
  pod->priority = priority;
  pod->creation_time = created;
  return pod;
}

// A pod that carries its object, so that Update can tell a spec change from a status change.
std::shared_ptr<PodInfo> WithObject(std::shared_ptr<PodInfo> pod, const std::string& resource_version,
                                    const std::string& image, const std::string& phase = "Pending") {
  json::Value obj = json::Value::EmptyObject();
  obj["metadata"]["name"] = pod->name;
  obj["metadata"]["resourceVersion"] = resource_version;
  json::Value container = json::Value::EmptyObject();
  container["name"] = "c";
  container["image"] = image;
  obj["spec"]["containers"].Append(container);
  obj["status"]["phase"] = phase;
  pod->resource_version = resource_version;
  pod->object = std::make_shared<const json::Value>(std::move(obj));
  return pod;
}

class SchedulingQueueTest : public ::testing::Test {
 protected:
  FakeClock clock_{kT0};
  SchedulingQueue queue_{&clock_};

  std::string PopName() {
    auto info = queue_.Pop();
    EXPECT_TRUE(info.has_value());
    return info ? info->pod->name : "";
  }

  // Pops `name` and reports the attempt as rejected by a plugin.
  QueuedPodInfo PopAndReject(const std::string& name) {
    auto info = queue_.Pop();
    EXPECT_TRUE(info.has_value());
    EXPECT_EQ(info->pod->name, name);
    info->unschedulable_plugins = {"NodeResourcesFit"};
    return *info;
  }
};

TEST_F(SchedulingQueueTest, PopsByPriorityThenCreationThenKey) {
  queue_.Add(MakePod("low", 0, kT0));
  queue_.Add(MakePod("high", 100, kT0 + absl::Seconds(3)));
  queue_.Add(MakePod("mid-newer", 50, kT0 + absl::Seconds(2)));
  queue_.Add(MakePod("mid-older", 50, kT0 + absl::Seconds(1)));
  queue_.Add(MakePod("b-tie", -5, kT0));
  queue_.Add(MakePod("a-tie", -5, kT0));
  EXPECT_EQ(queue_.counts().active, 6u);

  std::vector<std::string> order;
  for (int i = 0; i < 6; ++i) order.push_back(PopName());
  EXPECT_EQ(order, (std::vector<std::string>{"high", "mid-older", "mid-newer", "low", "a-tie", "b-tie"}));
  EXPECT_EQ(queue_.counts().in_flight, 6u);
}

TEST_F(SchedulingQueueTest, BackoffDurationDoublesFromOneSecondUpToTen) {
  EXPECT_EQ(queue_.BackoffDuration(0), absl::ZeroDuration());
  EXPECT_EQ(queue_.BackoffDuration(1), absl::Seconds(1));
  EXPECT_EQ(queue_.BackoffDuration(2), absl::Seconds(2));
  EXPECT_EQ(queue_.BackoffDuration(3), absl::Seconds(4));
  EXPECT_EQ(queue_.BackoffDuration(4), absl::Seconds(8));
  EXPECT_EQ(queue_.BackoffDuration(5), absl::Seconds(10));
  EXPECT_EQ(queue_.BackoffDuration(60), absl::Seconds(10));
}

TEST_F(SchedulingQueueTest, FailedPodWaitsOutItsBackoffBeforeReturningToActive) {
  queue_.Add(MakePod("web"));
  const std::vector<absl::Duration> expected = {absl::Seconds(1), absl::Seconds(2), absl::Seconds(4),
                                                absl::Seconds(8), absl::Seconds(10), absl::Seconds(10)};
  for (size_t attempt = 0; attempt < expected.size(); ++attempt) {
    auto info = queue_.Pop();
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->attempts, static_cast<int>(attempt + 1));
    EXPECT_EQ(info->initial_attempt, kT0) << "the first Pop's time is kept";
    queue_.AddUnschedulable(*info, /*error=*/true);
    EXPECT_EQ(queue_.counts().backoff, 1u);

    clock_.Advance(expected[attempt] - absl::Milliseconds(1));
    queue_.FlushBackoffAndUnschedulable();
    EXPECT_EQ(queue_.counts().active, 0u) << "attempt " << attempt + 1 << " left back-off early";

    clock_.Advance(absl::Milliseconds(1));
    queue_.FlushBackoffAndUnschedulable();
    EXPECT_EQ(queue_.counts().active, 1u) << "attempt " << attempt + 1 << " still backing off";
    EXPECT_EQ(queue_.counts().backoff, 0u);
  }
}

TEST_F(SchedulingQueueTest, RejectedPodWaitsInUnschedulableUntilAClusterEvent) {
  queue_.Add(MakePod("web"));
  queue_.AddUnschedulable(PopAndReject("web"), /*error=*/false);
  EXPECT_EQ(queue_.counts().unschedulable, 1u);
  EXPECT_EQ(queue_.counts().in_flight, 0u);

  clock_.Advance(absl::Seconds(30));
  queue_.FlushBackoffAndUnschedulable();
  EXPECT_EQ(queue_.counts().unschedulable, 1u) << "nothing changed in the cluster: no retry yet";

  queue_.MoveAllToActiveOrBackoff(ClusterEvent::kNodeAdded);
  EXPECT_EQ(queue_.counts().unschedulable, 0u);
  EXPECT_EQ(queue_.counts().active, 1u) << "back-off (1 s) long over: straight to activeQ";
  EXPECT_EQ(PopName(), "web");
}

TEST_F(SchedulingQueueTest, ClusterEventDuringBackoffMovesPodToBackoffQ) {
  queue_.Add(MakePod("web"));
  queue_.AddUnschedulable(PopAndReject("web"), /*error=*/false);
  clock_.Advance(absl::Milliseconds(500));
  queue_.MoveAllToActiveOrBackoff(ClusterEvent::kNodeUpdated);
  EXPECT_EQ(queue_.counts().backoff, 1u);
  EXPECT_EQ(queue_.counts().active, 0u);
  clock_.Advance(absl::Milliseconds(500));
  queue_.FlushBackoffAndUnschedulable();
  EXPECT_EQ(queue_.counts().active, 1u);
}

TEST_F(SchedulingQueueTest, EventWhileInFlightSendsTheFailureToBackoff) {
  queue_.Add(MakePod("web"));
  QueuedPodInfo info = PopAndReject("web");
  queue_.MoveAllToActiveOrBackoff(ClusterEvent::kPodDeleted);  // e.g. a pod freed room meanwhile
  queue_.AddUnschedulable(info, /*error=*/false);
  EXPECT_EQ(queue_.counts().backoff, 1u);
  EXPECT_EQ(queue_.counts().unschedulable, 0u);
}

TEST_F(SchedulingQueueTest, EventBeforeThePopDoesNotCountForTheAttempt) {
  queue_.Add(MakePod("web"));
  queue_.MoveAllToActiveOrBackoff(ClusterEvent::kNodeAdded);
  queue_.AddUnschedulable(PopAndReject("web"), /*error=*/false);
  EXPECT_EQ(queue_.counts().unschedulable, 1u);
  EXPECT_EQ(queue_.counts().backoff, 0u);
}

TEST_F(SchedulingQueueTest, FailureWithoutRejectingPluginRetriesAfterBackoff) {
  queue_.Add(MakePod("web"));
  auto info = queue_.Pop();
  ASSERT_TRUE(info.has_value());
  queue_.AddUnschedulable(*info, /*error=*/false);
  EXPECT_EQ(queue_.counts().backoff, 1u);
}

TEST_F(SchedulingQueueTest, GatedPodStaysOutUntilAnUpdateRemovesItsGates) {
  auto gated = MakePod("gated");
  gated->scheduling_gates = {"example.com/wait"};
  queue_.Add(gated);
  EXPECT_EQ(queue_.counts().gated, 1u);
  EXPECT_EQ(queue_.counts().unschedulable, 1u);
  EXPECT_EQ(queue_.counts().active, 0u);

  queue_.MoveAllToActiveOrBackoff(ClusterEvent::kNodeAdded);
  queue_.MoveAllToActiveOrBackoff(ClusterEvent::kForceFlush);
  clock_.Advance(absl::Minutes(10));
  queue_.FlushBackoffAndUnschedulable();
  EXPECT_EQ(queue_.counts().gated, 1u) << "only removing the gates releases the pod";

  auto still_gated = MakePod("gated");
  still_gated->scheduling_gates = {"example.com/wait"};
  still_gated->resource_version = "2";
  queue_.Update(still_gated);
  EXPECT_EQ(queue_.counts().gated, 1u);

  auto ungated = MakePod("gated");
  ungated->resource_version = "3";
  queue_.Update(ungated);
  EXPECT_EQ(queue_.counts().gated, 0u);
  EXPECT_EQ(queue_.counts().active, 1u);
  auto popped = queue_.Pop();
  ASSERT_TRUE(popped.has_value());
  EXPECT_EQ(popped->pod->resource_version, "3");
  EXPECT_FALSE(popped->gated);
}

TEST_F(SchedulingQueueTest, UnschedulablePodIsFlushedAfterFiveMinutes) {
  queue_.Add(MakePod("web"));
  queue_.AddUnschedulable(PopAndReject("web"), /*error=*/false);
  clock_.Advance(absl::Minutes(5));
  queue_.FlushBackoffAndUnschedulable();
  EXPECT_EQ(queue_.counts().unschedulable, 1u) << "exactly 5 minutes is not yet over";
  clock_.Advance(absl::Seconds(1));
  queue_.FlushBackoffAndUnschedulable();
  EXPECT_EQ(queue_.counts().unschedulable, 0u);
  EXPECT_EQ(queue_.counts().active, 1u);
}

TEST_F(SchedulingQueueTest, UnschedulablePodRequeuesOnSpecChangeButNotOnStatusChange) {
  queue_.Add(WithObject(MakePod("web"), "1", "nginx:1"));
  queue_.AddUnschedulable(PopAndReject("web"), /*error=*/false);
  clock_.Advance(absl::Seconds(5));

  queue_.Update(WithObject(MakePod("web"), "2", "nginx:1", "Pending-but-different"));
  EXPECT_EQ(queue_.counts().unschedulable, 1u) << "a status or resourceVersion change cannot make it fit";

  queue_.Update(WithObject(MakePod("web"), "3", "nginx:2"));
  EXPECT_EQ(queue_.counts().unschedulable, 0u);
  EXPECT_EQ(queue_.counts().active, 1u);
  auto popped = queue_.Pop();
  ASSERT_TRUE(popped.has_value());
  EXPECT_EQ(popped->pod->resource_version, "3");
  EXPECT_EQ(popped->attempts, 2) << "the history stays with the pod";
}

TEST_F(SchedulingQueueTest, UpdateInActiveQReordersThePod) {
  queue_.Add(MakePod("a", 0));
  queue_.Add(MakePod("b", 0));
  queue_.Update(MakePod("b", 1000));
  EXPECT_EQ(queue_.counts().active, 2u);
  EXPECT_EQ(PopName(), "b");
}

TEST_F(SchedulingQueueTest, UpdateWhileInFlightIsUsedWhenThePodComesBack) {
  queue_.Add(WithObject(MakePod("web"), "1", "nginx:1"));
  QueuedPodInfo info = PopAndReject("web");
  queue_.Update(WithObject(MakePod("web"), "2", "nginx:2"));
  EXPECT_EQ(queue_.counts().active, 0u) << "an in-flight pod is not queued twice";
  queue_.AddUnschedulable(info, /*error=*/false);
  EXPECT_EQ(queue_.counts().backoff, 1u) << "its spec changed while in flight: retry after back-off";
  clock_.Advance(absl::Seconds(1));
  queue_.FlushBackoffAndUnschedulable();
  auto popped = queue_.Pop();
  ASSERT_TRUE(popped.has_value());
  EXPECT_EQ(popped->pod->resource_version, "2");
}

TEST_F(SchedulingQueueTest, PodDeletedWhileInFlightIsNotRequeued) {
  queue_.Add(MakePod("web"));
  QueuedPodInfo info = PopAndReject("web");
  queue_.Delete("uid-web");
  queue_.AddUnschedulable(info, /*error=*/true);
  const auto counts = queue_.counts();
  EXPECT_EQ(counts.active + counts.backoff + counts.unschedulable + counts.in_flight, 0u);
}

TEST_F(SchedulingQueueTest, DeleteRemovesThePodFromEverySet) {
  auto gated = MakePod("gated");
  gated->scheduling_gates = {"g"};
  queue_.Add(gated);
  queue_.Add(MakePod("active"));
  queue_.Add(MakePod("backoff"));
  queue_.Add(MakePod("unsched"));
  // Pop order by key: active, backoff, unsched.
  auto a = queue_.Pop();
  auto b = queue_.Pop();
  auto u = queue_.Pop();
  queue_.Done(a->pod->uid);
  queue_.AddUnschedulable(*b, /*error=*/true);
  u->unschedulable_plugins = {"NodeName"};
  queue_.AddUnschedulable(*u, /*error=*/false);
  queue_.Add(MakePod("active"));  // seen again, e.g. the bind failed and a relist found it
  EXPECT_EQ(queue_.counts().active, 1u);
  for (const char* uid : {"uid-gated", "uid-active", "uid-backoff", "uid-unsched"}) queue_.Delete(uid);
  const auto counts = queue_.counts();
  EXPECT_EQ(counts.active + counts.backoff + counts.unschedulable + counts.in_flight, 0u);
}

TEST_F(SchedulingQueueTest, DoneForgetsTheInFlightPod) {
  queue_.Add(MakePod("web"));
  auto info = queue_.Pop();
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(queue_.counts().in_flight, 1u);
  queue_.Done("uid-web");
  EXPECT_EQ(queue_.counts().in_flight, 0u);
  queue_.Done("uid-web");  // a second Done is harmless
  EXPECT_EQ(queue_.counts().active, 0u);
}

TEST_F(SchedulingQueueTest, PopBlocksUntilAPodIsAdded) {
  std::optional<QueuedPodInfo> popped;
  std::thread popper([&] { popped = queue_.Pop(); });
  queue_.Add(MakePod("late"));
  popper.join();
  ASSERT_TRUE(popped.has_value());
  EXPECT_EQ(popped->pod->name, "late");
}

TEST_F(SchedulingQueueTest, PopWakesForAPodLeavingBackoff) {
  queue_.Add(MakePod("web"));
  auto info = queue_.Pop();
  ASSERT_TRUE(info.has_value());
  queue_.AddUnschedulable(*info, /*error=*/true);
  std::optional<QueuedPodInfo> popped;
  std::thread popper([&] { popped = queue_.Pop(); });
  clock_.Advance(absl::Seconds(1));
  queue_.FlushBackoffAndUnschedulable();
  popper.join();
  ASSERT_TRUE(popped.has_value());
  EXPECT_EQ(popped->attempts, 2);
}

TEST_F(SchedulingQueueTest, CloseWakesEveryBlockedPop) {
  std::vector<std::optional<QueuedPodInfo>> results(2, QueuedPodInfo{});
  std::vector<std::thread> poppers;
  for (int i = 0; i < 2; ++i) poppers.emplace_back([&, i] { results[i] = queue_.Pop(); });
  queue_.Close();
  for (auto& t : poppers) t.join();
  for (const auto& r : results) EXPECT_FALSE(r.has_value());
  queue_.Add(MakePod("after-close"));
  EXPECT_FALSE(queue_.Pop().has_value()) << "a closed queue hands out nothing";
}

TEST(SchedulingQueueOptionsTest, BackoffFollowsTheConfiguredBounds) {
  FakeClock clock(kT0);
  SchedulingQueue queue(&clock, QueueOptions{.initial_backoff = absl::Seconds(3), .max_backoff = absl::Seconds(20)});
  EXPECT_EQ(queue.BackoffDuration(1), absl::Seconds(3));
  EXPECT_EQ(queue.BackoffDuration(3), absl::Seconds(12));
  EXPECT_EQ(queue.BackoffDuration(4), absl::Seconds(20));
}

}  // namespace
}  // namespace cubelet::scheduler
