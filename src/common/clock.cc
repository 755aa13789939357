#include "common/clock.h"

#include <algorithm>
#include <utility>

namespace cubelet {

void Wakeup::Notify() {
  {
    absl::MutexLock lock(&mu_);
    notified_ = true;
  }
  // Taken (and released) after notified_ is set, so that a RealClock waiter between its check
  // and its wait cannot miss the signal.
  { std::lock_guard<std::mutex> real(real_mu_); }
  real_cv_.notify_all();
}

bool RealClock::WaitUntil(absl::Time deadline, Wakeup& wakeup) {
  auto notified = [&wakeup] {
    absl::MutexLock lock(&wakeup.mu_);
    return std::exchange(wakeup.notified_, false);
  };
  std::unique_lock<std::mutex> real(wakeup.real_mu_);
  if (deadline == absl::InfiniteFuture()) {
    wakeup.real_cv_.wait(real, [&] { return notified(); });
    return false;
  }
  // A relative, monotonic wait (wait_for uses steady_clock), re-reading the wall clock between
  // rounds so that the deadline still means wall time.
  absl::Time last = absl::Now();
  while (true) {
    if (notified()) return absl::Now() >= deadline;
    const absl::Time now = absl::Now();
    // The wall clock stepped back: return, so that the caller re-reads the time and re-plans
    // (a deadline computed before the step may now be far away).
    if (now < last - absl::Seconds(1)) return false;
    last = now;
    const absl::Duration left = deadline - now;
    if (left <= absl::ZeroDuration()) return true;
    wakeup.real_cv_.wait_for(real, absl::ToChronoNanoseconds(std::min(left, absl::Seconds(1))));
  }
}

absl::Duration RealClock::Monotonic() const {
  return absl::FromChrono(std::chrono::steady_clock::now().time_since_epoch());
}

absl::Duration FakeClock::Monotonic() const {
  absl::MutexLock lock(&mu_);
  return monotonic_;
}

absl::Time FakeClock::Now() const {
  absl::MutexLock lock(&mu_);
  steps_seen_[std::this_thread::get_id()] = steps_back_;
  return now_;
}

void FakeClock::SleepFor(absl::Duration d) {
  Wakeup wakeup;  // never notified: only the deadline ends this wait
  WaitUntil(Now() + d, wakeup);
}

bool FakeClock::WaitUntil(absl::Time deadline, Wakeup& wakeup) {
  {
    // Registered before waiting, so an Advance() between here and the wait is not missed.
    absl::MutexLock lock(&mu_);
    // The caller's deadline comes from a Now() read before a step back: re-plan at once, as a
    // RealClock waiter does when the step comes during its wait.
    if (auto seen = steps_seen_.find(std::this_thread::get_id());
        seen != steps_seen_.end() && seen->second < steps_back_) {
      seen->second = steps_back_;
      return false;
    }
    absl::MutexLock w(&wakeup.mu_);
    wakeup.deadline_passed_ = now_ >= deadline;
    wakeup.stepped_back_ = false;
    waiters_.push_back({deadline, &wakeup});
  }
  bool reached;
  {
    absl::MutexLock w(&wakeup.mu_);
    auto woken = [&wakeup]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(wakeup.mu_) {
      return wakeup.notified_ || wakeup.deadline_passed_ || wakeup.stepped_back_;
    };
    wakeup.mu_.Await(absl::Condition(&woken));
    reached = wakeup.deadline_passed_ && !wakeup.stepped_back_;
    wakeup.notified_ = false;
    wakeup.stepped_back_ = false;
  }
  absl::MutexLock lock(&mu_);
  // Unregistered under mu_: Advance() never touches a Wakeup whose wait has ended.
  std::erase_if(waiters_, [&wakeup](const Waiter& w) { return w.wakeup == &wakeup; });
  return reached;
}

void FakeClock::AwaitSleepers(int n) const {
  absl::MutexLock lock(&mu_);
  auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return static_cast<int>(waiters_.size()) >= n; };
  mu_.Await(absl::Condition(&enough));
}

void FakeClock::WakeDue() {
  for (const Waiter& w : waiters_) {
    if (w.deadline > now_) continue;
    absl::MutexLock lock(&w.wakeup->mu_);
    w.wakeup->deadline_passed_ = true;
  }
}

void FakeClock::Advance(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  now_ += d;
  monotonic_ += d;
  WakeDue();
}

void FakeClock::WakeAllSteppedBack() {
  ++steps_back_;
  for (const Waiter& w : waiters_) {
    absl::MutexLock lock(&w.wakeup->mu_);
    w.wakeup->stepped_back_ = true;
  }
  // Unregistered here (their own unregistration then finds nothing): a waiter counts for
  // AwaitSleepers again only once it has re-read the time and waits anew.
  waiters_.clear();
}

void FakeClock::SetTime(absl::Time t) {
  absl::MutexLock lock(&mu_);
  const bool back = t < now_;
  if (!back) monotonic_ += t - now_;
  now_ = t;
  if (back) {
    WakeAllSteppedBack();
  } else {
    WakeDue();
  }
}

void FakeClock::StepBack(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  now_ -= d;
  if (d > absl::ZeroDuration()) WakeAllSteppedBack();
}

}  // namespace cubelet
