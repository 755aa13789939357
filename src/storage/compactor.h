// Owns: when cubelet-server's store is compacted: a thread that, every interval, compacts to
// the newest revision that is both at least `keep_revisions` behind the current one and at least
// `keep_duration` old, so watchers that reconnect within minutes can resume (upstream's
// apiserver compacts etcd on a similar timer).
// Does not own: how a backend compacts (Store::Compact).
#pragma once

#include <cstdint>
#include <deque>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/logger.h"
#include "storage/store.h"

namespace cubelet::storage {

struct CompactorOptions {
  absl::Duration interval = absl::Minutes(1);  // real time between passes
  int64_t keep_revisions = 10000;
  absl::Duration keep_duration = absl::Minutes(5);  // measured on the injected Clock
};

// Thread-safe. The age of a revision is learned by sampling: each pass records (now, current
// revision), and a revision counts as older than keep_duration once a sample taken at least
// keep_duration ago had reached it. So no Store needs to keep write times, and after a restart
// nothing is compacted until keep_duration has passed.
class Compactor {
 public:
  Compactor(Store* store, CompactorOptions options, Clock* clock, Logger logger);
  ~Compactor();
  Compactor(const Compactor&) = delete;
  Compactor& operator=(const Compactor&) = delete;

  // Runs a pass now and then every interval on its own thread, until Stop.
  void Start();
  void Stop();

  // One pass. Returns the revision compacted to, or 0 when the policy allowed nothing new.
  absl::StatusOr<int64_t> RunOnce();

 private:
  Store* const store_;
  const CompactorOptions options_;
  Clock* const clock_;
  const Logger logger_;

  absl::Mutex mu_;
  absl::CondVar cv_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // (time, current revision) of recent passes, oldest first; one at or before the cutoff is kept.
  std::deque<std::pair<absl::Time, int64_t>> samples_ ABSL_GUARDED_BY(mu_);
  absl::Mutex run_mu_;  // one pass at a time
  std::jthread thread_;
};

}  // namespace cubelet::storage
