#include "apiserver/long_running.h"

#include <thread>

#include "common/thread_entry.h"

namespace cubelet::apiserver {

void Cancellation::Cancel() {
  std::function<void()> interrupt;
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    interrupt = interrupt_;
  }
  if (interrupt) interrupt();
}

bool Cancellation::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

void Cancellation::Set(std::function<void()> interrupt) {
  bool cancelled = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    interrupt_ = interrupt;
    cancelled = cancelled_;
  }
  if (cancelled && interrupt) interrupt();
}

void Cancellation::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  interrupt_ = nullptr;
}

LongRunningRequests::~LongRunningRequests() {
  std::unique_lock<std::mutex> lock(mu_);
  for (const auto& c : running_) c->Cancel();
  done_.wait(lock, [this] { return running_.empty(); });
}

bool LongRunningRequests::Start(std::function<void(const std::shared_ptr<Cancellation>&)> work) {
  auto cancellation = std::make_shared<Cancellation>();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (static_cast<int>(running_.size()) >= limit_) return false;
    running_.insert(cancellation);
  }
  // Detached: the destructor waits for `running_` to empty instead of joining, since a thread
  // removes itself as its very last step.
  std::thread([this, cancellation, work = std::move(work)] {
    SetCurrentThreadName("long-running");
    // A request whose work throws fails alone (its unanswered responder answers 500); the thread
    // still removes itself, or the destructor would wait for it forever.
    (void)RunGuarded(logger_, "long-running", "a long-running request", [&] { work(cancellation); });
    std::lock_guard<std::mutex> lock(mu_);
    running_.erase(cancellation);
    done_.notify_all();
  }).detach();
  return true;
}

}  // namespace cubelet::apiserver
