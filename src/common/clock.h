// Owns: the Clock interface every component takes time from, the real clock and a fake clock
// that tests advance by hand, and Wakeup, the flag a thread waiting on a clock is woken with.
// Does not own: timers or timer queues (common/timer_queue.h is built on top of a Clock).
#pragma once

#include <chrono>  // kept: users of clock.h include these through it
#include <cstdint>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
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
  bool stepped_back_ ABSL_GUARDED_BY(mu_) = false;     // set by FakeClock when time goes back
  // RealClock waits on a condition variable timed by the monotonic clock: absl's waits end at an
  // absolute wall-clock time, so a wall clock stepped back would stretch them by the step.
  std::mutex real_mu_;
  std::condition_variable real_cv_;
};

// Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time: what deadlines and timestamps are written in. It may step back.
  virtual absl::Time Now() const = 0;
  // Time since an arbitrary origin that never steps: the wall clock's progress without its
  // steps. The difference Now() - Monotonic() changes exactly when the wall clock is stepped.
  virtual absl::Duration Monotonic() const = 0;
  // Blocks the calling thread until the clock has advanced by `d`.
  virtual void SleepFor(absl::Duration d) = 0;
  // Blocks until Now() reaches `deadline` or `wakeup` is notified, whichever comes first, and
  // consumes the notification. Returns true when the deadline was reached. One thread waits on
  // a Wakeup at a time. absl::InfiniteFuture() waits for a notification only.
  // Also returns (false) when the wall clock steps back, so that the caller re-reads Now() and
  // re-plans: a deadline computed before the step may now be the step's length away.
  virtual bool WaitUntil(absl::Time deadline, Wakeup& wakeup) = 0;
};

class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  absl::Duration Monotonic() const override;
  void SleepFor(absl::Duration d) override { absl::SleepFor(d); }
  bool WaitUntil(absl::Time deadline, Wakeup& wakeup) override;
};

// Time moves only when Advance(), SetTime() or StepBack() is called; waiters wake when their
// deadline passes, and when time goes back (as RealClock's waiters do on a wall-clock step).
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1764000000)) : now_(start) {}
  absl::Time Now() const override;
  // Moved by Advance() and a forward SetTime(); never by a step back.
  absl::Duration Monotonic() const override;
  void SleepFor(absl::Duration d) override;
  bool WaitUntil(absl::Time deadline, Wakeup& wakeup) override;
  // Moves time forward and wakes, before returning, every waiter whose deadline it reached.
  void Advance(absl::Duration d);
  // An earlier `t` is a backward step (see StepBack).
  void SetTime(absl::Time t);
  // Steps the wall clock back by `d` > 0, as NTP or an operator does: before returning, every
  // thread inside WaitUntil is woken to return false (RealClock's waiters return on a step of
  // more than a second; here any step back wakes them) and stops counting for AwaitSleepers
  // until it waits again, so AwaitSleepers(n) afterwards says the waiters have re-planned.
  // A thread that read Now() before the step and calls WaitUntil after it (its deadline was
  // computed from the old time) returns false at once, without waiting.
  void StepBack(absl::Duration d);
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
  // Wakes and unregisters every waiter: time went back.
  void WakeAllSteppedBack() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Lock order: mu_, then a waiter's Wakeup::mu_.
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  absl::Duration monotonic_ ABSL_GUARDED_BY(mu_) = absl::Hours(1);
  std::vector<Waiter> waiters_ ABSL_GUARDED_BY(mu_);
  uint64_t steps_back_ ABSL_GUARDED_BY(mu_) = 0;
  // How many steps back each thread had seen at its last Now().
  mutable std::map<std::thread::id, uint64_t> steps_seen_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cubelet
