#include "workers/pod_workers.h"

#include <atomic>

#include "common/strings.h"
#include "common/thread_entry.h"

namespace cubelet::workers {
namespace {

const char* ToString(UpdateType t) {
  switch (t) {
    case UpdateType::kCreate: return "create";
    case UpdateType::kUpdate: return "update";
    case UpdateType::kSync: return "sync";
    case UpdateType::kKill: return "kill";
  }
  return "unknown";
}

bool IsTerminalPhase(const api::Pod& pod) {
  return pod.status.phase == "Succeeded" || pod.status.phase == "Failed";
}

}  // namespace

std::optional<int64_t> CalculateEffectiveGracePeriod(std::optional<int64_t> current, const api::Pod& pod,
                                                     std::optional<int64_t> override) {
  std::optional<int64_t> grace = current;
  bool overridden = false;
  // The API server's deletionGracePeriodSeconds first, then the kubelet's own override.
  for (const std::optional<int64_t>& shorter : {pod.metadata.deletion_grace_period_seconds, override}) {
    if (shorter && (!grace || *shorter < *grace)) {
      grace = shorter;
      overridden = true;
    }
  }
  if (!overridden && !grace) grace = pod.spec.termination_grace_period_seconds;
  if (grace && *grace < 1) grace = 1;
  return grace;
}

PodWorkers::PodWorkers(PodSyncer* syncer, Clock* clock, Logger logger, PodWorkersOptions options)
    : syncer_(syncer),
      clock_(clock),
      logger_(std::move(logger)),
      options_(options),
      liveness_(std::make_shared<Liveness>()) {
  {
    std::lock_guard<std::mutex> l(liveness_->mu);
    liveness_->workers = this;
  }
  for (int i = 0; i < options_.threads; ++i) {
    threads_.push_back(StartThread(logger_, "pod-worker", [this](std::stop_token st) { Run(st); }));
  }
}

PodWorkers::~PodWorkers() { Stop(); }

void PodWorkers::Stop() {
  {
    // Waits for a `done` running now; later ones find no PodWorkers.
    std::lock_guard<std::mutex> l(liveness_->mu);
    liveness_->workers = nullptr;
  }
  for (auto& t : threads_) t.request_stop();
  cv_.notify_all();
  threads_.clear();  // joins
}

absl::Duration PodWorkers::Jitter(absl::Duration d) {
  std::uniform_real_distribution<double> dist(0.0, 0.5);
  std::lock_guard<std::mutex> l(rng_mu_);
  return d + d * dist(rng_);
}

void PodWorkers::Schedule(const std::string& uid, Worker& w) {
  if (w.working || w.queued) return;  // a running step looks at `pending` when it completes
  w.queued = true;
  queue_.push_back(uid);
  cv_.notify_one();
}

void PodWorkers::UpdatePod(UpdatePodOptions options) {
  const api::Pod& pod = *options.pod;
  const std::string& uid = pod.metadata.uid;
  const bool kill = options.update_type == UpdateType::kKill;
  std::lock_guard<std::mutex> l(mu_);
  const absl::Time now = clock_->Now();
  auto [it, first_time] = workers_.try_emplace(uid);
  Worker& w = it->second;
  PodSyncStatus& s = w.status;
  if (first_time) {
    s.synced_at = now;
    w.pod = options.pod;
    if (api::IsStaticPod(pod)) {
      w.static_full_name = api::PodFullName(pod);
      waiting_static_pods_[w.static_full_name].push_back(uid);
    }
  }

  // The UID is being torn down and its source wants it again (a static pod's manifest moved out
  // and back): the pod starts afresh once the old instance is down. Until then, updates only
  // refresh the spec it will start with; a kill cancels the restart.
  if (!first_time && s.terminating_at && !kill) {
    if (options.update_type == UpdateType::kCreate && !s.finished) {
      if (!s.restart_requested) {
        logger_.VInfo(2,
                      "Pod is terminating but has been requested to restart with same UID, will restart once stopped",
                      {{"pod", api::PodKey(pod)}, {"podUID", uid}});
      }
      s.restart_requested = true;
    }
    if (s.restart_requested) {
      w.restart_pod = options.pod;
      return;
    }
  }
  if (kill && s.restart_requested) {
    s.restart_requested = false;
    w.restart_pod.reset();
  }
  if (s.finished) {
    // A terminal pod stays stopped; only its removal by its source moves it on, to its cleanup.
    if (!kill) return;
    s.finished = false;
    s.deleted = true;
  }

  if (!s.terminating_at) {
    if (pod.metadata.deletion_timestamp) {
      logger_.VInfo(2, "Pod is marked for graceful deletion, begin teardown",
                    {{"pod", api::PodKey(pod)}, {"podUID", uid}});
      s.terminating_at = now;
      s.deleted = true;
    } else if (kill) {
      logger_.VInfo(2, "Pod is being removed, begin teardown", {{"pod", api::PodKey(pod)}, {"podUID", uid}});
      s.terminating_at = now;
      s.deleted = true;
    } else if (IsTerminalPhase(pod)) {
      logger_.VInfo(2, "Pod is in a terminal phase, begin teardown", {{"pod", api::PodKey(pod)}, {"podUID", uid}});
      s.terminating_at = now;
    }
  } else if (kill || pod.metadata.deletion_timestamp) {
    s.deleted = true;  // a terminal pod, already stopping, is now removed too
  }
  // Once terminating, every update can only shorten the grace period.
  const std::optional<int64_t> grace_before = s.grace_period;
  if (s.terminating_at && !s.terminated_at) {
    s.grace_period = CalculateEffectiveGracePeriod(s.grace_period, pod, options.kill_pod_options.grace_period_override);
  }
  // upstream's cancelFn: a sync under way stops at its next safe point once the pod must
  // terminate; a kill under way starts again when its grace period got shorter.
  if (w.working && !w.cancel.stop_requested()) {
    const bool stop_sync = w.running == PodWorkType::kSync && s.terminating_at;
    const bool shortened = w.running == PodWorkType::kTerminating && grace_before && s.grace_period &&
                           *s.grace_period < *grace_before;
    if (stop_sync || shortened) {
      logger_.VInfo(2, stop_sync ? "Cancelling current pod sync" : "Cancelling current pod termination: grace period shortened",
                    {{"pod", api::PodKey(pod)}, {"podUID", uid}});
      w.cancel.request_stop();
    }
  }

  w.pending = std::move(options);
  logger_.VInfo(4, "Notifying pod of pending update",
                {{"pod", api::PodKey(pod)}, {"podUID", uid}, {"updateType", ToString(w.pending->update_type)}});
  Schedule(uid, w);
}

void PodWorkers::SyncDue() {
  std::lock_guard<std::mutex> l(mu_);
  const absl::Time now = clock_->Now();
  for (auto& [uid, w] : workers_) {
    if (!w.status.finished && w.next_sync <= now) Schedule(uid, w);
  }
}

bool PodWorkers::IsKnown(const std::string& uid) const {
  std::lock_guard<std::mutex> l(mu_);
  return workers_.contains(uid);
}

bool PodWorkers::IsTerminated(const std::string& uid) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = workers_.find(uid);
  return it == workers_.end() || it->second.status.terminated_at.has_value();
}

