#include "storage/compactor.h"

#include <algorithm>
#include <exception>

#include "common/status_macros.h"
#include "common/strings.h"
#include "common/thread_entry.h"

namespace cubelet::storage {

Compactor::Compactor(Store* store, CompactorOptions options, Clock* clock, Logger logger)
    : store_(store), options_(options), clock_(clock), logger_(std::move(logger)) {}

Compactor::~Compactor() { Stop(); }

void Compactor::Start() {
  thread_ = StartThread(logger_, "store-compactor", [this] {
    absl::MutexLock lock(&mu_);
    while (!stopping_) {
      mu_.Unlock();
      // A pass that throws fails like one that returns an error: the next interval tries again.
      absl::StatusOr<int64_t> compacted;
      absl::Status thrown = RunGuarded(logger_, "store-compactor", "compact the store", [&] { compacted = RunOnce(); });
      if (!thrown.ok()) compacted = thrown;
      if (!compacted.ok()) {
        logger_.Warning("Store compaction failed", {{"err", compacted.status()}});
      } else if (*compacted > 0) {
        logger_.VInfo(2, "Compacted store", {{"revision", static_cast<long long>(*compacted)}});
      }
      mu_.Lock();
      const absl::Time deadline = absl::Now() + options_.interval;
      while (!stopping_ && !cv_.WaitWithDeadline(&mu_, deadline)) {
      }
    }
  });
}

void Compactor::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    cv_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<int64_t> Compactor::RunOnce() {
  absl::MutexLock run_lock(&run_mu_);
  const absl::Time now = clock_->Now();
  ASSIGN_OR_RETURN(int64_t current, store_->CurrentRevision());
  const absl::Time cutoff = now - options_.keep_duration;
  int64_t aged = 0;  // the newest revision known to be older than keep_duration
  {
    absl::MutexLock lock(&mu_);
    samples_.emplace_back(now, current);
    while (samples_.size() >= 2 && samples_[1].first <= cutoff) samples_.pop_front();
    if (samples_.front().first <= cutoff) aged = samples_.front().second;
  }
  const int64_t target = std::min(current - options_.keep_revisions, aged);
  if (target <= 0 || target <= store_->CompactedRevision()) return 0;
  RETURN_IF_ERROR(Annotate(store_->Compact(target), StrCat("compact store to ", target)));
  return target;
}

}  // namespace cubelet::storage
