#include "controllers/work_queue.h"

#include <atomic>
#include <thread>

#include "gtest/gtest.h"

namespace cubelet::controllers {
namespace {

TEST(WorkQueueTest, AKeyAddedTwiceIsHandedOutOnce) {
  FakeClock clock;
  WorkQueue q(&clock);
  q.Add("a");
  q.Add("b");
  q.Add("a");
  EXPECT_EQ(q.Get(), "a");
  EXPECT_EQ(q.Get(), "b");
  EXPECT_EQ(q.Len(), 2u);  // both being processed, nothing queued
  q.Done("a");
  q.Done("b");
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueueTest, AKeyAddedWhileProcessedComesBackAfterDoneNotBefore) {
  FakeClock clock;
  WorkQueue q(&clock);
  q.Add("a");
  ASSERT_EQ(q.Get(), "a");
  q.Add("a");
  q.Add("b");
  EXPECT_EQ(q.Get(), "b");  // not "a": it is still being processed
  q.Done("a");
  EXPECT_EQ(q.Get(), "a");
}

TEST(WorkQueueTest, DelayedKeysWaitForTheClock) {
  FakeClock clock;
  WorkQueue q(&clock);
  q.AddAfter("later", absl::Seconds(10));
  std::atomic<bool> got{false};
  std::thread t([&] {
    auto key = q.Get();
    got = key.has_value() && *key == "later";
  });
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_FALSE(got.load());
  clock.Advance(absl::Seconds(10));
  t.join();  // woken within the queue's clock poll slice
  EXPECT_TRUE(got.load());
}

TEST(WorkQueueTest, AnImmediateAddOvertakesADelayedOne) {
  FakeClock clock;
  WorkQueue q(&clock);
  q.AddAfter("k", absl::Hours(1));
  q.Add("k");
  EXPECT_EQ(q.Get(), "k");
}

TEST(WorkQueueTest, BackOffDoublesPerFailureUntilForgotten) {
  FakeClock clock;
  WorkQueue q(&clock, BackoffPolicy{absl::Seconds(1), absl::Seconds(4)});
  auto ready_after = [&](absl::Duration d) {
    // Not ready just before `d`, ready at `d`.
    clock.Advance(d - absl::Milliseconds(1));
    std::atomic<bool> got{false};
    std::thread t([&] {
      if (auto key = q.Get()) {
        got = true;
        q.Done(*key);
      }
    });
    absl::SleepFor(absl::Milliseconds(250));
    bool early = got.load();
    clock.Advance(absl::Milliseconds(1));
    t.join();
    return !early && got.load();
  };
  q.AddRateLimited("k");
  EXPECT_TRUE(ready_after(absl::Seconds(1)));
  q.AddRateLimited("k");
  EXPECT_TRUE(ready_after(absl::Seconds(2)));
  q.AddRateLimited("k");
  EXPECT_TRUE(ready_after(absl::Seconds(4)));
  q.AddRateLimited("k");
  EXPECT_TRUE(ready_after(absl::Seconds(4)));  // capped
  EXPECT_EQ(q.Requeues("k"), 4);
  q.Forget("k");
  q.AddRateLimited("k");
  EXPECT_TRUE(ready_after(absl::Seconds(1)));
}

TEST(WorkQueueTest, ShutDownWakesWaitingGetters) {
  FakeClock clock;
  WorkQueue q(&clock);
  std::thread t([&] { EXPECT_FALSE(q.Get().has_value()); });
  absl::SleepFor(absl::Milliseconds(50));
  q.ShutDown();
  t.join();
  q.Add("ignored");
  EXPECT_FALSE(q.Get().has_value());
}

}  // namespace
}  // namespace cubelet::controllers