std::optional<PodSyncStatus> PodWorkers::GetPodSyncStatus(const std::string& uid) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = workers_.find(uid);
  if (it == workers_.end()) return std::nullopt;
  return it->second.status;
}

void PodWorkers::Run(std::stop_token stop) {
  while (true) {
    std::string uid;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, stop, [this] { return !queue_.empty(); });
      if (stop.stop_requested()) return;
      uid = std::move(queue_.front());
      queue_.pop_front();
    }
    RunStep(uid);
  }
}

void PodWorkers::RunStep(const std::string& uid) {
  std::shared_ptr<const api::Pod> pod;
  PodSyncStatus status;
  std::stop_token cancelled;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = workers_.find(uid);
    if (it == workers_.end()) return;
    Worker& w = it->second;
    w.queued = false;
    if (w.status.finished) return;
    if (w.pending) {
      w.pod = std::move(w.pending->pod);
      w.pending.reset();
    }
    if (w.status.WorkType() == PodWorkType::kSync && !w.static_full_name.empty() &&
        !AllowStaticPodStart(w.static_full_name, uid)) {
      // Another instance of the same static pod is still up; this one is queued again when it is gone.
      logger_.VInfo(2, "Pod cannot start yet: another static pod of the same full name is still running",
                    {{"pod", api::PodKey(*w.pod)}, {"podUID", uid}});
      w.next_sync = absl::InfiniteFuture();
      return;
    }
    w.working = true;
    w.running = w.status.WorkType();
    w.cancel = std::stop_source();
    cancelled = w.cancel.get_token();
    // upstream acknowledgeTerminating: from here on no container of the pod starts.
    if (w.running == PodWorkType::kTerminating) w.status.started_terminating = true;
    pod = w.pod;
    status = w.status;
  }

  // One step of the pod's lifecycle, outside the lock.
  switch (status.WorkType()) {
    case PodWorkType::kSync: {
      // `resume` ends a step that left work running; it and the return below complete the step
      // at most once between them.
      auto completed = std::make_shared<std::atomic<bool>>(false);
      auto resume = [liveness = liveness_, uid, pod, completed](absl::Status s) {
        if (completed->exchange(true)) return;
        std::lock_guard<std::mutex> l(liveness->mu);
        if (liveness->workers == nullptr) return;
        liveness->workers->CompleteSync(uid, s.ok() ? absl::StatusOr<SyncPodOutcome>(SyncPodOutcome::kPending) : s,
                                        *pod);
      };
      absl::StatusOr<SyncPodOutcome> outcome = SyncPodOutcome::kSynced;
      absl::Status guarded = RunGuarded(logger_, "pod-worker", StrCat("SyncPod ", api::PodKey(*pod)), [&] {
        outcome = syncer_->SyncPod(*pod, cancelled, std::move(resume));
      });
      if (!guarded.ok()) outcome = guarded;
      if (outcome.ok() && *outcome == SyncPodOutcome::kPending) return;  // `resume` completes it
      if (completed->exchange(true)) return;
      CompleteSync(uid, outcome, *pod);
      return;
    }
    case PodWorkType::kTerminating: {
      logger_.VInfo(4, "Pod terminating with grace period",
                    {{"pod", api::PodKey(*pod)}, {"podUID", uid},
                     {"gracePeriod", status.grace_period ? std::to_string(*status.grace_period) : "<nil>"}});
      // The worker's thread is free once the stops are under way; `done` resumes the pod. It
      // completes the termination at most once: a syncer that throws before calling it gets the
      // termination retried, not lost (the pod would stay "working" for good otherwise).
      auto completed = std::make_shared<std::atomic<bool>>(false);
      auto complete = [liveness = liveness_, uid, completed](absl::Status s) {
        if (completed->exchange(true)) return;
        std::lock_guard<std::mutex> l(liveness->mu);
        if (liveness->workers != nullptr) liveness->workers->CompleteTerminating(uid, s);
      };
      absl::Status guarded =
          RunGuarded(logger_, "pod-worker", StrCat("SyncTerminatingPod ", api::PodKey(*pod)),
                     [&] { syncer_->SyncTerminatingPod(pod, status.grace_period, cancelled, complete); });
      if (!guarded.ok()) complete(guarded);
      return;
    }
    case PodWorkType::kTerminated: {
      absl::Status s;
      absl::Status guarded = RunGuarded(logger_, "pod-worker", StrCat("SyncTerminatedPod ", api::PodKey(*pod)),
                                        [&] { s = syncer_->SyncTerminatedPod(*pod, status.deleted); });
      if (!guarded.ok()) s = guarded;
      CompleteTerminated(uid, s);
      return;
    }
  }
}

