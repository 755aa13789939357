#include "controllers/namespace_controller.h"

#include <algorithm>

#include "apierrors/apierrors.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/thread_entry.h"
#include "controllers/object_helpers.h"
#include "registry/object_meta.h"

namespace cubelet::controllers {
namespace {

// Upstream's guess for how long an object's finalizers take (finalizerEstimateSeconds).
constexpr int64_t kFinalizerEstimateSeconds = 15;
constexpr absl::Duration kMaxStuckWait = absl::Seconds(30);

// The conditions upstream's deleter keeps on a Terminating namespace, with their "all is well"
// reason and message (deletion/status_condition_utils.go).
struct ConditionType {
  const char* type;
  const char* ok_reason;
  const char* ok_message;
};
const ConditionType kConditionTypes[] = {
    {"NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered", "All resources successfully discovered"},
    {"NamespaceDeletionGroupVersionParsingFailure", "ParsedGroupVersions", "All legacy kube types successfully parsed"},
    {"NamespaceDeletionContentFailure", "ContentDeleted", "All content successfully deleted, may be waiting on finalization"},
    {"NamespaceContentRemaining", "ContentRemoved", "All content successfully removed"},
    {"NamespaceFinalizersRemaining", "ContentRemoved", "All content successfully removed"},
};

struct Condition {
  std::string status;
  std::string reason;
  std::string message;
};

std::string JoinSorted(std::vector<std::string> parts) {
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const std::string& p : parts) StrAppend(&out, out.empty() ? "" : ", ", p);
  return out;
}

std::vector<std::string> Strings(const json::Value* list) {
  std::vector<std::string> out;
  if (list == nullptr || !list->is_array()) return out;
  for (const json::Value& v : list->AsArray()) {
    if (v.is_string()) out.push_back(v.AsString());
  }
  return out;
}

int64_t SecondsUntil(const std::string& meta_time, absl::Time now) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, meta_time, &t, &err)) return 0;
  return std::max<int64_t>(0, absl::ToInt64Seconds(t - now));
}

}  // namespace

NamespaceController::NamespaceController(registry::ResourceSet* resources, Informers* informers, const Clock* clock,
                                         Logger logger)
    : namespaces_(resources->Find("", "namespaces")), clock_(clock), logger_(std::move(logger)), queue_(clock) {
  for (registry::ResourceStore* store : resources->all()) {
    // A kind stored as another (events.k8s.io events) is deleted with that other one.
    if (store->info().namespaced && store->info().storage_resource.empty()) content_.push_back(store);
  }
  if (namespaces_ == nullptr) return;
  informers->Add(namespaces_, "", {},
                 {[this](const WatchEvent& e) {
                    if (e.type != EventType::kBookmark && e.type != EventType::kDeleted && BeingDeleted(*e.object->object)) {
                      queue_.Add(e.object->name);
                    }
                  },
                  nullptr});
}

NamespaceController::~NamespaceController() { Stop(); }

NamespaceController::ContentTotals NamespaceController::DeleteAllContent(const std::string& namespace_) {
  ContentTotals totals;
  const absl::Time now = clock_->Now();
  for (registry::ResourceStore* store : content_) {
    const registry::ResourceInfo& info = store->info();
    // Background propagation, as upstream's deleter asks for (its own dependents follow by GC).
    registry::DeleteOptions options;
    options.propagation_policy = "Background";
    auto deleted = store->DeleteCollection(namespace_, registry::ListOptions{}, options);
    if (!deleted.ok()) {
      totals.errors.push_back(StrCat(info.resource, ".", info.group, ": ", deleted.status().message()));
      continue;
    }
    auto left = store->List(namespace_, registry::ListOptions{});
    if (!left.ok()) {
      totals.errors.push_back(StrCat(info.resource, ".", info.group, ": ", left.status().message()));
      continue;
    }
    if (left->items.empty()) continue;
    // Upstream names a resource "<resource>.<group>", so core kinds end in a dot ("pods.").
    totals.remaining_by_resource[StrCat(info.resource, ".", info.group)] = static_cast<int>(left->items.size());
    for (const registry::ObjectPtr& item : left->items) {
      const json::Value& object = *item->object;
      std::vector<std::string> finalizers = Strings(object.FindPath({"metadata", "finalizers"}));
      for (const std::string& f : finalizers) ++totals.remaining_by_finalizer[f];
      if (!finalizers.empty()) totals.estimate_seconds = std::max(totals.estimate_seconds, kFinalizerEstimateSeconds);
      if (info.group.empty() && info.resource == "pods" && BeingDeleted(object)) {
        totals.estimate_seconds =
            std::max(totals.estimate_seconds, SecondsUntil(object.GetString({"metadata", "deletionTimestamp"}), now));
      }
    }
  }
  return totals;
}

