#include "controllers/garbage_collector.h"

#include "apierrors/apierrors.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/thread_entry.h"
#include "controllers/object_helpers.h"

namespace cubelet::controllers {
namespace {

constexpr char kDeletePrefix[] = "d/";
constexpr char kOrphanPrefix[] = "o/";

bool Gone(const absl::Status& s) { return apierrors::IsNotFound(s); }

}  // namespace

GarbageCollector::GarbageCollector(registry::ResourceSet* resources, Informers* informers, const Clock* clock,
                                   Logger logger, int workers)
    : logger_(std::move(logger)), queue_(clock), worker_count_(workers) {
  for (registry::ResourceStore* store : resources->all()) {
    const registry::ResourceInfo& info = store->info();
    by_kind_.emplace(std::make_pair(info.group, info.kind), store);
    // A kind stored as another is watched through that one (same objects, same uids).
    if (!info.storage_resource.empty()) continue;
    const int index = static_cast<int>(resources_.size());
    resources_.push_back(store);
    InformerHandler handler;
    handler.on_event = [this, index](const WatchEvent& e) {
      switch (e.type) {
        case EventType::kAdded:
        case EventType::kModified:
          Push({GraphEvent::Kind::kChange, index, e.object});
          break;
        case EventType::kDeleted:
          Push({GraphEvent::Kind::kDelete, index, e.object});
          break;
        case EventType::kBookmark:
          if (e.initial_events_end) Push({GraphEvent::Kind::kSynced, index, nullptr});
          break;
      }
    };
    handler.on_relist = [this, index] { Push({GraphEvent::Kind::kRelist, index, nullptr}); };
    informers->Add(store, "", {}, std::move(handler));
  }
}

GarbageCollector::~GarbageCollector() { Stop(); }

bool GarbageCollector::Synced() const {
  absl::MutexLock lock(&graph_mu_);
  return synced_;
}

size_t GarbageCollector::GraphSize() const {
  absl::MutexLock lock(&graph_mu_);
  return graph_.size();
}

void GarbageCollector::Start() {
  graph_thread_ = StartThread(logger_, "gc-graph", [this] { GraphLoop(); });
  for (int i = 0; i < worker_count_; ++i) workers_.push_back(StartThread(logger_, "gc-worker", [this] { WorkerLoop(); }));
}

void GarbageCollector::Stop() {
  {
    absl::MutexLock lock(&events_mu_);
    stopping_ = true;
  }
  queue_.ShutDown();
  if (graph_thread_.joinable()) graph_thread_.join();
  for (std::jthread& t : workers_) t.join();
  workers_.clear();
}

bool GarbageCollector::HasEventsOrStopping() const { return stopping_ || !events_.empty(); }

void GarbageCollector::Push(GraphEvent event) {
  absl::MutexLock lock(&events_mu_);
  if (!stopping_) events_.push_back(std::move(event));
}

void GarbageCollector::GraphLoop() {
  while (true) {
    std::deque<GraphEvent> batch;
    {
      absl::MutexLock lock(&events_mu_);
      events_mu_.Await(absl::Condition(this, &GarbageCollector::HasEventsOrStopping));
      if (stopping_) return;
      batch.swap(events_);
    }
    // A batch that throws is lost to the graph (logged); the loop goes on with the next one.
    (void)RunGuarded(logger_, "gc-graph", "apply watch events to the graph", [&] { ApplyToGraph(batch); });
  }
}

void GarbageCollector::ApplyToGraph(const std::deque<GraphEvent>& batch) {
  GcGraph::Work work;
  bool became_synced = false;
  {
    absl::MutexLock lock(&graph_mu_);
    for (const GraphEvent& e : batch) {
      switch (e.kind) {
        case GraphEvent::Kind::kChange:
          work.Merge(graph_.Upsert(e.resource, *e.object->object));
          break;
        case GraphEvent::Kind::kDelete:
          work.Merge(graph_.Remove(e.object->object->GetString({"metadata", "uid"})));
          break;
        case GraphEvent::Kind::kRelist:
          graph_.BeginRelist(e.resource);
          break;
        case GraphEvent::Kind::kSynced:
          work.Merge(graph_.EndRelist(e.resource));
          synced_resources_.insert(e.resource);
          break;
      }
    }
    if (!synced_ && synced_resources_.size() == resources_.size()) {
      synced_ = true;
      became_synced = true;
    }
    if (!synced_) {
      pending_.Merge(std::move(work));
      return;
    }
  }
  if (became_synced) {
    logger_.VInfo(2, "The garbage collector's graph is complete", {{"objects", GraphSize()}});
    Enqueue(pending_);
    pending_ = {};
  }
  Enqueue(work);
}

void GarbageCollector::Enqueue(const GcGraph::Work& work) {
  for (const std::string& uid : work.attempt_to_delete) queue_.Add(StrCat(kDeletePrefix, uid));
  for (const std::string& uid : work.attempt_to_orphan) queue_.Add(StrCat(kOrphanPrefix, uid));
}

void GarbageCollector::WorkerLoop() {
  while (auto key = queue_.Get()) {
    const std::string uid = key->substr(2);
    absl::Status s;
    absl::Status thrown = RunGuarded(logger_, "gc-worker", *key, [&] {
      s = key->starts_with(kOrphanPrefix) ? AttemptToOrphan(uid) : AttemptToDelete(uid);
    });
    if (!thrown.ok()) s = thrown;  // retried with back-off like any failed attempt
    if (s.ok()) {
      queue_.Forget(*key);
    } else {
      logger_.Warning("Garbage collection failed; retrying", {{"uid", uid}, {"err", s}});
      queue_.AddRateLimited(*key);
    }
    queue_.Done(*key);
  }
}

registry::ResourceStore* GarbageCollector::StoreFor(const OwnerReference& ref) const {
  auto it = by_kind_.find(std::make_pair(GroupOf(ref.api_version), ref.kind));
  return it == by_kind_.end() ? nullptr : it->second;
}

std::vector<GarbageCollector::NodeCopy> GarbageCollector::DependentsOf(const GcGraph::Node& node) const {
  std::vector<NodeCopy> out;
  for (const std::string& uid : node.dependents) {
    const GcGraph::Node* d = graph_.Find(uid);
    if (d == nullptr || !d->observed) continue;
    out.push_back(NodeCopy{d->resource, d->namespace_, d->name, uid});
  }
  return out;
}

absl::StatusOr<GarbageCollector::OwnerState> GarbageCollector::ClassifyOwner(const OwnerReference& ref,
                                                                             const std::string& dependent_namespace,
                                                                             bool dependent_namespaced) {
  {
    absl::MutexLock lock(&graph_mu_);
    // The graph may lag the store: "alive" only delays a deletion until the owner's own
    // DELETED event arrives; "gone" is confirmed below unless a deletion was seen.
    if (const GcGraph::Node* owner = graph_.Find(ref.uid); owner != nullptr && owner->observed) {
      return owner->deleting_dependents ? OwnerState::kWaiting : OwnerState::kSolid;
    }
    if (graph_.KnownAbsent(ref.uid)) return OwnerState::kDangling;
  }
  registry::ResourceStore* store = StoreFor(ref);
  const bool unresolvable = store == nullptr || (store->info().namespaced && !dependent_namespaced);
  if (unresolvable) {
    // An owner of a kind not served, or a namespaced owner of a cluster-scoped object (invalid):
    // upstream does not delete on either; neither do we.
    absl::MutexLock lock(&graph_mu_);
    if (warned_kinds_.insert(StrCat(ref.api_version, "/", ref.kind)).second) {
      logger_.Warning("Owner reference cannot be resolved; its dependents are kept",
                      {{"apiVersion", ref.api_version}, {"kind", ref.kind}, {"name", ref.name}});
    }
    return OwnerState::kSolid;
  }
  const std::string owner_namespace = store->info().namespaced ? dependent_namespace : "";
  auto got = store->Get(owner_namespace, ref.name, registry::GetOptions{});
  if (!got.ok() && !Gone(got.status())) return got.status();
  if (!got.ok() || (*got)->object->GetString({"metadata", "uid"}) != ref.uid) {
    absl::MutexLock lock(&graph_mu_);
    graph_.MarkAbsent(ref.uid);
    return OwnerState::kDangling;
  }
  const json::Value& owner = *(*got)->object;
  return BeingDeleted(owner) && HasFinalizer(owner, kForegroundDeletionFinalizer) ? OwnerState::kWaiting
                                                                                   : OwnerState::kSolid;
}

absl::Status GarbageCollector::AttemptToDelete(const std::string& uid) {
  NodeCopy self;
  std::vector<NodeCopy> dependents;
  std::set<std::string> dependents_deleting_dependents;
  {
    absl::MutexLock lock(&graph_mu_);
    const GcGraph::Node* node = graph_.Find(uid);
    if (node == nullptr || !node->observed) return absl::OkStatus();
    // Most items (e.g. every dependent listed before its owner at start) need no read at all.
    if (!graph_.NeedsAttention(*node)) return absl::OkStatus();
    self = NodeCopy{node->resource, node->namespace_, node->name, uid};
    dependents = DependentsOf(*node);
    for (const NodeCopy& d : dependents) {
      if (graph_.Find(d.uid)->deleting_dependents) dependents_deleting_dependents.insert(d.uid);
    }
  }
  registry::ResourceStore* store = resources_[self.resource];
  const std::string what = StrCat(store->info().GroupResource().String(), " ", ObjectKey(self.namespace_, self.name));
  // Act on the object as stored, never on the graph's idea of it.
  auto latest = store->Get(self.namespace_, self.name, registry::GetOptions{});
  if (!latest.ok()) return Gone(latest.status()) ? absl::OkStatus() : Annotate(latest.status(), what);
  const json::Value& object = *(*latest)->object;
  if (object.GetString({"metadata", "uid"}) != uid) return absl::OkStatus();  // another object by now

  if (BeingDeleted(object)) {
    if (!HasFinalizer(object, kForegroundDeletionFinalizer)) return absl::OkStatus();  // on its way
    // Foreground deletion (upstream processDeletingDependentsItem): the owner goes last.
    if (dependents.empty()) {
      logger_.VInfo(2, "Dependents are gone; removing the foregroundDeletion finalizer", {{"object", what}});
      absl::Status s = RemoveFinalizer(store, self.namespace_, self.name, uid, kForegroundDeletionFinalizer);
      return Gone(s) ? absl::OkStatus() : Annotate(s, what);
    }
    for (const NodeCopy& d : dependents) {
      if (!dependents_deleting_dependents.contains(d.uid)) queue_.Add(StrCat(kDeletePrefix, d.uid));
    }
    return absl::OkStatus();  // looked at again when a dependent goes
  }

  std::vector<OwnerReference> refs;
  for (OwnerReference& ref : OwnerReferencesOf(object)) {
    if (ref.uid != uid) refs.push_back(std::move(ref));
  }
  if (refs.empty()) return absl::OkStatus();
  std::set<std::string> solid, dangling, waiting;
  for (const OwnerReference& ref : refs) {
    auto state = ClassifyOwner(ref, self.namespace_, store->info().namespaced);
    if (!state.ok()) return Annotate(state.status(), StrCat(what, ": look up owner ", ref.kind, " ", ref.name));
    switch (*state) {
      case OwnerState::kSolid: solid.insert(ref.uid); break;
      case OwnerState::kDangling: dangling.insert(ref.uid); break;
      case OwnerState::kWaiting: waiting.insert(ref.uid); break;
    }
  }

  if (!solid.empty()) {
    if (dangling.empty() && waiting.empty()) return absl::OkStatus();
    // It stays, but references to owners that are gone or waiting for it go (else a waiting
    // owner would wait forever).
    std::set<std::string> drop = dangling;
    drop.insert(waiting.begin(), waiting.end());
    logger_.VInfo(2, "Removing references to owners that are gone or being deleted", {{"object", what}});
    absl::Status s = RemoveOwnerReferences(store, self.namespace_, self.name, uid, drop);
    return Gone(s) ? absl::OkStatus() : Annotate(s, what);
  }

  registry::DeleteOptions options;
  options.preconditions.uid = uid;
  if (!waiting.empty() && !dependents.empty()) {
    // An owner waits for this object, which has dependents of its own: delete it in the
    // foreground too, so the owner goes only after the whole subtree.
    options.propagation_policy = "Foreground";
  } else if (HasFinalizer(object, kOrphanFinalizer)) {
    options.propagation_policy = "Orphan";
  } else if (HasFinalizer(object, kForegroundDeletionFinalizer)) {
    options.propagation_policy = "Foreground";
  } else {
    options.propagation_policy = "Background";
  }
  logger_.VInfo(2, "Deleting an object whose owners are gone",
               {{"object", what}, {"propagationPolicy", options.propagation_policy}});
  auto deleted = store->Delete(self.namespace_, self.name, options);
  if (deleted.ok() || Gone(deleted.status())) return absl::OkStatus();
  // A uid precondition that fails means another object has the name now: nothing to do.
  if (apierrors::IsConflict(deleted.status())) {
    auto again = store->Get(self.namespace_, self.name, registry::GetOptions{});
    if (!again.ok() || (*again)->object->GetString({"metadata", "uid"}) != uid) return absl::OkStatus();
  }
  return Annotate(deleted.status(), StrCat("delete ", what));
}

absl::Status GarbageCollector::AttemptToOrphan(const std::string& uid) {
  NodeCopy self;
  std::vector<NodeCopy> dependents;
  {
    absl::MutexLock lock(&graph_mu_);
    const GcGraph::Node* node = graph_.Find(uid);
    if (node == nullptr || !node->observed) return absl::OkStatus();
    self = NodeCopy{node->resource, node->namespace_, node->name, uid};
    dependents = DependentsOf(*node);
  }
  registry::ResourceStore* store = resources_[self.resource];
  const std::string what = StrCat(store->info().GroupResource().String(), " ", ObjectKey(self.namespace_, self.name));
  auto latest = store->Get(self.namespace_, self.name, registry::GetOptions{});
  if (!latest.ok()) return Gone(latest.status()) ? absl::OkStatus() : Annotate(latest.status(), what);
  const json::Value& object = *(*latest)->object;
  if (object.GetString({"metadata", "uid"}) != uid) return absl::OkStatus();
  if (!BeingDeleted(object) || !HasFinalizer(object, kOrphanFinalizer)) return absl::OkStatus();
  for (const NodeCopy& d : dependents) {
    registry::ResourceStore* dep_store = resources_[d.resource];
    absl::Status s = RemoveOwnerReferences(dep_store, d.namespace_, d.name, d.uid, {uid});
    if (!s.ok() && !Gone(s)) {
      return Annotate(s, StrCat("orphan ", dep_store->info().GroupResource().String(), " ",
                                ObjectKey(d.namespace_, d.name), " of ", what));
    }
  }
  logger_.VInfo(2, "Dependents orphaned; removing the orphan finalizer", {{"object", what},
                                                                         {"dependents", dependents.size()}});
  absl::Status s = RemoveFinalizer(store, self.namespace_, self.name, uid, kOrphanFinalizer);
  return Gone(s) ? absl::OkStatus() : Annotate(s, what);
}

}  // namespace cubelet::controllers
