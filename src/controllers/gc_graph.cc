#include "controllers/gc_graph.h"

#include <algorithm>

namespace cubelet::controllers {
namespace {

// How many deleted uids are remembered (upstream keeps 500; uids are never reused, so a miss
// only costs one read of the store).
constexpr size_t kAbsentCapacity = 4096;

bool Contains(const std::vector<OwnerReference>& refs, const std::string& uid) {
  return std::any_of(refs.begin(), refs.end(), [&](const OwnerReference& r) { return r.uid == uid; });
}

}  // namespace

void GcGraph::Work::Merge(Work other) {
  attempt_to_delete.insert(attempt_to_delete.end(), other.attempt_to_delete.begin(), other.attempt_to_delete.end());
  attempt_to_orphan.insert(attempt_to_orphan.end(), other.attempt_to_orphan.begin(), other.attempt_to_orphan.end());
}

const GcGraph::Node* GcGraph::Find(const std::string& uid) const {
  auto it = nodes_.find(uid);
  return it == nodes_.end() ? nullptr : &it->second;
}

void GcGraph::MarkAbsent(const std::string& uid) {
  if (!absent_.insert(uid).second) return;
  absent_order_.push_back(uid);
  while (absent_order_.size() > kAbsentCapacity) {
    absent_.erase(absent_order_.front());
    absent_order_.pop_front();
  }
}

void GcGraph::AddDependent(const std::string& owner, const std::string& dependent) {
  nodes_[owner].dependents.insert(dependent);  // a virtual node when the owner is not known yet
}

void GcGraph::RemoveDependent(const std::string& owner, const std::string& dependent, Work* work) {
  auto it = nodes_.find(owner);
  if (it == nodes_.end()) return;
  Node& o = it->second;
  o.dependents.erase(dependent);
  if (o.deleting_dependents) work->attempt_to_delete.push_back(owner);  // it may be free to go now
  if (!o.observed && o.dependents.empty()) nodes_.erase(it);
}

bool GcGraph::NeedsAttention(const Node& node) const {
  return node.deleting_dependents || OwnersNeedAttention(node.owners);
}

bool GcGraph::OwnersNeedAttention(const std::vector<OwnerReference>& owners) const {
  for (const OwnerReference& ref : owners) {
    const Node* o = Find(ref.uid);
    if (o == nullptr || !o->observed || o->deleting_dependents) return true;
  }
  return false;
}

GcGraph::Work GcGraph::Upsert(int resource, const json::Value& object) {
  Work work;
  const std::string uid = object.GetString({"metadata", "uid"});
  if (uid.empty()) return work;
  Node& n = nodes_[uid];  // references into an unordered_map survive rehashing
  const bool was_observed = n.observed;
  const bool was_deleting_dependents = n.deleting_dependents;
  const bool was_orphaning = n.orphaning;
  std::vector<OwnerReference> old_owners = std::move(n.owners);

  n.observed = true;
  n.resource = resource;
  n.namespace_ = object.GetString({"metadata", "namespace"});
  n.name = object.GetString({"metadata", "name"});
  n.owners.clear();
  for (OwnerReference& ref : OwnerReferencesOf(object)) {
    if (ref.uid != uid) n.owners.push_back(std::move(ref));  // a self-reference owns nothing
  }
  const bool deleting = BeingDeleted(object);
  n.deleting_dependents = deleting && HasFinalizer(object, kForegroundDeletionFinalizer);
  n.orphaning = deleting && HasFinalizer(object, kOrphanFinalizer);
  if (auto r = relisting_.find(resource); r != relisting_.end()) n.relist_generation = r->second;

  const std::vector<OwnerReference> owners = n.owners;  // `n` may not be touched below
  const std::set<std::string> dependents = n.dependents;
  for (const OwnerReference& old : old_owners) {
    if (!Contains(owners, old.uid)) RemoveDependent(old.uid, uid, &work);
  }
  for (const OwnerReference& ref : owners) {
    if (!Contains(old_owners, ref.uid)) AddDependent(ref.uid, uid);
  }
  // An object whose owners are not all known and alive may be garbage (or must wait for an
  // owner's foreground deletion); one whose owners are all here is left alone until one goes.
  if (!owners.empty() && (!was_observed || owners != old_owners) && OwnersNeedAttention(owners)) {
    work.attempt_to_delete.push_back(uid);
  }
  const Node& now = nodes_.at(uid);
  if (now.deleting_dependents && !was_deleting_dependents) {
    work.attempt_to_delete.push_back(uid);
    work.attempt_to_delete.insert(work.attempt_to_delete.end(), dependents.begin(), dependents.end());
  }
  if (now.orphaning && !was_orphaning) work.attempt_to_orphan.push_back(uid);
  absent_.erase(uid);
  return work;
}

GcGraph::Work GcGraph::Remove(const std::string& uid) {
  Work work;
  MarkAbsent(uid);
  auto it = nodes_.find(uid);
  if (it == nodes_.end() || !it->second.observed) return work;
  const std::vector<OwnerReference> owners = std::move(it->second.owners);
  for (const OwnerReference& ref : owners) RemoveDependent(ref.uid, uid, &work);
  it = nodes_.find(uid);  // RemoveDependent may have erased other nodes
  Node& n = it->second;
  work.attempt_to_delete.insert(work.attempt_to_delete.end(), n.dependents.begin(), n.dependents.end());
  if (n.dependents.empty()) {
    nodes_.erase(it);
  } else {
    // Its dependents still name it: keep the index as a virtual node until they let go.
    std::set<std::string> dependents = std::move(n.dependents);
    n = Node();
    n.dependents = std::move(dependents);
  }
  return work;
}

void GcGraph::BeginRelist(int resource) { relisting_[resource] = next_generation_++; }

GcGraph::Work GcGraph::EndRelist(int resource) {
  Work work;
  auto r = relisting_.find(resource);
  if (r == relisting_.end()) return work;
  const uint64_t generation = r->second;
  relisting_.erase(r);
  std::vector<std::string> gone;
  for (const auto& [uid, node] : nodes_) {
    if (node.observed && node.resource == resource && node.relist_generation != generation) gone.push_back(uid);
  }
  for (const std::string& uid : gone) work.Merge(Remove(uid));
  return work;
}

}  // namespace cubelet::controllers