absl::Status NamespaceController::UpdateConditions(const std::string& name, const std::string& uid,
                                                   const ContentTotals& totals) {
  std::map<std::string, Condition> failing;
  if (!totals.errors.empty()) {
    failing["NamespaceDeletionContentFailure"] = {
        "True", "ContentDeletionFailed",
        StrCat("Failed to delete all resource types, ", totals.errors.size(), " remaining: ", JoinSorted(totals.errors))};
  }
  if (!totals.remaining_by_resource.empty()) {
    std::vector<std::string> parts;
    for (const auto& [resource, n] : totals.remaining_by_resource) {
      parts.push_back(StrCat(resource, " has ", n, " resource instances"));
    }
    failing["NamespaceContentRemaining"] = {"True", "SomeResourcesRemain",
                                            StrCat("Some resources are remaining: ", JoinSorted(parts))};
  }
  if (!totals.remaining_by_finalizer.empty()) {
    std::vector<std::string> parts;
    for (const auto& [finalizer, n] : totals.remaining_by_finalizer) {
      parts.push_back(StrCat(finalizer, " in ", n, " resource instances"));
    }
    failing["NamespaceFinalizersRemaining"] = {"True", "SomeFinalizerRemain",
                                               StrCat("Some finalizers are remaining: ", JoinSorted(parts))};
  }
  const std::string now = registry::FormatMetaTime(clock_->Now());
  registry::UpdateFunc transform = [&](const json::Value& current) -> absl::StatusOr<json::Value> {
    if (current.GetString({"metadata", "uid"}) != uid) return apierrors::NotFound(namespaces_->info().GroupResource(), name);
    json::Value next = current;
    json::Value& conditions = next.Ensure({"status", "conditions"});
    if (!conditions.is_array()) conditions = json::Value::EmptyArray();
    for (const ConditionType& type : kConditionTypes) {
      auto it = failing.find(type.type);
      Condition want = it != failing.end() ? it->second : Condition{"False", type.ok_reason, type.ok_message};
      json::Value* existing = nullptr;
      for (json::Value& c : conditions.AsArray()) {
        if (c.GetString({"type"}) == type.type) existing = &c;
      }
      if (existing == nullptr) {
        json::Value c = json::Value::EmptyObject();
        c.Set("type", type.type);
        c.Set("status", want.status);
        c.Set("lastTransitionTime", now);
        c.Set("reason", want.reason);
        c.Set("message", want.message);
        conditions.Append(std::move(c));
        continue;
      }
      if (existing->GetString({"status"}) != want.status) existing->Set("lastTransitionTime", now);
      existing->Set("status", want.status);
      existing->Set("reason", want.reason);
      existing->Set("message", want.message);
    }
    return next;
  };
  // Below the strategy: the generic update would remove a Terminating namespace outright (see
  // object_helpers.cc RemoveFinalizer).
  auto written = namespaces_->StorageUpdate("", name, transform);
  return written.ok() || apierrors::IsNotFound(written.status()) ? absl::OkStatus() : written.status();
}

