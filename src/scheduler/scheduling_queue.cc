#include "scheduler/scheduling_queue.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>

namespace cubelet::scheduler {
namespace {

bool Gated(const PodInfo& pod) { return !pod.scheduling_gates.empty(); }

// Upstream's isPodUpdated: whether anything but status and bookkeeping metadata changed, i.e.
// whether the update may have made the pod schedulable. Without stored objects (hand-built
// PodInfos) any new version counts as a change, which at worst costs one needless attempt.
bool PodUpdated(const PodInfoPtr& old_pod, const PodInfoPtr& new_pod) {
  if (old_pod == new_pod) return false;
  if (old_pod == nullptr || new_pod == nullptr || old_pod->object == nullptr || new_pod->object == nullptr) {
    return true;
  }
  auto strip = [](const json::Value& pod) {
    json::Value copy = pod;
    copy.Erase("status");
    if (json::Value* meta = copy.Find("metadata"); meta != nullptr && meta->is_object()) {
      for (std::string_view field : {"resourceVersion", "generation", "managedFields", "finalizers"}) {
        meta->Erase(field);
      }
    }
    return copy;
  };
  return !(strip(*old_pod->object) == strip(*new_pod->object));
}

}  // namespace

// One mutex guards all three sets and the in-flight pods, so that a pod is always in exactly
// one place and an event cannot slip between "popped" and "came back". Pop waits on an
// absl::Condition, which the mutex re-evaluates whenever it is released.
class SchedulingQueue::Impl {
 public:
  Impl(const Clock* clock, QueueOptions options) : clock_(clock), options_(options) {}

  void Add(PodInfoPtr pod) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (in_flight_.contains(pod->uid) || pods_.contains(pod->uid)) {
      UpdateLocked(std::move(pod));
      return;
    }
    Place(NewInfo(std::move(pod)), Where::kActive);
  }

