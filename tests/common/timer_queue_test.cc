// TimerQueue under a FakeClock: the production threads run the tasks, the test moves time and
// waits on AwaitIdle() instead of sleeping.
#include "common/timer_queue.h"

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"

namespace cubelet {
namespace {

using ::testing::ElementsAre;

class TimerQueueTest : public ::testing::Test {
 protected:
  std::unique_ptr<TimerQueue> Make(int threads) {
    return std::make_unique<TimerQueue>(&clock_, Logger(sink_, 0, &clock_), TimerQueue::Options{.threads = threads});
  }
  void Record(const std::string& what) {
    std::lock_guard<std::mutex> l(mu_);
    runs_.push_back(what);
  }
  std::vector<std::string> Runs() {
    std::lock_guard<std::mutex> l(mu_);
    return runs_;
  }

  FakeClock clock_;
  const absl::Time start_ = clock_.Now();
  std::shared_ptr<CapturingLogSink> sink_ = std::make_shared<CapturingLogSink>();
  std::mutex mu_;
  std::vector<std::string> runs_;
};

TEST_F(TimerQueueTest, OneShotTasksRunInDueOrderOnlyOnceTheClockReachesThem) {
  auto q = Make(1);
  auto c = q->At(start_ + absl::Seconds(3), [&] { Record("c"); });
  auto a = q->At(start_ + absl::Seconds(1), [&] { Record("a"); });
  auto b = q->After(absl::Seconds(2), [&] { Record("b"); });
  auto a2 = q->At(start_ + absl::Seconds(1), [&] { Record("a2"); });
  q->AwaitIdle();
  clock_.Advance(absl::Milliseconds(999));
  q->AwaitIdle();
  EXPECT_TRUE(Runs().empty()) << "nothing is due before its time";
  clock_.Advance(absl::Milliseconds(1));
  q->AwaitIdle();
  EXPECT_THAT(Runs(), ElementsAre("a", "a2")) << "same time: the order they were scheduled in";
  clock_.Advance(absl::Seconds(5));
  q->AwaitIdle();
  EXPECT_THAT(Runs(), ElementsAre("a", "a2", "b", "c"));
  clock_.Advance(absl::Seconds(5));
  q->AwaitIdle();
  EXPECT_EQ(Runs().size(), 4u) << "one-shot tasks run once";
}

TEST_F(TimerQueueTest, PeriodicTicksFollowTheScheduleNotTheEndOfTheLastRun) {
  auto q = Make(2);
  std::vector<absl::Time> starts;
  std::atomic<int> inside{0};
  std::atomic<int> overlapped{0};
  auto every = q->Every(absl::Seconds(1), [&] {
    if (++inside > 1) ++overlapped;
    starts.push_back(clock_.Now());
    clock_.Advance(absl::Milliseconds(300));  // the run takes 300 ms
    --inside;
  });
  for (int i = 1; i <= 3; ++i) {
    q->AwaitIdle();
    clock_.SetTime(start_ + absl::Seconds(i));
  }
  q->AwaitIdle();
  // Drifting (end of run + period) would start the runs at +1.3 s and +2.6 s, not on the ticks.
  EXPECT_THAT(starts, ElementsAre(start_, start_ + absl::Seconds(1), start_ + absl::Seconds(2),
                                  start_ + absl::Seconds(3)));
  EXPECT_EQ(overlapped, 0);
}

TEST_F(TimerQueueTest, TicksMissedWhileARunWasLateAreDroppedNotRunInABurst) {
  auto q = Make(2);
  std::atomic<int> runs{0};
  auto every = q->Every(absl::Seconds(1), [&] { ++runs; });
  q->AwaitIdle();
  EXPECT_EQ(runs, 1) << "no initial delay: the first run is at once";
  clock_.Advance(absl::Milliseconds(5500));
  q->AwaitIdle();
  EXPECT_EQ(runs, 2) << "five ticks passed at once: one run";
  clock_.Advance(absl::Milliseconds(499));
  q->AwaitIdle();
  EXPECT_EQ(runs, 2);
  clock_.Advance(absl::Milliseconds(1));
  q->AwaitIdle();
  EXPECT_EQ(runs, 3) << "the schedule continues on the tick at +6 s";
  clock_.Advance(absl::Seconds(4));
  q->AwaitIdle();
  EXPECT_EQ(runs, 4) << "a late run landing on a tick (+10 s) stands for it too";
  clock_.Advance(absl::Seconds(1));
  q->AwaitIdle();
  EXPECT_EQ(runs, 5);
}

TEST_F(TimerQueueTest, InitialDelayAndJitterPlaceEachRunWithinItsTicksWindow) {
  auto q = Make(1);
  std::vector<absl::Duration> at;
  auto every = q->Every(absl::Seconds(10), [&] { at.push_back(clock_.Now() - start_); },
                        {.initial_delay = absl::Seconds(5), .jitter_factor = 0.5});
  for (int i = 0; i < 30; ++i) {
    clock_.Advance(absl::Milliseconds(100) * 10);
    q->AwaitIdle();
  }
  ASSERT_EQ(at.size(), 3u);
  EXPECT_GE(at[0], absl::Seconds(5));
  EXPECT_LE(at[0], absl::Seconds(10));
  EXPECT_GE(at[1], absl::Seconds(15));
  EXPECT_LE(at[1], absl::Seconds(20));
  EXPECT_GE(at[2], absl::Seconds(25));
  EXPECT_LE(at[2], absl::Seconds(30));
}

TEST_F(TimerQueueTest, CancelledOrDroppedHandlesNeverRunAgain) {
  auto q = Make(2);
  std::atomic<int> once{0}, periodic{0}, dropped{0};
  auto h = q->After(absl::Seconds(1), [&] { ++once; });
  auto p = q->Every(absl::Seconds(1), [&] { ++periodic; });
  { auto gone = q->After(absl::Seconds(1), [&] { ++dropped; }); }
  q->AwaitIdle();
  h.Cancel();
  h.Cancel();  // idempotent
  clock_.Advance(absl::Seconds(1));
  q->AwaitIdle();
  EXPECT_EQ(periodic, 2);
  p = TimerQueue::Handle();  // reassigning cancels too
  clock_.Advance(absl::Seconds(5));
  q->AwaitIdle();
  EXPECT_EQ(once, 0);
  EXPECT_EQ(dropped, 0);
  EXPECT_EQ(periodic, 2);
}

TEST_F(TimerQueueTest, CancelReturnsOnlyAfterARunInProgressHasReturned) {
  auto q = Make(2);
  absl::Notification entered, release;
  std::atomic<bool> returned{false};
  auto h = q->After(absl::Seconds(1), [&] {
    entered.Notify();
    release.WaitForNotification();
    returned = true;
  });
  clock_.Advance(absl::Seconds(1));
  entered.WaitForNotification();
  std::atomic<bool> cancelled{false};
  std::thread canceller([&] {
    h.Cancel();
    EXPECT_TRUE(returned) << "the caller may now destroy what the task uses";
    cancelled = true;
  });
  // A Cancel that did not wait would return while the task is still held: give it the chance
  // before letting the task go (a correct Cancel never returns in this window, so this never flakes).
  // 50 ms of yielding, not a count: on a loaded machine 100,000 yields took over a minute.
  for (const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
       !cancelled && std::chrono::steady_clock::now() < until;) {
    std::this_thread::yield();
  }
  release.Notify();
  canceller.join();
}

TEST_F(TimerQueueTest, APeriodicTaskMayCancelItself) {
  auto q = Make(1);
  std::atomic<int> runs{0};
  TimerQueue::Handle h;
  std::mutex hm;
  {
    std::lock_guard<std::mutex> l(hm);
    h = q->Every(absl::Seconds(1), [&] {
      if (++runs < 2) return;
      std::lock_guard<std::mutex> l(hm);
      h.Cancel();
    });
  }
  for (int i = 0; i < 4; ++i) {
    clock_.Advance(absl::Seconds(1));
    q->AwaitIdle();
  }
  EXPECT_EQ(runs, 2);
}

TEST_F(TimerQueueTest, ASlowTaskDoesNotDelayTasksOnAnotherThread) {
  auto q = Make(2);
  absl::Notification slow_entered, release, fast_ran;
  auto slow = q->After(absl::Seconds(1), [&] {
    slow_entered.Notify();
    release.WaitForNotification();
  });
  auto fast = q->After(absl::Seconds(2), [&] { fast_ran.Notify(); });
  clock_.Advance(absl::Seconds(1));
  slow_entered.WaitForNotification();
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(fast_ran.WaitForNotificationWithTimeout(absl::Seconds(30))) << "ran while the slow task held a thread";
  release.Notify();
  q->AwaitIdle();
}

TEST_F(TimerQueueTest, AwaitIdleWaitsForWorkATaskHandedElsewhere) {
  auto q = Make(1);
  absl::Notification handed, release;
  std::atomic<bool> finished{false};
  std::thread elsewhere;
  auto h = q->After(absl::Seconds(1), [&] {
    elsewhere = std::thread([&, token = q->TrackWork()] {
      release.WaitForNotification();
      finished = true;
    });
    handed.Notify();
  });
  clock_.Advance(absl::Seconds(1));
  handed.WaitForNotification();
  std::thread releaser([&] { release.Notify(); });
  q->AwaitIdle();
  EXPECT_TRUE(finished) << "the token was alive until the work ended";
  releaser.join();
  elsewhere.join();
}

TEST_F(TimerQueueTest, StopWaitsForRunningTasksAndNothingRunsAfterwards) {
  auto q = Make(2);
  absl::Notification entered, release;
  std::atomic<bool> returned{false};
  std::atomic<int> later{0};
  auto running = q->After(absl::Seconds(1), [&] {
    entered.Notify();
    release.WaitForNotification();
    returned = true;
  });
  auto pending = q->After(absl::Seconds(10), [&] { ++later; });
  clock_.Advance(absl::Seconds(1));
  entered.WaitForNotification();
  std::thread releaser([&] { release.Notify(); });
  q->Stop();
  EXPECT_TRUE(returned);
  auto after_stop = q->At(clock_.Now(), [&] { ++later; });
  clock_.Advance(absl::Seconds(20));
  q->AwaitIdle();  // returns at once once stopped
  q.reset();
  EXPECT_EQ(later, 0);
  releaser.join();
  // `running`, `pending` and `after_stop` outlive their queue; destroying them is harmless.
}

TEST_F(TimerQueueTest, ATaskThatThrowsFailsThatRunOnlyAndIsLoggedByName) {
  auto q = Make(1);
  std::atomic<int> runs{0};
  auto flaky = q->Every(absl::Seconds(1), [&] {
    if (++runs == 1) throw std::out_of_range("stoi");
  }, {.name = "flaky loop"});
  auto odd = q->After(absl::Milliseconds(500), [] { throw 42; }, "odd one");
  auto fine = q->After(absl::Seconds(2), [&] { Record("fine"); });
  q->AwaitIdle();
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(sink_->Count("timer task flaky loop"), 1) << ::testing::PrintToString(sink_->Lines());
  EXPECT_EQ(sink_->Count("stoi"), 1);
  clock_.Advance(absl::Milliseconds(500));
  q->AwaitIdle();
  EXPECT_EQ(sink_->Count("timer task odd one"), 1) << "a throw that is no std::exception is caught too";
  clock_.Advance(absl::Milliseconds(500));
  q->AwaitIdle();
  EXPECT_EQ(runs, 2) << "the periodic task keeps its schedule after a throw";
  clock_.Advance(absl::Seconds(1));
  q->AwaitIdle();
  EXPECT_EQ(runs, 3);
  EXPECT_THAT(Runs(), ElementsAre("fine")) << "the queue's other tasks ran";
}

// What a closure owns may call back into the queue when it is destroyed (a Handle cancels, a
// completion schedules a retry): the queue must destroy closures outside its lock.
TEST_F(TimerQueueTest, AClosureWhoseDestructorCallsIntoTheQueueIsDestroyedOutsideItsLock) {
  auto q = Make(1);
  std::atomic<int> destroyed{0};
  struct CallsBack {
    TimerQueue* q;
    std::atomic<int>* destroyed;
    TimerQueue::Handle other;
    ~CallsBack() {
      other.Cancel();
      auto retry = q->After(absl::Seconds(1), [] {});
      ++*destroyed;
    }
  };
  auto make = [&] {
    return std::make_shared<CallsBack>(q.get(), &destroyed, q->After(absl::Hours(1), [] {}));
  };
  // Destroyed by the worker after its run, by Cancel before any run, by Stop unrun.
  auto ran = q->After(absl::Seconds(1), [g = make(), this] { Record("ran"); });
  auto cancelled = q->After(absl::Seconds(1), [g = make()] {});
  cancelled.Cancel();
  EXPECT_EQ(destroyed, 1);
  clock_.Advance(absl::Seconds(1));
  q->AwaitIdle();
  EXPECT_THAT(Runs(), ElementsAre("ran"));
  EXPECT_EQ(destroyed, 2);
  auto pending = q->After(absl::Seconds(10), [g = make()] {});
  q->Stop();
  EXPECT_EQ(destroyed, 3);
}

// A backward wall-clock step (NTP, an operator) must not stretch a timer by the step: After(5s)
// fires after 5 s of the clock's progress, however far the wall clock went back meanwhile.
TEST_F(TimerQueueTest, AfterABackwardClockStepATimerFiresAfterItsDelayNotTheDelayPlusTheStep) {
  auto q = Make(1);
  auto h = q->After(absl::Seconds(5), [&] { Record("fired"); });
  clock_.Advance(absl::Seconds(2));
  q->AwaitIdle();
  clock_.StepBack(absl::Hours(1));
  clock_.AwaitSleepers(1);  // the queue's clock thread has seen the step and waits again
  clock_.Advance(absl::Seconds(3) - absl::Milliseconds(1));
  q->AwaitIdle();
  EXPECT_TRUE(Runs().empty()) << "not before its 5 s";
  clock_.Advance(absl::Milliseconds(1));
  q->AwaitIdle();
  EXPECT_THAT(Runs(), ElementsAre("fired")) << "5 s after it was set, not 1 h 5 s";
}

}  // namespace
}  // namespace cubelet
