#include "kuberuntime/backoff.h"

namespace cubelet::kuberuntime {

Backoff::Backoff(const Clock* clock, absl::Duration initial, absl::Duration max)
    : clock_(clock), initial_(initial), max_(max) {}

absl::Duration Backoff::Get(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  return it == entries_.end() ? absl::ZeroDuration() : it->second.backoff;
}

bool Backoff::IsInBackOffSince(const std::string& key, absl::Time event_time) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  const absl::Time now = clock_->Now();
  // An entry unused for 2×max has expired.
  if (now - it->second.last_update > 2 * max_) return false;
  return now - event_time < it->second.backoff;
}

bool Backoff::IsInBackOffSinceUpdate(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  const absl::Time now = clock_->Now();
  if (now - it->second.last_update > 2 * max_) return false;
  return now - it->second.last_update < it->second.backoff;
}

void Backoff::Next(const std::string& key, absl::Time event_time) {
  std::lock_guard<std::mutex> lock(mu_);
  const absl::Time now = clock_->Now();
  auto it = entries_.find(key);
  if (it == entries_.end() || event_time - it->second.last_update > 2 * max_) {
    entries_[key] = Entry{initial_, now};
    return;
  }
  it->second.backoff = std::min(it->second.backoff * 2, max_);
  it->second.last_update = now;
}

void Backoff::Reset(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(key);
}

void Backoff::GC() {
  std::lock_guard<std::mutex> lock(mu_);
  const absl::Time now = clock_->Now();
  std::erase_if(entries_, [&](const auto& kv) { return now - kv.second.last_update > 2 * max_; });
}

}  // namespace cubelet::kuberuntime