  void Update(PodInfoPtr pod) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    UpdateLocked(std::move(pod));
  }

  void Delete(std::string_view uid) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    Take(uid);
    if (auto it = in_flight_.find(uid); it != in_flight_.end()) it->second.deleted = true;
  }

  std::optional<QueuedPodInfo> Pop() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &Impl::PopReady));
    if (closed_) return std::nullopt;
    const std::string uid = active_.begin()->uid;
    std::optional<QueuedPodInfo> info = Take(uid);
    info->attempts++;
    if (info->initial_attempt == absl::InfinitePast()) info->initial_attempt = clock_->Now();
    ++cycle_;
    in_flight_[uid] = InFlight{.cycle = cycle_, .latest = info->pod};
    return info;
  }

  void AddUnschedulable(QueuedPodInfo info, bool error) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    const std::string uid = info.pod->uid;
    bool event_seen = false;
    if (auto it = in_flight_.find(uid); it != in_flight_.end()) {
      const InFlight flight = std::move(it->second);
      in_flight_.erase(it);
      if (flight.deleted) return;
      info.pod = flight.latest;
      event_seen = flight.updated || move_request_cycle_ >= flight.cycle;
    } else if (pods_.contains(uid)) {
      return;  // already queued again (upstream refuses the second copy too)
    }
    info.timestamp = clock_->Now();
    // No rejecting plugin means something unexpected failed: retry after the back-off rather
    // than wait for an event that may never come (upstream does the same).
    const bool retry = error || event_seen || info.unschedulable_plugins.empty();
    Place(std::move(info), retry ? Where::kBackoff : Where::kUnschedulable);
  }

  void Done(std::string_view uid) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (auto it = in_flight_.find(uid); it != in_flight_.end()) in_flight_.erase(it);
  }

  void MoveAllToActiveOrBackoff(ClusterEvent event) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    // Gated pods are left alone: only the removal of their gates (an Update) releases them,
    // as upstream's SchedulingGates plugin registers no other event.
    std::vector<std::string> uids;
    for (const std::string& uid : unschedulable_) {
      if (event == ClusterEvent::kAssignedPodAdded && !WaitsForPods(pods_.at(uid).info)) continue;
      uids.push_back(uid);
    }
    for (const std::string& uid : uids) RequeueAfterBackoff(*Take(uid));
    move_request_cycle_ = cycle_;
  }

  static bool WaitsForPods(const QueuedPodInfo& info) {
    for (const std::string& plugin : info.unschedulable_plugins) {
      if (plugin == "InterPodAffinity" || plugin == "PodTopologySpread") return true;
    }
    return false;
  }

  void FlushBackoffAndUnschedulable() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_->Now();
    while (!backoff_.empty() && backoff_.begin()->first <= now) {
      const std::string uid = backoff_.begin()->second;
      Place(*Take(uid), Where::kActive);
    }
    std::vector<std::string> expired;
    for (const std::string& uid : unschedulable_) {
      if (now - pods_.at(uid).info.timestamp > options_.max_unschedulable_duration) expired.push_back(uid);
    }
    for (const std::string& uid : expired) RequeueAfterBackoff(*Take(uid));
  }

  void Close() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }

  Counts counts() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return Counts{.active = active_.size(),
                  .backoff = backoff_.size(),
                  .unschedulable = unschedulable_.size() + gated_.size(),
                  .gated = gated_.size(),
                  .in_flight = in_flight_.size()};
  }

  absl::Duration BackoffDuration(int attempts) const {
    if (attempts <= 0) return absl::ZeroDuration();  // never tried: no penalty
    absl::Duration d = options_.initial_backoff;
    for (int i = 1; i < attempts; ++i) {
      if (d > options_.max_backoff - d) return options_.max_backoff;  // doubling would pass the cap
      d += d;
    }
    return std::min(d, options_.max_backoff);
  }

 private:
  enum class Where { kActive, kBackoff, kUnschedulable };

  struct Entry {
    QueuedPodInfo info;
    Where where;
    absl::Time backoff_expiry;  // kBackoff only
  };

  // PrioritySort: higher priority first, then the older pod, then the key; the uid makes
  // entries unique when a pod was recreated under the same name.
  struct ActiveKey {
    int32_t priority;
    absl::Time creation;
    std::string key;
    std::string uid;
    bool operator<(const ActiveKey& o) const {
      return std::tie(o.priority, creation, key, uid) < std::tie(priority, o.creation, o.key, o.uid);
    }
  };

  struct InFlight {
    int64_t cycle = 0;   // the scheduling cycle it was popped in
    PodInfoPtr latest;   // the newest version seen while in flight
    bool updated = false;  // its spec changed while in flight
    bool deleted = false;
  };

  static ActiveKey KeyOf(const QueuedPodInfo& info) {
    return ActiveKey{info.pod->priority, info.pod->creation_time, info.pod->Key(), info.pod->uid};
  }

  QueuedPodInfo NewInfo(PodInfoPtr pod) const {
    QueuedPodInfo info;
    info.pod = std::move(pod);
    info.timestamp = clock_->Now();
    return info;
  }

  bool PopReady() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return closed_ || !active_.empty(); }

  void UpdateLocked(PodInfoPtr pod) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (auto it = in_flight_.find(pod->uid); it != in_flight_.end()) {
      // Kept for when the attempt ends; a changed spec sends a failed attempt to backoffQ.
      if (PodUpdated(it->second.latest, pod)) it->second.updated = true;
      it->second.latest = std::move(pod);
      return;
    }
    auto it = pods_.find(pod->uid);
    if (it == pods_.end()) {
      Place(NewInfo(std::move(pod)), Where::kActive);
      return;
    }
    Entry& entry = it->second;
    switch (entry.where) {
      case Where::kActive: {
        QueuedPodInfo info = *Take(pod->uid);  // re-keyed: priority may have been resolved late
        info.pod = std::move(pod);
        Place(std::move(info), Where::kActive);
        return;
      }
      case Where::kBackoff:
        entry.info.pod = std::move(pod);
        return;
      case Where::kUnschedulable: {
        if (entry.info.gated) {
          QueuedPodInfo info = *Take(pod->uid);
          info.pod = std::move(pod);
          Place(std::move(info), Where::kActive);  // stays gated while gates remain
          return;
        }
        if (!PodUpdated(entry.info.pod, pod)) {
          entry.info.pod = std::move(pod);
          return;
        }
        QueuedPodInfo info = *Take(pod->uid);
        info.pod = std::move(pod);
        RequeueAfterBackoff(std::move(info));
        return;
      }
    }
  }

  bool BackingOff(const QueuedPodInfo& info) const {
    return info.timestamp + BackoffDuration(info.attempts) > clock_->Now();
  }

  void RequeueAfterBackoff(QueuedPodInfo info) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const Where where = BackingOff(info) ? Where::kBackoff : Where::kActive;
    Place(std::move(info), where);
  }

  // Puts a pod that is in no set into `where`; a pod with scheduling gates goes to the
  // unschedulable set, marked gated, wherever it was headed.
  void Place(QueuedPodInfo info, Where where) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    info.gated = Gated(*info.pod);
    if (info.gated) where = Where::kUnschedulable;
    const std::string uid = info.pod->uid;
    Entry entry{.info = std::move(info), .where = where, .backoff_expiry = absl::InfinitePast()};
    switch (where) {
      case Where::kActive:
        active_.insert(KeyOf(entry.info));
        break;
      case Where::kBackoff:
        entry.backoff_expiry = entry.info.timestamp + BackoffDuration(entry.info.attempts);
        backoff_.emplace(entry.backoff_expiry, uid);
        break;
      case Where::kUnschedulable:
        (entry.info.gated ? gated_ : unschedulable_).insert(uid);
        break;
    }
    pods_.insert_or_assign(uid, std::move(entry));
  }

  // Removes the pod from whichever set holds it.
  std::optional<QueuedPodInfo> Take(std::string_view uid) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = pods_.find(uid);
    if (it == pods_.end()) return std::nullopt;
    Entry& entry = it->second;
    switch (entry.where) {
      case Where::kActive:
        active_.erase(KeyOf(entry.info));
        break;
      case Where::kBackoff:
        backoff_.erase({entry.backoff_expiry, it->first});
        break;
      case Where::kUnschedulable:
        if (entry.info.gated) {
          gated_.erase(it->first);
        } else {
          unschedulable_.erase(it->first);
        }
        break;
    }
    QueuedPodInfo info = std::move(entry.info);
    pods_.erase(it);
    return info;
  }

  const Clock* const clock_;
  const QueueOptions options_;

  mutable absl::Mutex mu_;
  // Every queued pod by uid, with the set it is in.
  std::map<std::string, Entry, std::less<>> pods_ ABSL_GUARDED_BY(mu_);
  std::set<ActiveKey> active_ ABSL_GUARDED_BY(mu_);
  std::set<std::pair<absl::Time, std::string>> backoff_ ABSL_GUARDED_BY(mu_);  // by expiry
  std::set<std::string, std::less<>> unschedulable_ ABSL_GUARDED_BY(mu_);      // not gated
  std::set<std::string, std::less<>> gated_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, InFlight, std::less<>> in_flight_ ABSL_GUARDED_BY(mu_);
  // Upstream's schedulingCycle / moveRequestCycle: a pod popped in cycle c that fails goes to
  // backoffQ when a cluster event came at or after c.
  int64_t cycle_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t move_request_cycle_ ABSL_GUARDED_BY(mu_) = -1;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

