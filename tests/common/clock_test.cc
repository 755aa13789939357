#include "common/clock.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

namespace cubelet {
namespace {

TEST(FakeClockTest, WaitUntilEndsWhenTimeReachesTheDeadlineNotBefore) {
  FakeClock clock;
  const absl::Time start = clock.Now();
  Wakeup wakeup;
  // Advancing short of the deadline, then notifying, must end the wait by the notification: had
  // the first Advance woken the waiter, WaitUntil would report the deadline reached.
  std::thread other([&] {
    clock.AwaitSleepers(1);
    clock.Advance(absl::Seconds(9));
    wakeup.Notify();
  });
  EXPECT_FALSE(clock.WaitUntil(start + absl::Seconds(10), wakeup)) << "woken by Notify, not by time";
  other.join();

  std::thread advancer([&] {
    clock.AwaitSleepers(1);
    clock.Advance(absl::Seconds(1));
  });
  EXPECT_TRUE(clock.WaitUntil(start + absl::Seconds(10), wakeup)) << "the notification was consumed";
  advancer.join();
  EXPECT_EQ(clock.Now() - start, absl::Seconds(10));
}

TEST(FakeClockTest, ANotificationBeforeTheWaitIsNotLost) {
  FakeClock clock;
  Wakeup wakeup;
  wakeup.Notify();
  EXPECT_FALSE(clock.WaitUntil(absl::InfiniteFuture(), wakeup));
}

TEST(FakeClockTest, APassedDeadlineReturnsAtOnce) {
  FakeClock clock;
  Wakeup wakeup;
  EXPECT_TRUE(clock.WaitUntil(clock.Now(), wakeup));
  clock.SetTime(clock.Now() + absl::Hours(1));
  EXPECT_TRUE(clock.WaitUntil(clock.Now() - absl::Seconds(1), wakeup));
}

TEST(FakeClockTest, SleepersWakeWhenTimeIsAdvancedPastTheirDeadline) {
  FakeClock clock;
  const absl::Time start = clock.Now();
  std::atomic<bool> woke{false};
  std::thread sleeper([&] {
    clock.SleepFor(absl::Seconds(10));
    woke = true;
  });
  clock.AwaitSleepers(1);
  clock.Advance(absl::Seconds(10));
  sleeper.join();
  EXPECT_TRUE(woke.load());
  EXPECT_EQ(clock.Now() - start, absl::Seconds(10));
}

TEST(FakeClockTest, AStepBackWakesWaitersAsRealClocksWaitersAreWoken) {
  FakeClock clock;
  const absl::Time start = clock.Now();
  Wakeup wakeup;
  std::thread stepper([&] {
    clock.AwaitSleepers(1);
    clock.StepBack(absl::Hours(1));
  });
  EXPECT_FALSE(clock.WaitUntil(start + absl::Seconds(10), wakeup)) << "woken by the step, deadline not reached";
  stepper.join();
  EXPECT_EQ(clock.Now(), start - absl::Hours(1));

  // A deadline read before a step and waited for after it: the wait returns at once.
  const absl::Time read_before = clock.Now();
  std::thread other([&] { clock.SetTime(read_before - absl::Minutes(1)); });
  other.join();
  EXPECT_FALSE(clock.WaitUntil(read_before + absl::Seconds(1), wakeup));
  EXPECT_EQ(clock.Now(), read_before - absl::Minutes(1));
}

TEST(RealClockTest, WaitUntilReturnsOnNotifyOrDeadline) {
  RealClock clock;
  Wakeup wakeup;
  EXPECT_TRUE(clock.WaitUntil(clock.Now() + absl::Milliseconds(1), wakeup));
  std::thread other([&] { wakeup.Notify(); });
  EXPECT_FALSE(clock.WaitUntil(absl::InfiniteFuture(), wakeup));
  other.join();
}

}  // namespace
}  // namespace cubelet
