// Owns: BoundedExecutor, a fixed pool of threads that runs submitted tasks in FIFO order: the
// place for blocking work that must not hold its caller's thread (container kills, preStop hooks).
// Does not own: timing (tasks run as soon as a thread is free) or what the tasks do.
//
// Thread-safe. The pool never grows: when every thread is busy, tasks wait in the queue.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "common/logger.h"

namespace cubelet {

class BoundedExecutor {
 public:
  using Task = absl::AnyInvocable<void() &&>;

  // Starts `threads` (at least 1) threads. `name` says whose pool it is in logs.
  BoundedExecutor(int threads, std::string name, Logger logger);
  // Stops: tasks still queued are destroyed without running (whoever waits on them must notice
  // through what the task owns, e.g. a completion that fires when its last owner goes), tasks
  // running are waited for.
  ~BoundedExecutor();
  BoundedExecutor(const BoundedExecutor&) = delete;
  BoundedExecutor& operator=(const BoundedExecutor&) = delete;

  // Queues `task`; never blocks. A task submitted during destruction is destroyed unrun.
  void Submit(Task task);

  int threads() const { return static_cast<int>(threads_.size()); }
  // Tasks waiting for a thread (not counting those running); for tests and metrics.
  size_t Queued() const;

 private:
  void Loop(std::stop_token stop);

  const std::string name_;
  Logger logger_;
  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  std::deque<Task> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::jthread> threads_;  // last: joined before the queue goes
};

}  // namespace cubelet
