#include "workers/pod_workers.h"

namespace cubelet::workers {

PodWorkers::PodWorkers(PodSyncer* syncer, Clock* clock, Logger logger, PodWorkersOptions options)
    : syncer_(syncer), clock_(clock), logger_(std::move(logger)), options_(options) {
  for (int i = 0; i < options_.threads; ++i) {
    threads_.emplace_back([this](std::stop_token st) { Run(st); });
  }
}

PodWorkers::~PodWorkers() { Stop(); }

void PodWorkers::Stop() {
  for (auto& t : threads_) t.request_stop();
  cv_.notify_all();
  threads_.clear();  // joins
}

absl::Duration PodWorkers::Jitter(absl::Duration d) {
  std::uniform_real_distribution<double> dist(0.0, 0.5);
  absl::MutexLock lock(&rng_mu_);
  return d + d * dist(rng_);
}

void PodWorkers::Enqueue(const std::string& uid, PodState& st) {
  if (st.working) {
    st.pending = true;
    return;
  }
  if (!st.queued) {
    st.queued = true;
    queue_.push_back(uid);
    cv_.notify_one();
  }
}

void PodWorkers::UpdatePod(std::shared_ptr<const api::Pod> pod, UpdateType type) {
  std::lock_guard<std::mutex> l(mu_);
  const std::string uid = pod->metadata.uid;
  PodState& st = pods_[uid];
  if (st.kill_requested && type != UpdateType::kKill && st.pod) {
    // A pod being killed stays killed; only its spec is kept current.
    return;
  }
  st.pod = std::move(pod);
  if (type == UpdateType::kKill) {
    st.kill_requested = true;
    st.done = false;
    if (st.phase == Phase::kSyncing) st.phase = Phase::kTerminating;
  }
  if (st.done) return;
  Enqueue(uid, st);
}

void PodWorkers::SyncDue() {
  std::lock_guard<std::mutex> l(mu_);
  const absl::Time now = clock_->Now();
  for (auto& [uid, st] : pods_) {
    if (!st.done && !st.working && !st.queued && st.next_sync <= now) Enqueue(uid, st);
  }
}

bool PodWorkers::IsKnown(const std::string& uid) const {
  std::lock_guard<std::mutex> l(mu_);
  return pods_.contains(uid);
}

bool PodWorkers::IsTerminated(const std::string& uid) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = pods_.find(uid);
  return it == pods_.end() || it->second.phase == Phase::kTerminated;
}

void PodWorkers::Run(std::stop_token stop) {
  while (true) {
    std::string uid;
    std::shared_ptr<const api::Pod> pod;
    Phase phase;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, stop, [this] { return !queue_.empty(); });
      if (stop.stop_requested()) return;
      uid = queue_.front();
      queue_.pop_front();
      PodState& st = pods_[uid];
      st.queued = false;
      st.working = true;
      pod = st.pod;
      phase = st.phase;
    }

    // One step of the pod's lifecycle, outside the lock.
    absl::Duration next = Jitter(options_.resync_interval);
    std::optional<Phase> new_phase;
    bool forget = false;
    bool requeue = false;
    try {
      if (phase == Phase::kSyncing) {
        auto terminal = syncer_->SyncPod(*pod);
        if (!terminal.ok()) {
          logger_.Error("Error syncing pod, skipping", {{"pod", api::PodKey(*pod)}, {"podUID", uid}, {"err", terminal.status()}});
          next = Jitter(options_.error_backoff);
        } else if (*terminal) {
          new_phase = Phase::kTerminating;
          requeue = true;
        }
      } else if (phase == Phase::kTerminating) {
        absl::Status s = syncer_->SyncTerminatingPod(*pod);
        if (s.ok()) {
          new_phase = Phase::kTerminated;
          requeue = true;
        } else {
          logger_.Error("Error stopping pod, retrying", {{"pod", api::PodKey(*pod)}, {"err", s}});
          next = absl::Seconds(1);
        }
      } else {
        bool removed;
        {
          std::lock_guard<std::mutex> l(mu_);
          removed = pods_[uid].kill_requested;
        }
        absl::Status s = syncer_->SyncTerminatedPod(*pod, removed);
        if (s.ok()) {
          forget = removed;
        } else {
          logger_.Error("Error cleaning up pod, retrying", {{"pod", api::PodKey(*pod)}, {"err", s}});
          next = absl::Seconds(1);
        }
      }
    } catch (const std::exception& e) {
      logger_.Error("Pod sync threw", {{"pod", api::PodKey(*pod)}, {"err", e.what()}});
      next = Jitter(options_.error_backoff);
    }

    std::lock_guard<std::mutex> l(mu_);
    PodState& st = pods_[uid];
    st.working = false;
    if (new_phase && !(st.phase == Phase::kTerminating && *new_phase == Phase::kTerminating)) st.phase = *new_phase;
    if (st.phase == Phase::kTerminated && !requeue && !forget) st.done = true;
    if (forget && !st.pending) {
      pods_.erase(uid);
      continue;
    }
    st.next_sync = clock_->Now() + next;
    if (requeue || st.pending) {
      st.pending = false;
      Enqueue(uid, st);
    }
  }
}

}  // namespace cubelet::workers
