#include "config/pod_config.h"

#include <utility>

#include "api/json_codec.h"
#include "json/parse.h"
#include "static_pods/manifest.h"

namespace cubelet::config {
namespace {

using PodPtr = std::shared_ptr<const api::Pod>;

// Annotations the kubelet itself sets (upstream localAnnotations): not part of what a source
// says, so they never make a pod differ and survive an update.
constexpr const char* kLocalAnnotations[] = {static_pods::kConfigSourceAnnotation, static_pods::kConfigMirrorAnnotation,
                                             static_pods::kConfigSeenAnnotation};

bool IsLocalAnnotation(const std::string& key) {
  for (const char* local : kLocalAnnotations) {
    if (key == local) return true;
  }
  return false;
}

bool AnnotationsEqual(const api::StringMap& a, const api::StringMap& b) {
  auto without_local = [](const api::StringMap& m) {
    api::StringMap out;
    for (const auto& [k, v] : m) {
      if (!IsLocalAnnotation(k)) out.emplace(k, v);
    }
    return out;
  };
  return without_local(a) == without_local(b);
}

// The pod's spec and status as JSON, with the fields the typed model does not hold (the codec
// keeps them for the round trip), so that a change to one of those still counts.
struct Parts {
  json::Value spec;
  json::Value status;
};

Parts Encode(const api::Pod& pod) {
  const std::string text = api::EncodePod(pod);
  auto doc = json::Parse(text);
  Parts out;
  if (!doc.ok()) {
    // Not expected from our own encoder; comparing the whole text stays correct (never misses
    // a change, at worst reports one).
    out.spec = text;
    out.status = text;
    return out;
  }
  if (const json::Value* spec = doc->Find("spec")) out.spec = *spec;
  if (const json::Value* status = doc->Find("status")) out.status = *status;
  return out;
}

// Upstream podsDifferSemantically.
bool DifferSemantically(const api::Pod& existing, const Parts& existing_parts, const api::Pod& ref,
                        const Parts& ref_parts) {
  return !(existing_parts.spec == ref_parts.spec && existing.metadata.labels == ref.metadata.labels &&
           existing.metadata.deletion_timestamp == ref.metadata.deletion_timestamp &&
           existing.metadata.deletion_grace_period_seconds == ref.metadata.deletion_grace_period_seconds &&
           AnnotationsEqual(existing.metadata.annotations, ref.metadata.annotations));
}

enum class Change { kNone, kReconcile, kUpdate, kGracefulDelete };

// Upstream checkAndUpdatePod: what `ref` changes of `existing`, and in `*merged` the pod to keep.
// Upstream copies spec, labels, deletion fields, status and annotations onto the existing
// object; here the new object is kept whole instead (it also carries the fields the model does
// not hold, which a field-by-field copy would leave stale), with the local annotations and the
// first-sight creation stamp of the existing one.
Change CheckAndUpdatePod(const api::Pod& existing, const api::Pod& ref, api::Pod* merged) {
  const Parts existing_parts = Encode(existing);
  const Parts ref_parts = Encode(ref);
  if (!DifferSemantically(existing, existing_parts, ref, ref_parts)) {
    if (existing_parts.status == ref_parts.status) return Change::kNone;
    *merged = existing;
    merged->status = ref.status;
    return Change::kReconcile;
  }
  *merged = ref;
  for (const char* local : kLocalAnnotations) {
    if (auto it = existing.metadata.annotations.find(local); it != existing.metadata.annotations.end()) {
      merged->metadata.annotations[local] = it->second;
    }
  }
  if (!merged->metadata.creation_timestamp) merged->metadata.creation_timestamp = existing.metadata.creation_timestamp;
  return ref.metadata.deletion_timestamp ? Change::kGracefulDelete : Change::kUpdate;
}

}  // namespace

PodConfig::PodConfig(const Clock* clock, Logger logger, Handler handler)
    : clock_(clock), logger_(std::move(logger)), handler_(std::move(handler)) {}

PodUpdateFn PodConfig::Channel(const std::string& source) {
  {
    absl::MutexLock l(&mu_);
    sources_.insert(source);
  }
  return [this, source](PodUpdate update) { Merge(source, std::move(update)); };
}

bool PodConfig::SeenAllSources() const {
  absl::MutexLock l(&mu_);
  for (const auto& s : sources_) {
    if (!sources_ready_.contains(s)) return false;
  }
  return true;
}

std::vector<std::shared_ptr<const api::Pod>> PodConfig::MergedState() const {
  absl::MutexLock l(&mu_);
  std::vector<PodPtr> out;
  for (const auto& [source, pods] : pods_) {
    for (const auto& [uid, pod] : pods) out.push_back(pod);
  }
  return out;
}

void PodConfig::Merge(const std::string& source, PodUpdate update) {
  {
    absl::MutexLock l(&mu_);
    const bool seen_before = sources_seen_.contains(source);
    for (auto& u : MergeLocked(source, std::move(update))) pending_.push_back({std::move(u), ""});
    if (!seen_before && sources_seen_.contains(source)) pending_.push_back({std::nullopt, source});
    if (delivering_ || pending_.empty()) return;
    delivering_ = true;
  }
  Deliver();
}

void PodConfig::Deliver() {
  for (;;) {
    std::deque<Pending> batch;
    {
      absl::MutexLock l(&mu_);
      if (pending_.empty()) {
        delivering_ = false;
        return;
      }
      batch.swap(pending_);
    }
    for (const auto& p : batch) {
      if (p.update) {
        handler_(*p.update);
      } else {
        absl::MutexLock l(&mu_);
        sources_ready_.insert(p.ready_source);
      }
    }
  }
}

std::vector<PodPtr> PodConfig::FilterInvalidPods(const std::vector<PodPtr>& pods, const std::string& source) const {
  std::vector<PodPtr> out;
  std::set<std::string> names;
  for (size_t i = 0; i < pods.size(); ++i) {
    // Sources validate their own pods; only a name given twice in one update is refused here.
    if (!names.insert(api::PodKey(*pods[i])).second) {
      logger_.Warning("Pod failed validation due to duplicate pod name, ignoring",
                      {{"index", i}, {"pod", api::PodKey(*pods[i])}, {"source", source}});
      continue;
    }
    out.push_back(pods[i]);
  }
  return out;
}

std::vector<PodUpdate> PodConfig::MergeLocked(const std::string& source, PodUpdate update) {
  std::vector<PodPtr> adds, updates, deletes, removes, reconciles;
  PodMap& pods = pods_[source];

  // Upstream updatePodsFunc: compares each new pod with `old` and records it in `into` (the
  // same map for incremental updates, a fresh one for a SET).
  auto update_pods = [&](const std::vector<PodPtr>& new_pods, const PodMap& old, PodMap& into) {
    for (const auto& ref : FilterInvalidPods(new_pods, source)) {
      api::Pod next = *ref;
      next.metadata.annotations[static_pods::kConfigSourceAnnotation] = source;
      const std::string uid = next.metadata.uid;  // a copy: `next` is moved from below
      if (auto it = old.find(uid); it != old.end()) {
        const PodPtr existing = it->second;
        api::Pod merged;
        const Change change = CheckAndUpdatePod(*existing, next, &merged);
        if (change == Change::kNone) {
          into[uid] = existing;
          continue;
        }
        auto stored = std::make_shared<const api::Pod>(std::move(merged));
        into[uid] = stored;
        switch (change) {
          case Change::kReconcile: reconciles.push_back(stored); break;
          case Change::kUpdate: updates.push_back(stored); break;
          case Change::kGracefulDelete: deletes.push_back(stored); break;
          case Change::kNone: break;
        }
        continue;
      }
      // First sight (upstream recordFirstSeenTime); the creation stamp is for pods no API
      // server has stamped (file and http pods), which /pods and the status report.
      const absl::Time now = clock_->Now();
      next.metadata.annotations[static_pods::kConfigSeenAnnotation] = api::FormatRfc3339Nano(now);
      if (!next.metadata.creation_timestamp) next.metadata.creation_timestamp = absl::FromUnixSeconds(absl::ToUnixSeconds(now));
      auto stored = std::make_shared<const api::Pod>(std::move(next));
      into[uid] = stored;
      adds.push_back(stored);
    }
  };

  const bool seen_before = sources_seen_.contains(source);
  switch (update.op) {
    case PodOperation::kAdd:
    case PodOperation::kUpdate:
    case PodOperation::kDelete:
    case PodOperation::kReconcile:
      // Upstream refuses RECONCILE from a source; here it is one more incremental update whose
      // meaning the comparison decides, like the other three.
      logger_.VInfo(4, "Merging pods from source",
                    {{"op", OperationName(update.op)}, {"source", source}, {"count", update.pods.size()}});
      update_pods(update.pods, pods, pods);
      break;
    case PodOperation::kRemove:
      logger_.VInfo(4, "Removing pods from source", {{"source", source}, {"count", update.pods.size()}});
      for (const auto& p : update.pods) {
        if (auto it = pods.find(p->metadata.uid); it != pods.end()) {
          removes.push_back(it->second);
          pods.erase(it);
        }
      }
      break;
    case PodOperation::kSet: {
      logger_.VInfo(4, "Setting pods for source", {{"source", source}, {"count", update.pods.size()}});
      sources_seen_.insert(source);
      PodMap fresh;
      update_pods(update.pods, pods, fresh);
      for (const auto& [uid, existing] : pods) {
        if (!fresh.contains(uid)) removes.push_back(existing);
      }
      pods = std::move(fresh);
      break;
    }
  }
  const bool first_set = !seen_before && sources_seen_.contains(source);

  std::vector<PodUpdate> out;
  auto emit = [&](PodOperation op, std::vector<PodPtr>& list, bool even_if_empty = false) {
    if (!list.empty() || even_if_empty) out.push_back(PodUpdate{op, source, std::move(list)});
  };
  emit(PodOperation::kRemove, removes);
  const bool announce_ready = first_set && adds.empty() && updates.empty() && deletes.empty();
  emit(PodOperation::kAdd, adds, announce_ready);
  emit(PodOperation::kUpdate, updates);
  emit(PodOperation::kDelete, deletes);
  emit(PodOperation::kReconcile, reconciles);
  return out;
}

}  // namespace cubelet::config
