#include "controllers/taint_eviction_controller.h"

#include <algorithm>
#include <charconv>

#include "apierrors/apierrors.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/thread_entry.h"
#include "controllers/object_helpers.h"
#include "registry/object_meta.h"

namespace cubelet::controllers {
namespace {

// Upstream's names: the controller (as the events' source), and the pod condition it sets.
constexpr char kControllerName[] = "taint-eviction-controller";
constexpr char kEventReason[] = "TaintManagerEviction";

std::optional<absl::Time> ParseTime(const std::string& text) {
  absl::Time t;
  std::string err;
  if (text.empty() || !absl::ParseTime(absl::RFC3339_full, text, &t, &err)) return std::nullopt;
  return t;
}

std::string Hex(uint64_t v) {
  char buf[17];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, 16);
  (void)ec;
  return std::string(buf, end);
}

// Sets the DisruptionTarget condition (upstream apipod.UpdatePodCondition: the transition time
// moves only when the status does). True when anything changed.
bool SetDisruptionTarget(json::Value* pod, absl::Time now) {
  json::Value& conditions = pod->Ensure({"status", "conditions"});
  if (!conditions.is_array()) conditions = json::Value::EmptyArray();
  json::Value* existing = nullptr;
  for (json::Value& c : conditions.AsArray()) {
    if (c.GetString({"type"}) == "DisruptionTarget") existing = &c;
  }
  const std::string reason = "DeletionByTaintManager";
  const std::string message = "Taint manager: deleting due to NoExecute taint";
  if (existing == nullptr) {
    json::Value c = json::Value::EmptyObject();
    c.Set("type", "DisruptionTarget");
    c.Set("status", "True");
    c.Set("lastProbeTime", nullptr);
    c.Set("lastTransitionTime", registry::FormatMetaTime(now));
    c.Set("reason", reason);
    c.Set("message", message);
    conditions.Append(std::move(c));
    return true;
  }
  if (existing->GetString({"status"}) == "True" && existing->GetString({"reason"}) == reason &&
      existing->GetString({"message"}) == message) {
    return false;
  }
  if (existing->GetString({"status"}) != "True") existing->Set("lastTransitionTime", registry::FormatMetaTime(now));
  existing->Set("status", "True");
  existing->Set("reason", reason);
  existing->Set("message", message);
  return true;
}

}  // namespace

bool ToleratesTaint(const json::Value& toleration, std::string_view key, std::string_view value,
                    std::string_view effect) {
  const std::string t_effect = toleration.GetString({"effect"});
  if (!t_effect.empty() && t_effect != effect) return false;
  const std::string t_key = toleration.GetString({"key"});
  if (!t_key.empty() && t_key != key) return false;
  const std::string op = toleration.GetString({"operator"});
  if (op == "Exists") return true;
  if (op.empty() || op == "Equal") return toleration.GetString({"value"}) == value;
  return false;
}

std::optional<absl::Time> EvictionTime(const json::Value* tolerations, const std::vector<NoExecuteTaint>& taints) {
  std::optional<absl::Time> earliest;
  for (const NoExecuteTaint& taint : taints) {
    const json::Value* used = nullptr;
    if (tolerations != nullptr && tolerations->is_array()) {
      for (const json::Value& t : tolerations->AsArray()) {
        if (ToleratesTaint(t, taint.key, taint.value, "NoExecute")) {
          used = &t;
          break;
        }
      }
    }
    if (used == nullptr) return absl::InfinitePast();
    const json::Value* seconds = used->Find("tolerationSeconds");
    if (seconds == nullptr || seconds->is_null()) continue;  // tolerated forever
    // Zero and negative values mean at once, as upstream.
    const int64_t n = std::max<int64_t>(0, seconds->AsInt64().value_or(0));
    const absl::Time due = taint.since + absl::Seconds(n);
    earliest = earliest ? std::min(*earliest, due) : due;
  }
  return earliest;
}

