#include "common/clock.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

namespace cubelet {
namespace {

TEST(FakeClockTest, SleepersWakeOnlyWhenTimeIsAdvancedPastTheirDeadline) {
  FakeClock clock;
  const absl::Time start = clock.Now();
  std::atomic<bool> woke{false};
  std::thread sleeper([&] {
    clock.SleepFor(absl::Seconds(10));
    woke = true;
  });
  clock.AwaitSleepers(1);
  clock.Advance(absl::Seconds(9));
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_FALSE(woke.load());
  clock.Advance(absl::Seconds(1));
  sleeper.join();
  EXPECT_TRUE(woke.load());
  EXPECT_EQ(clock.Now() - start, absl::Seconds(10));
}

}  // namespace
}  // namespace cubelet
