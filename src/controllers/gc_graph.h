// Owns: the garbage collector's view of ownership (upstream garbagecollector/graph.go and the
// event half of graph_builder.go): one node per uid, with the object's owner references and
// the uids of the objects that name it as an owner, kept from watch events so that no event
// needs a scan; owners named but never seen are "virtual" nodes. Each change reports which
// uids the collector should look at, and why.
// Does not own: reading or writing objects (garbage_collector.cc), threads (not thread-safe:
// the collector guards it).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "controllers/object_helpers.h"
#include "json/value.h"

namespace cubelet::controllers {

class GcGraph {
 public:
  struct Node {
    bool observed = false;  // false: only known as the owner in someone's reference
    int resource = -1;      // the collector's index of its kind (observed nodes)
    std::string namespace_;
    std::string name;
    std::vector<OwnerReference> owners;
    std::set<std::string> dependents;
    bool deleting_dependents = false;  // being deleted with the foregroundDeletion finalizer
    bool orphaning = false;            // being deleted with the orphan finalizer
    uint64_t relist_generation = 0;
  };

  // What to look at: objects whose owners may be gone or waiting for them (attempt to delete),
  // owners whose dependents must be orphaned first.
  struct Work {
    std::vector<std::string> attempt_to_delete;
    std::vector<std::string> attempt_to_orphan;
    void Merge(Work other);
  };

  // An object of kind `resource` was added or changed.
  Work Upsert(int resource, const json::Value& object);
  // The object with `uid` was deleted: its dependents are looked at again.
  Work Remove(const std::string& uid);

  // A relist of `resource` begins: objects it does not show again by EndRelist were deleted
  // unseen.
  void BeginRelist(int resource);
  Work EndRelist(int resource);

  const Node* Find(const std::string& uid) const;
  // Whether the collector has anything to check about `node`: it waits for its dependents, or
  // one of its owners is not known alive or waits for its own dependents. False means every
  // owner is alive as far as the events tell (no read of the store needed).
  bool NeedsAttention(const Node& node) const;
  // Remembers that no object has `uid` (upstream's absentOwnerCache: bounded).
  void MarkAbsent(const std::string& uid);
  bool KnownAbsent(const std::string& uid) const { return absent_.contains(uid); }
  size_t size() const { return nodes_.size(); }

 private:
  void AddDependent(const std::string& owner, const std::string& dependent);
  // Drops `dependent` from `owner`'s list; an owner waiting for its dependents is looked at.
  void RemoveDependent(const std::string& owner, const std::string& dependent, Work* work);
  bool OwnersNeedAttention(const std::vector<OwnerReference>& owners) const;

  std::unordered_map<std::string, Node> nodes_;
  std::map<int, uint64_t> relisting_;  // resource → generation of the relist in progress
  uint64_t next_generation_ = 1;
  std::unordered_set<std::string> absent_;
  std::deque<std::string> absent_order_;
};

}  // namespace cubelet::controllers