TaintEvictionController::TaintEvictionController(registry::ResourceSet* resources, Informers* informers,
                                                 const Clock* clock, Logger logger)
    : pods_(resources->Find("", "pods")),
      nodes_(resources->Find("", "nodes")),
      events_(resources->Find("", "events")),
      clock_(clock),
      logger_(std::move(logger)),
      queue_(clock) {
  if (pods_ == nullptr || nodes_ == nullptr) return;
  informers->Add(nodes_, "", {},
                 {[this](const WatchEvent& e) { OnNodeEvent(e); },
                  [this] {
                    absl::MutexLock lock(&mu_);
                    node_sweep_ = {true, {}};
                  }});
  informers->Add(pods_, "", {},
                 {[this](const WatchEvent& e) { OnPodEvent(e); },
                  [this] {
                    absl::MutexLock lock(&mu_);
                    pod_sweep_ = {true, {}};
                  }});
}

TaintEvictionController::~TaintEvictionController() { Stop(); }

void TaintEvictionController::EnqueueNodePodsLocked(const std::string& node) {
  auto it = pods_by_node_.find(node);
  if (it == pods_by_node_.end()) return;
  for (const std::string& key : it->second) queue_.Add(key);
}

void TaintEvictionController::SetNodeTaintsLocked(const std::string& node, std::vector<NoExecuteTaint> taints) {
  auto it = tainted_nodes_.find(node);
  if (it == tainted_nodes_.end() ? taints.empty() : it->second == taints) return;
  if (taints.empty()) {
    tainted_nodes_.erase(it);
  } else {
    tainted_nodes_[node] = std::move(taints);
  }
  EnqueueNodePodsLocked(node);
}

void TaintEvictionController::OnNodeEvent(const WatchEvent& e) {
  absl::MutexLock lock(&mu_);
  if (e.type == EventType::kBookmark) {
    if (!e.initial_events_end || !node_sweep_.active) return;
    std::vector<std::string> gone;
    for (const auto& [name, taints] : tainted_nodes_) {
      if (!node_sweep_.seen.contains(name)) gone.push_back(name);
    }
    for (const std::string& name : gone) SetNodeTaintsLocked(name, {});
    node_sweep_ = {};
    return;
  }
  const std::string& name = e.object->name;
  if (e.type == EventType::kDeleted) {
    SetNodeTaintsLocked(name, {});
    return;
  }
  if (node_sweep_.active) node_sweep_.seen.insert(name);
  std::vector<NoExecuteTaint> taints;
  const json::Value* list = e.object->object->FindPath({"spec", "taints"});
  if (list != nullptr && list->is_array()) {
    auto known = tainted_nodes_.find(name);
    for (const json::Value& t : list->AsArray()) {
      if (t.GetString({"effect"}) != "NoExecute") continue;
      NoExecuteTaint taint{t.GetString({"key"}), t.GetString({"value"}), absl::InfinitePast()};
      if (auto added = ParseTime(t.GetString({"timeAdded"}))) {
        taint.since = *added;
      } else {
        // No timeAdded (a taint written without one): it counts from when it was first seen.
        taint.since = clock_->Now();
        if (known != tainted_nodes_.end()) {
          for (const NoExecuteTaint& k : known->second) {
            if (k.key == taint.key && k.value == taint.value) taint.since = k.since;
          }
        }
      }
      taints.push_back(std::move(taint));
    }
  }
  SetNodeTaintsLocked(name, std::move(taints));
}

void TaintEvictionController::RemovePodLocked(const std::string& key) {
  auto it = pods_by_key_.find(key);
  if (it != pods_by_key_.end()) {
    const std::string node = it->second->object->GetString({"spec", "nodeName"});
    if (auto n = pods_by_node_.find(node); n != pods_by_node_.end()) {
      n->second.erase(key);
      if (n->second.empty()) pods_by_node_.erase(n);
    }
    pods_by_key_.erase(it);
  }
  scheduled_.erase(key);
}

