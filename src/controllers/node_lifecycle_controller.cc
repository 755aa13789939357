#include "controllers/node_lifecycle_controller.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <vector>

#include "apierrors/apierrors.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/thread_entry.h"
#include "controllers/object_helpers.h"
#include "registry/object_meta.h"

namespace cubelet::controllers {
namespace {

constexpr char kMonitorKey[] = "monitor";

// The conditions a silent node's kubelet no longer vouches for (upstream leaves
// NetworkUnavailable alone: the network plugin owns it).
constexpr const char* kUnknownWhenSilent[] = {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"};

// Which NoSchedule taint a condition in a given status asks for (upstream
// nodeConditionToTaintKeyStatusMap).
struct ConditionTaint {
  const char* condition;
  const char* status;
  const char* taint;
};
constexpr ConditionTaint kConditionTaints[] = {
    {"Ready", "False", kTaintNodeNotReady},
    {"Ready", "Unknown", kTaintNodeUnreachable},
    {"MemoryPressure", "True", kTaintNodeMemoryPressure},
    {"DiskPressure", "True", kTaintNodeDiskPressure},
    {"NetworkUnavailable", "True", kTaintNodeNetworkUnavailable},
    {"PIDPressure", "True", kTaintNodePIDPressure},
};

std::optional<absl::Time> ParseTime(const std::string& text) {
  absl::Time t;
  std::string err;
  if (text.empty() || !absl::ParseTime(absl::RFC3339_full, text, &t, &err)) return std::nullopt;
  return t;
}

const json::Value* FindCondition(const json::Value& node, std::string_view type) {
  const json::Value* conditions = node.FindPath({"status", "conditions"});
  if (conditions == nullptr || !conditions->is_array()) return nullptr;
  for (const json::Value& c : conditions->AsArray()) {
    if (c.GetString({"type"}) == type) return &c;
  }
  return nullptr;
}

json::Value* FindCondition(json::Value& node, std::string_view type) {
  json::Value* conditions = node.FindPath({"status", "conditions"});
  if (conditions == nullptr || !conditions->is_array()) return nullptr;
  for (json::Value& c : conditions->AsArray()) {
    if (c.GetString({"type"}) == type) return &c;
  }
  return nullptr;
}

struct TaintId {
  std::string key;
  std::string effect;
  bool operator<(const TaintId& o) const { return std::tie(key, effect) < std::tie(o.key, o.effect); }
};

// The heartbeat of a node as last reported: the Ready condition's, or its creation for a node
// that never reported (upstream's stand-in condition).
absl::Time ReportedHeartbeat(const json::Value& node) {
  const json::Value* ready = FindCondition(node, "Ready");
  const std::string text = ready != nullptr ? ready->GetString({"lastHeartbeatTime"})
                                            : node.GetString({"metadata", "creationTimestamp"});
  return ParseTime(text).value_or(absl::InfinitePast());
}

// "key=value:effect,..." for logs.
std::string TaintsText(const storage::cacher::CachedObject& node) {
  std::string out;
  const json::Value* taints = node.object->FindPath({"spec", "taints"});
  if (taints == nullptr || !taints->is_array()) return out;
  for (const json::Value& t : taints->AsArray()) {
    const std::string value = t.GetString({"value"});
    StrAppend(&out, out.empty() ? "" : ",", t.GetString({"key"}), value.empty() ? "" : "=", value, ":",
              t.GetString({"effect"}));
  }
  return out;
}

}  // namespace

bool ReconcileNodeControllerTaints(json::Value* node, absl::Time now) {
  std::set<TaintId> wanted;
  std::set<TaintId> managed;
  for (const ConditionTaint& c : kConditionTaints) {
    managed.insert({c.taint, "NoSchedule"});
    const json::Value* condition = FindCondition(*node, c.condition);
    if (condition != nullptr && condition->GetString({"status"}) == c.status) wanted.insert({c.taint, "NoSchedule"});
  }
  managed.insert({kTaintNodeUnschedulable, "NoSchedule"});
  const json::Value* unschedulable = node->FindPath({"spec", "unschedulable"});
  if (unschedulable != nullptr && unschedulable->is_bool() && unschedulable->AsBool()) {
    wanted.insert({kTaintNodeUnschedulable, "NoSchedule"});
  }
  // NoExecute mirrors Ready; without a Ready condition there is nothing to go by, so what is
  // there stays (upstream's NoExecute tainting also skips such nodes).
  if (const json::Value* ready = FindCondition(*node, "Ready"); ready != nullptr) {
    managed.insert({kTaintNodeNotReady, "NoExecute"});
    managed.insert({kTaintNodeUnreachable, "NoExecute"});
    const std::string status = ready->GetString({"status"});
    if (status == "False") wanted.insert({kTaintNodeNotReady, "NoExecute"});
    if (status == "Unknown") wanted.insert({kTaintNodeUnreachable, "NoExecute"});
  }

  json::Array next;
  std::set<TaintId> present;
  bool changed = false;
  if (const json::Value* taints = node->FindPath({"spec", "taints"}); taints != nullptr && taints->is_array()) {
    for (const json::Value& t : taints->AsArray()) {
      TaintId id{t.GetString({"key"}), t.GetString({"effect"})};
      if (managed.contains(id) && !wanted.contains(id)) {
        changed = true;
        continue;
      }
      present.insert(id);
      next.push_back(t);
    }
  }
  const std::string added = registry::FormatMetaTime(now);
  for (const TaintId& id : wanted) {
    if (present.contains(id)) continue;
    json::Value taint = json::Value::EmptyObject();
    taint.Set("key", id.key);
    taint.Set("effect", id.effect);
    taint.Set("timeAdded", added);
    next.push_back(std::move(taint));
    changed = true;
  }
  if (!changed) return false;
  if (next.empty()) {
    if (json::Value* spec = node->Find("spec"); spec != nullptr) spec->Erase("taints");
  } else {
    node->Ensure({"spec"}).Set("taints", json::Value(std::move(next)));
  }
  return true;
}

bool MarkNodeStatusUnknown(json::Value* node, absl::Time now) {
  const std::string now_text = registry::FormatMetaTime(now);
  const std::string created = node->GetString({"metadata", "creationTimestamp"});
  bool changed = false;
  for (const char* type : kUnknownWhenSilent) {
    json::Value* condition = FindCondition(*node, type);
    if (condition == nullptr) {
      json::Value c = json::Value::EmptyObject();
      c.Set("type", type);
      c.Set("status", "Unknown");
      c.Set("lastHeartbeatTime", created);
      c.Set("lastTransitionTime", now_text);
      c.Set("reason", "NodeStatusNeverUpdated");
      c.Set("message", "Kubelet never posted node status.");
      json::Value& conditions = node->Ensure({"status", "conditions"});
      if (!conditions.is_array()) conditions = json::Value::EmptyArray();
      conditions.Append(std::move(c));
      changed = true;
      continue;
    }
    if (condition->GetString({"status"}) == "Unknown") continue;
    condition->Set("status", "Unknown");
    condition->Set("reason", "NodeStatusUnknown");
    condition->Set("message", "Kubelet stopped posting node status.");
    condition->Set("lastTransitionTime", now_text);
    changed = true;
  }
  return changed;
}

NodeLifecycleController::NodeLifecycleController(registry::ResourceSet* resources, Informers* informers,
                                                 const ControllerOptions& options, const Clock* clock, Logger logger)
    : nodes_(resources->Find("", "nodes")),
      leases_(resources->Find("coordination.k8s.io", "leases")),
      monitor_period_(options.node_monitor_period),
      monitor_grace_period_(options.node_monitor_grace_period),
      startup_grace_period_(options.node_startup_grace_period),
      clock_(clock),
      logger_(std::move(logger)),
      monitor_queue_(clock),
      queue_(clock) {
  if (nodes_ == nullptr) return;
  node_informer_ = informers->Add(nodes_, "", {},
                                  {[this](const WatchEvent& e) { OnNodeEvent(e); },
                                   [this] {
                                     absl::MutexLock lock(&mu_);
                                     node_sweep_ = {true, {}};
                                   }});
  if (leases_ != nullptr) {
    lease_informer_ = informers->Add(leases_, kNodeLeaseNamespace, {},
                                     {[this](const WatchEvent& e) { OnLeaseEvent(e); },
                                      [this] {
                                        absl::MutexLock lock(&mu_);
                                        lease_sweep_ = {true, {}};
                                      }});
  }
}

NodeLifecycleController::~NodeLifecycleController() { Stop(); }

void NodeLifecycleController::OnNodeEvent(const WatchEvent& e) {
  absl::MutexLock lock(&mu_);
  if (e.type == EventType::kBookmark) {
    if (!e.initial_events_end || !node_sweep_.active) return;
    for (auto it = node_objects_.begin(); it != node_objects_.end();) {
      if (node_sweep_.seen.contains(it->first)) {
        ++it;
        continue;
      }
      node_heartbeats_.erase(it->first);
      it = node_objects_.erase(it);
    }
    node_sweep_ = {};
    return;
  }
  const std::string& name = e.object->name;
  if (e.type == EventType::kDeleted) {
    node_objects_.erase(name);
    node_heartbeats_.erase(name);
    return;
  }
  if (node_sweep_.active) node_sweep_.seen.insert(name);
  node_objects_[name] = e.object;
  const json::Value& node = *e.object->object;
  const absl::Time reported = ReportedHeartbeat(node);
  auto it = node_heartbeats_.find(name);
  if (it == node_heartbeats_.end()) {
    // First sight. A node that never reported counts from its creation; one that did gets a
    // full grace period from now, since how long ago its last heartbeat was seen is unknown
    // after a restart (upstream: "Missing timestamp for Node. Assuming now").
    const bool reported_ever = FindCondition(node, "Ready") != nullptr;
    node_heartbeats_[name] = {reported, reported_ever ? clock_->Now() : reported};
  } else if (reported > it->second.reported) {
    // Only a newer heartbeat counts, so this controller's own writes (which keep it, or add
    // the creation time for a node that never reported) refresh nothing.
    it->second = {reported, clock_->Now()};
  }
  queue_.Add(name);
}

void NodeLifecycleController::OnLeaseEvent(const WatchEvent& e) {
  absl::MutexLock lock(&mu_);
  if (e.type == EventType::kBookmark) {
    if (!e.initial_events_end || !lease_sweep_.active) return;
    std::erase_if(lease_renewals_, [&](const auto& entry) { return !lease_sweep_.seen.contains(entry.first); });
    lease_sweep_ = {};
    return;
  }
  const std::string& name = e.object->name;
  if (e.type == EventType::kDeleted) {
    lease_renewals_.erase(name);
    return;
  }
  if (lease_sweep_.active) lease_sweep_.seen.insert(name);
  const absl::Time renewed =
      ParseTime(e.object->object->GetString({"spec", "renewTime"})).value_or(absl::InfinitePast());
  auto it = lease_renewals_.find(name);
  // A Lease seen for the first time counts as renewed now, as upstream.
  if (it == lease_renewals_.end()) {
    lease_renewals_[name] = {renewed, clock_->Now()};
  } else if (renewed > it->second.reported) {
    it->second = {renewed, clock_->Now()};
  }
}

absl::Time NodeLifecycleController::ProbeLocked(const std::string& name) const {
  absl::Time probe = absl::InfinitePast();
  if (auto it = node_heartbeats_.find(name); it != node_heartbeats_.end()) probe = it->second.observed;
  if (auto it = lease_renewals_.find(name); it != lease_renewals_.end()) probe = std::max(probe, it->second.observed);
  return probe;
}

std::optional<absl::Time> NodeLifecycleController::LastProbe(const std::string& name) const {
  absl::MutexLock lock(&mu_);
  if (!node_heartbeats_.contains(name)) return std::nullopt;
  return ProbeLocked(name);
}

bool NodeLifecycleController::HasSynced() const {
  return node_informer_ != nullptr && node_informer_->synced() &&
         (lease_informer_ == nullptr || lease_informer_->synced());
}

absl::Status NodeLifecycleController::MonitorNodeHealth() {
  absl::MutexLock pass(&pass_mu_);
  if (!HasSynced()) return absl::OkStatus();
  std::vector<std::pair<ObjectPtr, absl::Time>> nodes;
  {
    absl::MutexLock lock(&mu_);
    nodes.reserve(node_objects_.size());
    for (const auto& [name, node] : node_objects_) nodes.emplace_back(node, ProbeLocked(name));
  }
  absl::Status first;
  for (const auto& [node, probe] : nodes) {
    absl::Status s = MonitorNode(node, probe);
    if (!s.ok()) {
      logger_.Warning("Failed to update the health of a node", {{"node", node->name}, {"err", s}});
      if (first.ok()) first = s;
    }
  }
  return first;
}

absl::Status NodeLifecycleController::MonitorNode(const ObjectPtr& node, absl::Time probe) {
  const std::string& name = node->name;
  const json::Value& cached = *node->object;
  const std::string uid = cached.GetString({"metadata", "uid"});
  const absl::Time now = clock_->Now();
  const json::Value* ready = FindCondition(cached, "Ready");
  const absl::Duration grace = ready != nullptr ? monitor_grace_period_ : startup_grace_period_;
  std::shared_ptr<const json::Value> latest = node->object;
  if (now > probe + grace) {
    json::Value marked = cached;
    if (MarkNodeStatusUnknown(&marked, now)) {
      const std::string seen_heartbeat = ready != nullptr ? ready->GetString({"lastHeartbeatTime"}) : "";
      bool marked_unknown = false;  // by the last attempt of the write
      registry::UpdateFunc transform = [&](const json::Value& current) -> absl::StatusOr<json::Value> {
        if (current.GetString({"metadata", "uid"}) != uid) return apierrors::NotFound(nodes_->info().GroupResource(), name);
        const json::Value* current_ready = FindCondition(current, "Ready");
        const std::string heartbeat = current_ready != nullptr ? current_ready->GetString({"lastHeartbeatTime"}) : "";
        json::Value next = current;
        // A different heartbeat: the kubelet reported after the cache's copy, so it is alive (its
        // event refreshes the probe). Otherwise the cache may only be behind this controller's
        // own earlier write, which leaves nothing to change.
        marked_unknown = heartbeat == seen_heartbeat && MarkNodeStatusUnknown(&next, now);
        return next;
      };
      auto written = nodes_->GuaranteedUpdate("", name, transform, true, false, registry::WriteOptions{});
      if (!written.ok()) {
        if (apierrors::IsNotFound(written.status())) return absl::OkStatus();
        return Annotate(written.status(), StrCat("mark node ", name, " Unknown"));
      }
      latest = (*written)->object;
      if (marked_unknown) {
        const std::string was = ready != nullptr ? ready->GetString({"status"}) : "";
        logger_.Info("Node stopped posting its status; marked it Unknown",
                     {{"node", name}, {"readyWas", was}, {"silentFor", now - probe}});
      }
    }
  }
  return UpdateTaints(name, *latest);
}

absl::Status NodeLifecycleController::SyncNode(const std::string& name) {
  std::shared_ptr<const json::Value> cached;
  {
    absl::MutexLock lock(&mu_);
    auto it = node_objects_.find(name);
    if (it == node_objects_.end()) return absl::OkStatus();
    cached = it->second->object;
  }
  return UpdateTaints(name, *cached);
}

absl::Status NodeLifecycleController::UpdateTaints(const std::string& name, const json::Value& latest) {
  // The latest copy at hand decides whether to write at all, so passes over healthy nodes read
  // nothing from the store; the write itself recomputes from the stored node.
  const absl::Time now = clock_->Now();
  json::Value copy = latest;
  if (!ReconcileNodeControllerTaints(&copy, now)) return absl::OkStatus();
  const std::string uid = latest.GetString({"metadata", "uid"});
  bool changed = false;  // by the last attempt of the write
  registry::UpdateFunc transform = [&](const json::Value& current) -> absl::StatusOr<json::Value> {
    if (current.GetString({"metadata", "uid"}) != uid) return apierrors::NotFound(nodes_->info().GroupResource(), name);
    json::Value next = current;
    changed = ReconcileNodeControllerTaints(&next, now);
    return next;
  };
  auto written = nodes_->GuaranteedUpdate("", name, transform, false, false, registry::WriteOptions{});
  if (!written.ok()) {
    if (apierrors::IsNotFound(written.status())) return absl::OkStatus();
    return Annotate(written.status(), StrCat("update the taints of node ", name));
  }
  if (changed) logger_.VInfo(2, "Updated the node controller's taints", {{"node", name}, {"taints", TaintsText(**written)}});
  return absl::OkStatus();
}

void NodeLifecycleController::Start() {
  if (nodes_ == nullptr) return;
  monitor_queue_.Add(kMonitorKey);
  monitor_thread_ = StartThread(logger_, "node-monitor", [this] { RunMonitor(); });
  worker_thread_ = StartThread(logger_, "node-lifecycle", [this] { RunWorker(); });
}

void NodeLifecycleController::Stop() {
  monitor_queue_.ShutDown();
  queue_.ShutDown();
  if (monitor_thread_.joinable()) monitor_thread_.join();
  if (worker_thread_.joinable()) worker_thread_.join();
}

void NodeLifecycleController::RunMonitor() {
  while (auto key = monitor_queue_.Get()) {
    // Errors are logged per node; the next pass retries them.
    (void)RunGuarded(logger_, "node-monitor", "monitor node health", [this] { (void)MonitorNodeHealth(); });
    monitor_queue_.Done(*key);
    monitor_queue_.AddAfter(*key, monitor_period_);
  }
}

void NodeLifecycleController::RunWorker() {
  while (auto key = queue_.Get()) {
    absl::Status s;
    absl::Status thrown = RunGuarded(logger_, "node-lifecycle", StrCat("sync node ", *key), [&] { s = SyncNode(*key); });
    if (!thrown.ok()) s = thrown;
    if (s.ok()) {
      queue_.Forget(*key);
    } else {
      logger_.Warning("Failed to update the taints of a node; retrying", {{"node", *key}, {"err", s}});
      queue_.AddRateLimited(*key);
    }
    queue_.Done(*key);
  }
}

}  // namespace cubelet::controllers
