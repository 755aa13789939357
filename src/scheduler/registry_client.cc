#include "scheduler/registry_client.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "common/strings.h"
#include "controllers/informer.h"
#include "registry/object_meta.h"
#include "registry/pod_binding.h"

namespace cubelet::scheduler {
namespace {

constexpr std::string_view kComponent = "default-scheduler";
constexpr absl::Duration kSyncTimeout = absl::Minutes(2);

EventType TypeOf(controllers::EventType type) {
  switch (type) {
    case controllers::EventType::kAdded:
      return EventType::kAdded;
    case controllers::EventType::kModified:
      return EventType::kModified;
    default:
      return EventType::kDeleted;
  }
}

std::string Hostname() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "localhost";
  return name;
}

// What the client knows of one kind, so a relist (a watch started over after its history was
// compacted) turns into kDeleted for the objects the new list no longer holds, as client-go's
// Replace does. Events of one kind come from one dispatch thread at a time.
class KindState {
 public:
  void StartRelist() {
    absl::MutexLock lock(&mu_);
    relisting_ = true;
    seen_.clear();
  }

  template <typename Fn>
  void Deliver(const controllers::WatchEvent& event, Fn&& deliver) {
    std::vector<ObjectRef> gone;
    EventType type = EventType::kAdded;
    ObjectRef object;
    {
      absl::MutexLock lock(&mu_);
      if (event.initial_events_end) {
        if (relisting_) {
          for (auto it = known_.begin(); it != known_.end();) {
            if (seen_.contains(it->first)) {
              ++it;
            } else {
              gone.push_back(it->second);
              it = known_.erase(it);
            }
          }
          relisting_ = false;
          seen_.clear();
        }
      } else if (event.object != nullptr) {
        const std::string key = event.object->key;
        object = event.object->object;
        type = TypeOf(event.type);
        if (type == EventType::kDeleted) {
          known_.erase(key);
        } else {
          known_[key] = object;
          if (relisting_) seen_.insert(key);
        }
      }
    }
    for (const ObjectRef& o : gone) deliver(EventType::kDeleted, o);
    if (object != nullptr) deliver(type, object);
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, ObjectRef, std::less<>> known_ ABSL_GUARDED_BY(mu_);  // by storage key
  std::set<std::string, std::less<>> seen_ ABSL_GUARDED_BY(mu_);
  bool relisting_ ABSL_GUARDED_BY(mu_) = false;
};

class RegistryClient final : public SchedulerClient {
 public:
  RegistryClient(registry::ResourceSet* resources, const Clock* clock, Logger logger)
      : pods_(resources->Find("", "pods")),
        nodes_(resources->Find("", "nodes")),
        namespaces_(resources->Find("", "namespaces")),
        services_(resources->Find("", "services")),
        events_(resources->Find("", "events")),
        clock_(clock),
        logger_(std::move(logger)),
        instance_(StrCat(kComponent, "-", Hostname())) {}

  ~RegistryClient() override { Stop(); }

  absl::Status Start(ClusterEventHandler* handler) override {
    informers_ = std::make_unique<controllers::Informers>(clock_, logger_);
    auto add = [&](registry::ResourceStore* store, void (ClusterEventHandler::*on)(EventType, const ObjectRef&)) {
      auto kind = std::make_shared<KindState>();
      controllers::InformerHandler h;
      h.on_event = [handler, on, kind](const controllers::WatchEvent& event) {
        kind->Deliver(event, [&](EventType type, const ObjectRef& object) { (handler->*on)(type, object); });
      };
      h.on_relist = [kind] { kind->StartRelist(); };
      informers_->Add(store, "", {}, std::move(h));
    };
    // Namespaces, services and nodes first, so the first pods meet a complete picture.
    add(namespaces_, &ClusterEventHandler::OnNamespace);
    add(services_, &ClusterEventHandler::OnService);
    add(nodes_, &ClusterEventHandler::OnNode);
    add(pods_, &ClusterEventHandler::OnPod);
    if (absl::Status s = informers_->Start(); !s.ok()) return s;
    const absl::Time deadline = absl::Now() + kSyncTimeout;
    while (!informers_->AllSynced()) {
      if (absl::Now() > deadline) return absl::DeadlineExceededError("the scheduler's watches did not sync");
      absl::SleepFor(absl::Milliseconds(10));
    }
    return absl::OkStatus();
  }

  void Stop() override {
    if (informers_ != nullptr) informers_->Stop();
  }

  absl::Status Bind(const PodInfo& pod, const std::string& node) override {
    registry::PodBinding binding{pod.namespace_, pod.name, node, pod.uid, "", nullptr};
    return registry::BindPod(*pods_, binding, clock_->Now()).status();
  }