void TaintEvictionController::OnPodEvent(const WatchEvent& e) {
  absl::MutexLock lock(&mu_);
  if (e.type == EventType::kBookmark) {
    if (!e.initial_events_end || !pod_sweep_.active) return;
    std::vector<std::string> gone;
    for (const auto& [key, pod] : pods_by_key_) {
      if (!pod_sweep_.seen.contains(key)) gone.push_back(key);
    }
    for (const std::string& key : gone) RemovePodLocked(key);
    pod_sweep_ = {};
    return;
  }
  const std::string key = ObjectKey(e.object->namespace_, e.object->name);
  const std::string node = e.object->object->GetString({"spec", "nodeName"});
  if (e.type == EventType::kDeleted || node.empty()) {
    RemovePodLocked(key);
    return;
  }
  if (pod_sweep_.active) pod_sweep_.seen.insert(key);
  if (auto it = pods_by_key_.find(key); it != pods_by_key_.end()) {
    const std::string old_node = it->second->object->GetString({"spec", "nodeName"});
    if (old_node != node) {
      auto n = pods_by_node_.find(old_node);
      if (n != pods_by_node_.end()) {
        n->second.erase(key);
        if (n->second.empty()) pods_by_node_.erase(n);
      }
    }
  }
  pods_by_key_[key] = e.object;
  pods_by_node_[node].insert(key);
  if (tainted_nodes_.contains(node) || scheduled_.contains(key)) queue_.Add(key);
}

std::optional<absl::Time> TaintEvictionController::ScheduledEviction(const std::string& key) const {
  absl::MutexLock lock(&mu_);
  auto it = scheduled_.find(key);
  if (it == scheduled_.end()) return std::nullopt;
  return it->second;
}