void PodWorkers::CompleteSync(const std::string& uid, const absl::StatusOr<SyncPodOutcome>& result,
                              const api::Pod& pod) {
  absl::Duration next = Jitter(options_.resync_interval);
  std::lock_guard<std::mutex> l(mu_);
  auto it = workers_.find(uid);
  if (it == workers_.end()) return;
  Worker& w = it->second;
  const bool cancelled = w.cancel.stop_requested();
  w.working = false;
  if (!result.ok()) {
    // A sync cancelled because the pod must terminate is not an error: the termination follows.
    if (!cancelled || result.status().code() != absl::StatusCode::kCancelled) {
      logger_.Error("Error syncing pod, skipping",
                    {{"pod", api::PodKey(pod)}, {"podUID", uid}, {"err", result.status()}});
      next = Jitter(options_.error_backoff);
    }
  } else if (*result == SyncPodOutcome::kPending) {
    next = absl::ZeroDuration();  // the work the step left running finished: go on at once
  }
  w.next_sync = clock_->Now() + next;
  if (result.ok() && *result == SyncPodOutcome::kTerminal) {
    // upstream completeSync: the pod finished by itself and goes on to terminating at once.
    logger_.VInfo(4, "Pod is terminal", {{"pod", api::PodKey(pod)}, {"podUID", uid}});
    if (!w.status.terminating_at) {
      w.status.terminating_at = clock_->Now();
      w.status.grace_period = CalculateEffectiveGracePeriod(std::nullopt, pod, std::nullopt);
    }
    w.status.started_terminating = true;
    Schedule(uid, w);
    return;
  }
  if (w.pending || w.status.terminating_at || next == absl::ZeroDuration()) Schedule(uid, w);
}