  absl::Status UpdatePodCondition(const PodInfo& pod, const PodCondition& condition,
                                  const std::optional<std::string>& nominated_node) override {
    const absl::Time now = clock_->Now();
    bool changed = false;
    auto transform = [&](const json::Value& current) -> absl::StatusOr<json::Value> {
      if (current.GetString({"metadata", "uid"}) != pod.uid) return absl::NotFoundError("the pod was replaced");
      json::Value next = current;
      changed = SetCondition(&next, condition, now);
      if (nominated_node && current.GetString({"status", "nominatedNodeName"}) != *nominated_node) {
        changed = true;
        if (nominated_node->empty()) {
          next.Ensure({"status"}).Erase("nominatedNodeName");
        } else {
          next.Ensure({"status"}).Set("nominatedNodeName", *nominated_node);
        }
      }
      return next;
    };
    // Skip the write when nothing changes: an unschedulable pod retried on every node event
    // would otherwise rewrite the same condition each time.
    auto current = pods_->Get(pod.namespace_, pod.name, registry::GetOptions{"0"});
    if (!current.ok()) return current.status();
    if (!transform(*(*current)->object).ok() || !changed) return absl::OkStatus();
    registry::WriteOptions options;
    options.field_manager = "kube-scheduler";
    return pods_->GuaranteedUpdate(pod.namespace_, pod.name, transform, /*status=*/true,
                                   /*create_if_missing=*/false, options)
        .status();
  }

  absl::Status DeletePod(const PodInfo& pod) override {
    registry::DeleteOptions options;
    options.preconditions.uid = pod.uid;
    return pods_->Delete(pod.namespace_, pod.name, options).status();
  }

  void RecordEvent(const PodInfo& pod, std::string_view type, std::string_view reason,
                   std::string_view message) override {
    const absl::Time now = clock_->Now();
    json::Value event = json::Value::EmptyObject();
    event.Set("apiVersion", "v1");
    event.Set("kind", "Event");
    json::Value& meta = event.Ensure({"metadata"});
    // Upstream names events <object>.<unix nanos in hex>; the counter keeps two events of one
    // instant (or of a fake clock) apart.
    int64_t nanos = absl::ToUnixNanos(now);
    int64_t last = last_event_nanos_.load();
    while (!last_event_nanos_.compare_exchange_weak(last, std::max(nanos, last + 1))) {
    }
    nanos = std::max(nanos, last + 1);
    meta.Set("name", StrCat(pod.name, ".", absl::StrCat(absl::Hex(nanos))));
    meta.Set("namespace", pod.namespace_);
    json::Value& involved = event.Ensure({"involvedObject"});
    involved.Set("apiVersion", "v1");
    involved.Set("kind", "Pod");
    involved.Set("namespace", pod.namespace_);
    involved.Set("name", pod.name);
    involved.Set("uid", pod.uid);
    involved.Set("resourceVersion", pod.resource_version);
    event.Set("reason", std::string(reason));
    event.Set("message", std::string(message));
    event.Set("type", std::string(type));
    event.Ensure({"source"}).Set("component", std::string(kComponent));
    event.Set("firstTimestamp", registry::FormatMetaTime(now));
    event.Set("lastTimestamp", registry::FormatMetaTime(now));
    event.Set("count", 1);
    event.Set("reportingComponent", std::string(kComponent));
    event.Set("reportingInstance", instance_);
    auto created = events_->Create(pod.namespace_, std::move(event), registry::WriteOptions{});
    if (!created.ok()) logger_.Warning(StrCat("Recording event ", reason, " for ", pod.Key(), ": ", created.status().message()));
  }

 private:
  // Sets PodScheduled to `condition`; whether anything changed. lastTransitionTime moves only
  // when the status does, as upstream's UpdatePodCondition.
  static bool SetCondition(json::Value* pod, const PodCondition& condition, absl::Time now) {
    json::Value& conditions = pod->Ensure({"status", "conditions"});
    if (!conditions.is_array()) conditions = json::Value::EmptyArray();
    for (json::Value& c : conditions.AsArray()) {
      if (c.GetString({"type"}) != "PodScheduled") continue;
      if (c.GetString({"status"}) == condition.status && c.GetString({"reason"}) == condition.reason &&
          c.GetString({"message"}) == condition.message) {
        return false;
      }
      if (c.GetString({"status"}) != condition.status) c.Set("lastTransitionTime", registry::FormatMetaTime(now));
      c.Set("status", condition.status);
      c.Set("reason", condition.reason);
      c.Set("message", condition.message);
      return true;
    }
    json::Value c = json::Value::EmptyObject();
    c.Set("type", "PodScheduled");
    c.Set("status", condition.status);
    c.Set("lastProbeTime", nullptr);
    c.Set("lastTransitionTime", registry::FormatMetaTime(now));
    c.Set("reason", condition.reason);
    c.Set("message", condition.message);
    conditions.Append(std::move(c));
    return true;
  }

  registry::ResourceStore* const pods_;
  registry::ResourceStore* const nodes_;
  registry::ResourceStore* const namespaces_;
  registry::ResourceStore* const services_;
  registry::ResourceStore* const events_;
  const Clock* const clock_;
  const Logger logger_;
  const std::string instance_;
  std::unique_ptr<controllers::Informers> informers_;
  std::atomic<int64_t> last_event_nanos_{0};
};

}  // namespace

std::unique_ptr<SchedulerClient> NewRegistryClient(registry::ResourceSet* resources, const Clock* clock,
                                                   Logger logger) {
  return std::make_unique<RegistryClient>(resources, clock, std::move(logger));
}

}  // namespace cubelet::scheduler
