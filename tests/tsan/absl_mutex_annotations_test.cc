// Built only in the tsan preset: state guarded by absl::Mutex, handed over by CondVar, Await and
// Notification, is not reported as a race. Without tests/tsan/absl_mutex_annotations.cc linked
// in, ThreadSanitizer cannot see Debian's (uninstrumented) absl::Mutex and reports each of these
// accesses, and the test binary exits with TSan's exit code.

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace {

TEST(AbslMutexAnnotationsTest, CountersGuardedByLockAndReaderLockAreRaceFree) {
  absl::Mutex mu;
  long counter ABSL_GUARDED_BY(mu) = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (i % 2 == 0) {
          absl::MutexLock lock(&mu);
          ++counter;
        } else if (mu.TryLock()) {
          ++counter;
          mu.Unlock();
        } else {
          absl::ReaderMutexLock lock(&mu);
          EXPECT_GE(counter, 0);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  absl::MutexLock lock(&mu);
  EXPECT_GE(counter, 2000);
}

TEST(AbslMutexAnnotationsTest, HandOffThroughCondVarAndAwaitIsRaceFree) {
  absl::Mutex mu;
  absl::CondVar cv;
  int stage ABSL_GUARDED_BY(mu) = 0;
  std::vector<int> payload;  // written before each hand-off, read after it, never under mu
  std::thread producer([&] {
    payload.push_back(1);
    {
      absl::MutexLock lock(&mu);
      stage = 1;
      cv.Signal();
    }
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(+[](int* s) { return *s == 2; }, &stage));
    EXPECT_EQ(payload.size(), 2u);
    payload.push_back(3);
    stage = 3;
  });
  {
    absl::MutexLock lock(&mu);
    while (stage != 1) cv.Wait(&mu);
  }
  EXPECT_EQ(payload.size(), 1u);
  payload.push_back(2);
  {
    absl::MutexLock lock(&mu);
    stage = 2;
  }
  mu.LockWhen(absl::Condition(+[](int* s) { return *s == 3; }, &stage));
  mu.Unlock();
  EXPECT_EQ(payload.size(), 3u);
  producer.join();
}

TEST(AbslMutexAnnotationsTest, WritesBeforeNotifyAreVisibleAfterEachWayOfWaiting) {
  for (int round = 0; round < 3; ++round) {
    absl::Notification done;
    int result = 0;
    std::thread worker([&] {
      result = 42;
      done.Notify();
    });
    if (round == 0) {
      done.WaitForNotification();
    } else if (round == 1) {
      // Abseil implements this through LockWhenWithTimeout and LockWhenWithDeadline: one lock.
      while (!done.WaitForNotificationWithTimeout(absl::Milliseconds(1))) {
      }
    } else {
      while (!done.HasBeenNotified()) std::this_thread::yield();
    }
    EXPECT_EQ(result, 42);
    worker.join();
  }
}

}  // namespace
