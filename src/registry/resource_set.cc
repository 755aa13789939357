#include "registry/resource_set.h"

namespace cubelet::registry {

ResourceStore* ResourceSet::Add(std::unique_ptr<ResourceStore> store) {
  ResourceStore* raw = store.get();
  stores_[{raw->info().group, raw->info().resource}] = std::move(store);
  order_.push_back(raw);
  return raw;
}

ResourceStore* ResourceSet::Find(std::string_view group, std::string_view resource) const {
  auto it = stores_.find(std::pair<std::string, std::string>(group, resource));
  return it == stores_.end() ? nullptr : it->second.get();
}

}  // namespace cubelet::registry