PodWorkers::Worker* PodWorkers::FinishTeardownStep(const std::string& uid, const absl::Status& result,
                                                  std::string_view failure) {
  auto it = workers_.find(uid);
  if (it == workers_.end()) return nullptr;
  Worker& w = it->second;
  w.working = false;
  if (result.ok()) return &w;
  logger_.Error(failure, {{"podUID", uid}, {"err", result}});
  w.next_sync = clock_->Now() + options_.teardown_retry;
  if (w.pending) Schedule(uid, w);
  return nullptr;
}

void PodWorkers::CompleteTerminating(const std::string& uid, const absl::Status& result) {
  std::lock_guard<std::mutex> l(mu_);
  if (auto it = workers_.find(uid); it != workers_.end() && !result.ok() && it->second.cancel.stop_requested()) {
    // Cancelled for a shorter grace period: the kill starts again at once with it.
    logger_.VInfo(2, "Pod termination restarts with a shorter grace period", {{"podUID", uid}, {"err", result}});
    it->second.working = false;
    Schedule(uid, it->second);
    return;
  }
  Worker* found = FinishTeardownStep(uid, result, "Error stopping pod, retrying");
  if (found == nullptr) return;
  Worker& w = *found;
  // upstream completeTerminating: nothing of the pod runs; cleanup follows at once.
  logger_.VInfo(4, "Pod terminated all containers successfully", {{"podUID", uid}});
  w.status.terminated_at = clock_->Now();
  Schedule(uid, w);
}

void PodWorkers::CompleteTerminated(const std::string& uid, const absl::Status& result) {
  std::lock_guard<std::mutex> l(mu_);
  Worker* found = FinishTeardownStep(uid, result, "Error cleaning up pod, retrying");
  if (found == nullptr) return;
  Worker& w = *found;
  if (w.status.restart_requested) {
    // The old instance is down and cleaned up: the pod starts afresh, as a new create.
    std::shared_ptr<const api::Pod> pod = std::move(w.restart_pod);
    logger_.Info("Pod has been terminated and was created again with the same UID, restarting it",
                 {{"pod", api::PodKey(*pod)}, {"podUID", uid}});
    std::string static_full_name = std::move(w.static_full_name);
    w = Worker{};
    w.static_full_name = std::move(static_full_name);
    w.status.synced_at = clock_->Now();
    w.pod = pod;
    w.pending = UpdatePodOptions{.update_type = UpdateType::kCreate, .pod = std::move(pod), .kill_pod_options = {}};
    Schedule(uid, w);
    return;
  }
  if (w.status.deleted) {
    RemoveWorker(uid);  // forgotten: the UID may come back as a new pod
    return;
  }
  w.status.finished = true;
  w.pending.reset();
}

bool PodWorkers::AllowStaticPodStart(const std::string& full_name, const std::string& uid) {
  if (auto started = started_static_pods_.find(full_name); started != started_static_pods_.end()) {
    return started->second == uid;
  }
  auto waiting = waiting_static_pods_.find(full_name);
  if (waiting != waiting_static_pods_.end()) {
    std::deque<std::string>& uids = waiting->second;
    while (!uids.empty()) {
      auto w = workers_.find(uids.front());
      // A waiting pod that is gone or already terminating never starts: skip it.
      if (w == workers_.end() || w->second.status.terminating_at) {
        uids.pop_front();
        continue;
      }
      if (uids.front() != uid) return false;
      uids.pop_front();
      break;
    }
    if (uids.empty()) waiting_static_pods_.erase(waiting);
  }
  started_static_pods_[full_name] = uid;
  return true;
}

void PodWorkers::RemoveWorker(const std::string& uid) {
  auto it = workers_.find(uid);
  if (it == workers_.end()) return;
  const std::string full_name = std::move(it->second.static_full_name);
  workers_.erase(it);
  if (full_name.empty()) return;
  auto started = started_static_pods_.find(full_name);
  if (started == started_static_pods_.end() || started->second != uid) return;
  started_static_pods_.erase(started);
  // The next instance of the same static pod may start now.
  if (auto waiting = waiting_static_pods_.find(full_name); waiting != waiting_static_pods_.end()) {
    for (const std::string& next : waiting->second) {
      if (auto w = workers_.find(next); w != workers_.end()) Schedule(next, w->second);
    }
  }
}

}  // namespace cubelet::workers
