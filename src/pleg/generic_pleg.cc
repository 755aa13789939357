#include "pleg/generic_pleg.h"

#include "kuberuntime/labels.h"

namespace cubelet::pleg {

const char* ToString(PodLifecycleEventType type) {
  switch (type) {
    case PodLifecycleEventType::kContainerStarted: return "ContainerStarted";
    case PodLifecycleEventType::kContainerDied: return "ContainerDied";
    case PodLifecycleEventType::kContainerRemoved: return "ContainerRemoved";
    case PodLifecycleEventType::kContainerChanged: return "ContainerChanged";
    case PodLifecycleEventType::kPodSync: return "PodSync";
  }
  return "Unknown";
}

GenericPleg::GenericPleg(cri::RuntimeService* runtime, TimerQueue* timers, Clock* clock, Logger logger,
                         absl::Duration period, EventFn on_event)
    : runtime_(runtime),
      timers_(timers),
      clock_(clock),
      logger_(std::move(logger)),
      period_(period),
      on_event_(std::move(on_event)) {}

void GenericPleg::Start() { relist_ = timers_->Every(period_, [this] { Relist(); }, {.name = "pleg relist"}); }

void GenericPleg::Relist() {
  auto sandboxes = runtime_->ListPodSandbox({});
  auto containers = runtime_->ListContainers({});
  if (!sandboxes.ok() || !containers.ok()) {
    logger_.Error("GenericPLEG: Unable to retrieve pods",
                  {{"err", sandboxes.ok() ? containers.status() : sandboxes.status()}});
    return;
  }
  constexpr int kSandboxOffset = 100;
  std::map<std::string, Record> now;
  for (const auto& c : *containers) {
    auto uid = c.labels.find(kuberuntime::kPodUidLabel);
    if (uid == c.labels.end()) continue;
    now[c.id] = {uid->second, static_cast<int>(c.state)};
  }
  for (const auto& s : *sandboxes) {
    auto uid = s.labels.find(kuberuntime::kPodUidLabel);
    if (uid == s.labels.end()) continue;
    now[s.id] = {uid->second, kSandboxOffset + static_cast<int>(s.state)};
  }
  std::vector<PodLifecycleEvent> events;
  for (const auto& [id, rec] : now) {
    auto old = last_.find(id);
    if (old != last_.end() && old->second.state == rec.state) continue;
    PodLifecycleEventType type = PodLifecycleEventType::kContainerChanged;
    if (rec.state == static_cast<int>(cri::ContainerState::kRunning)) type = PodLifecycleEventType::kContainerStarted;
    if (rec.state == static_cast<int>(cri::ContainerState::kExited)) type = PodLifecycleEventType::kContainerDied;
    if (rec.state >= kSandboxOffset) type = PodLifecycleEventType::kPodSync;
    events.push_back({rec.pod_uid, type, id});
  }
  for (const auto& [id, rec] : last_) {
    if (!now.contains(id)) events.push_back({rec.pod_uid, PodLifecycleEventType::kContainerRemoved, id});
  }
  last_ = std::move(now);
  last_relist_unix_ns_ = absl::ToUnixNanos(clock_->Now());
  {
    auto snapshot = std::make_shared<RelistSnapshot>(RelistSnapshot{*std::move(sandboxes), *std::move(containers)});
    std::lock_guard<std::mutex> l(snapshot_mu_);
    snapshot_ = std::move(snapshot);
  }
  for (const auto& e : events) {
    logger_.VInfo(4, "GenericPLEG: event", {{"podUID", e.pod_uid}, {"event", ToString(e.type)}, {"data", e.data}});
    on_event_(e);
  }
}

std::shared_ptr<const RelistSnapshot> GenericPleg::LastRelist() const {
  std::lock_guard<std::mutex> l(snapshot_mu_);
  return snapshot_;
}

bool GenericPleg::Healthy() const {
  const int64_t last = last_relist_unix_ns_;
  if (last == 0) return false;
  return clock_->Now() - absl::FromUnixNanos(last) <= absl::Minutes(3);
}

}  // namespace cubelet::pleg
