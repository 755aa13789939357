// Owns: TimerQueue, the one clock-driven timer queue and executor the node agent's loops run on
// (PLEG relist, probe schedule, housekeeping, garbage collection, the pod workers' sync tick):
// one-shot and periodic tasks, cancelled by handle, run on a small fixed set of threads. It takes
// time only from its Clock, so under a FakeClock the production schedule itself runs: Advance()
// fires exactly the tasks it made due, and AwaitIdle() is the sync point that says they have run.
// Does not own: what tasks do, or a pool for blocking work (a task that blocks holds one of the
// queue's threads: hand such work elsewhere and keep AwaitIdle() honest with TrackWork()).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "common/clock.h"
#include "common/logger.h"

namespace cubelet {

namespace timer_queue_internal {
struct Core;
}  // namespace timer_queue_internal

struct TimerQueueOptions {
  int threads = 2;  // tasks run on these; one more thread waits on the clock
};

struct TimerQueueEveryOptions {
  // The first tick comes this long after Every() (zero: at once).
  absl::Duration initial_delay = absl::ZeroDuration();
  // Each run starts up to jitter_factor * period after its tick (upstream's wait.Jitter), so that
  // many tasks of one period do not run in step. The ticks themselves never drift.
  double jitter_factor = 0;
  // Names the task in the queue's log lines (a task that threw, say): "pleg relist".
  std::string name = {};
};

// Thread-safe. Lock order: a caller's locks may be held while scheduling (At, After, Every), never
// while cancelling (Cancel waits for a run in progress, which may need them).
class TimerQueue {
 public:
  using Task = std::function<void()>;

  using Options = TimerQueueOptions;
  using EveryOptions = TimerQueueEveryOptions;

  // A scheduled task. Destroying or reassigning a handle cancels its task. Move-only; a
  // default-constructed handle refers to no task. A handle may outlive its queue.
  class Handle {
   public:
    Handle() = default;
    Handle(Handle&& other) noexcept;
    Handle& operator=(Handle&& other) noexcept;
    ~Handle();

    // When Cancel returns the task will not start again and a run in progress on another thread
    // has returned, so the caller may destroy what the task uses. A task may cancel itself (it
    // does not wait for itself then). Idempotent.
    void Cancel();

   private:
    friend class TimerQueue;
    Handle(std::shared_ptr<timer_queue_internal::Core> core, uint64_t id);
    std::shared_ptr<timer_queue_internal::Core> core_;
    uint64_t id_ = 0;
  };

  // Work a task handed elsewhere (an asynchronous call, another pool): while a token is alive
  // AwaitIdle() counts the queue as busy. Move-only.
  class WorkToken {
   public:
    WorkToken(WorkToken&& other) noexcept;
    WorkToken& operator=(WorkToken&& other) noexcept;
    ~WorkToken();

   private:
    friend class TimerQueue;
    explicit WorkToken(std::shared_ptr<timer_queue_internal::Core> core);
    void Release();
    std::shared_ptr<timer_queue_internal::Core> core_;
  };

  TimerQueue(Clock* clock, Logger logger, Options options = {});
  ~TimerQueue();  // Stop()
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  // Runs `task` once when the clock reaches `when` (at once when it has). Tasks due at the same
  // time start in the order they were scheduled. `name` names it in the queue's log lines.
  //
  // For every task: one that throws is logged with its name and the queue goes on (a periodic
  // task keeps its schedule); the closure is destroyed outside the queue's lock, so what it owns
  // (a Handle, say) may cancel or schedule tasks of this queue from its destructor.
  [[nodiscard]] Handle At(absl::Time when, Task task, std::string name = {});
  [[nodiscard]] Handle After(absl::Duration delay, Task task, std::string name = {});
  // Runs `task` on every tick: tick n is at first + n * period however long runs take (the next
  // run is due one period after the previous one was due, not after it ended). Runs never
  // overlap: ticks that pass while a run is still going are dropped, not run in a burst.
  // `period` must be positive (a broken invariant otherwise: the process aborts).
  [[nodiscard]] Handle Every(absl::Duration period, Task task, EveryOptions options = {});

  WorkToken TrackWork();

  // Blocks until no task due at the clock's Now() (read on entry) is waiting, none is running and
  // no WorkToken is alive: under a FakeClock, "what Advance() made due has run". Returns at once
  // once stopped. Must not be called from a task (it would wait for itself).
  void AwaitIdle();

  // Cancels every task, waits for the runs in progress to return and joins the threads. Tasks
  // scheduled afterwards never run. Idempotent; called by the owner, never from a task.
  void Stop();

  Clock* clock() const { return clock_; }

 private:
  Clock* clock_;
  std::shared_ptr<timer_queue_internal::Core> core_;
  std::vector<std::jthread> threads_;  // the dispatcher (waits on the clock), then the workers
};

}  // namespace cubelet