absl::Status TaintEvictionController::SyncPod(const std::string& key) {
  ObjectPtr pod;
  std::vector<NoExecuteTaint> taints;
  bool was_scheduled = false;
  {
    absl::MutexLock lock(&mu_);
    auto it = pods_by_key_.find(key);
    if (it == pods_by_key_.end()) {
      scheduled_.erase(key);
      return absl::OkStatus();
    }
    pod = it->second;
    if (auto n = tainted_nodes_.find(pod->object->GetString({"spec", "nodeName"})); n != tainted_nodes_.end()) {
      taints = n->second;
    }
    was_scheduled = scheduled_.contains(key);
  }
  const json::Value& object = *pod->object;
  const bool deleting = BeingDeleted(object);
  // A pod already being deleted is on its way out; nothing to add.
  const std::optional<absl::Time> due =
      deleting ? std::nullopt : EvictionTime(object.FindPath({"spec", "tolerations"}), taints);
  const absl::Time now = clock_->Now();
  if (!due) {
    {
      absl::MutexLock lock(&mu_);
      scheduled_.erase(key);
    }
    if (was_scheduled && !deleting) {
      logger_.VInfo(2, "Cancelled the deletion of a pod: its node's NoExecute taints are gone or tolerated",
                    {{"pod", key}});
      RecordEvent(object, StrCat("Cancelling deletion of Pod ", key));
    }
    return absl::OkStatus();
  }
  if (*due > now) {
    {
      absl::MutexLock lock(&mu_);
      scheduled_[key] = *due;
    }
    if (!was_scheduled) {
      logger_.VInfo(2, "Pod tolerates its node's NoExecute taints for a while; deletion scheduled",
                    {{"pod", key}, {"in", *due - now}});
    }
    // A deletion cancelled meanwhile finds nothing to do when this comes due.
    queue_.AddAfter(key, *due - now);
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(Evict(pod->namespace_, pod->name, object.GetString({"metadata", "uid"})));
  absl::MutexLock lock(&mu_);
  scheduled_.erase(key);
  return absl::OkStatus();
}

absl::Status TaintEvictionController::Evict(const std::string& namespace_, const std::string& name,
                                            const std::string& uid) {
  const std::string key = ObjectKey(namespace_, name);
  const absl::Time now = clock_->Now();
  bool already_deleting = false;
  registry::UpdateFunc transform = [&](const json::Value& current) -> absl::StatusOr<json::Value> {
    if (current.GetString({"metadata", "uid"}) != uid) return apierrors::NotFound(pods_->info().GroupResource(), name);
    json::Value next = current;
    if (BeingDeleted(current)) {
      already_deleting = true;
      return next;
    }
    SetDisruptionTarget(&next, now);
    return next;
  };
  auto marked = pods_->GuaranteedUpdate(namespace_, name, transform, true, false, registry::WriteOptions{});
  if (!marked.ok()) {
    if (apierrors::IsNotFound(marked.status())) return absl::OkStatus();
    return Annotate(marked.status(), StrCat("set the DisruptionTarget condition of pod ", key));
  }
  if (already_deleting) return absl::OkStatus();
  logger_.Info("Deleting pod", {{"controller", kControllerName}, {"pod", key}});
  RecordEvent(*(*marked)->object, StrCat("Marking for deletion Pod ", key));
  registry::DeleteOptions options;  // the pod's own grace period
  options.preconditions.uid = uid;
  auto deleted = pods_->Delete(namespace_, name, options);
  if (!deleted.ok()) {
    // Gone, or replaced by another pod of the same name: nothing of this one is left to delete.
    if (apierrors::IsNotFound(deleted.status()) || apierrors::IsConflict(deleted.status())) return absl::OkStatus();
    return Annotate(deleted.status(), StrCat("delete pod ", key));
  }
  return absl::OkStatus();
}

void TaintEvictionController::RecordEvent(const json::Value& pod, const std::string& message) {
  if (events_ == nullptr) return;
  const absl::Time now = clock_->Now();
  const std::string namespace_ = pod.GetString({"metadata", "namespace"});
  const std::string name = pod.GetString({"metadata", "name"});
  const std::string stamp = registry::FormatMetaTime(now);
  json::Value event = json::Value::EmptyObject();
  event.Set("apiVersion", "v1");
  event.Set("kind", "Event");
  json::Value& meta = event.Ensure({"metadata"});
  // Upstream's recorder names an event after its object and the time in nanoseconds (hex).
  meta.Set("name", StrCat(name, ".", Hex(static_cast<uint64_t>(absl::ToUnixNanos(now)))));
  meta.Set("namespace", namespace_);
  json::Value& involved = event.Ensure({"involvedObject"});
  involved.Set("kind", "Pod");
  involved.Set("namespace", namespace_);
  involved.Set("name", name);
  involved.Set("uid", pod.GetString({"metadata", "uid"}));
  involved.Set("apiVersion", "v1");
  event.Set("reason", kEventReason);
  event.Set("message", message);
  event.Ensure({"source"}).Set("component", kControllerName);
  event.Set("firstTimestamp", stamp);
  event.Set("lastTimestamp", stamp);
  event.Set("count", 1);
  event.Set("type", "Normal");
  event.Set("reportingComponent", kControllerName);
  event.Set("reportingInstance", "");
  auto created = events_->Create(namespace_, std::move(event), registry::WriteOptions{});
  if (!created.ok()) {
    logger_.Warning("Failed to record an event", {{"pod", ObjectKey(namespace_, name)}, {"err", created.status()}});
  }
}

void TaintEvictionController::Start() {
  if (pods_ == nullptr || nodes_ == nullptr) return;
  thread_ = StartThread(logger_, "taint-eviction", [this] { Run(); });
}

void TaintEvictionController::Stop() {
  queue_.ShutDown();
  if (thread_.joinable()) thread_.join();
}

void TaintEvictionController::Run() {
  while (auto key = queue_.Get()) {
    absl::Status s;
    absl::Status thrown = RunGuarded(logger_, "taint-eviction", StrCat("sync pod ", *key), [&] { s = SyncPod(*key); });
    if (!thrown.ok()) s = thrown;
    if (s.ok()) {
      queue_.Forget(*key);
    } else {
      logger_.Warning("Failed to evict a pod from a tainted node; retrying", {{"pod", *key}, {"err", s}});
      queue_.AddRateLimited(*key);
    }
    queue_.Done(*key);
  }
}

}  // namespace cubelet::controllers
