#include "common/timer_queue.h"

#include <cmath>
#include <cstdlib>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "common/strings.h"
#include "absl/synchronization/mutex.h"
#include "common/thread_entry.h"

namespace cubelet {
namespace timer_queue_internal {

struct Core {
  Core(Clock* c, Logger l) : clock(c), logger(std::move(l)) {}

  struct Entry {
    TimerQueue::Task fn;
    std::string name;       // for log lines; may be empty
    absl::Duration period;  // zero for a one-shot task
    double jitter_factor = 0;
    absl::Time tick;        // when the current run is due without jitter (periodic tasks)
    absl::Time when;        // when the current run is due; its key in `timers`
    bool cancelled = false;  // set while it runs; the worker drops it after the run
  };

  // Schedules a new task; returns its id, or 0 when stopping (the task never runs).
  uint64_t Add(absl::Time tick, absl::Duration period, double jitter_factor, TimerQueue::Task fn,
               std::string name);
  void Cancel(uint64_t id);
  void DispatchLoop();
  void WorkerLoop();
  // Puts the entry on the timer list at its `when`; wakes the dispatcher when it is the earliest.
  void Arm(uint64_t id, Entry& e) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::Time Jittered(absl::Time tick, const Entry& e) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Runs one task; what it throws fails that run only (logged with the task's name).
  void Run(uint64_t id, const Entry& e) const;

  Clock* const clock;
  const Logger logger;

  // Lock order: mu, then the clock's lock; the dispatcher waits on the clock without mu.
  absl::Mutex mu;
  std::map<uint64_t, Entry> tasks ABSL_GUARDED_BY(mu);  // every live task: on `timers`, `ready` or running
  std::set<std::pair<absl::Time, uint64_t>> timers ABSL_GUARDED_BY(mu);  // (when, id): ids break ties FIFO
  std::deque<uint64_t> ready ABSL_GUARDED_BY(mu);  // due, waiting for a worker
  std::map<uint64_t, std::thread::id> running ABSL_GUARDED_BY(mu);
  int work ABSL_GUARDED_BY(mu) = 0;  // live WorkTokens
  bool stopping ABSL_GUARDED_BY(mu) = false;
  uint64_t next_id ABSL_GUARDED_BY(mu) = 1;
  std::mt19937_64 rng ABSL_GUARDED_BY(mu){std::random_device{}()};
  Wakeup dispatcher_wakeup;  // raised when an earlier timer is armed, and on stop
  // The wall clock's offset from the monotonic clock when the dispatcher last looked; read
  // first by the constructor, so that a step before the dispatcher's first look still counts.
  absl::Duration last_offset;  // the dispatcher's own once it runs
};

// How far the clock may go back between two dispatcher wake-ups before timers are moved, and
// how often the dispatcher wakes at least to look.
constexpr absl::Duration kClockStepTolerance = absl::Seconds(1);
constexpr absl::Duration kClockCheckInterval = absl::Seconds(1);

absl::Time Core::Jittered(absl::Time tick, const Entry& e) {
  if (e.jitter_factor <= 0) return tick;
  std::uniform_real_distribution<double> dist(0.0, e.jitter_factor);
  return tick + e.period * dist(rng);
}

void Core::Arm(uint64_t id, Entry& e) {
  const auto it = timers.emplace(e.when, id).first;
  if (it == timers.begin()) dispatcher_wakeup.Notify();
}

uint64_t Core::Add(absl::Time tick, absl::Duration period, double jitter_factor, TimerQueue::Task fn,
                   std::string name) {
  TimerQueue::Task unrun;  // declared before the lock: destroyed after it is released
  absl::MutexLock lock(&mu);
  if (stopping) {
    unrun = std::move(fn);
    return 0;
  }
  const uint64_t id = next_id++;
  Entry& e = tasks[id];
  e.fn = std::move(fn);
  e.name = std::move(name);
  e.period = period;
  e.jitter_factor = jitter_factor;
  e.tick = tick;
  e.when = Jittered(tick, e);
  Arm(id, e);
  return id;
}

void Core::Cancel(uint64_t id) {
  // Declared before the lock, so the closure is destroyed after it is released: its destructor
  // may cancel or schedule tasks of this queue.
  decltype(tasks)::node_type cancelled;
  absl::MutexLock lock(&mu);
  auto it = tasks.find(id);
  if (it == tasks.end()) return;
  auto run = running.find(id);
  if (run == running.end()) {
    if (!timers.erase({it->second.when, id})) std::erase(ready, id);
    cancelled = tasks.extract(it);
    return;
  }
  it->second.cancelled = true;
  if (run->second == std::this_thread::get_id()) return;  // a task cancelling itself
  auto returned = [this, id]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return !running.contains(id); };
  mu.Await(absl::Condition(&returned));
}

// The wall clock's offset from the monotonic clock, and the wall time it was read at. The two
// reads are retried until no time passed between them (a FakeClock advanced meanwhile by another
// thread would otherwise show a step that never happened).
absl::Duration WallOffset(const Clock& clock, absl::Time& now) {
  while (true) {
    const absl::Duration before = clock.Monotonic();
    now = clock.Now();
    const absl::Duration after = clock.Monotonic();
    if (after - before < absl::Milliseconds(10)) return (now - absl::UnixEpoch()) - after;
  }
}

void Core::DispatchLoop() {
  absl::MutexLock lock(&mu);
  absl::Time now;
  while (!stopping) {
    const absl::Duration offset = WallOffset(*clock, now);
    // The wall clock stepped back (NTP, an operator): move every timer back by the step, so that
    // After(5s) still fires 5 s (of monotonic progress) after it was set, and a loop's next run
    // stays one period away instead of waiting out the step. The step is the change of the wall
    // clock's offset from the monotonic clock: forward progress the dispatcher slept through
    // does not count.
    if (const absl::Duration step = offset - last_offset; step < -kClockStepTolerance) {
      logger.Warning("The clock stepped back; rescheduling timers by the same amount", {{"step", step}});
      std::set<std::pair<absl::Time, uint64_t>> moved;
      for (const auto& [when, id] : timers) {
        tasks[id].when = when + step;
        moved.emplace(when + step, id);
      }
      timers = std::move(moved);
    }
    last_offset = offset;
    while (!timers.empty() && timers.begin()->first <= now) {
      ready.push_back(timers.begin()->second);
      timers.erase(timers.begin());
    }
    // Waits without mu: scheduling meanwhile raises the wake-up, which the wait consumes. The
    // wait is bounded so that a step back is noticed within kClockCheckInterval.
    const absl::Time next = std::min(timers.empty() ? absl::InfiniteFuture() : timers.begin()->first,
                                     now + kClockCheckInterval);
    mu.Unlock();
    clock->WaitUntil(next, dispatcher_wakeup);
    mu.Lock();
  }
}

void Core::Run(uint64_t id, const Entry& e) const {
  // A library's throw fails this run only: the queue and every other loop on it go on, and a
  // periodic task runs again on its next tick.
  const std::string what = e.name.empty() ? StrCat("timer task #", id) : StrCat("timer task ", e.name);
  (void)RunGuarded(logger, "timer-queue", what, e.fn);
}

void Core::WorkerLoop() {
  absl::MutexLock lock(&mu);
  auto has_work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return stopping || !ready.empty(); };
  while (true) {
    mu.Await(absl::Condition(&has_work));
    if (stopping) return;
    const uint64_t id = ready.front();
    ready.pop_front();
    // Entries are erased only by this worker while it runs them (Cancel waits), so `e` stays valid.
    Entry& e = tasks.at(id);
    running.emplace(id, std::this_thread::get_id());
    const absl::Time started = clock->Now();
    mu.Unlock();
    Run(id, e);
    mu.Lock();
    if (e.cancelled || stopping || e.period == absl::ZeroDuration()) {
      // Destroyed without mu (its destructor may call into this queue), but while still counted
      // as running: Cancel returns only once what the task owns is gone too.
      TimerQueue::Task done = std::move(e.fn);
      mu.Unlock();
      done = nullptr;
      mu.Lock();
      running.erase(id);
      tasks.erase(id);
      continue;
    }
    running.erase(id);
    // The next tick is one period after this one. A late run stood for every tick up to its start,
    // and ticks that passed while it ran are dropped: the next run is never a burst of catch-ups.
    e.tick += e.period;
    if (e.tick <= started) e.tick += e.period * (std::floor(absl::FDivDuration(started - e.tick, e.period)) + 1);
    const absl::Time now = clock->Now();
    if (e.tick < now) e.tick += e.period * std::ceil(absl::FDivDuration(now - e.tick, e.period));
    e.when = Jittered(e.tick, e);
    Arm(id, e);
  }
}

}  // namespace timer_queue_internal

