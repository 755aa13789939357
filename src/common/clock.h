// Owns: the Clock interface every component takes time from, the real clock and a fake clock
// that tests advance by hand, and Wakeup, the flag a thread waiting on a clock is woken with.
// Does not own: timers or timer queues (common/timer_queue.h is built on top of a Clock).
#pragma once

#include <chrono>  // kept: users of clock.h include these through it
#include <condition_variable>
#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace cubelet {

// A flag that one thread waits on in Clock::WaitUntil and any thread raises with Notify(). A
// Notify() that comes before the wait is kept, so a wake-up is never lost. Thread-safe.
class Wakeup {
 public:
  void Notify();

 private:
  friend class RealClock;
  friend class FakeClock;
  absl::Mutex mu_;
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
  bool deadline_passed_ ABSL_GUARDED_BY(mu_) = false;  // set by FakeClock when time reaches it
  // RealClock waits on a condition variable timed by the monotonic clock: absl's waits end at an
  // absolute wall-clock time, so a wall clock stepped back would stretch them by the step.
  std::mutex real_mu_;
  std::condition_variable real_cv_;
};

// Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // Blocks the calling thread until the clock has advanced by `d`.
  virtual void SleepFor(absl::Duration d) = 0;
  // Blocks until Now() reaches `deadline` or `wakeup` is notified, whichever comes first, and
  // consumes the notification. Returns true when the deadline was reached. One thread waits on
  // a Wakeup at a time. absl::InfiniteFuture() waits for a notification only.
  virtual bool WaitUntil(absl::Time deadline, Wakeup& wakeup) = 0;
};

class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  void SleepFor(absl::Duration d) override { absl::SleepFor(d); }
  bool WaitUntil(absl::Time deadline, Wakeup& wakeup) override;
};

// Time moves only when Advance() or SetTime() is called; waiters wake when their deadline passes.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1764000000)) : now_(start) {}
  absl::Time Now() const override;
  void SleepFor(absl::Duration d) override;
  bool WaitUntil(absl::Time deadline, Wakeup& wakeup) override;
  // Moves time forward and wakes, before returning, every waiter whose deadline it reached.
  void Advance(absl::Duration d);
  void SetTime(absl::Time t);
  // Blocks until at least `n` threads are inside SleepFor or WaitUntil, so that a test advances
  // time only after the sleepers it means to wake have taken their deadline.
  void AwaitSleepers(int n) const;

 private:
  struct Waiter {
    absl::Time deadline;
    Wakeup* wakeup;
  };
  // Raises the deadline flag of every waiter whose deadline now_ has reached.
  void WakeDue() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Lock order: mu_, then a waiter's Wakeup::mu_.
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  std::vector<Waiter> waiters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cubelet
