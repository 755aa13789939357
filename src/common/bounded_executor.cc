#include "common/bounded_executor.h"

#include <algorithm>

#include "common/thread_entry.h"

namespace cubelet {

BoundedExecutor::BoundedExecutor(int threads, std::string name, Logger logger)
    : name_(std::move(name)), logger_(std::move(logger)) {
  threads = std::max(threads, 1);
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) {
    threads_.push_back(StartThread(logger_, name_, [this](std::stop_token st) { Loop(st); }));
  }
}

BoundedExecutor::~BoundedExecutor() {
  std::deque<Task> dropped;
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
    dropped.swap(queue_);
  }
  for (auto& t : threads_) t.request_stop();
  cv_.notify_all();
  threads_.clear();  // joins the running tasks
  dropped.clear();   // outside the lock: destroying a task may complete someone's wait
}

void BoundedExecutor::Submit(Task task) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_) return;  // `task` is destroyed on return, unrun
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
}

size_t BoundedExecutor::Queued() const {
  std::lock_guard<std::mutex> l(mu_);
  return queue_.size();
}

void BoundedExecutor::Loop(std::stop_token stop) {
  while (true) {
    Task task;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, stop, [this] { return !queue_.empty(); });
      if (stop.stop_requested() || queue_.empty()) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    // A throw fails this task only; the thread takes the next one.
    (void)RunGuarded(logger_, name_, "task", [&] { std::move(task)(); });
  }
}

}  // namespace cubelet
