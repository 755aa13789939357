// Owns: the controllers' work queue (upstream client-go util/workqueue): keys, not objects, so
// many changes to one object collapse into one sync; a key is never processed by two workers at
// once (a key added while it is processed is handed out again after Done); delayed adds and
// per-key exponential back-off, timed by the injected Clock.
// Does not own: what a key means or how it is synced (the controllers).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace cubelet::controllers {

struct BackoffPolicy {
  absl::Duration initial = absl::Milliseconds(100);
  absl::Duration max = absl::Minutes(2);
};

// Thread-safe; Add and friends never block beyond a short lock, so watch sinks may call them.
class WorkQueue {
 public:
  WorkQueue(const Clock* clock, BackoffPolicy backoff = {});

  void Add(const std::string& key);
  // Adds `key` once `delay` has passed on the clock (at the earliest of several such requests).
  void AddAfter(const std::string& key, absl::Duration delay);
  // Adds `key` after its back-off, which doubles with each call until Forget.
  void AddRateLimited(const std::string& key);
  void Forget(const std::string& key);
  int Requeues(const std::string& key) const;

  // Blocks until a key is ready; nullopt once ShutDown was called. The caller must call Done.
  std::optional<std::string> Get();
  void Done(const std::string& key);
  // Wakes every Get (which then return nullopt); later adds are ignored.
  void ShutDown();

  // Keys ready or being processed, for tests.
  size_t Len() const;

 private:
  void AddLocked(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Moves keys whose time has come from waiting_ to the queue; returns the earliest time left.
  absl::Time PromoteDueLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock* const clock_;
  const BackoffPolicy backoff_;

  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  std::deque<std::string> queue_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> dirty_ ABSL_GUARDED_BY(mu_);       // queued or to re-queue at Done
  std::set<std::string> processing_ ABSL_GUARDED_BY(mu_);  // handed out, not Done yet
  std::map<std::string, absl::Time> waiting_ ABSL_GUARDED_BY(mu_);  // delayed adds: key → due
  std::map<std::string, int> failures_ ABSL_GUARDED_BY(mu_);
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace cubelet::controllers