SchedulingQueue::SchedulingQueue(const Clock* clock, QueueOptions options)
    : impl_(std::make_shared<Impl>(clock, options)) {}

void SchedulingQueue::Add(PodInfoPtr pod) { impl_->Add(std::move(pod)); }
void SchedulingQueue::Update(PodInfoPtr pod) { impl_->Update(std::move(pod)); }
void SchedulingQueue::Delete(std::string_view uid) { impl_->Delete(uid); }
std::optional<QueuedPodInfo> SchedulingQueue::Pop() { return impl_->Pop(); }
void SchedulingQueue::AddUnschedulable(QueuedPodInfo info, bool error) {
  impl_->AddUnschedulable(std::move(info), error);
}
void SchedulingQueue::Done(std::string_view uid) { impl_->Done(uid); }
void SchedulingQueue::MoveAllToActiveOrBackoff(ClusterEvent event) { impl_->MoveAllToActiveOrBackoff(event); }
void SchedulingQueue::FlushBackoffAndUnschedulable() { impl_->FlushBackoffAndUnschedulable(); }
void SchedulingQueue::Close() { impl_->Close(); }
SchedulingQueue::Counts SchedulingQueue::counts() const { return impl_->counts(); }
absl::Duration SchedulingQueue::BackoffDuration(int attempts) const { return impl_->BackoffDuration(attempts); }

}  // namespace cubelet::scheduler