using timer_queue_internal::Core;

TimerQueue::Handle::Handle(std::shared_ptr<Core> core, uint64_t id) : core_(std::move(core)), id_(id) {}

TimerQueue::Handle::Handle(Handle&& other) noexcept
    : core_(std::move(other.core_)), id_(std::exchange(other.id_, 0)) {}

TimerQueue::Handle& TimerQueue::Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    Cancel();
    core_ = std::move(other.core_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

TimerQueue::Handle::~Handle() { Cancel(); }

void TimerQueue::Handle::Cancel() {
  if (core_ == nullptr || id_ == 0) return;
  core_->Cancel(id_);
  core_.reset();
  id_ = 0;
}

TimerQueue::WorkToken::WorkToken(std::shared_ptr<Core> core) : core_(std::move(core)) {
  absl::MutexLock lock(&core_->mu);
  ++core_->work;
}

TimerQueue::WorkToken::WorkToken(WorkToken&& other) noexcept : core_(std::move(other.core_)) {}

TimerQueue::WorkToken& TimerQueue::WorkToken::operator=(WorkToken&& other) noexcept {
  if (this != &other) {
    Release();
    core_ = std::move(other.core_);
  }
  return *this;
}

TimerQueue::WorkToken::~WorkToken() { Release(); }

void TimerQueue::WorkToken::Release() {
  if (core_ == nullptr) return;
  {
    absl::MutexLock lock(&core_->mu);
    --core_->work;
  }
  core_.reset();
}

TimerQueue::TimerQueue(Clock* clock, Logger logger, Options options)
    : clock_(clock), core_(std::make_shared<Core>(clock, std::move(logger))) {
  Core* core = core_.get();
  absl::Time now;
  core->last_offset = timer_queue_internal::WallOffset(*clock, now);
  threads_.push_back(StartThread(core->logger, "timer-clock", [core] { core->DispatchLoop(); }));
  for (int i = 0; i < std::max(options.threads, 1); ++i) {
    threads_.push_back(StartThread(core->logger, "timer-worker", [core] { core->WorkerLoop(); }));
  }
}

TimerQueue::~TimerQueue() { Stop(); }

TimerQueue::Handle TimerQueue::At(absl::Time when, Task task, std::string name) {
  const uint64_t id = core_->Add(when, absl::ZeroDuration(), 0, std::move(task), std::move(name));
  return Handle(id == 0 ? nullptr : core_, id);
}

TimerQueue::Handle TimerQueue::After(absl::Duration delay, Task task, std::string name) {
  return At(clock_->Now() + delay, std::move(task), std::move(name));
}

TimerQueue::Handle TimerQueue::Every(absl::Duration period, Task task, EveryOptions options) {
  if (period <= absl::ZeroDuration()) {
    core_->logger.Error("TimerQueue::Every needs a positive period; aborting", {{"period", period}});
    std::abort();
  }
  const uint64_t id =
      core_->Add(clock_->Now() + options.initial_delay, period, options.jitter_factor, std::move(task),
                 std::move(options.name));
  return Handle(id == 0 ? nullptr : core_, id);
}

TimerQueue::WorkToken TimerQueue::TrackWork() { return WorkToken(core_); }

void TimerQueue::AwaitIdle() {
  Core& c = *core_;
  // Read once: a Condition must depend only on state the mutex guards (and constants).
  const absl::Time now = clock_->Now();
  auto idle = [&c, now]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(c.mu) {
    if (c.stopping) return true;
    if (!c.ready.empty() || !c.running.empty() || c.work > 0) return false;
    return c.timers.empty() || c.timers.begin()->first > now;
  };
  absl::MutexLock lock(&c.mu, absl::Condition(&idle));
}

void TimerQueue::Stop() {
  {
    absl::MutexLock lock(&core_->mu);
    core_->stopping = true;
    core_->timers.clear();
    core_->ready.clear();
  }
  core_->dispatcher_wakeup.Notify();
  threads_.clear();  // joins; runs in progress finish first
  decltype(core_->tasks) unrun;
  {
    absl::MutexLock lock(&core_->mu);
    unrun.swap(core_->tasks);
  }
  unrun.clear();  // without mu: a closure's destructor may call into this queue (it is stopped)
}

}  // namespace cubelet
