#include "controllers/work_queue.h"

#include <algorithm>

namespace cubelet::controllers {
namespace {

// The clock may be a fake one that tests move by hand, so a wait for a delayed key re-reads the
// clock at least this often (real time). A queue with nothing delayed sleeps until an Add.
constexpr absl::Duration kClockPollSlice = absl::Milliseconds(200);

}  // namespace

WorkQueue::WorkQueue(const Clock* clock, BackoffPolicy backoff) : clock_(clock), backoff_(backoff) {}

void WorkQueue::AddLocked(const std::string& key) {
  if (shutting_down_) return;
  waiting_.erase(key);
  if (!dirty_.insert(key).second) return;  // already queued (or due again after Done)
  if (processing_.contains(key)) return;   // Done re-queues it
  queue_.push_back(key);
  cv_.Signal();
}

void WorkQueue::Add(const std::string& key) {
  absl::MutexLock lock(&mu_);
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  if (shutting_down_) return;
  if (delay <= absl::ZeroDuration()) {
    AddLocked(key);
    return;
  }
  if (dirty_.contains(key) && !processing_.contains(key)) return;  // already due now
  const absl::Time due = clock_->Now() + delay;
  auto [it, inserted] = waiting_.emplace(key, due);
  if (!inserted) it->second = std::min(it->second, due);
  cv_.Signal();  // a waiting Get may need an earlier wake-up
}

void WorkQueue::AddRateLimited(const std::string& key) {
  absl::Duration delay;
  {
    absl::MutexLock lock(&mu_);
    int& n = failures_[key];
    delay = backoff_.initial;
    for (int i = 0; i < n && delay < backoff_.max; ++i) delay *= 2;
    delay = std::min(delay, backoff_.max);
    ++n;
  }
  AddAfter(key, delay);
}

void WorkQueue::Forget(const std::string& key) {
  absl::MutexLock lock(&mu_);
  failures_.erase(key);
}

int WorkQueue::Requeues(const std::string& key) const {
  absl::MutexLock lock(&mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

absl::Time WorkQueue::PromoteDueLocked(absl::Time now) {
  absl::Time earliest = absl::InfiniteFuture();
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->second <= now) {
      std::string key = it->first;
      it = waiting_.erase(it);
      AddLocked(key);
    } else {
      earliest = std::min(earliest, it->second);
      ++it;
    }
  }
  return earliest;
}

std::optional<std::string> WorkQueue::Get() {
  absl::MutexLock lock(&mu_);
  while (true) {
    if (shutting_down_) return std::nullopt;
    const absl::Time earliest = waiting_.empty() ? absl::InfiniteFuture() : PromoteDueLocked(clock_->Now());
    if (!queue_.empty()) break;
    if (earliest == absl::InfiniteFuture()) {
      cv_.Wait(&mu_);
    } else {
      cv_.WaitWithTimeout(&mu_, std::clamp(earliest - clock_->Now(), absl::Milliseconds(1), kClockPollSlice));
    }
  }
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  dirty_.erase(key);
  processing_.insert(key);
  return key;
}

void WorkQueue::Done(const std::string& key) {
  absl::MutexLock lock(&mu_);
  processing_.erase(key);
  if (dirty_.contains(key) && !shutting_down_) {
    queue_.push_back(key);
    cv_.Signal();
  }
}

void WorkQueue::ShutDown() {
  absl::MutexLock lock(&mu_);
  shutting_down_ = true;
  cv_.SignalAll();
}

size_t WorkQueue::Len() const {
  absl::MutexLock lock(&mu_);
  return queue_.size() + processing_.size();
}

}  // namespace cubelet::controllers