absl::Status NamespaceController::Finalize(const std::string& name, const std::string& uid) {
  registry::UpdateFunc transform = [&](const json::Value& current) -> absl::StatusOr<json::Value> {
    if (current.GetString({"metadata", "uid"}) != uid) return apierrors::NotFound(namespaces_->info().GroupResource(), name);
    json::Value next = current;
    std::vector<std::string> kept;
    for (const std::string& f : Strings(next.FindPath({"spec", "finalizers"}))) {
      if (f != kKubernetesFinalizer) kept.push_back(f);
    }
    json::Array list;
    for (std::string& f : kept) list.emplace_back(std::move(f));
    next.Ensure({"spec"}).Set("finalizers", std::move(list));
    return next;
  };
  // The finalize subresource writes below the strategy (which keeps spec.finalizers).
  auto written = namespaces_->StorageUpdate("", name, transform);
  if (!written.ok()) return apierrors::IsNotFound(written.status()) ? absl::OkStatus() : written.status();
  const json::Value& ns = *(*written)->object;
  if (!Strings(ns.FindPath({"spec", "finalizers"})).empty()) return absl::OkStatus();
  registry::DeleteOptions options;
  options.preconditions.uid = uid;
  auto deleted = namespaces_->Delete("", name, options);
  if (!deleted.ok() && !apierrors::IsNotFound(deleted.status())) return deleted.status();
  if (deleted.ok() && deleted->removed) logger_.Info("Deleted a namespace", {{"namespace", name}});
  return absl::OkStatus();
}

absl::StatusOr<absl::Duration> NamespaceController::SyncNamespace(const std::string& name) {
  auto got = namespaces_->Get("", name, registry::GetOptions{});
  if (!got.ok()) {
    if (apierrors::IsNotFound(got.status())) return absl::ZeroDuration();
    return got.status();
  }
  const json::Value& ns = *(*got)->object;
  const std::string uid = ns.GetString({"metadata", "uid"});
  if (!BeingDeleted(ns)) return absl::ZeroDuration();
  std::vector<std::string> finalizers = Strings(ns.FindPath({"spec", "finalizers"}));
  if (finalizers.empty()) {
    // Finalized already (a pass that ended between its two writes): let it go.
    RETURN_IF_ERROR(Finalize(name, uid));
    return absl::ZeroDuration();
  }
  if (std::find(finalizers.begin(), finalizers.end(), kKubernetesFinalizer) == finalizers.end()) {
    return absl::ZeroDuration();  // someone else's finalizer holds it
  }
  ContentTotals totals = DeleteAllContent(name);
  RETURN_IF_ERROR(UpdateConditions(name, uid, totals));
  if (!totals.errors.empty()) {
    return absl::UnavailableError(StrCat("delete the content of namespace ", name, ": ", JoinSorted(totals.errors)));
  }
  if (!totals.empty()) {
    // Upstream waits half the estimate plus a second, then looks again.
    return absl::Seconds(totals.estimate_seconds / 2 + 1);
  }
  RETURN_IF_ERROR(Finalize(name, uid));
  return absl::ZeroDuration();
}

void NamespaceController::Start() {
  if (namespaces_ == nullptr) return;
  thread_ = StartThread(logger_, "namespace-ctrl", [this] { Run(); });
}

void NamespaceController::Stop() {
  queue_.ShutDown();
  if (thread_.joinable()) thread_.join();
}

void NamespaceController::Run() {
  while (auto key = queue_.Get()) {
    absl::StatusOr<absl::Duration> requeue;
    absl::Status thrown =
        RunGuarded(logger_, "namespace-ctrl", StrCat("sync namespace ", *key), [&] { requeue = SyncNamespace(*key); });
    if (!thrown.ok()) requeue = thrown;
    if (!requeue.ok()) {
      logger_.Warning("Failed to delete a namespace; retrying", {{"namespace", *key}, {"err", requeue.status()}});
      queue_.AddRateLimited(*key);
    } else {
      queue_.Forget(*key);
      if (*requeue > absl::ZeroDuration()) {
        // Content past its expected end (a pod whose node does not confirm, a finalizer nobody
        // removes) is looked at less and less often, up to every kMaxStuckWait.
        absl::Duration wait = *requeue;
        int& passes = stuck_passes_[*key];
        if (wait <= absl::Seconds(1)) {
          wait = std::min(absl::Seconds(1 << std::min(passes, 5)), kMaxStuckWait);
          ++passes;
        } else {
          passes = 0;
        }
        logger_.VInfo(2, "Content remains in a terminating namespace", {{"namespace", *key}, {"wait", wait}});
        queue_.AddAfter(*key, wait);
      } else {
        stuck_passes_.erase(*key);
      }
    }
    queue_.Done(*key);
  }
}

}  // namespace cubelet::controllers
