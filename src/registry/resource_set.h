// Owns: the running resource stores of one server, found by group and resource: what the
// API handlers, admission lookups and in-process controllers use to reach any kind.
// Does not own: building them (the API server's composition root) or their semantics.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "registry/resource_store.h"

namespace cubelet::registry {

// Not thread-safe to modify; immutable (and thread-safe to read) once the server has started.
class ResourceSet {
 public:
  // Takes ownership; the store's info() names it.
  ResourceStore* Add(std::unique_ptr<ResourceStore> store);
  // nullptr when not served. `group` "" is the core group.
  ResourceStore* Find(std::string_view group, std::string_view resource) const;
  const std::vector<ResourceStore*>& all() const { return order_; }

 private:
  std::map<std::pair<std::string, std::string>, std::unique_ptr<ResourceStore>, std::less<>> stores_;
  std::vector<ResourceStore*> order_;
};

}  // namespace cubelet::registry
