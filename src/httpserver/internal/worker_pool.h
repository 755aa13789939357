// Owns: the bounded pool of threads that run request handlers, so that a handler that blocks
// (a store write) never stalls an I/O thread.
// Does not own: what runs on it, or limiting the queue (each connection has at most one request
// in a handler, so the queue is bounded by the number of connections).
#pragma once

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/logger.h"

namespace cubelet::httpserver::internal {

// Thread-safe.
class WorkerPool {
 public:
  WorkerPool(int threads, Logger logger);
  ~WorkerPool();  // Stop()

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Starts the threads; once.
  void Start();
  // Queues `task`; false (and `task` is left untouched) once Stop has begun.
  bool Submit(std::function<void()>& task);
  // Refuses new tasks, destroys the queued ones without running them (their destructors run on
  // this thread, outside the lock), and joins the workers after their current task.
  void Stop();

 private:
  void Run();

  const int threads_count_;
  Logger logger_;
  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::jthread> threads_;  // written by Start and Stop only
};

}  // namespace cubelet::httpserver::internal
