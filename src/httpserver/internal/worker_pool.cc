#include "httpserver/internal/worker_pool.h"

#include <exception>
#include <utility>

#include "common/thread_entry.h"

namespace cubelet::httpserver::internal {

WorkerPool::WorkerPool(int threads, Logger logger)
    : threads_count_(threads > 0 ? threads : 1), logger_(std::move(logger)) {}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Start() {
  threads_.reserve(threads_count_);
  for (int i = 0; i < threads_count_; ++i) threads_.push_back(StartThread(logger_, "http-worker", [this] { Run(); }));
}

bool WorkerPool::Submit(std::function<void()>& task) {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return false;
    queue_.push_back(std::move(task));
  }
  return true;
}

void WorkerPool::Stop() {
  std::deque<std::function<void()>> dropped;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    dropped.swap(queue_);
  }
  dropped.clear();
  for (std::jthread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void WorkerPool::Run() {
  for (;;) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;  // stopping
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    // The thread's entry: a library that throws inside a handler must not take the server down.
    // The request's Responder, destroyed unanswered with the task, then answers 500.
    (void)RunGuarded(logger_, "http-worker", "HTTP request handler", task);
  }
}

}  // namespace cubelet::httpserver::internal
