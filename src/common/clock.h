// Owns: the Clock interface every component takes time from, the real clock and a fake clock
// that tests advance by hand.
// Does not own: timers or timer queues (they are built on top of a Clock).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace cubelet {

// Thread-safe. SleepFor blocks the calling thread until the clock has advanced by `d`.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  virtual void SleepFor(absl::Duration d) = 0;
};

class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  void SleepFor(absl::Duration d) override { absl::SleepFor(d); }
};

// Time moves only when Advance() or SetTime() is called; sleepers wake when their deadline passes.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1764000000)) : now_(start) {}
  absl::Time Now() const override;
  void SleepFor(absl::Duration d) override;
  void Advance(absl::Duration d);
  void SetTime(absl::Time t);
  // Blocks until at least `n` threads are inside SleepFor, so that a test advances time only
  // after the sleepers it means to wake have taken their deadline.
  void AwaitSleepers(int n) const;

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  int sleepers_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace cubelet
